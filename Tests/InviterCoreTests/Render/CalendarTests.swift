import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// A calendar part as Python's icalendar package reads it: an independent
/// RFC 5545 parser, so the tests do not check Inviter's output with Inviter's own idea of the format.
struct DecodedCalendar: Decodable {
    struct Observance: Decodable, Equatable {
        let kind: String
        let dtstart: String
        let from: String
        let to: String
        let name: String
        let rrule: String?
    }

    struct TimeZoneDefinition: Decodable {
        let tzid: String
        let observances: [Observance]
    }

    /// A DTSTART or DTEND: the wall-clock time as written, its TZID, and the
    /// instant in UTC as read through the part's own VTIMEZONE (`utc`) and
    /// through the tz database under the TZID's name (`utcTZDB`).
    struct Moment: Decodable {
        let local: String
        let tzid: String?
        let utc: String?
        let utcTZDB: String?

        enum CodingKeys: String, CodingKey {
            case local, tzid, utc
            case utcTZDB = "utc_tzdb"
        }
    }

    struct Event: Decodable {
        let properties: [String]
        let uid: String
        let sequence: Int
        let dtstamp: String
        let dtstart: Moment
        let dtend: Moment
        let summary: String
        let location: String
        let description: String
        let organizer: String
        let organizerCN: String?
        let url: String?
        let status: String
        let transp: String

        enum CodingKeys: String, CodingKey {
            case properties, uid, sequence, dtstamp, dtstart, dtend, summary, location, description
            case organizer, url, status, transp
            case organizerCN = "organizer_cn"
        }
    }

    /// One VEVENT property as the script's strict RFC 5545 reader sees it (TEXT values unescaped).
    struct StrictProperty: Decodable {
        let name: String
        let params: [String: String]
        let value: String
    }

    /// The strict reader's view: content-line errors, the components in order, the VEVENT's lines.
    struct Strict: Decodable {
        let errors: [String]
        let components: [String]
        let event: [StrictProperty]

        /// The value of the VEVENT property `name`; `nil` when it is missing.
        func value(_ name: String) -> String? { event.first { $0.name == name }?.value }
    }

    let strict: Strict
    let version: String
    let prodid: String
    let method: String
    let calscale: String
    let components: [String]
    let calendarProperties: [String]
    let errors: [String]
    let timezones: [TimeZoneDefinition]
    let events: [Event]

    enum CodingKeys: String, CodingKey {
        case strict, version, prodid, method, calscale, components, errors, timezones, events
        case calendarProperties = "calendar_properties"
    }

    /// The one VEVENT; fails the test when there is not exactly one.
    func event() throws -> Event {
        try #require(events.count == 1, "expected one VEVENT, found \(events.count)")
        return events[0]
    }

    /// Runs `Tests/Support/ics_decode.py` on `text`.
    static func decode(_ text: String) throws -> DecodedCalendar {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments = [TestPaths.support.appendingPathComponent("ics_decode.py").path]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The script reads all of its input before it writes, so writing first cannot dead-lock.
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ics_decode.py failed: \(message)")
        return try JSONDecoder().decode(DecodedCalendar.self, from: data)
    }
}

/// Fixed inputs, so that every run (and the snapshot) sees the same values.
enum CalendarSamples {
    static let copenhagen = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
    /// 2026-11-18 09:00 UTC: when the invitation for the 2 December event is made.
    static let stamp = Date(timeIntervalSince1970: 1_794_992_400)

    static func time(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) throws
        -> LocalDateTime
    {
        let date = try #require(LocalDate(year: year, month: month, day: day))
        return try #require(LocalDateTime(date: date, hour: hour, minute: minute))
    }

    static func entry(
        start: LocalDateTime, end: LocalDateTime, uid: String = "wednesday-hygge/2026-12-02@example.org",
        sequence: Int = 0, summary: String = "Onsdagshygge",
        location: String = "The Pub, Torvet 3, 7400 Herning",
        description: String = "Vi mødes på pubben.\nAlle er velkomne – også nye i byen!",
        organizer: MailAddress? = nil, url: String? = "https://example.org/events/wednesday-hygge"
    ) throws -> CalendarEntry {
        CalendarEntry(
            uid: uid, sequence: sequence, start: start, end: end, summary: summary, location: location,
            description: description,
            organizer: try organizer
                ?? MailAddress("events@example.org", displayName: "Internationalt Samvær Herning"),
            url: url)
    }

