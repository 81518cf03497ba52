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
            let renderer = try makeRenderer(
                network.configuration, extraFields: Set(network.members.members.flatMap(\.fields.keys)))
            let configuration = network.configuration
            if dryRun {
                printPlan(network: network, renderer: renderer, at: instant)
                return
            }
            guard let lock = try RunLock.acquire(in: configuration.delivery.state, wait: 10) else {
                print("Another run is active; this one exits without sending.")
                return
            }
            defer { withExtendedLifetime(lock) {} }
            let ledger: SQLiteLedger
            do {
                ledger = try SQLiteLedger(directory: configuration.delivery.state)
            } catch {
                printError("error: cannot open the ledger in \(configuration.delivery.state.path): \(error)")
                throw ExitCodes.configError
            }
            let transport: any Transport
            do {
                transport = try makeTransport(configuration, trace: trace)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.code(for: error)
            }
            var dispatcher = Dispatcher(
                network: network, renderer: renderer, ledger: ledger, transport: transport)
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
            let summary = try await dispatcher.run(now: instant)
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
            switch summary.stopKind {
            case .security: throw ExitCodes.permissionDenied
            case .unreachable: throw ExitCodes.temporaryFailure
            case .configuration: throw ExitCodes.configError
            case nil: if summary.failed > 0 { throw ExitCodes.somethingFailed }
            }
        }

        private func printPlan(network: LoadedNetwork, renderer: MessageRenderer, at instant: Date) {
            let configuration = network.configuration
            let zone = configuration.network.timeZone
            let all = Planner.due(
                at: instant, events: network.events, schedule: configuration.schedule, zone: zone)
            // A cancellation reaches only those who got the invitation, which the ledger knows and a
            // dry run does not read: say so instead of counting the whole audience.
            let cancellations = all.filter { $0.kind == .cancellation }
            let due = all.filter { $0.kind != .cancellation }
            if all.isEmpty { print("Nothing is due at \(MessageEncoder.rfc5322Date(instant, in: zone)).") }
            for mailing in cancellations {
                print("\(mailing.id): to those who got the invitation, once, when a run first sees it")
            }
            for mailing in due {
                let recipients = Planner.recipients(
                    of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
                var languages: [String: Int] = [:]
                for recipient in recipients {
                    let language = recipient.language ?? configuration.network.defaultLanguage
                    languages[language.identifier, default: 0] += 1
                }
                let list = languages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", ")
                print("\(mailing.id): \(recipients.count) recipients (\(list))")
            }
            print("Dry run: nothing was sent or recorded.")
        }
    }
}

/// The transport the configuration names, with the SMTP password loaded from its variable or file.
func makeTransport(_ configuration: Configuration, trace: Bool) throws(TransportError) -> any Transport {
    switch configuration.delivery.transport {
    case .outbox:
        return OutboxTransport(directory: configuration.delivery.outbox)
    case .smtp:
        guard let smtp = configuration.smtp else {
            throw .configuration("transport = \"smtp\" needs an [smtp] section")
        }
        let password = try smtp.password.map { source throws(TransportError) in try Secret.load(from: source)
        }
        var settings = smtp.settings(password: password, connections: configuration.delivery.connections)
        if trace {
            let logger = ToolLogging.makeLogger(label: "inviter.smtp", trace: true)
            settings.trace = { line in logger.trace("\(line)") }
        }
        return try SMTPTransport(settings: settings)
    }
}
