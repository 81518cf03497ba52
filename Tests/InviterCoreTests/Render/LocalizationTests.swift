import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Strings tables and date texts; one name so that `--filter LocalizationTests` runs both.
@Suite enum LocalizationTests {}

/// The shipped strings files, plural rules, fallback and placeholders.
extension LocalizationTests {
    @Suite struct Strings {
        static let shipped = TestPaths.testsRoot.deletingLastPathComponent()
            .appendingPathComponent("Templates/strings")
        static let shippedLanguages = ["ar", "da", "de", "en", "pl", "ro", "uk"]

        /// A strings folder with the shipped `en.toml` and the given files.
        static func folder(_ files: [String: String], english: Bool = true) throws -> URL {
            let directory = try TestPaths.temporaryDirectory("strings")
            if english {
                try FileManager.default.copyItem(
                    at: shipped.appendingPathComponent("en.toml"),
                    to: directory.appendingPathComponent("en.toml"))
            }
            for (name, text) in files {
                try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            return directory
        }

        /// The problems of loading `files`; fails the test when loading succeeds.
        static func problems(_ files: [String: String], english: Bool = true) throws -> [InputProblem] {
            let directory = try folder(files, english: english)
            defer { try? FileManager.default.removeItem(at: directory) }
            do {
                _ = try StringsTable.load(directory: directory)
                Issue.record("expected problems")
                return []
            } catch {
                #expect(error.problems.allSatisfy { $0.kind == .configuration && $0.severity == .error })
                return error.problems
            }
        }

        let table: StringsTable
        let english = LanguageCode.english

        init() throws { table = try StringsTable.load(directory: Strings.shipped) }

        @Test func shippedFilesLoadWithEveryKey() throws {
            #expect(table.languages.map(\.identifier) == Strings.shippedLanguages)
            #expect(StringKey.all.count == 85)
            for language in table.languages {
                #expect(table.missingKeys(in: language) == [], "\(language)")
                for key in StringKey.all where !key.isPlural {
                    let own = try #require(table.text(key.name, language: language, fallback: language))
                    #expect(!own.isEmpty)
                    // "Name" is German too; the line that joins a rule and a time is punctuation alone.
                    if language != english, key.name != "view_in_language", key.name != "repeat_line",
                        !(language.identifier == "de" && key.name == "page_field_name")
                    {
                        #expect(
                            own != table.text(key.name, language: english, fallback: english),
                            "\(language) \(key.name)")
                    }
                }
            }
            #expect(table.missingKeys(in: try LanguageCode("fil")) == StringKey.all.map(\.name))
        }

