import Foundation
import InviterCore
import InviterTestSupport
import Testing

@Suite struct EventFileTests {
    let zone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt

    func load(_ text: String) throws -> (events: [Event], warnings: [InputProblem]) {
        let fixture = try NetworkFixture(["events.toml": text])
        return try EventFile.load(fixture.directory.appendingPathComponent("events.toml"), zone: zone)
    }

    func window(_ from: String, _ through: String) throws -> (LocalDateTime, LocalDateTime) {
        let first = try #require(LocalDate(iso: from))
        let last = try #require(LocalDate(iso: through))
        return (
            try #require(LocalDateTime(date: first, hour: 0, minute: 0)),
            try #require(LocalDateTime(date: last, hour: 23, minute: 59, second: 59))
        )
    }

    @Test func expandsOccurrencesWithExceptionsOverridesAndCancellations() throws {
        let events = try load(NetworkFixture.events).events
        let hygge = try #require(events.first { $0.id == "wednesday-hygge" })
        let (from, through) = try window("2026-12-01", "2027-01-06")
        let occurrences = hygge.occurrences(from: from, through: through, in: zone)
        #expect(
            occurrences.map(\.date.description) == [
                "2026-12-02", "2026-12-09", "2026-12-16", "2026-12-30", "2027-01-06",
            ])
        #expect(occurrences.map(\.id).first == "wednesday-hygge/2026-12-02")
        #expect(occurrences[2].venue == "Café, Bredgade 1, 7400 Herning")
        #expect(occurrences[1].venue == "The Pub, Torvet 3, 7400 Herning")
        #expect(occurrences[3].cancelled)
        #expect(occurrences.allSatisfy { $0.start.hour == 19 && $0.end.hour == 22 })
        #expect(hygge.title.resolve(try LanguageCode("da"), fallback: .english)?.text == "Onsdagshygge")
        #expect(hygge.title.resolve(try LanguageCode("pl"), fallback: .english)?.text == "Wednesday hygge")
    }

    @Test func keepsWallClockTimeAcrossDaylightSavingChanges() throws {
        let text = """
            [[event]]
            id = "hygge"
            title = "Hygge"
            start = 2026-03-18T19:00:00
            end = 2026-03-18T22:00:00
            repeat = "FREQ=WEEKLY;BYDAY=WE"
            venue = "Pub"
            """
        let event = try #require(try load(text).events.first)
        let (from, through) = try window("2026-03-18", "2026-11-04")
        let occurrences = event.occurrences(from: from, through: through, in: zone)
        #expect(occurrences.allSatisfy { $0.start.hour == 19 && $0.start.minute == 0 })
        let byDate = Dictionary(
            uniqueKeysWithValues: occurrences.map { ($0.date.description, $0.start.instant(in: zone)) })
        let utcHour = { (date: String) -> Int? in
            byDate[date].map {
                Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: $0).hour ?? -1
            }
        }
        #expect(utcHour("2026-03-25") == 18)  // before the change: UTC+1
        #expect(utcHour("2026-04-01") == 17)  // after: UTC+2
        #expect(utcHour("2026-10-21") == 17)
        #expect(utcHour("2026-10-28") == 18)
    }

    @Test func movesAnOccurrenceWithoutChangingItsIdentity() throws {
        let text = """
            [[event]]
            id = "first-tuesday"
            title = "International Tuesday"
            start = 2026-12-01T19:00:00
            end = 2026-12-01T21:00:00
            repeat = "FREQ=MONTHLY;BYDAY=1TU"
            venue = "Roskilde Library"

            [[event.override]]
            date = 2027-01-05
            start = 2027-01-07T18:00:00
            end = 2027-01-07T20:30:00
            venue = "Roskilde Town Hall"
            """
        let event = try #require(try load(text).events.first)
        let (from, through) = try window("2026-12-01", "2027-03-31")
        let occurrences = event.occurrences(from: from, through: through, in: zone)
        #expect(
            occurrences.map(\.date.description) == ["2026-12-01", "2027-01-05", "2027-02-02", "2027-03-02"])
        let moved = occurrences[1]
        #expect(moved.id == "first-tuesday/2027-01-05")
        #expect(moved.start.description == "2027-01-07T18:00:00")
        #expect(moved.end.description == "2027-01-07T20:30:00")
        #expect(OccurrenceLine.format(moved, language: .english).contains("[moved from 2027-01-05]"))
    }

    /// An evening moved two weeks early (New Year's Eve's dinner held on the 17th) is found in a
    /// window around its new date, which is what `run --dry-run` and `preview` look at.
    @Test func findsAnOccurrenceMovedFarFromItsDate() throws {
        let text = """
            [[event]]
            id = "dinner"
            title = "Community dinner"
            start = 2026-11-26T18:00:00
            end = 2026-11-26T20:30:00
            repeat = "FREQ=MONTHLY;BYDAY=-1TH"
            venue = "Skjern Culture House"

            [[event.override]]
            date = 2026-12-31
            start = 2026-12-17T18:00:00
            end = 2026-12-17T20:30:00
            """
        let event = try #require(try load(text).events.first)
        let (from, through) = try window("2026-12-14", "2026-12-20")
        let found = event.occurrences(from: from, through: through, in: zone)
        #expect(found.map(\.id) == ["dinner/2026-12-31"])
        #expect(found.first?.start.description == "2026-12-17T18:00:00")
        let (late, end) = try window("2026-12-28", "2027-01-03")
        #expect(event.occurrences(from: late, through: end, in: zone).isEmpty, "not on its original date")
    }

    @Test func warnsWhenTheStartDoesNotFitItsRule() throws {
        let text = """
            [[event]]
            id = "hygge"
            title = "Hygge"
            start = 2026-12-03T19:00:00
            end = 2026-12-03T22:00:00
            repeat = "FREQ=WEEKLY;BYDAY=WE"
            venue = "Pub"
            """
        let warnings = try load(text).warnings.map(\.description)
        #expect(
            warnings.contains {
                $0.contains("events.toml:6: warning: event.repeat") && $0.contains("Thursday")
            }, "\(warnings)")
    }

    /// Broken events: the line the error must name and words its message must contain.
    static let brokenEvents: [(name: String, text: String, line: Int, words: [String])] = [
        (
            "reminder that is not a duration", event(extra: "reminder = \"soon\""), 7,
            ["event.reminder", "\"none\""]
        ),
        ("invitation that is not a duration", event(extra: "invitation = \"14\""), 7, ["event.invitation"]),
        (
            "reminder before the invitation", event(extra: "invitation = \"2d\"\nreminder = \"3d\""), 8,
            ["event.reminder", "must come after the invitation"]
        ),
        (
            "unknown way to announce", event(extra: "announce = \"newsleter\""), 7,
            ["event.announce", "did you mean \"newsletter\""]
        ),
        (
            "impossible date",
            "[[event]]\nid = \"a\"\ntitle = \"A\"\nstart = 2026-02-30T19:00:00\nend = 2026-03-01T19:00:00\nvenue = \"V\"",
            4, ["not valid TOML"]
        ),
        (
            "end before start", event(extra: "", end: "2026-12-02T18:00:00"), 5,
            ["event.end", "must be after start"]
        ),
        (
            "offset in start", event(extra: "", start: "2026-12-02T19:00:00Z"), 4,
            ["event.start", "without an offset"]
        ),
        ("date without time", event(extra: "", start: "2026-12-02"), 4, ["event.start", "time of day"]),
        (
            "quoted start", event(extra: "", start: "\"2026-12-02T19:00:00\""), 4,
            ["event.start", "without quotes"]
        ),
        ("bad rule", event(extra: "repeat = \"every wednesday\""), 7, ["event.repeat"]),
        ("bad weekday", event(extra: "repeat = \"FREQ=WEEKLY;BYDAY=WEN\""), 7, ["event.repeat", "BYDAY"]),
        ("unknown key", event(extra: "venu = \"Pub\""), 7, ["event.venu", "did you mean \"venue\""]),
        ("bad id", event(extra: "", id: "Wednesday Hygge"), 2, ["event.id", "lowercase letters"]),
        (
            "missing id",
            "[[event]]\ntitle = \"A\"\nstart = 2026-12-02T19:00:00\nend = 2026-12-02T22:00:00\nvenue = \"V\"",
            1, ["event.id", "is required"]
        ),
        (
            "missing venue",
            "[[event]]\nid = \"a\"\ntitle = \"A\"\nstart = 2026-12-02T19:00:00\nend = 2026-12-02T22:00:00", 1,
            ["event.venue", "is required"]
        ),
        (
            "title with a line break", event(extra: "", title: "\"\"\"\nLine one\nline two\"\"\""), 3,
            ["event.title", "one line"]
        ),
        (
            "title language", event(extra: "", title: "{ dk = \"Hygge\" }"), 3,
            ["event.title", "\"dk\"", "\"da\""]
        ),
        ("empty title", event(extra: "", title: "\"  \""), 3, ["event.title", "empty"]),
        (
            "partner kind", event(extra: "partners = [\"firm\"]"), 7,
            ["event.partners", "\"firm\" is not a partner kind"]
        ),
        ("capacity", event(extra: "capacity = 0"), 7, ["event.capacity", "between 1 and"]),
        (
            "interpreter language", event(extra: "interpreters = [\"ro\", \"romanian\"]"), 7,
            ["event.interpreters", "\"romanian\" is not an ISO 639 language code"]
        ),
        (
            "except without repeat", event(extra: "except = [2026-12-09]"), 7,
            ["event.except", "only a repeating event"]
        ),
        (
            "duplicate id", event(extra: "") + "\n" + event(extra: ""), 10,
            ["event.id", "already the id of the event on line 1"]
        ),
        (
            "override of a date that is no occurrence",
            event(extra: "repeat = \"FREQ=WEEKLY;BYDAY=WE\"")
                + "\n[[event.override]]\ndate = 2026-12-10\nvenue = \"Cafe\"", 10,
            ["event.override.date", "not a date of this event"]
        ),
        (
            "override without date",
            event(extra: "repeat = \"FREQ=WEEKLY;BYDAY=WE\"") + "\n[[event.override]]\nvenue = \"Cafe\"",
            9, ["event.override.date", "is required"]
        ),
        (
            "override key typo",
            event(extra: "repeat = \"FREQ=WEEKLY;BYDAY=WE\"")
                + "\n[[event.override]]\ndate = 2026-12-09\ncanceled = true", 11,
            ["event.override.canceled", "did you mean \"cancelled\""]
        ),
        ("audience type", event(extra: "audience = 3"), 7, ["event.audience", "list of texts"]),
    ]

    static func event(
        extra: String, id: String = "a", title: String = "\"A\"", start: String = "2026-12-02T19:00:00",
        end: String = "2026-12-02T22:00:00"
    ) -> String {
        "[[event]]\nid = \"\(id)\"\ntitle = \(title)\nstart = \(start)\nend = \(end)\nvenue = \"V\"\n\(extra)\n"
    }

    @Test(arguments: 0..<brokenEvents.count)
    func reportsBrokenEvents(_ index: Int) throws {
        let broken = Self.brokenEvents[index]
        let fixture = try NetworkFixture(["events.toml": broken.text])
        let problems = fixture.problems()
        let match = problems.first {
            $0.hasPrefix("events.toml:\(broken.line): ") && broken.words.allSatisfy($0.contains)
        }
        #expect(match != nil, "\(broken.name): got \(problems)")
        #expect(throws: InputProblems.self, "\(broken.name): an event error stops the run") {
            try NetworkLoader.load(configuration: fixture.configURL)
        }
    }

    @Test func refusesAnEventsFileThatIsNotUTF8() throws {
        let fixture = try NetworkFixture()
        try fixture.write(
            "events.toml",
            bytes: Array("[[event]]\nid = \"a\"\ntitle = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8))
        #expect(
            fixture.problems().contains {
                $0.hasPrefix("events.toml:3: the file is not UTF-8 text from column 10 (the byte 0xC3 there")
            }, "\(fixture.problems())")
    }

    @Test func gathersProblemsFromEveryFileAtOnce() throws {
        let fixture = try NetworkFixture([
            "events.toml": Self.event(extra: "venu = \"x\""),
            "members.csv": "name,language\nMette,da\n",
        ])
        let problems = fixture.problems()
        #expect(problems.contains { $0.hasPrefix("events.toml:") })
        #expect(problems.contains { $0.hasPrefix("members.csv:") })
    }

    @Test func warnsAboutAudiencesAndPartnerKindsNobodyHas() throws {
        let fixture = try NetworkFixture([
            "events.toml": Self.event(extra: "audience = [\"newcomer\"]\npartners = [\"school\"]")
        ])
        let problems = fixture.problems()
        #expect(
            problems.contains {
                $0.contains("no active member is in segment \"newcomer\"; did you mean \"newcomers\"?")
            }, "\(problems)")
        #expect(
            problems.contains {
                $0.contains("school partners are to get this event, but the partner list has none")
            })
    }
}

