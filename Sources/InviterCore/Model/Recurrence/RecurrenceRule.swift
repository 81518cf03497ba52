import Foundation

/// How an event repeats, written as an RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=WE`).
///
/// Organizers write these by hand in `events.toml`, and most are not programmers. Parsing is
/// therefore forgiving about letter case, spaces and an `RRULE:` prefix, but strict about meaning:
/// a rule that parses means exactly one thing, and one that does not gets a message saying how to
/// fix it. The same text goes into the invitation's calendar part, so only what both Inviter and
/// calendar programs understand the same way is accepted.
///
/// Occurrences are computed in `RecurrenceRule+Expansion.swift`.
public struct RecurrenceRule: Sendable, Hashable, CustomStringConvertible {
    /// The period the pattern repeats in.
    ///
    /// SECONDLY, MINUTELY and HOURLY are left out on purpose: no event series needs them, and they
    /// would turn one line of configuration into thousands of mailings.
    public enum Frequency: String, Sendable, Hashable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
        case yearly = "YEARLY"
    }

    /// One BYDAY value: a weekday, with its position in the month or year when it has one.
    public struct WeekdayNum: Sendable, Hashable, CustomStringConvertible {
        /// Which one in the month (MONTHLY, or YEARLY with BYMONTH) or the year (YEARLY):
        /// 1 is the first, -1 the last; `nil` means every such weekday.
        public let ordinal: Int?
        /// ISO weekday, 1 = Monday … 7 = Sunday, the numbering `LocalDate.weekday` uses.
        public let weekday: Int

        public init(ordinal: Int? = nil, weekday: Int) {
            self.ordinal = ordinal
            self.weekday = weekday
        }

        /// `1TU`, `-1FR` or `WE`, as RFC 5545 writes it.
        public var description: String {
            (ordinal.map(String.init) ?? "") + RecurrenceRule.weekdayCode(weekday)
        }
    }

    /// The end of a series given as a moment rather than a number of times.
    ///
    /// All three RFC 5545 forms are kept apart because they mean different things: a date
    /// includes that whole day, a local date-time is wall-clock time in the network's zone, and a
    /// UTC time (`…Z`) is an instant that has to be compared in a zone.
    public enum Until: Sendable, Hashable {
        /// `20270630T190000`: wall-clock time, inclusive.
        case local(LocalDateTime)
        /// `20270630`: the whole day is included.
        case date(LocalDate)
        /// `20270630T170000Z`: an instant, inclusive.
        case utc(Date)
    }

    public let frequency: Frequency
    /// Every how many periods: 3 with WEEKLY is every third week. At least 1.
    public let interval: Int
    /// Sorted by weekday, then position; empty when not given.
    public let byDay: [WeekdayNum]
    /// 1...31 or -31...-1 (-1 is the last day of the month); sorted, no duplicates.
    public let byMonthDay: [Int]
    /// 1...12; sorted, no duplicates.
    public let byMonth: [Int]
    /// 0...23; sorted, no duplicates. Replaces the start's hour and expands to several times a day.
    public let byHour: [Int]
    /// 0...59; sorted, no duplicates. Replaces the start's minute.
    public let byMinute: [Int]
    /// How many occurrences in all, the start included.
    public let count: Int?
    /// The last moment an occurrence may fall on.
    public let until: Until?
    /// The ISO weekday weeks begin on (WKST); it decides which days share a week when INTERVAL > 1.
    public let weekStart: Int

    /// Parses RRULE text such as `FREQ=WEEKLY;INTERVAL=3;BYDAY=WE`.
    ///
    /// Keys and values are case-insensitive, spaces around parts are ignored and an `RRULE:`
    /// prefix is allowed, because that is how people copy rules around. UNTIL may be written in
    /// the RFC form (`20270630`, `20270630T190000`, `20270630T170000Z`) or with dashes and colons
    /// (`2027-06-30T19:00:00`).
    ///
    /// - Throws: `RecurrenceRuleError` naming the part that is wrong and how to write it instead.
    public init(parsing text: String) throws(RecurrenceRuleError) {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.uppercased().hasPrefix("RRULE:") {
            body = String(body.dropFirst("RRULE:".count)).trimmingCharacters(in: .whitespaces)
        }
        guard !body.isEmpty else {
            throw RecurrenceRuleError(
                part: nil, message: "the rule is empty; write for example FREQ=WEEKLY;BYDAY=WE")
        }
        let values = try Self.splitParts(body)

        guard let freqText = values["FREQ"] else {
            throw RecurrenceRuleError(
                part: "FREQ", message: "FREQ is missing; every rule needs one, for example FREQ=WEEKLY")
        }
        let frequency = try Self.parseFrequency(freqText)
        let interval = try values["INTERVAL"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseNumber(
                text, part: "INTERVAL", range: 1...Self.maximumInterval,
                meaning: "a whole number of 1 or more (1 = every time, 3 = every third time)")
        }
        let count = try values["COUNT"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseNumber(
                text, part: "COUNT", range: 1...Int.max,
                meaning: "a whole number of 1 or more (how many times the event happens in all)")
        }
        let until = try values["UNTIL"].map(Self.parseUntil)
        if count != nil, until != nil {
            throw RecurrenceRuleError(
                part: "UNTIL",
                message: "COUNT and UNTIL can't both be given; use COUNT for a number of times "
                    + "or UNTIL for a last date")
        }
        let byDay = try values["BYDAY"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseByDay(text, frequency: frequency, hasByMonth: values["BYMONTH"] != nil)
        }
        let byMonthDay = try values["BYMONTHDAY"].map { (text) throws(RecurrenceRuleError) in
            if frequency == .weekly {
                throw RecurrenceRuleError(
                    part: "BYMONTHDAY",
                    message:
                        "BYMONTHDAY can't be used with FREQ=WEEKLY; use FREQ=MONTHLY for a day of the month")
            }
            return try Self.parseList(text, part: "BYMONTHDAY") { (item) throws(RecurrenceRuleError) in
                try Self.parseNumber(
                    item, part: "BYMONTHDAY", range: -31...31, excludingZero: true,
                    meaning: "a day of the month: 1 to 31, or -1 (the last day) to -31")
            }
        }
        let byMonth = try values["BYMONTH"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseList(text, part: "BYMONTH") { (item) throws(RecurrenceRuleError) in
                try Self.parseNumber(
                    item, part: "BYMONTH", range: 1...12, meaning: "a month: 1 (January) to 12 (December)")
            }
        }
        let byHour = try values["BYHOUR"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseList(text, part: "BYHOUR") { (item) throws(RecurrenceRuleError) in
                try Self.parseNumber(item, part: "BYHOUR", range: 0...23, meaning: "an hour: 0 to 23")
            }
        }
        let byMinute = try values["BYMINUTE"].map { (text) throws(RecurrenceRuleError) in
            try Self.parseList(text, part: "BYMINUTE") { (item) throws(RecurrenceRuleError) in
                try Self.parseNumber(item, part: "BYMINUTE", range: 0...59, meaning: "a minute: 0 to 59")
            }
        }
        let weekStart = try values["WKST"].map { (text) throws(RecurrenceRuleError) in
            guard let day = Self.weekdayNumber(text) else {
                throw RecurrenceRuleError(
                    part: "WKST",
                    message: "WKST: \"\(text)\" is not a weekday; use MO, TU, WE, TH, FR, SA or SU"
                        + Self.weekdayHint(text))
            }
            return day
        }

        self.frequency = frequency
        self.interval = interval ?? 1
        self.byDay = byDay ?? []
        self.byMonthDay = Array(Set(byMonthDay ?? [])).sorted()
        self.byMonth = Array(Set(byMonth ?? [])).sorted()
        self.byHour = Array(Set(byHour ?? [])).sorted()
        self.byMinute = Array(Set(byMinute ?? [])).sorted()
        self.count = count
        self.until = until
        self.weekStart = weekStart ?? 1
    }

    /// Canonical RRULE text: upper case, parts in a fixed order, defaults left out, so that two
    /// spellings of the same rule print the same and the text can go straight into a calendar file.
    public var description: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func list(_ key: String, _ values: [some CustomStringConvertible]) {
            if !values.isEmpty { parts.append(key + "=" + values.map(\.description).joined(separator: ",")) }
        }
        list("BYMONTH", byMonth)
        list("BYMONTHDAY", byMonthDay)
        list("BYDAY", byDay)
        list("BYHOUR", byHour)
        list("BYMINUTE", byMinute)
        if weekStart != 1 { parts.append("WKST=" + Self.weekdayCode(weekStart)) }
        if let count { parts.append("COUNT=\(count)") }
        if let until { parts.append("UNTIL=" + Self.format(until)) }
        return parts.joined(separator: ";")
    }
}