        @Test func shippedTextsReadAsWritten() throws {
            let da = try LanguageCode("da")
            #expect(table.text("unsubscribe", language: da, fallback: english) == "Afmeld")
            #expect(
                table.text("reply_to_sign_up", language: da, fallback: english)
                    == "Svar på denne mail for at tilmelde dig.")
            #expect(table.text("when", language: try LanguageCode("uk"), fallback: english) == "Коли")
            #expect(
                table.text(
                    "view_in_language", language: try LanguageCode("ro"), fallback: english,
                    values: ["language": "engleză"])
                    == "Această invitație în limba engleză")
        }

        static let counts = [0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 25, 100, 101, 102]

        @Test(arguments: [
            ("en", "other one other other other other other other other other other other other other"),
            ("da", "other one other other other other other other other other other other other other"),
            ("de", "other one other other other other other other other other other other other other"),
            ("pl", "many one few few few many many many many few many many many few"),
            ("ro", "few one few few few few few few other other other other few few"),
            ("uk", "many one few few few many many many one few many many one few"),
            ("ru", "many one few few few many many many one few many many one few"),
            ("ar", "zero one two few few few many many many many many other other other"),
            ("pt-BR", "one one other other other other other other other other other other other other"),
            ("ja", "other other other other other other other other other other other other other other"),
            ("qu", "other other other other other other other other other other other other other other"),
        ])
        func pluralCategories(language: String, expected: String) {
            let categories = Strings.counts.map { StringsTable.pluralCategory(for: $0, language: language) }
            #expect(categories.joined(separator: " ") == expected)
        }

        @Test func pluralCategoryEdges() {
            #expect(StringsTable.pluralCategory(for: -1, language: "en") == "one")
            #expect(StringsTable.pluralCategory(for: 1_000_000, language: "fr") == "many")
            #expect(StringsTable.pluralCategory(for: 0, language: "fr") == "one")
            #expect(StringsTable.pluralCategory(for: 0, language: "pt-PT") == "other")
            #expect(StringsTable.pluralCategory(for: 112, language: "pl") == "many")
            #expect(StringsTable.pluralCategory(for: 111, language: "uk") == "many")
            #expect(StringsTable.pluralCategory(for: 111, language: "ar") == "many")
            #expect(StringsTable.pluralCategory(for: 103, language: "ar") == "few")
            #expect(StringsTable.pluralCategory(for: 120, language: "ro") == "other")
            #expect(StringsTable.pluralCategory(for: 119, language: "ro") == "few")
            #expect(StringsTable.pluralCategories(for: "pl") == ["one", "few", "many", "other"])
            #expect(StringsTable.pluralCategories(for: "ro_RO") == ["one", "few", "other"])
            #expect(
                StringsTable.pluralCategories(for: "ar") == ["zero", "one", "two", "few", "many", "other"])
            #expect(StringsTable.pluralCategories(for: "da") == ["one", "other"])
            // Forms only fractions or millions reach are optional.
            #expect(StringsTable.pluralCategories(for: "cs") == ["one", "few", "other"])
            #expect(StringsTable.pluralCategories(for: "fr") == ["one", "other"])
        }

        func seats(_ language: String, _ counts: [Int], key: String = "seats_left") throws -> [String] {
            let code = try LanguageCode(language)
            return try counts.map {
                try #require(table.plural(key, count: $0, language: code, fallback: english))
            }
        }

        @Test func countedTexts() throws {
            #expect(try seats("en", [1, 5]) == ["1 seat left", "5 seats left"])
            #expect(try seats("en", [1, 120], key: "seats_total") == ["1 seat", "120 seats"])
            #expect(try seats("da", [1, 5]) == ["1 plads tilbage", "5 pladser tilbage"])
            #expect(try seats("de", [1, 5]) == ["Noch 1 Platz frei", "Noch 5 Plätze frei"])
            #expect(
                try seats("pl", [1, 2, 4, 5, 22, 25])
                    == [
                        "Zostało 1 miejsce", "Zostały 2 miejsca", "Zostały 4 miejsca", "Zostało 5 miejsc",
                        "Zostały 22 miejsca", "Zostało 25 miejsc",
                    ])
            #expect(
                try seats("pl", [1, 3, 12, 120], key: "seats_total")
                    == ["1 miejsce", "3 miejsca", "12 miejsc", "120 miejsc"])
            #expect(
                try seats("uk", [1, 3, 5, 11, 21])
                    == [
                        "Залишилося 1 місце", "Залишилося 3 місця", "Залишилося 5 місць",
                        "Залишилося 11 місць",
                        "Залишилося 21 місце",
                    ])
            #expect(
                try seats("ro", [1, 2, 19, 20, 120])
                    == [
                        "Mai este 1 loc liber", "Mai sunt 2 locuri libere", "Mai sunt 19 locuri libere",
                        "Mai sunt 20 de locuri libere", "Mai sunt 120 de locuri libere",
                    ])
            #expect(
                try seats("ar", [0, 1, 2, 3, 11, 100])
                    == [
                        "لا توجد مقاعد متبقية", "بقي مقعد واحد", "بقي مقعدان", "بقيت 3 مقاعد",
                        "بقي 11 مقعدًا", "بقي 100 مقعد",
                    ])
            #expect(
                table.plural(
                    "seats_left", count: 2, language: english, fallback: english, values: ["count": "two"])
                    == "two seats left")
        }

        @Test func placeholdersAreFilledOnceAndNotEscaped() throws {
            #expect(
                table.text("greeting", language: english, fallback: english, values: ["name": "Ana"])
                    == "Dear Ana,")
            #expect(
                table.text(
                    "unsubscribe_line", language: try LanguageCode("de"), fallback: english,
                    values: ["network": "Working in Lemvig", "link": "https://example.org/u/x"])
                    == "Sie erhalten diese E-Mail, weil Sie Mitglied von Working in Lemvig sind. "
                    + "Wenn Sie keine Einladungen mehr erhalten möchten, können Sie sich hier abmelden: "
                    + "https://example.org/u/x")
            #expect(
                table.text(
                    "partner_note", language: try LanguageCode("da"), fallback: english,
                    values: ["network": "International Society Herning", "organisation": "Lærdansk Herning"])
                    == "Du får denne invitation som kontaktperson hos Lærdansk Herning, der samarbejder med "
                    + "International Society Herning. Vi vil sætte stor pris på, hvis du vil sende den "
                    + "videre til internationale medarbejdere, studerende eller kursister. Tak for hjælpen!")
            // A value is never scanned again, and nothing is escaped: the caller escapes per format.
            let sneaky = ["name": "{link} <b>Ana & Bo</b>", "link": "https://evil.example"]
            #expect(
                table.text("greeting", language: english, fallback: english, values: sneaky)
                    == "Dear {link} <b>Ana & Bo</b>,")
            // A placeholder without a value stays visible rather than vanishing.
            #expect(table.text("greeting", language: english, fallback: english) == "Dear {name},")
            // Texts and counted texts are asked for with their own functions.
            #expect(table.text("seats_left", language: english, fallback: english) == nil)
            #expect(table.plural("when", count: 1, language: english, fallback: english) == nil)
            #expect(table.text("no_such_key", language: english, fallback: english) == nil)
        }

        @Test func fallsBackThroughBaseLanguageAndNetworkDefaultToEnglish() throws {
            let directory = try Strings.folder([
                "pt-BR.toml": "where = \"Onde\"\n",
                "pt.toml": "when = \"Quando\"\nwhere = \"Local\"\n",
                "da.toml": """
                note = "Bemærk"
                [seats_left]
                one = "{count} plads tilbage"
                other = "{count} pladser tilbage"
                """,
            ])
            defer { try? FileManager.default.removeItem(at: directory) }
            let table = try StringsTable.load(directory: directory)
            let brazil = try LanguageCode("pt-BR")
            let danish = try LanguageCode("da")
            #expect(table.languages.map(\.identifier) == ["da", "en", "pt", "pt-BR"])
            #expect(table.text("where", language: brazil, fallback: danish) == "Onde")
            #expect(table.text("when", language: brazil, fallback: danish) == "Quando")
            #expect(table.text("note", language: brazil, fallback: danish) == "Bemærk")
            #expect(table.text("sign_off", language: brazil, fallback: danish) == "Best wishes,")
            #expect(table.text("where", language: try LanguageCode("pt-PT"), fallback: danish) == "Local")
            // A language without any file goes straight to the network's default.
            #expect(table.text("note", language: try LanguageCode("fil"), fallback: danish) == "Bemærk")
            // The plural form follows the rules of the language actually used.
            #expect(
                table.plural("seats_left", count: 1, language: brazil, fallback: danish) == "1 plads tilbage")
            #expect(table.plural("seats_total", count: 0, language: brazil, fallback: danish) == "0 seats")
            let missing = table.missingKeys(in: brazil)
            #expect(!missing.contains("when") && !missing.contains("where") && missing.contains("note"))
            #expect(table.missingKeys(in: english) == [])
        }

        @Test func badTOMLNamesFileAndLine() throws {
            let problems = try Strings.problems(["pl.toml": "when = \"Kiedy\"\nwhere = \"Gdzie\n"])
            let problem = try #require(problems.first)
            #expect(problems.count == 1)
            #expect(problem.file.hasSuffix("/pl.toml"))
            #expect(problem.line == 2)
            #expect(problem.message.hasPrefix("not valid TOML"))
        }

        @Test func pluralTableMissingACategory() throws {
            let text = """
                when = "Kiedy"

                [seats_left]
                one = "Zostało {count} miejsce"
                few = "Zostały {count} miejsca"
                other = "Zostało {count} miejsca"
                """
            let problems = try Strings.problems(["pl.toml": text])
            #expect(problems.count == 1)
            let problem = try #require(problems.first)
            #expect(problem.file.hasSuffix("/pl.toml"))
            #expect(problem.line == 3)
            #expect(problem.field == "seats_left")
            #expect(problem.message == "lacks the \"many\" form: Polish needs one, few, many, other")
        }

        @Test func valueThatIsNotText() throws {
            let problems = try Strings.problems(["da.toml": "when = \"Hvornår\"\nwhere = 5\n"])
            #expect(problems.map(\.description).count == 1)
            let problem = try #require(problems.first)
            #expect(problem.file.hasSuffix("/da.toml"))
            #expect(problem.line == 2)
            #expect(problem.field == "where")
            #expect(
                problem.description.hasSuffix("da.toml:2: where: must be text in quotes, not a whole number"))
        }

        @Test func unknownKeySuggestsTheKeyMeant() throws {
            let problems = try Strings.problems(["da.toml": "when = \"Hvornår\"\nunsubscibe = \"Afmeld\"\n"])
            let problem = try #require(problems.first)
            #expect(problems.count == 1)
            #expect(problem.line == 2)
            #expect(problem.field == "unsubscibe")
            #expect(problem.message == "unknown key; did you mean \"unsubscribe\"?")
        }

        @Test func unknownPlaceholderAndOtherSlips() throws {
            let text = """
                greeting = "Dzień dobry, {nmae}!"
                unsubscribe_line = "Wypisz się."
                seats_total = "{count} miejsc"
                sign_off = "  "

                [seats_left]
                one = "Zostało {count} miejsce"
                few = "Zostały {count} miejsca"
                many = "Zostało {count} miejsc"
                other = "Zostało {count} miejsca"
                two = "Zostały {count} miejsca"
                """
            let problems = try Strings.problems(["pl.toml": text])
            let lines = problems.map { "\($0.line) \($0.field ?? "-"): \($0.message)" }
            // In the order of StringKey.all, each with its own line.
            #expect(
                lines == [
                    "11 seats_left.two: Polish has no \"two\" plural form; it uses one, few, many, other",
                    "3 seats_total: a counted text needs one form per plural category: "
                        + "seats_total = { one = \"…\", few = \"…\", many = \"…\", other = \"…\" }",
                    "2 unsubscribe_line: must contain {link}: "
                        + "without it the reader has no way to unsubscribe",
                    "1 greeting: unknown placeholder {nmae}: greeting can use {full_name}, {name}; did you mean {name}?",
                    "4 sign_off: must not be empty; leave the key out to use the fallback language",
                ])
        }

        @Test func fileNamesAndEnglishAreChecked() throws {
            let problems = try Strings.problems(["dk.toml": "when = \"Hvornår\"\n"], english: false)
            let messages = problems.map { "\(($0.file as NSString).lastPathComponent): \($0.message)" }
            #expect(messages.count == 2)
            #expect(
                messages.contains {
                    $0.hasPrefix("dk.toml: the file name must be a language code") && $0.contains("\"da\"")
                })
            #expect(messages.contains("en.toml: is missing: English is the last fallback for every text"))
        }
    }

}

