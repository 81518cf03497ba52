import Foundation

/// Text in several languages, such as an event's title.
public struct LocalizedText: Sendable, Hashable {
    public var values: [LanguageCode: String]

    public init(_ values: [LanguageCode: String]) { self.values = values }

    /// The text in `language`, else in `fallback`, else English, else any language (alphabetically first).
    ///
    /// - Returns: the text and the language it is in, so a caller can tell a fallback happened.
    public func resolve(_ language: LanguageCode, fallback: LanguageCode) -> (
        text: String, language: LanguageCode
    )? {
        resolve(language, fallback: LanguageFallback(default: fallback))
    }

    /// The text in the first language of `fallback`'s chain for `language` that has one, else in
    /// any language (alphabetically first).
    public func resolve(_ language: LanguageCode, fallback: LanguageFallback) -> (
        text: String, language: LanguageCode
    )? {
        for candidate in fallback.chain(for: language) {
            if let text = values[candidate] { return (text, candidate) }
        }
        return values.keys.sorted().first.flatMap { key in values[key].map { ($0, key) } }
    }

    public var isEmpty: Bool { values.isEmpty }
}

/// An event as the organizer wrote it: one occurrence, or a series through `repeat`.
public struct Event: Sendable {
    /// A short, stable name such as `wednesday-hygge`; part of every mailing and calendar UID.
    public var id: String
    public var title: LocalizedText
    /// Markdown, per language.
    public var description: LocalizedText
    /// The first occurrence's start and end, in the network's wall-clock time.
    public var start: LocalDateTime
    public var end: LocalDateTime
    public var recurrence: RecurrenceRule?
    /// Dates on which a recurring event does not take place (and nobody is invited).
    public var except: Set<LocalDate>
    public var venue: String
    /// A map of the venue (`map = "https://…"`); nil for an OpenStreetMap search for the venue.
    public var map: String?
    /// Member segments invited; `all` means every active member.
    public var audience: [String]
    public var partners: [PartnerKind]
    /// How many can go; nil for no limit.
    public var capacity: Int?
    /// Whether members answer yes or no from their invitation (`rsvp = true`), filling `capacity`
    /// and then a waitlist.
    public var rsvp = false
    /// Languages an interpreter is offered in (an information evening on tax, say); the
    /// invitation names them in the reader's language, so a newcomer sees that theirs is covered.
    public var interpreters: [LanguageCode] = []
    /// How this event is announced, where it differs from the network's `[schedule]`.
    public var schedule = EventSchedule()
    /// Changes to single occurrences, by their original date.
    public var overrides: [LocalDate: OccurrenceOverride]
    /// `file:line` of the `[[event]]` header.
    public var source: String

    /// `source` split into file and line, for reports about the event.
    public var location: (file: String, line: Int) {
        guard let colon = source.lastIndex(of: ":"), let line = Int(source[source.index(after: colon)...])
        else {
            return (source, 0)
        }
        return (String(source[..<colon]), line)
    }

    /// How long each occurrence lasts, in seconds of wall-clock time.
    var duration: Int {
        (end.date.dayNumber - start.date.dayNumber) * 86_400 + end.secondOfDay - start.secondOfDay
    }

    /// The occurrences that start within `from...through` (wall-clock, inclusive), overrides applied.
    ///
    /// Excepted dates are left out; cancelled occurrences are included with `cancelled` set, so the
    /// planner can tell the people already invited.
    public func occurrences(from: LocalDateTime, through: LocalDateTime, in zone: TimeZone) -> [Occurrence] {
        let starts: [LocalDateTime]
        if let recurrence {
            // Search wider by as many days as any override moves an occurrence, so one moved into
            // or out of the window (New Year's Eve's dinner held two weeks early) is still found.
            let moves = overrides.map { date, override in
                abs((override.start?.date.dayNumber ?? date.dayNumber) - date.dayNumber)
            }
            let margin = max(7, (moves.max() ?? 0) + 1)
            let wideFrom = LocalDateTime(date: from.date.adding(days: -margin), hour: 0, minute: 0) ?? from
            let wideThrough =
                LocalDateTime(date: through.date.adding(days: margin), hour: 23, minute: 59, second: 59)
                ?? through
            starts = recurrence.occurrences(start: start, in: zone, from: wideFrom, through: wideThrough)
        } else {
            starts = [start]
        }
        return starts.compactMap { original -> Occurrence? in
            guard !except.contains(original.date) else { return nil }
            let occurrence = makeOccurrence(original)
            guard occurrence.start >= from, occurrence.start <= through else { return nil }
            return occurrence
        }
    }

