import Foundation

/// Reads `events.toml`: every `[[event]]` with its recurrence, exceptions and overrides.
public enum EventFile {
    /// Reads and checks the events file.
    ///
    /// - Parameters:
    ///   - zone: The network's time zone, for UNTIL given in UTC.
    /// - Returns: the events and any warnings (a start that does not match its own rule, an `except` date that is no occurrence).
    /// - Throws: `InputProblems` with every error: an event error stops the run before anything is sent.
    public static func load(_ url: URL, zone: TimeZone) throws(InputProblems) -> (
        events: [Event], warnings: [InputProblem]
    ) {
        let display = InputFiles.displayName(url)
        let document = try TOMLDocument.load(url, displayName: display, kind: .data)
        let log = ProblemLog()
        let root = TableReader(
            document: document, path: TOMLPath(), table: document.root, log: log, kind: .data)
        var events: [Event] = []
        var seen: [String: Int] = [:]
        for table in root.tables("event") {
            guard let event = readEvent(table, zone: zone) else { continue }
            if let earlier = seen[event.id] {
                table.problem(
                    "id",
                    "\(event.id.debugDescription) is already the id of the event on line \(earlier); ids must be unique"
                )
                continue
            }
            seen[event.id] = table.line()
            events.append(event)
        }
        root.finish()
        if !root.has("event") {
            log.add(
                InputProblem(
                    file: display, line: 0, message: "no [[event]] found", severity: .warning, kind: .data))
        }
        guard !log.hasErrors else {
            throw InputProblems(
                log.problems.filter { $0.severity == .error }
                    + log.problems.filter { $0.severity == .warning })
        }
        return (events, log.problems)
    }

    private static func readEvent(_ table: TableReader, zone: TimeZone) -> Event? {
        defer { table.finish() }
        let id = table.string("id", required: true)
        if let id, !isValidID(id) {
            table.problem(
                "id",
                "\(id.debugDescription) must be lowercase letters, digits and hyphens, such as \"wednesday-hygge\""
            )
        }
        let title = localized(table, "title", required: true, singleLine: true)
        let description = localized(table, "description", required: false, singleLine: false)
        let start = table.localDateTime("start", required: true)
        let end = table.localDateTime("end", required: true)
        if let start, let end, end <= start {
            table.problem("end", "must be after start (\(start))")
        }
        var recurrence: RecurrenceRule?
        if let text = table.string("repeat") {
            do {
                recurrence = try RecurrenceRule(parsing: text)
            } catch {
                table.problem("repeat", error.description)
            }
        }
        if let recurrence, let start, !recurrence.matches(start) {
            table.problem(
                "repeat",
                "the start \(start.date) (a \(weekdayName(start.date.weekday))) does not fit \(recurrence); "
                    + "it still counts as the first occurrence",
                severity: .warning)
        }
        var except: Set<LocalDate> = []
        if let node = table.value("except") {
            let items: [TOMLNode]
            if case .array(let list) = node { items = list } else { items = [node] }
            for item in items {
                if let date = table.date("except", node: item) { except.insert(date) }
            }
            if recurrence == nil, !except.isEmpty {
                table.problem("except", "only a repeating event (with repeat) can have except dates")
            }
        }
        let venue = table.string("venue", required: true)
        if let venue, venue.contains(where: \.isNewline) {
            table.problem("venue", "must be one line (it is used in calendar entries and subjects)")
        }
        let map = readMap(table)
        let audience = (table.strings("audience") ?? ["all"]).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if audience.isEmpty || audience.contains("") {
            table.problem("audience", "name at least one segment, or \"all\"")
        }
        var partners: [PartnerKind] = []
        for text in table.strings("partners") ?? [] {
            if let kind = PartnerKind(rawValue: text.lowercased()) {
                partners.append(kind)
            } else {
                let kinds = PartnerKind.allCases.map(\.rawValue)
                table.problem(
                    "partners",
                    "\(text.debugDescription) is not a partner kind; use \(kinds.joined(separator: ", "))"
                        + Suggestion.didYouMean(text, among: kinds))
            }
        }
        let capacity = table.integer("capacity", range: 1...100_000)
        let rsvp = table.boolean("rsvp") ?? false
        var interpreters: [LanguageCode] = []
        for text in table.strings("interpreters") ?? [] {
            do throws(LanguageCodeError) {
                let language = try LanguageCode(text.trimmingCharacters(in: .whitespaces))
                if !interpreters.contains(language) { interpreters.append(language) }
            } catch {
                table.problem("interpreters", error.description)
            }
        }
        let schedule = readSchedule(table)
        if rsvp, schedule.announce == .newsletter {
            table.problem(
                "rsvp",
                "an event announced through the newsletter alone has no invitation to carry the yes and no links"
            )
        }

        var overrides: [LocalDate: OccurrenceOverride] = [:]
        for overrideTable in table.tables("override") {
            guard let (date, override) = readOverride(overrideTable) else { continue }
            if overrides[date] != nil {
                overrideTable.problem("date", "\(date) is already changed by an earlier [[event.override]]")
                continue
            }
            if let start, !isOccurrence(date, of: start, recurrence: recurrence, zone: zone) {
                overrideTable.problem(
                    "date", "\(date) is not a date of this event, so there is nothing to change")
                continue
            }
            if except.contains(date) {
                overrideTable.problem("date", "\(date) is in except, so there is no occurrence to change")
                continue
            }
            overrides[date] = override
        }
        if let start, let recurrence {
            for date in except.sorted()
            where !isOccurrence(date, of: start, recurrence: recurrence, zone: zone) {
                table.problem(
                    "except", "\(date) is not a date of this event; nothing to skip", severity: .warning)
            }
        }
        guard let id, isValidID(id), let title, let start, let end, end > start, let venue else { return nil }
        let source = "\(table.document.file):\(table.line())"
        return Event(
            id: id, title: title, description: description ?? LocalizedText([:]), start: start, end: end,
            recurrence: recurrence, except: except, venue: venue, map: map, audience: audience,
            partners: partners,
            capacity: capacity, rsvp: rsvp, interpreters: interpreters, schedule: schedule,
            overrides: overrides, source: source)
    }