/// Dates and times in each language, checked against what a reader of that language expects.
extension LocalizationTests {
    @Suite struct Dates {
        let zone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt

        func at(_ text: String) throws -> LocalDateTime {
            let parts = text.split(separator: "T")
            let date = try #require(LocalDate(iso: parts[0]))
            let time = parts[1].split(separator: ":").compactMap { Int($0) }
            return try #require(LocalDateTime(date: date, hour: time[0], minute: time[1]))
        }

        func texts(_ start: String, _ end: String, _ language: String, zone: TimeZone? = nil) throws
            -> DateTexts
        {
            DateTexts(
                start: try at(start), end: try at(end), language: try LanguageCode(language),
                zone: zone ?? self.zone)
        }

        /// Tuesday 1 December 2026, 19:00–22:00, winter time (+01:00).
        @Test(arguments: [
            (
                "en",
                [
                    "Tuesday, 1 December 2026", "Tuesday", "01/12/2026", "19:00", "22:00",
                    "19:00\u{2009}–\u{2009}22:00",
                    "Tuesday, 1 December 2026 at 19:00",
                ]
            ),
            (
                "da",
                [
                    "tirsdag den 1. december 2026", "tirsdag", "01.12.2026", "19.00", "22.00", "19.00–22.00",
                    "tirsdag den 1. december 2026 kl. 19.00",
                ]
            ),
            (
                "de",
                [
                    "Dienstag, 1. Dezember 2026", "Dienstag", "01.12.2026", "19:00", "22:00",
                    "19:00–22:00 Uhr",
                    "Dienstag, 1. Dezember 2026 um 19:00",
                ]
            ),
            (
                "pl",
                [
                    "wtorek, 1 grudnia 2026", "wtorek", "01.12.2026", "19:00", "22:00", "19:00–22:00",
                    "wtorek, 1 grudnia 2026 o 19:00",
                ]
            ),
            (
                "ro",
                [
                    "marți, 1 decembrie 2026", "marți", "01.12.2026", "19:00", "22:00", "19:00–22:00",
                    "marți, 1 decembrie 2026 la 19:00",
                ]
            ),
            (
                "uk",
                [
                    "вівторок, 1 грудня 2026\u{202F}р.", "вівторок", "01.12.2026", "19:00", "22:00",
                    "19:00–22:00",
                    "вівторок, 1 грудня 2026\u{202F}р. о 19:00",
                ]
            ),
            (
                "ar",
                [
                    // CLDR's own pattern, EEEE، d MMMM y: no comma before the year.
                    "الثلاثاء، 1 ديسمبر 2026", "الثلاثاء", "01\u{200F}/12\u{200F}/2026", "7:00\u{A0}م",
                    "10:00\u{A0}م",
                    "7:00–10:00\u{A0}م", "الثلاثاء، 1 ديسمبر 2026، 7:00\u{A0}م",
                ]
            ),
        ])
        func winter(language: String, expected: [String]) throws {
            let texts = try texts("2026-12-01T19:00", "2026-12-01T22:00", language)
            #expect(
                [
                    texts.longDate, texts.weekday, texts.shortDate, texts.time, texts.endTime,
                    texts.timeRange,
                    texts.dateTime,
                ] == expected)
            #expect(texts.isoStart == "2026-12-01T19:00:00+01:00")
            #expect(texts.isoEnd == "2026-12-01T22:00:00+01:00")
        }

