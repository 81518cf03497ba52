/// One occurrence as it goes into a recipient's calendar, already in the recipient's language.
///
/// The fields are plain values rather than an `Occurrence` so that the caller
/// decides the UID, the sequence and the language once, and the calendar
/// builder only has to write them correctly.
public struct CalendarEntry: Sendable, Hashable {
    /// Stable per occurrence (`wednesday-hygge/2026-12-02@example.org`), so that an update or a
    /// cancellation replaces the entry the recipient already has instead of adding a second one.
    public var uid: String
    /// Grows each time the occurrence changes after it was announced; calendar programs ignore
    /// an update or cancellation whose sequence is not higher than the one they hold.
    public var sequence: Int
    /// Wall-clock start in the network's zone, written with that zone's `TZID`.
    public var start: LocalDateTime
    /// Wall-clock end in the network's zone; the caller keeps it after `start`.
    public var end: LocalDateTime
    /// The title in the recipient's language.
    public var summary: String
    public var location: String
    /// Plain text (not Markdown) in the recipient's language; line breaks are kept.
    public var description: String
    /// Who announced the event; written as `ORGANIZER;CN="name":mailto:address`.
    public var organizer: MailAddress
    /// A page about the event, if there is one.
    public var url: String?

    public init(
        uid: String, sequence: Int, start: LocalDateTime, end: LocalDateTime, summary: String,
        location: String, description: String, organizer: MailAddress, url: String? = nil
    ) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.organizer = organizer
        self.url = url
    }
}
