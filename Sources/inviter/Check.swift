import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Validates everything a run would read, so mistakes are found before anything is sent.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the configuration, events and lists; print every problem as file:line.",
            discussion: """
                Exit status: 0 when everything is usable (warnings allowed), 65 when events or list rows \
                have errors, 78 when the configuration has errors.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to check from, ISO 8601 with offset (default: now).") var now: String?

        func run() async throws {
            let check = NetworkCheck(configuration: options.configURL, now: try options.instant(now))
            for line in check.lines { print(line) }
            for line in check.errorLines { printError(line) }
            switch check.verdict {
            case .usable: return
            case .dataErrors: throw ExitCodes.dataError
            case .configurationErrors: throw ExitCodes.configError
            }
        }
    }
}

/// The options every command that reads a network shares.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $INVITER_CONFIG, else Config/inviter.toml).")
    var config: String?

    var configURL: URL { URL(fileURLWithPath: Configuration.defaultPath(explicit: config)) }

    /// The configuration alone (for commands that need no lists), problems printed, exit 78 when broken.
    func loadConfiguration() throws -> Configuration {
        do {
            return try Configuration.load(configURL).0
        } catch {
            for problem in error.problems { printError("\(problem)") }
            throw ExitCodes.configError
        }
    }

    /// Parses `--now` (ISO 8601 with an offset), or the current time.
    func instant(_ text: String?) throws -> Date {
        guard let text else { return Date() }
        guard let date = ISO8601Parsing.date(text) else {
            printError(
                "error: --now \(text.debugDescription) is not ISO 8601 with an offset, such as 2026-11-17T09:00:00+01:00"
            )
            throw ExitCodes.usage
        }
        return date
    }
}

/// ISO 8601 instants as scripts write them.
enum ISO8601Parsing {
    static func date(_ text: String) -> Date? {
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