        /// Tuesday 16 June 2026, 18:30–21:00, summer time (+02:00): the wall-clock time, not UTC.
        @Test(arguments: [
            ("en", "Tuesday, 16 June 2026 at 18:30", "16/06/2026"),
            ("da", "tirsdag den 16. juni 2026 kl. 18.30", "16.06.2026"),
            ("de", "Dienstag, 16. Juni 2026 um 18:30", "16.06.2026"),
            ("pl", "wtorek, 16 czerwca 2026 o 18:30", "16.06.2026"),
            ("ro", "marți, 16 iunie 2026 la 18:30", "16.06.2026"),
            ("uk", "вівторок, 16 червня 2026\u{202F}р. о 18:30", "16.06.2026"),
            ("ar", "الثلاثاء، 16 يونيو 2026، 6:30\u{A0}م", "16\u{200F}/06\u{200F}/2026"),
        ])
        func summer(language: String, dateTime: String, shortDate: String) throws {
            let texts = try texts("2026-06-16T18:30", "2026-06-16T21:00", language)
            #expect(texts.dateTime == dateTime)
            #expect(texts.shortDate == shortDate)
            #expect(texts.isoStart == "2026-06-16T18:30:00+02:00")
            #expect(texts.isoEnd == "2026-06-16T21:00:00+02:00")
        }