/// A rule that cannot be used, with a message an organizer can act on.
///
/// The message names the part itself (`BYDAY: "WEN" is not a weekday; …`), so a caller can put it
/// after a file and line as it is: `events.toml:12: repeat: BYDAY: "WEN" is not a weekday; …`.
public struct RecurrenceRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule part at fault (`BYDAY`), or `nil` when the text is not a rule at all.
    public let part: String?
    /// Plain language, naming the part and saying what to write instead.
    public let message: String

    init(part: String?, message: String) {
        self.part = part
        self.message = message
    }

    public var description: String { message }
}

// MARK: - Parsing

extension RecurrenceRule {
    /// Parts Inviter understands, in the order they are suggested.
    static let supportedKeys = [
        "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYHOUR", "BYMINUTE", "WKST",
    ]

    /// Valid RFC 5545 parts that Inviter refuses, each with what to do instead.
    static let unsupportedKeys: [String: String] = [
        "BYSETPOS": "put the position in BYDAY instead, for example BYDAY=1TU for the first Tuesday "
            + "or BYDAY=-1FR for the last Friday of the month",
        "BYWEEKNO": "use BYMONTH, BYMONTHDAY or BYDAY instead",
        "BYYEARDAY": "use BYMONTH with BYMONTHDAY instead, for example BYMONTH=6;BYMONTHDAY=1",
        "BYSECOND": "times are to the minute; use BYHOUR and BYMINUTE",
    ]