    /// An event's own `invitation`, `reminder` (a duration, or "none") and `announce`
    /// ("invitation" or "newsletter"), where it differs from the network's `[schedule]`.
    private static func readSchedule(_ table: TableReader) -> EventSchedule {
        var schedule = EventSchedule()
        if let text = table.string("invitation") {
            do { schedule.invitation = try SendOffset(parsing: text) } catch {
                table.problem("invitation", error.description)
            }
        }
        if let text = table.string("reminder") {
            if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" {
                schedule.reminder = .none
            } else {
                do { schedule.reminder = .before(try SendOffset(parsing: text)) } catch {
                    table.problem("reminder", "\(error.description), or \"none\" for no reminder")
                }
            }
        }
        if let invitation = schedule.invitation, case .before(let reminder) = schedule.reminder,
            reminder.days * 86_400 + reminder.seconds >= invitation.days * 86_400 + invitation.seconds
        {
            table.problem(
                "reminder",
                "the reminder (\(reminder)) must come after the invitation (\(invitation)), closer to the event"
            )
        }
        if let text = table.string("announce") {
            if let announce = EventSchedule.Announcement(
                rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
            {
                schedule.announce = announce
            } else {
                let choices = EventSchedule.Announcement.allCases.map(\.rawValue)
                table.problem(
                    "announce",
                    "\(text.debugDescription) is not a way to announce; use \(choices.joined(separator: " or "))"
                        + Suggestion.didYouMean(text, among: choices))
            }
        }
        return schedule
    }

    /// `map`: a link to the venue on a map, http(s), one line; without it the mail links an
    /// OpenStreetMap search for the venue.
    private static func readMap(_ table: TableReader) -> String? {
        guard let text = table.string("map") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://"), trimmed.count <= 1000,
            !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }),
            URLComponents(string: trimmed)?.host?.isEmpty == false
        else {
            table.problem(
                "map", "\(text.debugDescription) is not a link such as \"https://www.openstreetmap.org/…\"")
            return nil
        }
        return trimmed
    }

    private static func readOverride(_ table: TableReader) -> (LocalDate, OccurrenceOverride)? {
        defer { table.finish() }
        let date: LocalDate?
        if table.has("date") {
            date = table.date("date")
        } else {
            table.problem("date", "is required: the original date of the occurrence to change")
            date = nil
        }
        let start = table.localDateTime("start")
        let end = table.localDateTime("end")
        if let start, let end, end <= start { table.problem("end", "must be after start (\(start))") }
        if end != nil, start == nil { table.problem("end", "an override with end needs start as well") }
        let override = OccurrenceOverride(
            start: start, end: end, venue: table.string("venue"), map: readMap(table),
            title: localized(table, "title", required: false, singleLine: true),
            description: localized(table, "description", required: false, singleLine: false),
            capacity: table.integer("capacity", range: 1...100_000),
            rsvp: table.boolean("rsvp"),
            cancelled: table.boolean("cancelled") ?? false,
            note: localized(table, "note", required: false, singleLine: false))
        guard let date else { return nil }
        return (date, override)
    }

    /// Text given once (`title = "…"`, meant for every language) or per language (`title = { en = "…", da = "…" }`).
    private static func localized(_ table: TableReader, _ key: String, required: Bool, singleLine: Bool)
        -> LocalizedText?
    {
        guard let node = table.value(key) else {
            if required {
                table.problem(key, "is required, as text or per language: { en = \"…\", da = \"…\" }")
            }
            return nil
        }
        var values: [LanguageCode: String] = [:]
        switch node {
        case .string(let text):
            values[.english] = text
        case .table(let entries):
            for (code, value) in entries.sorted(by: { $0.key < $1.key }) {
                guard case .string(let text) = value else {
                    table.problem(key, "\(code) must be text in quotes, not \(value.typeName)")
                    continue
                }
                do {
                    values[try LanguageCode(code)] = text
                } catch {
                    table.problem(key, error.description)
                }
            }
        default:
            table.problem(key, "must be text, or a table of texts per language, not \(node.typeName)")
            return nil
        }
        for (language, text) in values {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                table.problem(key, "the \(language) text is empty")
            } else if singleLine, text.contains(where: \.isNewline) {
                table.problem(key, "the \(language) text must be one line (it becomes a subject line)")
            }
        }
        if required, values.isEmpty { table.problem(key, "needs the text in at least one language") }
        return LocalizedText(values)
    }

    private static func isOccurrence(
        _ date: LocalDate, of start: LocalDateTime, recurrence: RecurrenceRule?, zone: TimeZone
    ) -> Bool {
        guard let recurrence else { return date == start.date }
        guard let from = LocalDateTime(date: date, hour: 0, minute: 0),
            let through = LocalDateTime(date: date, hour: 23, minute: 59, second: 59)
        else { return false }
        return !recurrence.occurrences(start: start, in: zone, from: from, through: through).isEmpty
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, first.properties.isLowercase || ("0"..."9").contains(first)
        else { return false }
        return id.count <= 64
            && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
            }
    }

    static func weekdayName(_ weekday: Int) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][(weekday - 1) % 7]
    }
}