        @Test func arabicIsRightToLeftWithLatinDigits() throws {
            let texts = try texts("2026-12-01T19:00", "2026-12-01T22:00", "ar")
            let scalars = texts.dateTime.unicodeScalars
            #expect(scalars.contains { (0x0600...0x06FF).contains($0.value) })
            #expect(
                !scalars.contains {
                    (0x0660...0x0669).contains($0.value) || (0x06F0...0x06F9).contains($0.value)
                })
            #expect(texts.dateTime.contains("2026"))
        }

        @Test func dayOfDaylightSavingEnd() throws {
            // 25 October 2026: clocks go back at 03:00 CEST; the evening is winter time.
            let evening = try texts("2026-10-25T19:00", "2026-10-25T22:00", "da")
            #expect(evening.dateTime == "søndag den 25. oktober 2026 kl. 19.00")
            #expect(evening.timeRange == "19.00–22.00")
            #expect(evening.isoStart == "2026-10-25T19:00:00+01:00")
            // 02:30 happens twice: the first, still summer time, is meant.
            let night = try texts("2026-10-25T02:30", "2026-10-25T04:00", "en")
            #expect(night.dateTime == "Sunday, 25 October 2026 at 02:30")
            #expect(night.isoStart == "2026-10-25T02:30:00+02:00")
            #expect(night.isoEnd == "2026-10-25T04:00:00+01:00")
            // A party across the change and past midnight: just the two times.
            let party = try texts("2026-10-24T22:00", "2026-10-25T02:00", "da")
            #expect(party.timeRange == "22.00–02.00")
            #expect(party.longDate == "lørdag den 24. oktober 2026")
            #expect(party.isoEnd == "2026-10-25T02:00:00+02:00")
        }

        @Test func dayOfDaylightSavingStart() throws {
            // 29 March 2026: clocks go forward at 02:00 CET; the evening is summer time.
            let evening = try texts("2026-03-29T19:00", "2026-03-29T22:00", "de")
            #expect(evening.dateTime == "Sonntag, 29. März 2026 um 19:00")
            #expect(evening.isoStart == "2026-03-29T19:00:00+02:00")
            let morning = try texts("2026-03-29T01:30", "2026-03-29T05:00", "pl")
            #expect(morning.time == "01:30")
            #expect(morning.isoStart == "2026-03-29T01:30:00+01:00")
            // 02:30 does not exist that night: the occurrence begins at 03:30, as in the calendar part.
            let gap = try texts("2026-03-29T02:30", "2026-03-29T05:00", "da")
            #expect(gap.time == "03.30")
            #expect(gap.isoStart == "2026-03-29T03:30:00+02:00")
            // The week before, the same wall-clock time is winter time.
            let before = try texts("2026-03-22T19:00", "2026-03-22T22:00", "uk")
            #expect(before.dateTime == "неділя, 22 березня 2026\u{202F}р. о 19:00")
            #expect(before.isoStart == "2026-03-22T19:00:00+01:00")
        }

        @Test func usesTheGivenZoneAndLocales() throws {
            let newYork = try #require(TimeZone(identifier: "America/New_York"))
            let texts = try texts("2026-12-01T19:00", "2026-12-01T22:00", "en-US", zone: newYork)
            #expect(texts.dateTime == "Tuesday, December 1, 2026 at 7:00\u{202F}PM")
            #expect(texts.isoStart == "2026-12-01T19:00:00-05:00")
            let brazil = try self.texts("2026-12-01T19:00", "2026-12-01T22:00", "pt-BR")
            #expect(brazil.dateTime == "terça-feira, 1 de dezembro de 2026 às 19:00")
            // A language with another calendar and digits still gets the Gregorian date.
            let persian = try self.texts("2026-12-01T19:00", "2026-12-01T22:00", "fa")
            #expect(persian.dateTime == "سه‌شنبه ۱ دسامبر ۲۰۲۶ ساعت ۱۹:۰۰")
        }

        /// Many tasks sharing one cache, as a preview's rendering threads share their renderer's.
        @Test func sameTextsFromManyTasksAtOnce() async throws {
            let start = try at("2026-12-02T19:00")
            let end = try at("2026-12-02T22:00")
            let languages = try ["en", "da", "de", "pl", "ro", "uk", "ar"].map { try LanguageCode($0) }
            let zone = self.zone
            let cache = RenderCache()
            let results = await withTaskGroup(of: DateTexts.self) { group in
                for index in 0..<200 {
                    let language = languages[index % languages.count]
                    group.addTask {
                        DateTexts(start: start, end: end, language: language, zone: zone, cache: cache)
                    }
                }
                var all: [DateTexts] = []
                for await texts in group { all.append(texts) }
                return all
            }
            #expect(Set(results).count == languages.count)
            #expect(results.contains { $0.dateTime == "onsdag den 2. december 2026 kl. 19.00" })
            let cold = languages.map { DateTexts(start: start, end: end, language: $0, zone: zone) }
            #expect(Set(results) == Set(cold), "the cache gives what is computed afresh")
        }
    }
}

