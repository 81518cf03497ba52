/// One occurrence's identity: its event and its original date (`wednesday-hygge/2026-12-02`).
///
/// The date is the one the series gives, not the one an override moves it to, so an evening
/// moved to another day keeps its identity: its mailings, its ledger records and its calendar UID.
public struct OccurrenceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let eventID: String
    public let date: LocalDate

    public init(eventID: String, date: LocalDate) {
        self.eventID = eventID
        self.date = date
    }

    /// Parses `<event>/<date>`; event ids never contain `/` (the event file refuses them).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let date = LocalDate(iso: parts[1]) else { return nil }
        self.init(eventID: String(parts[0]), date: date)
    }

    public var description: String { "\(eventID)/\(date)" }

    public static func < (lhs: OccurrenceID, rhs: OccurrenceID) -> Bool {
        (lhs.eventID, lhs.date) < (rhs.eventID, rhs.date)
    }
}