@Suite struct EventTextCheckTests {
    @Test func warnsWhenTheAudienceReadsALanguageTheEventLacks() throws {
        let network = try NetworkLoader.load(configuration: try NetworkFixture().configURL)
        let warnings = EventTextCheck.warnings(
            events: network.events, members: network.members.members, defaultLanguage: .english
        ).map(\.description)
        // Olena reads Ukrainian; the hygge title exists in en and da only.
        #expect(
            warnings.contains {
                $0.contains("events.toml:1: warning: wednesday-hygge.title")
                    && $0.contains("(uk 1); they get it in en")
            }, "\(warnings)")
        #expect(
            !warnings.contains { $0.contains("christmas-lunch") && $0.contains("da") },
            "Mette is not in the lunch's audience")
    }

    /// A reader whose language has no template sees the title in the template language they fall
    /// back to; only a missing title in that language is worth a warning.
    @Test func countsReadersInTheLanguageTheirMessageIsRenderedIn() throws {
        let network = try NetworkLoader.load(configuration: try NetworkFixture().configURL)
        let warnings = EventTextCheck.warnings(
            events: network.events, members: network.members.members, defaultLanguage: .english,
            renderedIn: { $0.identifier == "uk" ? .english : $0 })
        #expect(!warnings.contains { $0.description.contains("wednesday-hygge.title") }, "\(warnings)")
    }
}
