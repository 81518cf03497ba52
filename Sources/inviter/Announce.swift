import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// A one-off mailing from a named template, through the same ledger as everything else.
    struct Announce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a one-off announcement from Templates/announcements/NAME to chosen segments.",
            discussion: """
                Try it first: --dry-run shows who would get it, --test-to ADDRESS sends one copy (with a \
                real member's data) to that address only. Without --at it is sent now; with --at it waits \
                in the ledger and the next run at or after that time sends it.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The announcement template, a folder in Templates/announcements/.") var template: String
        @Option(
            help:
                "A member segment to send to (repeatable; default: all active members, unless --partners alone)."
        )
        var segment: [String] = []
        @Option(
            help: "A partner kind whose contacts get it too: company, school, laerdansk, other (repeatable).")
        var partners: [String] = []
        @Option(help: "When to send, ISO 8601 with offset (default: now).") var at: String?
        @Option(help: "The moment the command runs at, ISO 8601 with offset (default: now).") var now: String?
        @Option(help: "Send one copy to this address only; nothing is recorded.") var testTo: String?
        @Option(help: "With --test-to: render the copy of the first recipient who reads this language.")
        var language: String?
        @Option(help: "With --test-to: render the copy of this recipient.") var recipient: String?
        @Flag(help: "Send without asking, also to many people from a terminal (for scripts).") var yes = false
        @Flag(help: "Show the recipients per language and change nothing.") var dryRun = false

        func run() async throws {
            let instant = try options.instant(now)
            let due = try at.map { try options.instant($0) } ?? instant
            let network = try loadNetwork(options)
            let configuration = network.configuration
            let renderer = try makeRenderer(network)
            let plan: AnnouncementPlan
            do {
                plan = try AnnouncementPlan(
                    template: template, segments: segment, partners: partners, at: due, network: network,
                    templates: renderer.templates, broken: renderer.brokenAnnouncements)
            } catch {
                printError("error: \(error)")
                if case .brokenTemplate = error { throw ExitCodes.configError }
                throw ExitCodes.usage
            }
            if let testTo {
                try await sendTest(to: testTo, plan: plan, renderer: renderer, now: instant)
                return
            }
            guard language == nil, recipient == nil else {
                printError("error: --language and --recipient choose whose copy --test-to renders")
                throw ExitCodes.usage
            }
            if dryRun {
                for line in plan.dryRunLines(defaultLanguage: configuration.network.defaultLanguage) {
                    print(line)
                }
                print("Dry run: nothing was sent or recorded.")
                return
            }
            if !yes, isatty(STDIN_FILENO) == 1, plan.recipients.count > Self.handful {
                let ids = plan.ids.map(\.description).sorted().joined(separator: " and ")
                guard confirmed("Send \(ids) to \(plan.recipients.count) recipients?") else {
                    print("Nothing was sent or recorded.")
                    return
                }
            }
            let (lock, ledger) = try lockedLedger(configuration)
            defer { withExtendedLifetime(lock) {} }
            let dispatcher = Dispatcher(
                network: network, renderer: renderer, ledger: ledger,
                transport: try configuredTransport(configuration, trace: false))
            // Refused before anything is recorded when the ledger holds a trial through another transport.
            try await claimed { try TransportClaim.claim(ledger, for: configuration) }
            let count = try dispatcher.registerAnnouncement(plan, now: instant)
            print("\(plan.mailing.id): \(count) recipients recorded.")
            guard due <= instant else {
                print(
                    "It goes out with the first run at or after \(MessageEncoder.rfc5322Date(due, in: configuration.network.timeZone))."
                )
                return
            }
            // The announcement alone: whatever else is due goes with the next run.
            let summary = try await claimed { try await dispatcher.deliver(only: plan.ids, now: instant) }
            print(summary.text)
            try ExitCodes.check(summary)
        }

        /// More recipients than this are confirmed on a terminal before anything is recorded.
        static let handful = 5

        /// One copy to `address`, rendered with a real recipient's data so it looks exactly like the real thing.
        private func sendTest(
            to address: String, plan: AnnouncementPlan, renderer: MessageRenderer, now: Date
        ) async throws {
            let target: MailAddress
            do {
                target = try MailAddress(parsing: address, source: "--test-to")
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            let sample: Recipient
            do {
                sample = try plan.sample(language: language, recipient: recipient, renderer: renderer)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            let message = try renderer.testCopy(of: plan.mailing, for: sample, to: target, now: now)
            let transport = try configuredTransport(renderer.configuration, trace: false)
            let results = try await transport.deliver([
                Envelope(
                    message: message, mailing: plan.mailing.id, data: try renderer.encodeAndSign(message))
            ])
            guard let result = results.first, result.outcome == .delivered else {
                printError(
                    "error: the test copy was not delivered: \(results.first.map { "\($0)" } ?? "no result")")
                throw results.first.map { ExitCodes.code(for: $0.outcome) } ?? ExitCodes.temporaryFailure
            }
            print(
                "Test copy sent to \(target.address), rendered for \(sample.address.address): \(result.detail)"
            )
        }
    }
}