    /// Large enough for any real series, small enough that date arithmetic can never overflow.
    static let maximumInterval = 1000

    static let weekdayCodes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    static func weekdayCode(_ weekday: Int) -> String {
        weekdayCodes.indices.contains(weekday - 1) ? weekdayCodes[weekday - 1] : "?\(weekday)"
    }

    static func weekdayNumber(_ code: some StringProtocol) -> Int? {
        weekdayCodes.firstIndex(of: String(code)).map { $0 + 1 }
    }

    /// Splits `KEY=VALUE;…` into upper-cased values by key, refusing anything that is not one.
    private static func splitParts(_ body: String) throws(RecurrenceRuleError) -> [String: String] {
        var values: [String: String] = [:]
        for rawPart in body.split(separator: ";", omittingEmptySubsequences: false) {
            let part = rawPart.trimmingCharacters(in: .whitespaces)
            guard !part.isEmpty else {
                throw RecurrenceRuleError(
                    part: nil,
                    message: "the rule has an empty part (\";;\", or a \";\" at the start or end); "
                        + "remove the extra \";\"")
            }
            guard let equals = part.firstIndex(of: "=") else {
                throw RecurrenceRuleError(part: nil, message: notAPartMessage(part))
            }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces).uppercased()
            let value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces).uppercased()
            guard !key.isEmpty else {
                throw RecurrenceRuleError(
                    part: nil,
                    message: "\"\(part)\" has no name before \"=\"; write KEY=VALUE, for example BYDAY=WE")
            }
            guard supportedKeys.contains(key) else {
                if let advice = unsupportedKeys[key] {
                    throw RecurrenceRuleError(part: key, message: "\(key) is not supported; \(advice)")
                }
                throw RecurrenceRuleError(part: key, message: unknownKeyMessage(key))
            }
            guard values[key] == nil else {
                throw RecurrenceRuleError(
                    part: key,
                    message:
                        "\(key) is given twice; give each part once and list several values with commas, "
                        + "for example BYDAY=MO,WE")
            }
            guard !value.isEmpty else {
                throw RecurrenceRuleError(part: key, message: "\(key) has no value after \"=\"")
            }
            values[key] = value
        }
        return values
    }

    private static func notAPartMessage(_ part: String) -> String {
        if let frequency = Frequency(rawValue: part.uppercased()) {
            return "\"\(part)\" is missing the part name; did you mean FREQ=\(frequency.rawValue)?"
        }
        return "\"\(part)\" is not a rule part; write KEY=VALUE parts separated by \";\", "
            + "for example FREQ=WEEKLY;BYDAY=WE for every Wednesday"
    }

    private static func unknownKeyMessage(_ key: String) -> String {
        let known = supportedKeys + unsupportedKeys.keys.sorted()
        let scored = known.map { (candidate: $0, distance: editDistance(key, $0)) }
        let close = scored.filter { $0.distance <= 2 || (key.count >= 3 && $0.candidate.contains(key)) }
            .min { $0.distance < $1.distance }
        let aliases = [
            "FREQUENCY": "FREQ", "END": "UNTIL", "ENDS": "UNTIL", "TIMES": "COUNT", "WEEKSTART": "WKST",
            "DAYS": "BYDAY", "WEEKDAY": "BYDAY", "BYWEEKDAY": "BYDAY", "MONTHS": "BYMONTH", "HOUR": "BYHOUR",
        ]
        if let suggestion = aliases[key] ?? close?.candidate ?? known.first(where: { key.contains($0) }) {
            return "\"\(key)\" is not a rule part; did you mean \(suggestion)?"
        }
        return "\"\(key)\" is not a rule part; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, "
            + "BYHOUR, BYMINUTE or WKST"
    }

    /// Levenshtein distance, for "did you mean" on misspelt keys and values.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func parseFrequency(_ text: String) throws(RecurrenceRuleError) -> Frequency {
        if let frequency = Frequency(rawValue: text) { return frequency }
        let choices = "use DAILY, WEEKLY, MONTHLY or YEARLY"
        switch text {
        case "SECONDLY", "MINUTELY", "HOURLY":
            throw RecurrenceRuleError(
                part: "FREQ",
                message: "FREQ: \(text) is not supported; \(choices), with BYHOUR for several times a day")
        case "BIWEEKLY", "FORTNIGHTLY":
            throw RecurrenceRuleError(
                part: "FREQ",
                message:
                    "FREQ: \"\(text)\" is not a frequency; for every second week write FREQ=WEEKLY;INTERVAL=2"
            )
        default:
            let known = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
            let hint = known.first { editDistance(text, $0) <= 2 }.map { " (did you mean \($0)?)" } ?? ""
            throw RecurrenceRuleError(
                part: "FREQ", message: "FREQ: \"\(text)\" is not a frequency; \(choices)\(hint)")
        }
    }

    private static func parseNumber(
        _ text: String, part: String, range: ClosedRange<Int>, excludingZero: Bool = false, meaning: String
    ) throws(RecurrenceRuleError) -> Int {
        guard let number = Int(text), range.contains(number), !(excludingZero && number == 0) else {
            if part == "INTERVAL", let number = Int(text), number > range.upperBound {
                throw RecurrenceRuleError(
                    part: part,
                    message: "INTERVAL: \(text) is too large; the largest supported is \(range.upperBound)")
            }
            throw RecurrenceRuleError(part: part, message: "\(part): \"\(text)\" must be \(meaning)")
        }
        return number
    }

    /// Splits a comma list, refusing empty items so that `BYDAY=MO,,WE` is noticed rather than guessed.
    private static func parseList<Item>(
        _ text: String, part: String, item parse: (String) throws(RecurrenceRuleError) -> Item
    ) throws(RecurrenceRuleError) -> [Item] {
        var items: [Item] = []
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else {
                throw RecurrenceRuleError(
                    part: part,
                    message: "\(part): \"\(text)\" has an empty value; separate values with one comma")
            }
            items.append(try parse(item))
        }
        return items
    }

    private static func parseByDay(
        _ text: String, frequency: Frequency, hasByMonth: Bool
    ) throws(RecurrenceRuleError) -> [WeekdayNum] {
        let days = try parseList(text, part: "BYDAY") { (item) throws(RecurrenceRuleError) in
            try parseWeekdayNum(item, frequency: frequency, hasByMonth: hasByMonth)
        }
        // Canonical order: by weekday, then every such day, first ones, last ones.
        return Array(Set(days)).sorted { lhs, rhs in
            func rank(_ ordinal: Int?) -> Int {
                guard let ordinal else { return Int.min }
                return ordinal > 0 ? ordinal : 100 - ordinal
            }
            return (lhs.weekday, rank(lhs.ordinal)) < (rhs.weekday, rank(rhs.ordinal))
        }
    }

    private static func parseWeekdayNum(
        _ item: String, frequency: Frequency, hasByMonth: Bool
    ) throws(RecurrenceRuleError) -> WeekdayNum {
        let code = item.suffix(2)
        let prefix = item.dropLast(2)
        guard item.count >= 2, let weekday = weekdayNumber(code),
            prefix.isEmpty || prefix.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "-") })
        else {
            throw RecurrenceRuleError(
                part: "BYDAY",
                message: "BYDAY: \"\(item)\" is not a weekday; use MO, TU, WE, TH, FR, SA or SU"
                    + weekdayHint(item))
        }
        guard !prefix.isEmpty else { return WeekdayNum(ordinal: nil, weekday: weekday) }
        guard let ordinal = Int(prefix) else {
            throw RecurrenceRuleError(
                part: "BYDAY",
                message: "BYDAY: \"\(item)\" has a position that is not a number; write for example 1\(code) "
                    + "for the first or -1\(code) for the last")
        }
        guard ordinal != 0, (-53...53).contains(ordinal) else {
            throw RecurrenceRuleError(
                part: "BYDAY",
                message: "BYDAY: \"\(item)\": the number before the weekday must be 1 to 53 or -1 to -53 "
                    + "(1\(code) is the first, -1\(code) the last)")
        }
        switch frequency {
        case .daily, .weekly:
            throw RecurrenceRuleError(
                part: "BYDAY",
                message:
                    "BYDAY: \"\(item)\" has a position, which only works with FREQ=MONTHLY or FREQ=YEARLY; "
                    + "for example FREQ=MONTHLY;BYDAY=\(item), or BYDAY=\(code) for every \(code)")
        case .monthly, .yearly:
            if (frequency == .monthly || hasByMonth) && abs(ordinal) > 5 {
                throw RecurrenceRuleError(
                    part: "BYDAY",
                    message:
                        "BYDAY: \"\(item)\": a month has at most five of each weekday; use 1 to 5 or -1 to -5"
                )
            }
        }
        return WeekdayNum(ordinal: ordinal, weekday: weekday)
    }

    /// Suggests the two-letter code for a weekday written out in English or Danish (`WED`, `ONSDAG`).
    private static func weekdayHint(_ item: String) -> String {
        let letters = String(item.drop { !$0.isLetter })
        guard letters.count >= 3 else { return "" }
        let names = [
            ["MONDAY", "MANDAG"], ["TUESDAY", "TIRSDAG"], ["WEDNESDAY", "ONSDAG"], ["THURSDAY", "TORSDAG"],
            ["FRIDAY", "FREDAG"], ["SATURDAY", "LØRDAG"], ["SUNDAY", "SØNDAG"],
        ]
        guard let index = names.firstIndex(where: { $0.contains { $0.hasPrefix(letters) } }) else {
            return ""
        }
        return " (did you mean \(weekdayCodes[index])?)"
    }

    private static func parseUntil(_ text: String) throws(RecurrenceRuleError) -> Until {
        // Accept the ISO form people know from TOML as well as the RFC's basic form.
        let compact = text.filter { $0 != "-" && $0 != ":" }
        let isUTC = compact.hasSuffix("Z")
        let body = isUTC ? compact.dropLast() : Substring(compact)
        let pieces = body.split(separator: "T", omittingEmptySubsequences: false)
        let digitsOnly = pieces.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        func number(_ piece: Substring, _ from: Int, _ length: Int) -> Int? {
            let start = piece.index(piece.startIndex, offsetBy: from)
            return Int(piece[start..<piece.index(start, offsetBy: length)])
        }
        if digitsOnly, pieces[0].count == 8, let year = number(pieces[0], 0, 4),
            let month = number(pieces[0], 4, 2), let day = number(pieces[0], 6, 2),
            let date = LocalDate(year: year, month: month, day: day)
        {
            if pieces.count == 1, !isUTC { return .date(date) }
            if pieces.count == 2, [4, 6].contains(pieces[1].count), let hour = number(pieces[1], 0, 2),
                let minute = number(pieces[1], 2, 2),
                let time = LocalDateTime(
                    date: date, hour: hour, minute: minute,
                    second: pieces[1].count == 6 ? number(pieces[1], 4, 2) ?? -1 : 0)  // -1 is refused
            {
                guard isUTC else { return .local(time) }
                return .utc(Date(timeIntervalSince1970: Double(date.dayNumber * 86_400 + time.secondOfDay)))
            }
        }
        throw RecurrenceRuleError(
            part: "UNTIL",
            message: "UNTIL: \"\(text)\" is not a date; write 20270630 (to the end of that day), "
                + "20270630T190000 (local time) or 20270630T170000Z (UTC)")
    }

    private static func format(_ until: Until) -> String {
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        func basic(_ date: LocalDate) -> String {
            digits(date.year, 4) + digits(date.month, 2) + digits(date.day, 2)
        }
        func basic(_ time: LocalDateTime) -> String {
            basic(time.date) + "T" + digits(time.hour, 2) + digits(time.minute, 2) + digits(time.second, 2)
        }
        switch until {
        case .date(let date): return basic(date)
        case .local(let time): return basic(time)
        case .utc(let instant): return basic(LocalDateTime(instant, in: .gmt)) + "Z"
        }
    }
}
