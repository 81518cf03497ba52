import Foundation

extension LoadedNetwork {
    /// The occurrence `id` names (its original date; an override may move it a day either way),
    /// when an event still has it.
    public func occurrence(_ id: OccurrenceID) -> Occurrence? {
        guard let event = events.first(where: { $0.id == id.eventID }),
            let from = LocalDateTime(date: id.date.adding(days: -1), hour: 0, minute: 0),
            let through = LocalDateTime(date: id.date.adding(days: 1), hour: 23, minute: 59)
        else { return nil }
        return event.occurrences(from: from, through: through, in: configuration.network.timeZone).first {
            $0.id == id
        }
    }
}

/// `inviter attendees <event>/<date>`: going, the waitlist in order and declined, for the door,
/// a spreadsheet or a script.
public struct AttendeesReport: Sendable {
    /// One member's answer, with what the lists say of them.
    public struct Entry: Sendable, Encodable {
        public var email: String
        public var name: String
        public var language: String
        /// ISO 8601, UTC.
        public var answered: String
        /// The member's waitlist position; not in the JSON (the list's order is the order).
        var position: Int?
        var status: RSVPStatus

        enum CodingKeys: String, CodingKey { case email, name, language, answered }
    }

    public var occurrence: Occurrence
    public var going: [Entry] = []
    public var waitlist: [Entry] = []
    public var declined: [Entry] = []

    public init(occurrence: Occurrence, records: [RSVPRecord], network: LoadedNetwork) {
        self.occurrence = occurrence
        let members = Dictionary(network.members.members.map { ($0.address.key, $0) }) { first, _ in first }
        let formatter = ISO8601DateFormatter()
        for record in records {
            let member = members[record.address]
            let entry = Entry(
                email: member?.address.address ?? record.address.value, name: member?.name ?? "",
                language: (member?.language ?? network.configuration.network.defaultLanguage).identifier,
                answered: formatter.string(from: record.answeredAt), position: record.position,
                status: record.status)
            switch record.status {
            case .going: going.append(entry)
            case .waitlisted: waitlist.append(entry)
            case .declined: declined.append(entry)
            }
        }
    }

    /// Going beyond the capacity: it was lowered after members had their seats, and nobody is moved out.
    public var overCapacity: Int? {
        guard let capacity = occurrence.capacity, going.count > capacity else { return nil }
        return going.count - capacity
    }

    public func lines(zone: TimeZone) -> [String] {
        let seats = occurrence.capacity.map { " of \(counted($0, "seat"))" } ?? " (no limit)"
        var lines = [
            "\(occurrence.id): \(going.count) going\(seats), \(waitlist.count) on the waitlist, "
                + "\(declined.count) declined"
        ]
        if let over = overCapacity {
            lines.append(
                "warning: \(counted(over, "member")) over capacity: it was lowered after they had "
                    + "their seats, and nobody is moved out")
        }
        let formatter = ISO8601DateFormatter()
        func line(_ entry: Entry, prefix: String) -> String {
            let answered =
                formatter.date(from: entry.answered).map { ISO8601.local($0, in: zone) } ?? entry.answered
            return "  \(prefix)\(entry.email)  \(entry.name)  \(entry.language)  answered \(answered)"
        }
        for (title, entries) in [("Going", going), ("Waitlist", waitlist), ("Declined", declined)]
        where !entries.isEmpty {
            lines.append("\(title):")
            for entry in entries { lines.append(line(entry, prefix: entry.position.map { "\($0). " } ?? "")) }
        }
        return lines
    }

    /// `{"occurrence", "capacity", "going": [...], "waitlist": [...], "declined": [...]}`.
    public func json() throws -> String {
        struct Document: Encodable {
            var occurrence: String
            var capacity: Int?
            var going, waitlist, declined: [Entry]

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(occurrence, forKey: .occurrence)
                // Present as null without a limit, so a script can tell "none" from "missing".
                try container.encode(capacity, forKey: .capacity)
                try container.encode(going, forKey: .going)
                try container.encode(waitlist, forKey: .waitlist)
                try container.encode(declined, forKey: .declined)
            }

            enum CodingKeys: String, CodingKey { case occurrence, capacity, going, waitlist, declined }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = Document(
            occurrence: occurrence.id.description, capacity: occurrence.capacity, going: going,
            waitlist: waitlist, declined: declined)
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    /// `status,position,email,name,language,answered`, values guarded against formulas as the
    /// suppression CSV is: a list for a spreadsheet or to print for the door.
    public func csv() -> String {
        var lines = ["status,position,email,name,language,answered"]
        for entry in going + waitlist + declined {
            lines.append(
                [
                    entry.status.rawValue, entry.position.map(String.init) ?? "", entry.email, entry.name,
                    entry.language, entry.answered,
                ].map(SuppressionCSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