    private func makeOccurrence(_ original: LocalDateTime) -> Occurrence {
        let override = overrides[original.date]
        let start = override?.start ?? original
        let end = override?.end ?? LocalDateTime.adding(seconds: duration, to: start)
        return Occurrence(
            eventID: id, date: original.date, start: start, end: end,
            title: override?.title ?? title, description: override?.description ?? description,
            venue: override?.venue ?? venue,
            map: override?.map ?? (override?.venue == nil ? map : nil),
            capacity: override?.capacity ?? capacity,
            rsvp: override?.rsvp ?? rsvp, cancelled: override?.cancelled ?? false, note: override?.note,
            audience: audience, partners: partners, interpreters: interpreters, schedule: schedule,
            repetition: recurrence.map { rule in
                Repetition(
                    rule: rule,
                    skipped: except.union(overrides.filter { $0.value.cancelled }.keys).sorted())
            })
    }
}

/// How a series repeats: its rule and the dates it does not meet (excepted or cancelled), so a
/// member reads "Every Wednesday, 19:00–22:00; not 23 and 30 December" rather than one evening.
public struct Repetition: Sendable, Hashable {
    public var rule: RecurrenceRule
    /// Sorted.
    public var skipped: [LocalDate]

    public init(rule: RecurrenceRule, skipped: [LocalDate]) {
        self.rule = rule
        self.skipped = skipped
    }
}

/// A change to one occurrence of a series: another venue that week, another time, or cancelled.
public struct OccurrenceOverride: Sendable {
    public var start: LocalDateTime?
    public var end: LocalDateTime?
    public var venue: String?
    /// The map of this occurrence's venue; another venue without one gets a search for it.
    public var map: String?
    public var title: LocalizedText?
    public var description: LocalizedText?
    public var capacity: Int?
    /// RSVP turned on (or off) for this occurrence alone; nil keeps the event's.
    public var rsvp: Bool?
    public var cancelled: Bool
    /// A short explanation shown to members ("moved because of the Christmas market").
    public var note: LocalizedText?
}

/// One concrete occurrence of an event.
public struct Occurrence: Sendable, Hashable {
    public var eventID: String
    /// The occurrence's original date: its identity, unchanged when an override moves it.
    public var date: LocalDate
    public var start: LocalDateTime
    public var end: LocalDateTime
    public var title: LocalizedText
    public var description: LocalizedText
    public var venue: String
    /// The organizer's map link for the venue, when given (see ``mapURL``).
    public var map: String?
    public var capacity: Int?
    /// Whether members answer yes or no (see ``Event/rsvp``).
    public var rsvp = false
    public var cancelled: Bool
    public var note: LocalizedText?
    public var audience: [String]
    public var partners: [PartnerKind]
    public var interpreters: [LanguageCode] = []
    /// How its event is announced (see ``EventSchedule``).
    public var schedule = EventSchedule()
    /// How its series repeats, for the line in mail that says so; nil for a one-off event.
    public var repetition: Repetition? = nil

    /// `wednesday-hygge/2026-12-02`: stable across runs, used in mailing ids and calendar UIDs.
    public var id: OccurrenceID { OccurrenceID(eventID: eventID, date: date) }

    /// Where the venue is on a map: the organizer's link, else an OpenStreetMap search for the
    /// venue's text (an address finds itself; a name alone may find several places).
    public var mapURL: String {
        if let map { return map }
        let query = venue.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? ""
        return "https://www.openstreetmap.org/search?query=" + query
    }
}

extension LocalDateTime {
    /// Wall-clock arithmetic: `seconds` later on the clock, regardless of daylight-saving changes.
    static func adding(seconds: Int, to time: LocalDateTime) -> LocalDateTime {
        let total = time.date.dayNumber * 86_400 + time.secondOfDay + seconds
        let days = Int((Double(total) / 86_400).rounded(.down))
        let rest = total - days * 86_400
        return LocalDateTime(
            date: LocalDate(dayNumber: days), hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
            ?? time
    }
}

/// How an event reaches its members, where it differs from the network's `[schedule]`.
///
/// A weekly activity with an invitation and a reminder for every occurrence is two mails a week
/// per member, and organizers turn such mail off; so an event can set its own times, go without
/// a reminder, or be announced through the newsletter alone.
public struct EventSchedule: Sendable, Hashable {
    /// Whether the event has mail of its own.
    public enum Announcement: String, Sendable, Hashable, CaseIterable {
        /// An invitation (and a partner copy, and a reminder) per occurrence: the default.
        case invitation
        /// No mail of its own: the newsletter lists its dates.
        case newsletter
    }

    /// The reminder: the network's, none, or at its own time.
    public enum Reminder: Sendable, Hashable {
        case network
        case none
        case before(SendOffset)
    }

    /// How long before the start the invitation goes out; nil for the network's `invitation`.
    public var invitation: SendOffset?
    public var reminder: Reminder = .network
    public var announce: Announcement = .invitation

    public init(
        invitation: SendOffset? = nil, reminder: Reminder = .network, announce: Announcement = .invitation
    ) {
        self.invitation = invitation
        self.reminder = reminder
        self.announce = announce
    }
}