    static func winterEntry() throws -> CalendarEntry {
        try entry(start: time(2026, 12, 2, 19), end: time(2026, 12, 2, 22))
    }
}

/// Structural checks on the raw text that no parser would report: line lengths, line ends, UTF-8.
enum CalendarText {
    /// The physical lines without their CRLF; fails on a bare CR or LF or a missing final CRLF.
    static func lines(_ text: String) throws -> [[UInt8]] {
        let bytes = Array(text.utf8)
        try #require(bytes.suffix(2) == [13, 10], "the output must end with CRLF")
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 13 {
                try #require(index + 1 < bytes.count && bytes[index + 1] == 10, "a CR without LF")
                lines.append(current)
                current = []
                index += 2
                continue
            }
            try #require(byte != 10, "a LF without CR after line \(lines.count)")
            current.append(byte)
            index += 1
        }
        return lines
    }

    /// Checks the folding rules of RFC 5545 3.1 on every line.
    static func checkFolding(_ text: String) throws {
        for (number, line) in try lines(text).enumerated() {
            #expect(line.count <= 75, "line \(number + 1) has \(line.count) octets")
            // Folding never splits a UTF-8 sequence: each physical line decodes on its own.
            #expect(String(validating: line, as: UTF8.self) != nil, "line \(number + 1) is not valid UTF-8")
        }
    }

    /// The VEVENT's properties in the order Inviter writes them.
    static let eventProperties = [
        "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "ORGANIZER",
        "URL", "STATUS", "TRANSP",
    ]

    /// Whether icalendar 6.1 decodes `value` unchanged: it unescapes each line twice, so a
    /// backslash before `\`, `;`, `,` or `n`, and `%2C`, `%3A`, `%3B` or `%5C` in the text
    /// come back altered (collective/icalendar#355). The strict reader checks those values.
    static func icalendarReadsExactly(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        let backslashBeforeEscape = zip(scalars, scalars.dropFirst()).contains { pair in
            pair.0 == "\\" && ["\\", ";", ",", "n", "N"].contains(pair.1)
        }
        return !backslashBeforeEscape && !["%2C", "%3A", "%3B", "%5C"].contains { value.contains($0) }
    }

    /// The logical content lines (unfolded), for checks on single properties.
    static func unfolded(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter {
            !$0.isEmpty
        }
    }
}

@Suite struct CalendarTests {
    @Test func everyFieldDecodesBackToWhatWentIn() throws {
        let entry = try CalendarSamples.winterEntry()
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let decoded = try DecodedCalendar.decode(text)
        #expect(decoded.errors.isEmpty)
        #expect(decoded.version == "2.0")
        #expect(decoded.prodid == "-//Inviter//Inviter//EN")
        #expect(decoded.method == "PUBLISH")
        #expect(decoded.calscale == "GREGORIAN")
        #expect(decoded.components == ["VCALENDAR", "VTIMEZONE", "DAYLIGHT", "STANDARD", "VEVENT"])
        #expect(decoded.timezones.map(\.tzid) == ["Europe/Copenhagen"])
        let event = try decoded.event()
        #expect(event.uid == entry.uid)
        #expect(event.sequence == 0)
        #expect(event.dtstamp == "2026-11-18T09:00:00+00:00")
        #expect(event.dtstart.local == "2026-12-02T19:00:00")
        #expect(event.dtstart.tzid == "Europe/Copenhagen")
        #expect(event.dtend.local == "2026-12-02T22:00:00")
        #expect(event.dtend.tzid == "Europe/Copenhagen")
        #expect(event.summary == entry.summary)
        #expect(event.location == entry.location)
        #expect(event.description == entry.description)
        #expect(event.organizer == "mailto:events@example.org")
        #expect(event.organizerCN == "Internationalt Samvær Herning")
        #expect(event.url == entry.url)
        #expect(event.status == "CONFIRMED")
        #expect(event.transp == "OPAQUE")
        #expect(Set(event.properties) == Set(CalendarText.eventProperties))
        #expect(decoded.strict.errors.isEmpty)
        #expect(decoded.strict.event.map(\.name) == CalendarText.eventProperties)
        try CalendarText.checkFolding(text)
    }

