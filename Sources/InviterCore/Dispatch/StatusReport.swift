import Foundation

/// `inviter status --json`: the shape scripts rely on (see the README).
public enum StatusReport {
    /// - Parameter rsvp: The answers per occurrence: an RSVP occurrence's invitation gains `rsvp`
    ///   (`going`, `waitlisted`, `declined`).
    ///   - mailbox: The received messages of the last 30 days by disposition (`bounce`, `person`…),
    ///     as `"mailbox"`, when the network reads its mail.
    public static func json(
        _ statuses: [MailingStatus], rsvp: [OccurrenceID: RSVPCounts] = [:],
        mailbox: [InboundDisposition: Int]? = nil
    ) -> String {
        struct Failure: Encodable {
            let recipient: String
            let state: String
            let reply: String
        }
        struct Item: Encodable {
            let id: String
            let kind: String
            let dueAt: String
            let counts: [String: Int]
            let failures: [Failure]
            /// Why deliveries were skipped, with how many.
            let skipped: [String: Int]
            let rsvp: RSVPCounts?
        }
        struct Report: Encodable {
            let mailings: [Item]
            let mailbox: [String: Int]?
        }
        let formatter = ISO8601DateFormatter()
        let items = statuses.map { status in
            var counts: [String: Int] = [:]
            for state in DeliveryState.allCases { counts[state.rawValue] = status.counts[state] ?? 0 }
            counts["bounced"] = status.bounced
            return Item(
                id: status.mailing.id.description, kind: status.mailing.kind.rawValue,
                dueAt: formatter.string(from: status.mailing.dueAt),
                counts: counts,
                failures: status.attention.map {
                    Failure(
                        recipient: $0.key.recipient.value, state: $0.state.rawValue, reply: $0.lastReply ?? ""
                    )
                }, skipped: status.skippedReasons, rsvp: answers(status, rsvp))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return
            (try? encoder.encode(
                Report(
                    mailings: items,
                    mailbox: mailbox.map { counts in
                        Dictionary(
                            uniqueKeysWithValues: InboundDisposition.allCases.map {
                                ($0.rawValue, counts[$0] ?? 0)
                            })
                    }))).map { String(decoding: $0, as: UTF8.self) }
            ?? "{\"mailings\": []}"
    }

    /// The answers to an invitation's occurrence, shown with the invitation.
    private static func answers(_ status: MailingStatus, _ rsvp: [OccurrenceID: RSVPCounts]) -> RSVPCounts? {
        guard status.mailing.kind == .invitation, let occurrence = status.mailing.id.occurrence else {
            return nil
        }
        return rsvp[occurrence]
    }
}

extension StatusReport {
    /// `inviter status`: each mailing with its counts, what needs a person, and why some were skipped.
    public static func lines(
        _ statuses: [MailingStatus], zone: TimeZone, rsvp: [OccurrenceID: RSVPCounts] = [:]
    ) -> [String] {
        var lines: [String] = []
        for status in statuses {
            let counts =
                (DeliveryState.allCases.compactMap { state in
                    status.counts[state].map { "\(state.rawValue) \($0)" }
                } + (status.bounced > 0 ? ["bounced \(status.bounced)"] : [])).joined(separator: ", ")
            lines.append(
                "\(status.mailing.id)  due \(MessageEncoder.rfc5322Date(status.mailing.dueAt, in: zone)): \(counts)"
            )
            if let answers = answers(status, rsvp) {
                lines.append(
                    "  answers: \(answers.going) going, \(answers.waitlisted) on the waitlist, "
                        + "\(answers.declined) declined")
            }
            for entry in status.attention {
                lines.append("  \(entry.state.rawValue): \(entry.key.recipient): \(entry.lastReply ?? "")")
            }
            for (reason, count) in status.skippedReasons.sorted(by: {
                ($1.value, $0.key) < ($0.value, $1.key)
            }) {
                lines.append("  skipped \(count): \(reason.isEmpty ? "no reason recorded" : reason)")
            }
        }
        return lines
    }

    /// `inviter status --recipient`: everything one person got or was meant to get, and what
    /// is coming for them.
    public static func recipientLines(
        _ address: AddressKey, entries: [LedgerEntry], upcoming: [Mailing], zone: TimeZone
    ) -> [String] {
        var lines: [String] = []
        if entries.isEmpty { lines.append("The ledger has nothing for \(address).") }
        for entry in entries {
            let when = ISO8601.local(entry.updatedAt, in: zone)
            lines.append(
                "\(entry.key.mailing): \(entry.state.rawValue) (\(when))"
                    + (entry.lastReply.map { ": \($0)" } ?? "")
                    + (entry.bounce.map { "; then bounced: \($0)" } ?? ""))
        }
        if !upcoming.isEmpty {
            lines.append("Coming for \(address):")
            for mailing in upcoming {
                lines.append("  \(mailing.id)  due \(ISO8601.local(mailing.dueAt, in: zone))")
            }
        }
        return lines
    }

    /// `inviter status --upcoming`: what is due next, with times that `--now` takes, and for how
    /// many (less the addresses suppressed for the mailing's list, who get nothing of it).
    public static func upcomingLines(
        _ plan: DuePlan, network: LoadedNetwork, suppressions: [Suppression] = [], limit: Int = 10
    ) -> [String] {
        let zone = network.configuration.network.timeZone
        let upcoming = plan.upcoming.prefix(limit)
        guard !upcoming.isEmpty else { return ["Nothing is planned."] }
        return upcoming.map { mailing in
            let count: String
            switch mailing.kind {
            case .cancellation, .update: count = "to those who got the invitation"
            case .partnerCancellation, .partnerUpdate:
                count = "to the partner contacts who got the partner copy"
            default:
                let recipients = Planner.recipients(
                    of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
                let held = Set(suppressions.filter { $0.scope.covers(mailing.id.list) }.map(\.address))
                count = counted(recipients.filter { !held.contains($0.address.key) }.count, "recipient")
            }
            return "\(mailing.id)  due \(ISO8601.local(mailing.dueAt, in: zone)): \(count)"
        }
    }
}

extension StatusReport {
    /// How far back `status` counts received mail.
    public static let mailboxWindow: TimeInterval = 30 * 86_400

    /// `Mailbox (last 30 days): …`, or nothing when no mail came in.
    public static func mailboxLine(_ counts: [InboundDisposition: Int]) -> String? {
        guard counts.values.contains(where: { $0 > 0 }) else { return nil }
        let labels: [(InboundDisposition, String)] = [
            (.bounce, "bounces"), (.unsubscribe, "unsubscribes by mail"), (.report, "delay reports"),
            (.autoReply, "auto-replies"), (.person, "messages left unread for a person"),
        ]
        let parts = labels.compactMap { disposition, label in counts[disposition].map { "\($0) \(label)" } }
        return "Mailbox (last 30 days): " + parts.joined(separator: ", ")
    }
}

/// Instants as ISO 8601 with the network's offset (`2026-11-19T17:00:00+01:00`): what a person
/// can copy into `--now`.
public enum ISO8601 {
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        return formatter.string(from: date)
    }
}