/// The line that says how a series repeats, for the README's common patterns, in every shipped language.
@Suite struct RepetitionTextTests {
    static func line(_ rule: String, language: String, skipped: [String] = []) throws -> String? {
        let fixture = try NetworkFixture()
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let renderer = try RenderSetup.load(network.configuration).renderer
        let from = try #require(
            LocalDate(iso: "2026-12-01").flatMap { LocalDateTime(date: $0, hour: 0, minute: 0) })
        let through = try #require(
            LocalDate(iso: "2026-12-03").flatMap { LocalDateTime(date: $0, hour: 0, minute: 0) })
        var occurrence = try #require(
            network.events.first?.occurrences(
                from: from, through: through, in: network.configuration.network.timeZone
            ).first)
        occurrence.repetition = Repetition(
            rule: try RecurrenceRule(parsing: rule),
            skipped: try skipped.map { text in try #require(LocalDate(iso: text)) })
        return renderer.repetitionLine(occurrence, language: try LanguageCode(language))
    }

    @Test(arguments: [
        ("en", "Every Wednesday, 19:00 – 22:00; not December 23, December 30"),
        ("da", "Hver onsdag, 19.00–22.00; ikke 23. december, 30. december"),
        ("de", "Jeden Mittwoch, 19:00–22:00 Uhr; nicht am 23. Dezember, 30. Dezember"),
        ("pl", "Co tydzień, środa, 19:00–22:00; z wyjątkiem 23 grudnia, 30 grudnia"),
        ("uk", "Щотижня, середа, 19:00–22:00; крім 23 грудня, 30 грудня"),
        ("ro", "În fiecare miercuri, 19:00–22:00; cu excepția 23 decembrie, 30 decembrie"),
        ("ar", "أسبوعيًا، الأربعاء، 7:00–10:00 م؛ ما عدا 23 ديسمبر، 30 ديسمبر"),
    ])
    func everyWednesdayWithTwoWeeksOff(_ language: String, _ expected: String) throws {
        let line = try Self.line(
            "FREQ=WEEKLY;BYDAY=WE", language: language, skipped: ["2026-12-23", "2026-12-30"])
        #expect(
            line?.replacingOccurrences(of: "\u{2009}", with: " ").replacingOccurrences(
                of: "\u{202F}", with: " "
            )
            .replacingOccurrences(of: "\u{A0}", with: " ") == expected)
    }

    @Test func theCommonPatternsAreSaidAndTheRestIsNot() throws {
        #expect(
            try Self.line("FREQ=WEEKLY;INTERVAL=3;BYDAY=FR", language: "en")?.hasPrefix(
                "Every 3 weeks, Friday") == true)
        #expect(
            try Self.line("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", language: "pl")?.hasPrefix(
                "Co 2 tygodnie, piątek") == true)
        #expect(
            try Self.line("FREQ=WEEKLY;INTERVAL=5;BYDAY=FR", language: "pl")?.hasPrefix(
                "Co 5 tygodni, piątek") == true)
        #expect(
            try Self.line("FREQ=MONTHLY;BYDAY=1TU", language: "en")?.hasPrefix(
                "The first Tuesday of every month") == true)
        #expect(
            try Self.line("FREQ=MONTHLY;BYDAY=-1FR", language: "da")?.hasPrefix(
                "Den sidste fredag i hver måned") == true)
        #expect(
            try Self.line("FREQ=MONTHLY;BYDAY=1TU", language: "de")?.hasPrefix(
                "Jeden ersten Dienstag im Monat") == true)
        #expect(
            try Self.line("FREQ=MONTHLY;BYMONTHDAY=15", language: "en")?.hasPrefix("On day 15 of every month")
                == true)
        #expect(
            try Self.line("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270630", language: "en")?.hasPrefix(
                "Every Monday / Thursday") == true)
        // Dates beyond eight weeks are not named; a rule the strings cannot say says nothing.
        #expect(
            try Self.line("FREQ=WEEKLY;BYDAY=WE", language: "en", skipped: ["2027-03-03"])?.contains("not")
                == false)
        #expect(try Self.line("FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", language: "en") == nil)
        #expect(try Self.line("FREQ=DAILY", language: "en") == nil)
    }
}
