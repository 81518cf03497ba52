import Foundation
import InviterCore
import Testing

/// Reads `2026-12-02T19:00` (seconds optional) for test data.
private func at(_ text: String) throws -> LocalDateTime {
    let parts = text.split(separator: "T")
    let date = try #require(LocalDate(iso: parts[0]))
    let time = try #require(parts.count == 2 ? parts[1] : nil).split(separator: ":").compactMap { Int($0) }
    return try #require(
        LocalDateTime(date: date, hour: time[0], minute: time[1], second: time.count > 2 ? time[2] : 0))
}

private func copenhagen() throws -> TimeZone {
    try #require(TimeZone(identifier: "Europe/Copenhagen"))
}

/// The dates of the occurrences of `rule` from `start` through `through`, for comparing with calendars.
private func dates(
    _ rule: String, start: String, from: String? = nil, through: String
) throws -> [String] {
    let rule = try RecurrenceRule(parsing: rule)
    let start = try at(start)
    let list = rule.occurrences(
        start: start, in: try copenhagen(), from: try from.map(at), through: try at(through))
    // Every occurrence keeps the start's time of day unless the rule says otherwise.
    if rule.byHour.isEmpty && rule.byMinute.isEmpty {
        #expect(list.allSatisfy { $0.hour == start.hour && $0.minute == start.minute })
    }
    return list.map(\.date.description)
}

@Suite struct RecurrenceRuleTests {
    // MARK: Parsing