    /// Values from an event file or a spreadsheet that try to end the event, add a
    /// property, or break the line structure; each must come back as plain text.
    static let hostileValues: [String] = [
        "Hygge\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@example.org",
        "Hygge\nATTENDEE:mailto:victim@example.org",
        "a;b,c\\d\\;e\\,f\\nnot-a-newline",
        "\"quoted\" and 'single' \"",
        "RTL \u{202E}gpj.exe\u{202C} and emoji 👩‍👩‍👧‍👦🇩🇰🎄",
        "Tab\tkept; line one\nline two\n\nline four",
        String(repeating: "Æbleskiver og gløgg, 🎄 ", count: 400) + "slut",
        String(repeating: "x", count: 10_000),
        ":;=\"<>,\\ BEGIN:VCALENDAR END:VCALENDAR",
    ]

    @Test(arguments: hostileValues)
    func hostileTextStaysInsideItsProperty(_ value: String) throws {
        let organizer = try MailAddress("events@example.org", displayName: value)
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            summary: value, location: value, description: value, organizer: organizer)
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        try CalendarText.checkFolding(text)
        let decoded = try DecodedCalendar.decode(text)
        let components = ["VCALENDAR", "VTIMEZONE", "DAYLIGHT", "STANDARD", "VEVENT"]
        // A line break comes back as a line break; CRLF is one line break.
        let expected = value.replacingOccurrences(of: "\r\n", with: "\n")
        // A quoted parameter cannot hold DQUOTE or a control character: those go, the rest stays.
        let name = try #require(organizer.displayName)
        let expectedName = String(
            String.UnicodeScalarView(
                name.replacingOccurrences(of: "\r\n", with: " ").unicodeScalars.compactMap {
                    $0 == "\"" ? nil : ($0 == "\n" || $0 == "\t" ? " " : $0)
                }))

        // By the letter of RFC 5545: the same lines, in order, whatever the value.
        #expect(decoded.strict.errors.isEmpty)
        #expect(decoded.strict.components == components)
        #expect(decoded.strict.event.map(\.name) == CalendarText.eventProperties)
        #expect(decoded.strict.value("SUMMARY") == expected)
        #expect(decoded.strict.value("LOCATION") == expected)
        #expect(decoded.strict.value("DESCRIPTION") == expected)
        #expect(decoded.strict.value("UID") == entry.uid)
        #expect(decoded.strict.event.first { $0.name == "ORGANIZER" }?.params == ["CN": expectedName])

