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
        @Flag(help: "Show the recipients per language and change nothing.") var dryRun = false

        func run() async throws {
            let instant = try options.instant(now)
            let due = try at.map { try options.instant($0) } ?? instant
            let network = try loadNetwork(options)
            let configuration = network.configuration
            let renderer = try makeRenderer(
                configuration, extraFields: Set(network.members.members.flatMap(\.fields.keys)))
            guard renderer.templates.announcements.contains(template) else {
                let known = renderer.templates.announcements
                printError(
                    "error: no announcement template \(template.debugDescription)"
                        + Suggestion.didYouMean(template, among: known)
                        + (known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))"))
                throw ExitCodes.usage
            }
            var kinds: [PartnerKind] = []
            for text in partners {
                guard let kind = PartnerKind(rawValue: text.lowercased()) else {
                    let names = PartnerKind.allCases.map(\.rawValue)
                    printError(
                        "error: --partners \(text.debugDescription) is not a partner kind; use "
                            + names.joined(separator: ", ") + Suggestion.didYouMean(text, among: names))
                    throw ExitCodes.usage
                }
                kinds.append(kind)
            }
            // Only partners when --partners is given alone; otherwise the segments (all by default).
            let segments = segment.isEmpty ? (kinds.isEmpty ? ["all"] : []) : segment.map { $0.lowercased() }
            let mailing = Mailing(
                announcement: template, segments: segments.isEmpty ? ["all"] : segments, dueAt: due)
            let members =
                segments.isEmpty
                ? [] : Planner.recipients(of: mailing, members: network.members.members, partners: [])
            let partnerContacts = (network.partners?.partners ?? []).filter { kinds.contains($0.kind) }
            let recipients = members + partnerContacts.map(Recipient.partner)

            if let testTo {
                try await sendTest(
                    to: testTo, mailing: mailing, sample: recipients.first, renderer: renderer, now: instant)
                return
            }
            if dryRun {
                // The ids `announce` records under: members and partner contacts apart, as a run sends them.
                let id =
                    "announcement/\(template)/\(LocalDateTime(due, in: configuration.network.timeZone).date)"
                func languages(_ recipients: [Recipient]) -> String {
                    var counts: [String: Int] = [:]
                    for recipient in recipients {
                        counts[
                            (recipient.language ?? configuration.network.defaultLanguage).identifier,
                            default: 0] +=
                            1
                    }
                    return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", ")
                }
                if !segments.isEmpty {
                    print(
                        "\(id) to \(segments.joined(separator: ", ")): \(counted(members.count, "member")) (\(languages(members)))"
                    )
                }
                if !kinds.isEmpty {
                    let contacts = partnerContacts.map(Recipient.partner)
                    print(
                        "\(id)/partners to \(kinds.map(\.rawValue).sorted().joined(separator: ", ")): "
                            + "\(counted(contacts.count, "partner contact")) (\(languages(contacts)))")
                }
                print("Dry run: nothing was sent or recorded.")
                return
            }
            guard let lock = try RunLock.acquire(in: configuration.delivery.state, wait: 10) else {
                printError("Another run is active; try again in a moment.")
                throw ExitCodes.temporaryFailure
            }
            defer { withExtendedLifetime(lock) {} }
            let ledger = try SQLiteLedger(directory: configuration.delivery.state)
            let transport: any Transport
            do {
                transport = try makeTransport(configuration, trace: false)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.code(for: error)
            }
            let dispatcher = Dispatcher(
                network: network, renderer: renderer, ledger: ledger, transport: transport)
            let (registered, count) = try dispatcher.registerAnnouncement(
                template, segments: segments, partnerKinds: kinds, at: due, now: instant)
            print("\(registered.id): \(count) recipients recorded.")
            guard due <= instant else {
                print(
                    "It goes out with the first run at or after \(MessageEncoder.rfc5322Date(due, in: configuration.network.timeZone))."
                )
                return
            }
            let summary = try await dispatcher.run(now: instant)
            print(summary.text)
            if summary.stopKind != nil || summary.failed > 0 { throw ExitCodes.somethingFailed }
        }

        /// One copy to `address`, rendered with a real recipient's data so it looks exactly like the real thing.
        private func sendTest(
            to address: String, mailing: Mailing, sample: Recipient?, renderer: MessageRenderer, now: Date
        ) async throws {
            let target: MailAddress
            do {
                target = try MailAddress(parsing: address, source: "--test-to")
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            guard let sample else {
                printError(
                    "error: nobody is in the chosen segments, so there is no one to render the test with")
                throw ExitCodes.dataError
            }
            var message = try renderer.render(RenderRequest(mailing: mailing, recipient: sample, now: now))
                .message
            message.to = target
            message.subject = "[TEST] " + message.subject
            let transport: any Transport
            do {
                transport = try makeTransport(renderer.configuration, trace: false)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.code(for: error)
            }
            let results = try await transport.deliver([try Envelope(message: message)])
            guard let result = results.first, result.outcome == .delivered else {
                printError(
                    "error: the test copy was not delivered: \(results.first.map { "\($0)" } ?? "no result")")
                throw ExitCodes.temporaryFailure
            }
            print(
                "Test copy sent to \(target.address), rendered for \(sample.address.address): \(result.detail)"
            )
        }
    }
}
