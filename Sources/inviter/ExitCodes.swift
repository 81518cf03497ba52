import ArgumentParser
import Foundation
import InviterCore

/// The sysexits codes that cron wrappers and scripts rely on (see the README).
enum ExitCodes {
    static let dataError = ExitCode(65)
    static let temporaryFailure = ExitCode(75)
    static let permissionDenied = ExitCode(77)
    static let configError = ExitCode(78)
    static let somethingFailed = ExitCode(1)
    static let usage = ExitCode(64)

    static func code(for error: TransportError) -> ExitCode {
        switch error {
        case .security: permissionDenied
        case .unreachable: temporaryFailure
        case .configuration: configError
        }
    }

    /// Ends a command that ran the dispatcher with the status its summary calls for.
    static func check(_ summary: RunSummary) throws {
        switch summary.stopKind {
        case .security: throw permissionDenied
        case .unreachable: throw temporaryFailure
        case .configuration: throw configError
        case nil: if summary.failed > 0 { throw somethingFailed }
        }
    }

    static func code(for outcome: DeliveryOutcome) -> ExitCode {
        switch outcome {
        case .delivered: .success
        case .temporary, .unknown: temporaryFailure
        case .permanent: somethingFailed
        }
    }
}

/// Runs `body`, turning a ledger that holds another transport's sends into a clear error and 78.
func claimed<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let conflict as TransportClaim.Conflict {
        printError("error: \(conflict)")
        throw ExitCodes.configError
    }
}

/// Asks `question` on the terminal; true only for a "y" or "yes".
func confirmed(_ question: String) -> Bool {
    print("\(question) [y/N] ", terminator: "")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
    return answer == "y" || answer == "yes"
}

/// Writes a line to standard error, where diagnostics belong under cron.
func printError(_ text: String) {
    var stream = StandardError()
    print(text, to: &stream)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