    @Test(arguments: [
        ("FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;BYDAY=WE"),
        ("rrule:freq=weekly;interval=3;byday=we", "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE"),
        ("  RRULE: FREQ = MONTHLY ; BYDAY = 1TU  ", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=MONTHLY;BYDAY=-1FR,+1TU", "FREQ=MONTHLY;BYDAY=1TU,-1FR"),
        ("FREQ=WEEKLY;BYDAY=FR, MO,WE,MO", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("FREQ=YEARLY;BYDAY=2SU;BYMONTH=5", "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU"),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9", "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9"),
        ("FREQ=WEEKLY;INTERVAL=1;WKST=MO", "FREQ=WEEKLY"),
        (
            "FREQ=WEEKLY;WKST=SU;COUNT=4;INTERVAL=2;BYDAY=TU,SU",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4"
        ),
        ("FREQ=DAILY;BYMINUTE=30,0;BYHOUR=17,9", "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1,15", "FREQ=MONTHLY;BYMONTHDAY=-1,15"),
        ("FREQ=WEEKLY;UNTIL=20270630", "FREQ=WEEKLY;UNTIL=20270630"),
        ("FREQ=WEEKLY;UNTIL=2027-06-30", "FREQ=WEEKLY;UNTIL=20270630"),
        ("FREQ=WEEKLY;UNTIL=20270630T190000", "FREQ=WEEKLY;UNTIL=20270630T190000"),
        ("FREQ=WEEKLY;UNTIL=2027-06-30T19:00", "FREQ=WEEKLY;UNTIL=20270630T190000"),
        ("FREQ=WEEKLY;UNTIL=20270630T170000Z", "FREQ=WEEKLY;UNTIL=20270630T170000Z"),
        ("FREQ=WEEKLY;UNTIL=2027-06-30T17:00:00z", "FREQ=WEEKLY;UNTIL=20270630T170000Z"),
    ])
    func printsCanonicalText(_ text: String, _ canonical: String) throws {
        let rule = try RecurrenceRule(parsing: text)
        #expect(rule.description == canonical)
        // The canonical text means the same rule, so it can go into a calendar file as is.
        #expect(try RecurrenceRule(parsing: rule.description) == rule)
    }

    @Test func keepsTheParts() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU,-1FR,WE;COUNT=10")
        #expect(rule.frequency == .monthly)
        #expect(rule.interval == 2)
        #expect(
            rule.byDay == [
                .init(ordinal: 1, weekday: 2), .init(ordinal: nil, weekday: 3),
                .init(ordinal: -1, weekday: 5),
            ])
        #expect(rule.count == 10)
        #expect(rule.until == nil)
        #expect(rule.weekStart == 1)

        let defaults = try RecurrenceRule(parsing: "FREQ=WEEKLY")
        #expect(defaults.interval == 1)
        #expect(defaults.byDay.isEmpty && defaults.byMonthDay.isEmpty && defaults.byMonth.isEmpty)
        #expect(defaults.byHour.isEmpty && defaults.byMinute.isEmpty && defaults.count == nil)

        let local = try at("2027-06-30T19:00")
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20270630").until == .date(local.date))
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20270630T190000").until == .local(local))
        #expect(
            try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20270630T170000Z").until
                == .utc(Date(timeIntervalSince1970: 1_814_374_800)))
        #expect(try RecurrenceRule(parsing: "FREQ=WEEKLY;WKST=SU").weekStart == 7)
    }

    // MARK: Errors

    /// Rules organizers might really write, each with the part the message must name and a phrase
    /// that tells them what to do.
    @Test(
        arguments: [
            ("", nil, "empty"),
            ("every wednesday", nil, "\"every wednesday\" is not a rule part"),
            ("WEEKLY", nil, "did you mean FREQ=WEEKLY"),
            ("FREQ=WEEKLY;;BYDAY=WE", nil, "empty part"),
            ("FREQ=WEEKLY;", nil, "empty part"),
            ("FREQ=WEEKLY;=WE", nil, "no name"),
            ("BYDAY=WE", "FREQ", "FREQ is missing"),
            ("FREQ=WEEKLEY", "FREQ", "did you mean WEEKLY"),
            ("FREQ=FORTNIGHTLY", "FREQ", "FREQ=WEEKLY;INTERVAL=2"),
            ("FREQ=HOURLY", "FREQ", "HOURLY is not supported"),
            ("FREQ=MINUTELY", "FREQ", "MINUTELY is not supported"),
            ("FREQ=SECONDLY", "FREQ", "SECONDLY is not supported"),
            ("FREQ=WEEKLY;BYDAYS=WE", "BYDAYS", "did you mean BYDAY"),
            ("FREQ=WEEKLY;INTERVALL=3", "INTERVALL", "did you mean INTERVAL"),
            ("FREQ=WEEKLY;FREQUENCY=3", "FREQUENCY", "did you mean FREQ"),
            ("FREQ=WEEKLY;COLOUR=RED", "COLOUR", "use FREQ, INTERVAL"),
            ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "BYSETPOS", "BYSETPOS is not supported"),
            ("FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO", "BYWEEKNO is not supported"),
            ("FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY", "BYYEARDAY is not supported"),
            ("FREQ=DAILY;BYSECOND=0", "BYSECOND", "BYSECOND is not supported"),
            ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL", "1 or more"),
            ("FREQ=WEEKLY;INTERVAL=-2", "INTERVAL", "1 or more"),
            ("FREQ=WEEKLY;INTERVAL=two", "INTERVAL", "\"TWO\" must be a whole number"),
            ("FREQ=WEEKLY;INTERVAL=5000", "INTERVAL", "too large"),
            ("FREQ=WEEKLY;COUNT=0", "COUNT", "1 or more"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY", "1 to 31"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY", "1 to 31"),
            ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY", "-1 (the last day)"),
            ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY", "FREQ=MONTHLY"),
            ("FREQ=YEARLY;BYMONTH=13", "BYMONTH", "1 (January) to 12 (December)"),
            ("FREQ=YEARLY;BYMONTH=0", "BYMONTH", "1 (January) to 12 (December)"),
            ("FREQ=DAILY;BYHOUR=24", "BYHOUR", "0 to 23"),
            ("FREQ=DAILY;BYMINUTE=60", "BYMINUTE", "0 to 59"),
            ("FREQ=WEEKLY;BYDAY=WEN", "BYDAY", "\"WEN\" is not a weekday; use MO, TU, WE, TH, FR, SA or SU"),
            ("FREQ=WEEKLY;BYDAY=wed", "BYDAY", "did you mean WE?"),
            ("FREQ=WEEKLY;BYDAY=Onsdag", "BYDAY", "did you mean WE?"),
            ("FREQ=WEEKLY;BYDAY=MO,,WE", "BYDAY", "empty value"),
            ("FREQ=WEEKLY;BYDAY=", "BYDAY", "no value"),
            ("FREQ=WEEKLY;BYDAY=1TU", "BYDAY", "only works with FREQ=MONTHLY or FREQ=YEARLY"),
            ("FREQ=DAILY;BYDAY=-1FR", "BYDAY", "only works with FREQ=MONTHLY or FREQ=YEARLY"),
            ("FREQ=MONTHLY;BYDAY=0TU", "BYDAY", "1 to 53"),
            ("FREQ=YEARLY;BYDAY=54MO", "BYDAY", "1 to 53"),
            ("FREQ=MONTHLY;BYDAY=6TU", "BYDAY", "at most five"),
            ("FREQ=YEARLY;BYMONTH=5;BYDAY=-6SU", "BYDAY", "at most five"),
            ("FREQ=MONTHLY;BYDAY=1+TU", "BYDAY", "not a number"),
            ("FREQ=WEEKLY;BYDAY=WE;byday=FR", "BYDAY", "BYDAY is given twice"),
            ("FREQ=WEEKLY;FREQ=MONTHLY", "FREQ", "FREQ is given twice"),
            ("FREQ=WEEKLY;COUNT=5;UNTIL=20270101", "UNTIL", "COUNT and UNTIL can't both be given"),
            ("FREQ=WEEKLY;UNTIL=20270230", "UNTIL", "\"20270230\" is not a date"),
            ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL", "is not a date"),
            ("FREQ=WEEKLY;UNTIL=20270101T250000", "UNTIL", "is not a date"),
            ("FREQ=WEEKLY;UNTIL=20270101Z", "UNTIL", "is not a date"),
            ("FREQ=WEEKLY;WKST=1MO", "WKST", "is not a weekday"),
        ] as [(String, String?, String)])
    func refusesMalformedRules(_ text: String, _ part: String?, _ phrase: String) {
        let error = #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(parsing: text) }
        #expect(error?.part == part)
        #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "no error")")
        if let part {
            #expect(error?.message.contains(part) == true)
        }
        #expect(error?.description == error?.message)
    }

    // MARK: Weekly

    @Test func weeklyKeepsWallClockTimeAcrossDaylightSaving() throws {
        let zone = try copenhagen()
        let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=WE")
        // Summer time starts on Sunday 2026-03-29 and ends on Sunday 2026-10-25.
        let spring = rule.occurrences(
            start: try at("2026-03-18T19:00"), in: zone, through: try at("2026-04-08T23:59"))
        let autumn = rule.occurrences(
            start: try at("2026-10-14T19:00"), in: zone, through: try at("2026-11-04T23:59"))
        #expect(
            spring.map(\.description) == [
                "2026-03-18T19:00:00", "2026-03-25T19:00:00", "2026-04-01T19:00:00", "2026-04-08T19:00:00",
            ])
        #expect(
            autumn.map(\.description) == [
                "2026-10-14T19:00:00", "2026-10-21T19:00:00", "2026-10-28T19:00:00", "2026-11-04T19:00:00",
            ])
        let utc = ISO8601DateFormatter()
        #expect(
            spring.map { utc.string(from: $0.instant(in: zone)) } == [
                "2026-03-18T18:00:00Z", "2026-03-25T18:00:00Z", "2026-04-01T17:00:00Z",
                "2026-04-08T17:00:00Z",
            ])
        #expect(
            autumn.map { utc.string(from: $0.instant(in: zone)) } == [
                "2026-10-14T17:00:00Z", "2026-10-21T17:00:00Z", "2026-10-28T18:00:00Z",
                "2026-11-04T18:00:00Z",
            ])
    }

    @Test func weeklyOnTheNightTheClocksGoForward() throws {
        // 02:30 does not exist on 2026-03-29; the occurrence stays 02:30 and only its instant moves.
        let zone = try copenhagen()
        let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY")
        let list = rule.occurrences(
            start: try at("2026-03-22T02:30"), in: zone, through: try at("2026-04-05T23:00"))
        #expect(
            list.map(\.description) == ["2026-03-22T02:30:00", "2026-03-29T02:30:00", "2026-04-05T02:30:00"])
        #expect(
            list.map { $0.instant(in: zone).timeIntervalSince1970 } == [
                1_774_143_000, 1_774_747_800, 1_775_349_000,
            ])
    }

    @Test func weeklyWithoutByDayUsesTheStartsWeekday() throws {
        #expect(
            try dates("FREQ=WEEKLY", start: "2026-12-03T18:00", through: "2026-12-24T00:00") == [
                "2026-12-03", "2026-12-10", "2026-12-17",
            ])
    }

    @Test func everyThirdWeek() throws {
        #expect(
            try dates(
                "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE", start: "2026-12-02T19:00", through: "2027-03-01T00:00")
                == [
                    "2026-12-02", "2026-12-23", "2027-01-13", "2027-02-03", "2027-02-24",
                ])
    }

    @Test func weekStartDecidesWhichDaysShareAWeek() throws {
        // RFC 5545's own example: the same rule gives different days with WKST=MO and WKST=SU.
        let monday = "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"
        let sunday = "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"
        #expect(
            try dates(monday, start: "1997-08-05T09:00", through: "1997-12-31T00:00") == [
                "1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24",
            ])
        #expect(
            try dates(sunday, start: "1997-08-05T09:00", through: "1997-12-31T00:00") == [
                "1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31",
            ])
    }

    @Test func weeklyOnSeveralDaysAndOnlyInSomeMonths() throws {
        #expect(
            try dates("FREQ=WEEKLY;BYDAY=TU,TH", start: "2026-12-01T17:00", through: "2026-12-11T00:00") == [
                "2026-12-01", "2026-12-03", "2026-12-08", "2026-12-10",
            ])
        // A summer-only series: BYMONTH filters the weeks.
        let summer = try dates(
            "FREQ=WEEKLY;BYDAY=WE;BYMONTH=7,8", start: "2026-07-01T19:00", through: "2027-07-08T00:00")
        #expect(summer.count == 9 + 1)
        #expect(summer.last == "2027-07-07")
        #expect(summer.allSatisfy { $0.contains("-07-") || $0.contains("-08-") })
    }

    // MARK: Monthly

    @Test func firstTuesdayOfTheMonth() throws {
        #expect(
            try dates("FREQ=MONTHLY;BYDAY=1TU", start: "2026-12-01T19:00", through: "2027-12-31T23:59") == [
                "2026-12-01", "2027-01-05", "2027-02-02", "2027-03-02", "2027-04-06", "2027-05-04",
                "2027-06-01",
                "2027-07-06", "2027-08-03", "2027-09-07", "2027-10-05", "2027-11-02", "2027-12-07",
            ])
    }

    @Test func fifthTuesdayOnlyInMonthsThatHaveOne() throws {
        #expect(
            try dates("FREQ=MONTHLY;BYDAY=5TU", start: "2026-03-31T19:00", through: "2026-12-31T23:59") == [
                "2026-03-31", "2026-06-30", "2026-09-29", "2026-12-29",
            ])
    }

    @Test func lastFriday() throws {
        #expect(
            try dates("FREQ=MONTHLY;BYDAY=-1FR", start: "2026-01-30T16:00", through: "2026-12-31T23:59") == [
                "2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24", "2026-05-29", "2026-06-26",
                "2026-07-31", "2026-08-28", "2026-09-25", "2026-10-30", "2026-11-27", "2026-12-25",
            ])
        #expect(
            try dates(
                "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1MO", start: "2026-01-26T09:00", through: "2026-08-01T00:00")
                == ["2026-01-26", "2026-03-30", "2026-05-25", "2026-07-27"])
    }

    @Test func lastDayOfTheMonthIncludingLeapFebruary() throws {
        let list = try dates(
            "FREQ=MONTHLY;BYMONTHDAY=-1", start: "2027-10-31T12:00", through: "2028-04-30T12:00")
        #expect(
            list == [
                "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31",
                "2028-04-30",
            ])
    }

    @Test func monthlyOnTheStartsDaySkipsShortMonths() throws {
        #expect(
            try dates("FREQ=MONTHLY", start: "2026-01-31T19:00", through: "2026-12-31T23:59") == [
                "2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31", "2026-10-31",
                "2026-12-31",
            ])
        #expect(
            try dates("FREQ=MONTHLY;BYMONTHDAY=30", start: "2028-01-30T19:00", through: "2028-04-30T23:59")
                == [
                    "2028-01-30", "2028-03-30", "2028-04-30",
                ])
    }

    @Test func monthlyWeekdaysWithoutPositionAndIntersections() throws {
        #expect(
            try dates("FREQ=MONTHLY;BYDAY=MO,WE", start: "2026-12-02T19:00", through: "2027-01-06T23:59") == [
                "2026-12-02", "2026-12-07", "2026-12-09", "2026-12-14", "2026-12-16", "2026-12-21",
                "2026-12-23",
                "2026-12-28", "2026-12-30", "2027-01-04", "2027-01-06",
            ])
        // Friday the 13th: both BYDAY and BYMONTHDAY must agree.
        #expect(
            try dates(
                "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", start: "2026-02-13T19:00", through: "2027-12-31T00:00")
                == [
                    "2026-02-13", "2026-03-13", "2026-11-13", "2027-08-13",
                ])
        #expect(
            try dates("FREQ=MONTHLY;BYMONTHDAY=1,15", start: "2026-12-01T09:00", through: "2027-01-31T00:00")
                == [
                    "2026-12-01", "2026-12-15", "2027-01-01", "2027-01-15",
                ])
    }

    @Test func monthlyNewsletterAtNine() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9")
        let list = rule.occurrences(
            start: try at("2026-12-01T09:00"), in: try copenhagen(), through: try at("2027-03-01T09:00"))
        #expect(
            list.map(\.description) == [
                "2026-12-01T09:00:00", "2027-01-01T09:00:00", "2027-02-01T09:00:00", "2027-03-01T09:00:00",
            ])
    }

    // MARK: Yearly

    @Test func yearlyOnFebruary29OnlyInLeapYears() throws {
        #expect(
            try dates("FREQ=YEARLY", start: "2028-02-29T12:00", through: "2036-12-31T00:00") == [
                "2028-02-29", "2032-02-29", "2036-02-29",
            ])
        #expect(
            try dates(
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", start: "2027-02-28T12:00", through: "2029-12-31T00:00")
                == [
                    "2027-02-28", "2028-02-29", "2029-02-28",
                ])
    }

    @Test func secondSundayOfMay() throws {
        #expect(
            try dates(
                "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", start: "2026-05-10T10:00", through: "2029-12-31T00:00")
                == [
                    "2026-05-10", "2027-05-09", "2028-05-14", "2029-05-13",
                ])
    }

    @Test func yearlyForms() throws {
        // Without BYMONTH, positions count within the year: RFC 5545's "20th Monday of the year".
        #expect(
            try dates("FREQ=YEARLY;BYDAY=20MO", start: "1997-05-19T09:00", through: "1999-12-31T00:00") == [
                "1997-05-19", "1998-05-18", "1999-05-17",
            ])
        #expect(
            try dates("FREQ=YEARLY;BYDAY=-1SU", start: "2026-12-27T09:00", through: "2028-12-31T23:00") == [
                "2026-12-27", "2027-12-26", "2028-12-31",
            ])
        #expect(
            try dates("FREQ=YEARLY;BYMONTH=6,12", start: "2026-06-15T09:00", through: "2027-12-31T00:00") == [
                "2026-06-15", "2026-12-15", "2027-06-15", "2027-12-15",
            ])
        #expect(
            try dates("FREQ=YEARLY;INTERVAL=2", start: "2026-08-20T18:00", through: "2031-01-01T00:00") == [
                "2026-08-20", "2028-08-20", "2030-08-20",
            ])
        // BYMONTHDAY without BYMONTH means that day of every month, as RFC 5545 says.
        #expect(
            try dates("FREQ=YEARLY;BYMONTHDAY=1", start: "2026-12-01T09:00", through: "2027-02-01T09:00") == [
                "2026-12-01", "2027-01-01", "2027-02-01",
            ])
    }

    // MARK: Daily and times of day

    @Test func dailyWithFilters() throws {
        #expect(
            try dates("FREQ=DAILY", start: "2026-12-30T08:00", through: "2027-01-02T08:00") == [
                "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02",
            ])
        #expect(
            try dates("FREQ=DAILY;INTERVAL=10", start: "2026-12-30T08:00", through: "2027-01-31T00:00") == [
                "2026-12-30", "2027-01-09", "2027-01-19", "2027-01-29",
            ])
        #expect(
            try dates(
                "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", start: "2026-12-04T08:00", through: "2026-12-10T00:00")
                == [
                    "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09",
                ])
        #expect(
            try dates(
                "FREQ=DAILY;BYMONTH=12;BYMONTHDAY=24,25,26", start: "2026-12-24T12:00",
                through: "2027-12-31T00:00") == [
                    "2026-12-24", "2026-12-25", "2026-12-26", "2027-12-24", "2027-12-25", "2027-12-26",
                ])
    }

    @Test func byHourAndByMinuteExpand() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;COUNT=6")
        let list = rule.occurrences(
            start: try at("2026-12-01T09:00"), in: try copenhagen(), through: try at("2027-01-01T00:00"))
        #expect(
            list.map(\.description) == [
                "2026-12-01T09:00:00", "2026-12-01T09:30:00", "2026-12-01T17:00:00", "2026-12-01T17:30:00",
                "2026-12-02T09:00:00", "2026-12-02T09:30:00",
            ])
    }

    // MARK: COUNT, UNTIL and windows

    @Test func countIncludesOccurrencesBeforeFrom() throws {
        let rule = "FREQ=WEEKLY;BYDAY=WE;COUNT=5"
        #expect(
            try dates(rule, start: "2026-12-02T19:00", through: "2027-12-31T00:00") == [
                "2026-12-02", "2026-12-09", "2026-12-16", "2026-12-23", "2026-12-30",
            ])
        #expect(
            try dates(rule, start: "2026-12-02T19:00", from: "2026-12-20T00:00", through: "2027-12-31T00:00")
                == [
                    "2026-12-23", "2026-12-30",
                ])
        // `from` is inclusive, and a window after the last occurrence is empty.
        #expect(
            try dates(rule, start: "2026-12-02T19:00", from: "2026-12-16T19:00", through: "2027-12-31T00:00")
                == [
                    "2026-12-16", "2026-12-23", "2026-12-30",
                ])
        #expect(
            try dates(rule, start: "2026-12-02T19:00", from: "2027-01-01T00:00", through: "2027-12-31T00:00")
                .isEmpty)
        #expect(
            try dates("FREQ=WEEKLY;COUNT=1", start: "2026-12-02T19:00", through: "2027-12-31T00:00") == [
                "2026-12-02"
            ])
    }

    @Test func throughIsInclusiveAndBeforeTheStartGivesNothing() throws {
        let rule = "FREQ=WEEKLY;BYDAY=WE"
        #expect(
            try dates(rule, start: "2026-12-02T19:00", through: "2026-12-09T19:00") == [
                "2026-12-02", "2026-12-09",
            ])
        #expect(try dates(rule, start: "2026-12-02T19:00", through: "2026-12-09T18:59") == ["2026-12-02"])
        #expect(try dates(rule, start: "2026-12-02T19:00", through: "2026-12-02T19:00") == ["2026-12-02"])
        #expect(try dates(rule, start: "2026-12-02T19:00", through: "2026-12-02T18:00").isEmpty)
    }

    @Test func untilAsDateIncludesTheWholeDay() throws {
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261216", start: "2026-12-02T19:00", through: "2027-12-31T00:00")
                == [
                    "2026-12-02", "2026-12-09", "2026-12-16",
                ])
    }

    @Test func untilBeforeTheStartStillGivesTheStart() throws {
        // DTSTART is always an occurrence; nothing after it is.
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261101", start: "2026-12-02T19:00", through: "2027-12-31T00:00")
                == [
                    "2026-12-02"
                ])
    }

    @Test func untilAsLocalTimeIsInclusive() throws {
        let through = "2027-12-31T00:00"
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261216T190000", start: "2026-12-02T19:00", through: through) == [
                "2026-12-02", "2026-12-09", "2026-12-16",
            ])
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261216T185959", start: "2026-12-02T19:00", through: through) == [
                "2026-12-02", "2026-12-09",
            ])
    }

    @Test func untilInUTCIsComparedInTheNetworksZone() throws {
        let through = "2027-12-31T00:00"
        // 19:00 in Copenhagen is 18:00Z in winter and 17:00Z in summer.
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261216T180000Z", start: "2026-12-02T19:00", through: through) == [
                "2026-12-02", "2026-12-09", "2026-12-16",
            ])
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20261216T175959Z", start: "2026-12-02T19:00", through: through) == [
                "2026-12-02", "2026-12-09",
            ])
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20260701T170000Z", start: "2026-06-17T19:00", through: through) == [
                "2026-06-17", "2026-06-24", "2026-07-01",
            ])
        #expect(
            try dates("FREQ=WEEKLY;UNTIL=20260701T165959Z", start: "2026-06-17T19:00", through: through) == [
                "2026-06-17", "2026-06-24",
            ])
    }

    // MARK: Rules that rarely or never match

    @Test(arguments: [
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=6",  // every December, but only in June
        "FREQ=MONTHLY;BYDAY=5FR;BYMONTHDAY=1",
    ])
    func neverMatchingRuleEndsQuickly(_ text: String) throws {
        let rule = try RecurrenceRule(parsing: text)
        let clock = ContinuousClock()
        var list: [LocalDateTime] = []
        let elapsed = try clock.measure {
            list = rule.occurrences(
                start: try at("2026-12-02T19:00"), in: try copenhagen(), through: try at("9999-12-31T23:59"))
        }
        #expect(list.map(\.description) == ["2026-12-02T19:00:00"])
        #expect(elapsed < .seconds(5))
    }

    @Test func rareMatchesAreStillFound() throws {
        // A fifth Sunday in February happens only when February 29 is a Sunday: every 28 years.
        #expect(
            try dates(
                "FREQ=YEARLY;BYMONTH=2;BYDAY=5SU", start: "2026-01-04T09:00", through: "2100-01-01T00:00")
                == ["2026-01-04", "2032-02-29", "2060-02-29", "2088-02-29"])
        // More than 2000 empty days in a row before the first match.
        #expect(
            try dates(
                "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=SU", start: "2026-01-01T09:00",
                through: "2061-01-01T00:00")
                == ["2026-01-01", "2032-02-29", "2060-02-29"])
    }

    // MARK: A start that does not fit the pattern

    @Test func startIsAlwaysFirstEvenWhenItDoesNotMatch() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=WE;COUNT=3")
        let thursday = try at("2026-12-03T19:00")
        #expect(!rule.matches(thursday))
        let list = rule.occurrences(
            start: thursday, in: try copenhagen(), through: try at("2027-12-31T00:00"))
        #expect(list.map(\.date.description) == ["2026-12-03", "2026-12-09", "2026-12-16"])
    }

    @Test(arguments: [
        ("FREQ=WEEKLY;BYDAY=WE", "2026-12-02T19:00", true),
        ("FREQ=WEEKLY;BYDAY=WE", "2026-12-03T19:00", false),
        ("FREQ=WEEKLY", "2026-12-03T19:00", true),
        ("FREQ=MONTHLY", "2026-01-31T19:00", true),
        ("FREQ=MONTHLY;BYDAY=1TU", "2026-12-01T19:00", true),
        ("FREQ=MONTHLY;BYDAY=1TU", "2026-12-08T19:00", false),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2026-12-25T19:00", true),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2026-12-18T19:00", false),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-02-29T19:00", true),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-02-28T19:00", false),
        ("FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", "2026-05-10T10:00", true),
        ("FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", "2026-05-17T10:00", false),
        ("FREQ=YEARLY;BYMONTH=6", "2026-05-17T10:00", false),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9", "2026-12-01T09:00", true),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9", "2026-12-01T19:00", false),
        ("FREQ=DAILY;BYMINUTE=30", "2026-12-01T19:00", false),
    ])
    func matchesTellsWhetherTheStartFits(_ text: String, _ start: String, _ expected: Bool) throws {
        #expect(try RecurrenceRule(parsing: text).matches(try at(start)) == expected)
    }
}
