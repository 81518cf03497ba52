import ArgumentParser
import Foundation
import InviterCore
import Logging

extension Inviter {
    /// The cron entry point: sends what is due now, once, and says what happened.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send what is due now (run it from cron every few minutes).",
            discussion: """
                Exit status: 0 when everything due was sent or waits for a retry or the rate limit (or \
                another run is active); 1 when some recipients failed permanently; 65/78 for data or \
                configuration errors; 75 when the relay could not be reached; 77 when it was refused \
                for security (STARTTLS, certificate, authentication).
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to run at, ISO 8601 with offset (default: now).") var now: String?
        @Flag(help: "Print the plan (mailings, recipients per language, partners) and change nothing.")
        var dryRun = false
        @Flag(help: "Print the summary as JSON.") var json = false
        @Flag(help: "Print the SMTP conversation (AUTH redacted) to standard error.") var trace = false

        func run() async throws {
            let instant = try options.instant(now)
            let network = try loadNetwork(options)
            let renderer = try makeRenderer(network)
            let configuration = network.configuration
            if dryRun {
                let plan: RunPlan
                do {
                    plan = try RunPlan(network: network, ledger: try readLedger(configuration), now: instant)
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    printError(
                        "error: cannot read the ledger in \(configuration.delivery.state.path): \(error)")
                    throw ExitCodes.configError
                }
                for line in DryRun.lines(plan, network: network) {
                    print(line)
                }
                return
            }
            guard let lock = try RunLock.acquire(in: configuration.delivery.state, wait: 10) else {
                print("Another run is active; this one exits without sending.")
                return
            }
            defer { withExtendedLifetime(lock) {} }
            let ledger = try openLedger(configuration)
            if configuration.mailbox != nil {
                // Bounces and unsubscribes first, so this run no longer mails them. A mailbox that
                // cannot be read is said, and the mail that is due still goes.
                do {
                    let line = try readMailbox(
                        configuration, ledger: ledger, now: instant, trace: trace, verbose: false)
                    // Standard output is the JSON document alone with --json.
                    if json { printError(line) } else { print(line) }
                } catch {
                    printError("warning: the mailbox was not read; sending goes on")
                }
            }
            var dispatcher = Dispatcher(
                network: network, renderer: renderer, ledger: ledger,
                transport: try configuredTransport(configuration, trace: trace))
            if isatty(STDERR_FILENO) == 1 {
                let started = Date()
                dispatcher.progress = { sent, total in
                    // A live line on a terminal only; cron gets the one-paragraph summary.
                    let elapsed = max(Date().timeIntervalSince(started), 0.001)
                    let rate = Double(sent) / elapsed
                    let left = rate > 0 ? Int((Double(max(total - sent, 0)) / rate).rounded()) : 0
                    let line = String(format: "\r%d/%d sent · %.1f/s · %d s left   ", sent, total, rate, left)
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
            if let notice = try TransportClaim.notice(ledger, for: configuration) {
                printError("warning: \(notice)")
            }
            let summary = try await claimed { try await dispatcher.run(now: instant) }
            if isatty(STDERR_FILENO) == 1, summary.sent > 0 {
                FileHandle.standardError.write(Data("\n".utf8))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
            try ExitCodes.check(summary)
        }
    }
}

/// The run lock and the ledger, for a command that changes the ledger outside a cron run
/// (`announce`, `reset`): it waits briefly for a run in progress, then gives up with 75.
func lockedLedger(_ configuration: Configuration) throws -> (RunLock, SQLiteLedger) {
    guard let lock = try RunLock.acquire(in: configuration.delivery.state, wait: 10) else {
        printError("Another run is active; try again in a moment.")
        throw ExitCodes.temporaryFailure
    }
    return (lock, try SQLiteLedger(directory: configuration.delivery.state))
}

/// The ledger, for writing (it is made when there is none); a problem with it ends the command with 78.
func openLedger(_ configuration: Configuration) throws -> SQLiteLedger {
    do {
        return try SQLiteLedger(directory: configuration.delivery.state)
    } catch {
        printError("error: cannot open the ledger in \(configuration.delivery.state.path): \(error)")
        throw ExitCodes.configError
    }
}

/// The ledger as it stands, for reading only (a dry run, a preview); nil when there is none yet.
func readLedger(_ configuration: Configuration) throws -> SQLiteLedger? {
    do {
        return try SQLiteLedger.reading(directory: configuration.delivery.state)
    } catch {
        printError("error: cannot read the ledger in \(configuration.delivery.state.path): \(error)")
        throw ExitCodes.configError
    }
}

/// The transport the configuration names; a problem with it is printed and ends the command.
func configuredTransport(_ configuration: Configuration, trace: Bool) throws -> any Transport {
    do {
        guard trace else { return try configuration.makeTransport() }
        let logger = ToolLogging.makeLogger(label: "inviter.smtp", trace: true)
        return try configuration.makeTransport(trace: { line in logger.trace("\(line)") })
    } catch {
        printError("error: \(error)")
        throw ExitCodes.code(for: error)
    }
}