        // As icalendar reads it, where icalendar 6.1 reads the text right at all.
        #expect(decoded.errors.isEmpty)
        #expect(decoded.components == components)
        let event = try decoded.event()
        #expect(Set(event.properties) == Set(CalendarText.eventProperties))
        #expect(event.uid == entry.uid)
        #expect(event.organizer == "mailto:events@example.org")
        if CalendarText.icalendarReadsExactly(value) {
            #expect(event.summary == expected)
            #expect(event.location == expected)
            #expect(event.description == expected)
            #expect(event.organizerCN == expectedName)
        }
    }

    @Test func otherControlCharactersAreDroppedAndOtherLineBreaksBecomeNewlines() throws {
        let value = "a\u{0}b\u{7}c\u{1B}[31md\u{7F}e\u{85}f\u{2028}g\u{2029}h\ri\u{0B}j\u{0C}k"
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            summary: value, location: value, description: value)
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\r" && $0 != "\n" })
        #expect(!text.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" })
        let event = try DecodedCalendar.decode(text).event()
        #expect(event.summary == "abc[31mde\nf\ng\nh\nijk")
        #expect(event.description == event.summary)
    }

    @Test(arguments: [
        (2026, 12, 2, "2026-12-02T18:00:00+00:00", "2026-12-02T21:00:00+00:00"),  // winter, +01:00
        (2026, 6, 3, "2026-06-03T17:00:00+00:00", "2026-06-03T20:00:00+00:00"),  // summer, +02:00
    ])
    func copenhagenTimesResolveThroughTheVTimezone(
        _ year: Int, _ month: Int, _ day: Int, _ startUTC: String, _ endUTC: String
    ) throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(year, month, day, 19), end: CalendarSamples.time(year, month, day, 22)
        )
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let event = try DecodedCalendar.decode(text).event()
        #expect(event.dtstart.local == String(format: "%04d-%02d-%02dT19:00:00", year, month, day))
        #expect(event.dtstart.utc == startUTC)
        #expect(event.dtstart.utcTZDB == startUTC)
        #expect(event.dtend.utc == endUTC)
        #expect(event.dtend.utcTZDB == endUTC)
        // And as Inviter itself reads the wall-clock time.
        #expect(
            ISO8601DateFormatter().string(from: entry.start.instant(in: CalendarSamples.copenhagen))
                == startUTC.replacingOccurrences(of: "+00:00", with: "Z"))
    }

    /// Times on the two change days of 2026 (29 March, 25 October), around and across the change.
    @Test(arguments: [
        // Evening after spring-forward: already +02:00.
        ((2026, 3, 29, 19, 0), (2026, 3, 29, 22, 0), "2026-03-29T19:00:00", "2026-03-29T17:00:00+00:00"),
        // Evening after fall-back: +01:00 again.
        ((2026, 10, 25, 19, 0), (2026, 10, 25, 22, 0), "2026-10-25T19:00:00", "2026-10-25T18:00:00+00:00"),
        // Across the fall-back: 01:00 is still +02:00.
        ((2026, 10, 25, 1, 0), (2026, 10, 25, 4, 0), "2026-10-25T01:00:00", "2026-10-24T23:00:00+00:00"),
        // 02:30 happens twice on 25 October; RFC 5545 means the first (+02:00).
        ((2026, 10, 25, 2, 30), (2026, 10, 25, 4, 0), "2026-10-25T02:30:00", "2026-10-25T00:30:00+00:00"),
        // 02:30 does not exist on 29 March: it is written as the 03:30 it becomes.
        ((2026, 3, 29, 2, 30), (2026, 3, 29, 5, 0), "2026-03-29T03:30:00", "2026-03-29T01:30:00+00:00"),
    ])
    func daylightSavingChangeDays(
        _ start: (Int, Int, Int, Int, Int), _ end: (Int, Int, Int, Int, Int), _ local: String, _ utc: String
    ) throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(start.0, start.1, start.2, start.3, start.4),
            end: CalendarSamples.time(end.0, end.1, end.2, end.3, end.4))
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let event = try DecodedCalendar.decode(text).event()
        #expect(event.dtstart.local == local)
        #expect(event.dtstart.utc == utc)
        #expect(event.dtstart.utcTZDB == utc)
        #expect(event.dtend.utc == event.dtend.utcTZDB)
    }

    @Test func copenhagenRulesAreYearlyRules() throws {
        let text = ICalendar.build(
            try CalendarSamples.winterEntry(), method: .publish, zone: CalendarSamples.copenhagen,
            stamp: CalendarSamples.stamp)
        let zone = try #require(try DecodedCalendar.decode(text).timezones.first)
        #expect(
            zone.observances == [
                .init(
                    kind: "DAYLIGHT", dtstart: "2025-03-30T02:00:00", from: "+0100", to: "+0200",
                    name: "CEST", rrule: "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
                .init(
                    kind: "STANDARD", dtstart: "2025-10-26T03:00:00", from: "+0200", to: "+0100",
                    name: "CET", rrule: "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
            ])
    }

    /// Zones the networks' members and partners live in, and the two special cases:
    /// no daylight saving (one STANDARD) and UTC (no VTIMEZONE, times with `Z`).
    @Test(arguments: [
        ("America/New_York", (2026, 12, 2), "2026-12-03T00:00:00+00:00", ["DAYLIGHT", "STANDARD"]),
        ("America/New_York", (2026, 6, 3), "2026-06-03T23:00:00+00:00", ["DAYLIGHT", "STANDARD"]),
        ("Asia/Kolkata", (2026, 12, 2), "2026-12-02T13:30:00+00:00", ["STANDARD"]),
        ("Australia/Sydney", (2026, 12, 2), "2026-12-02T08:00:00+00:00", ["STANDARD", "DAYLIGHT"]),
        ("Australia/Lord_Howe", (2026, 6, 3), "2026-06-03T08:30:00+00:00", ["STANDARD", "DAYLIGHT"]),
        ("UTC", (2026, 12, 2), "2026-12-02T19:00:00+00:00", []),
    ])
    func otherZones(_ identifier: String, _ date: (Int, Int, Int), _ utc: String, _ kinds: [String]) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(date.0, date.1, date.2, 19),
            end: CalendarSamples.time(date.0, date.1, date.2, 21))
        let text = ICalendar.build(entry, method: .publish, zone: zone, stamp: CalendarSamples.stamp)
        try CalendarText.checkFolding(text)
        let decoded = try DecodedCalendar.decode(text)
        #expect(decoded.errors.isEmpty)
        let event = try decoded.event()
        #expect(event.dtstart.utc == utc)
        #expect(event.dtstart.utcTZDB == utc)
        #expect(decoded.timezones.first?.observances.map(\.kind) ?? [] == kinds)
        if kinds.isEmpty {
            #expect(decoded.timezones.isEmpty)
            #expect(event.dtstart.tzid == nil)
            #expect(CalendarText.unfolded(text).contains("DTSTART:20261202T190000Z"))
        } else {
            #expect(decoded.timezones.map(\.tzid) == [identifier])
            #expect(event.dtstart.tzid == identifier)
            #expect(event.dtstart.local == String(format: "%04d-%02d-%02dT19:00:00", date.0, date.1, date.2))
        }
    }

    @Test func kolkataHasOneStandardObservance() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Kolkata"))
        let text = ICalendar.build(
            try CalendarSamples.winterEntry(), method: .publish, zone: zone, stamp: CalendarSamples.stamp)
        let observances = try #require(try DecodedCalendar.decode(text).timezones.first).observances
        #expect(observances.count == 1)
        #expect(observances.first?.from == "+0530")
        #expect(observances.first?.to == "+0530")
        #expect(observances.first?.rrule == nil)
    }

    /// New York changed its rules in 2007 (from the first Sunday in April to the
    /// second in March), so 2006–2008 fit no single yearly rule and each transition
    /// is written out; 20 March 2007 was already summer time under the new rule.
    @Test func zoneWhoseRulesChangedGetsExplicitTransitions() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2007, 3, 20, 19), end: CalendarSamples.time(2007, 3, 20, 21))
        let text = ICalendar.build(entry, method: .publish, zone: zone, stamp: CalendarSamples.stamp)
        let decoded = try DecodedCalendar.decode(text)
        let observances = try #require(decoded.timezones.first).observances
        #expect(observances.allSatisfy { $0.rrule == nil })
        #expect(observances.count == 7)  // The state on 1 January 2006 and six transitions.
        #expect(observances.contains { $0.dtstart == "2006-04-02T02:00:00" && $0.kind == "DAYLIGHT" })
        #expect(observances.contains { $0.dtstart == "2007-03-11T02:00:00" && $0.kind == "DAYLIGHT" })
        let event = try decoded.event()
        #expect(event.dtstart.utc == "2007-03-20T23:00:00+00:00")
        #expect(event.dtstart.utcTZDB == "2007-03-20T23:00:00+00:00")
    }

    @Test func cancellationKeepsTheUIDAndSaysCancelled() throws {
        var entry = try CalendarSamples.winterEntry()
        let published = try DecodedCalendar.decode(
            ICalendar.build(
                entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp))
        entry.sequence = 3
        let text = ICalendar.build(
            entry, method: .cancel, zone: CalendarSamples.copenhagen,
            stamp: CalendarSamples.stamp.addingTimeInterval(86_400))
        let cancelled = try DecodedCalendar.decode(text)
        #expect(cancelled.method == "CANCEL")
        #expect(CalendarText.unfolded(text).contains("METHOD:CANCEL"))
        let event = try cancelled.event()
        #expect(event.status == "CANCELLED")
        #expect(event.uid == (try published.event()).uid)
        #expect(event.sequence == 3)
        #expect(event.dtstamp == "2026-11-19T09:00:00+00:00")
        #expect(event.dtstart.utc == "2026-12-02T18:00:00+00:00")
    }

    @Test func uidIsStableAndOnlyTheStampChangesBetweenRuns() throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            sequence: 7)
        let first = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let second = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen,
            stamp: CalendarSamples.stamp.addingTimeInterval(3_600))
        let firstLines = CalendarText.unfolded(first)
        let secondLines = CalendarText.unfolded(second)
        #expect(firstLines.count == secondLines.count)
        let differences = zip(firstLines, secondLines).filter { $0 != $1 }
        #expect(differences.map(\.0) == ["DTSTAMP:20261118T090000Z"])
        #expect(firstLines.contains("UID:wednesday-hygge/2026-12-02@example.org"))
        #expect(firstLines.contains("SEQUENCE:7"))
        #expect(try DecodedCalendar.decode(second).event().sequence == 7)
    }

    /// A cache gives the text built afresh, and tells apart entries that differ only in their stamp.
    @Test func aCacheGivesTheTextBuiltAfresh() throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22))
        let later = CalendarSamples.stamp.addingTimeInterval(3_600)
        let zone = CalendarSamples.copenhagen
        let cache = RenderCache()
        for stamp in [CalendarSamples.stamp, later, CalendarSamples.stamp] {
            let cold = ICalendar.build(entry, method: .publish, zone: zone, stamp: stamp)
            #expect(ICalendar.build(entry, method: .publish, zone: zone, stamp: stamp, cache: cache) == cold)
        }
    }

    @Test func organizerWithoutNameAndEntryWithoutURL() throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            organizer: MailAddress("events@example.org"), url: nil)
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        #expect(CalendarText.unfolded(text).contains("ORGANIZER:mailto:events@example.org"))
        let event = try DecodedCalendar.decode(text).event()
        #expect(event.organizerCN == nil)
        #expect(event.url == nil)
        #expect(!event.properties.contains("URL"))
    }

    @Test func urlAndAddressAreValidURIs() throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            organizer: MailAddress("events+dk%1@example.org"),
            url: "https://example.org/begivenheder/æble skiver?x=1&y=2\r\nEND:VEVENT")
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let event = try DecodedCalendar.decode(text).event()
        #expect(event.url == "https://example.org/begivenheder/%C3%A6ble%20skiver?x=1&y=2END:VEVENT")
        #expect(event.organizer == "mailto:events+dk%251@example.org")
    }

    /// The exact text for one fixed entry, so a reviewer sees what calendar programs get.
    @Test func snapshot() throws {
        let entry = try CalendarSamples.entry(
            start: CalendarSamples.time(2026, 12, 2, 19), end: CalendarSamples.time(2026, 12, 2, 22),
            sequence: 1,
            description:
                "Vi mødes på pubben til en hyggelig aften med brætspil, quiz og gløgg; alle er velkomne, "
                + "også nye i byen.\nTag gerne en ven med!")
        let text = ICalendar.build(
            entry, method: .publish, zone: CalendarSamples.copenhagen, stamp: CalendarSamples.stamp)
        let expected = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Inviter//Inviter//EN
            CALSCALE:GREGORIAN
            METHOD:PUBLISH
            BEGIN:VTIMEZONE
            TZID:Europe/Copenhagen
            BEGIN:DAYLIGHT
            DTSTART:20250330T020000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            TZNAME:CEST
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20251026T030000
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            TZNAME:CET
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:wednesday-hygge/2026-12-02@example.org
            SEQUENCE:1
            DTSTAMP:20261118T090000Z
            DTSTART;TZID=Europe/Copenhagen:20261202T190000
            DTEND;TZID=Europe/Copenhagen:20261202T220000
            SUMMARY:Onsdagshygge
            LOCATION:The Pub\\, Torvet 3\\, 7400 Herning
            DESCRIPTION:Vi mødes på pubben til en hyggelig aften med brætspil\\, quiz
              og gløgg\\; alle er velkomne\\, også nye i byen.\\nTag gerne en ven med!
            ORGANIZER;CN="Internationalt Samvær Herning":mailto:events@example.org
            URL:https://example.org/events/wednesday-hygge
            STATUS:CONFIRMED
            TRANSP:OPAQUE
            END:VEVENT
            END:VCALENDAR

            """
        #expect(text == expected.replacingOccurrences(of: "\n", with: "\r\n"))
    }
}
