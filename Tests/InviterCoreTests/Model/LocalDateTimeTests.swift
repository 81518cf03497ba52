import Foundation
import InviterCore
import Testing

@Suite struct LocalDateTimeTests {
    private func zone(_ identifier: String) throws -> TimeZone {
        try #require(TimeZone(identifier: identifier))
    }

    private func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0)
        throws
        -> LocalDateTime
    {
        let date = try #require(LocalDate(year: year, month: month, day: day))
        return try #require(LocalDateTime(date: date, hour: hour, minute: minute, second: second))
    }

    /// `2026-03-29T01:30:00Z` as an instant, for expectations written the way a person checks them.
    private func utc(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    // MARK: LocalDate

    @Test(arguments: [
        ("1970-01-01", 0, 4),
        ("1969-12-31", -1, 3),
        ("2000-02-29", 11_016, 2),
        ("2000-03-01", 11_017, 3),
        ("1900-01-01", -25_567, 1),
        ("1944-06-06", -9_340, 2),
        ("1582-10-15", -141_427, 5),
        ("0001-01-01", -719_162, 1),
        ("2026-12-02", 20_789, 3),
        ("2028-02-29", 21_243, 2),
        ("9999-12-31", 2_932_896, 5),
    ])
    func knownDates(_ text: String, _ dayNumber: Int, _ weekday: Int) throws {
        let date = try #require(LocalDate(iso: text))
        #expect(date.dayNumber == dayNumber)
        #expect(date.weekday == weekday)
        #expect(date.description == text)
        #expect(LocalDate(dayNumber: dayNumber) == date)
    }

    /// Walks every day from year 1 to 9999, so a slip in the civil-date arithmetic shows up at once.
    @Test func dayNumbersRoundTripAndStepOneDayAtATime() {
        var previous = LocalDate(dayNumber: -719_163)
        #expect(previous.description == "0000-12-31")
        for number in -719_162...2_932_896 {
            let date = LocalDate(dayNumber: number)
            let continues =
                date.year == previous.year && date.month == previous.month && date.day == previous.day + 1
            let newMonth =
                date.day == 1 && date.month == previous.month % 12 + 1
                && date.year == previous.year + (date.month == 1 ? 1 : 0)
            guard date.dayNumber == number, date.weekday == previous.weekday % 7 + 1, continues || newMonth,
                LocalDate(year: date.year, month: date.month, day: date.day) == date
            else {
                Issue.record("day \(number): \(previous) is followed by \(date)")
                return
            }
            previous = date
        }
    }

    @Test func validatesDates() {
        #expect(LocalDate(iso: "2026-02-29") == nil)
        #expect(LocalDate(iso: "2028-02-29") != nil)
        #expect(LocalDate(iso: "2100-02-29") == nil)
        #expect(LocalDate(iso: "2000-02-29") != nil)
        #expect(LocalDate(iso: "2026-04-31") == nil)
        #expect(LocalDate(iso: "2026-13-01") == nil)
        #expect(LocalDate(iso: "2026-1-01") == nil)
        #expect(LocalDate(iso: "20261201") == nil)
        #expect(LocalDate(iso: "+026-12-02") == nil)
        #expect(LocalDate(iso: "2026-+1-05") == nil)
        #expect(LocalDate(iso: "2026-12-0x") == nil)
        #expect(LocalDate.daysIn(month: 2, year: 1900) == 28)
        #expect(LocalDate.daysIn(month: 2, year: 2000) == 29)
        #expect(LocalDate.daysIn(month: 12, year: 2026) == 31)
        #expect(LocalDate.daysIn(month: 11, year: 2026) == 30)
    }

    @Test func addsDaysAcrossMonthsAndYears() throws {
        let newYearsEve = try #require(LocalDate(iso: "2026-12-31"))
        #expect(newYearsEve.adding(days: 1).description == "2027-01-01")
        #expect(newYearsEve.adding(days: -365).description == "2025-12-31")
        #expect(try #require(LocalDate(iso: "2028-02-28")).adding(days: 1).description == "2028-02-29")
        #expect(try #require(LocalDate(iso: "2028-03-01")).adding(days: -1).description == "2028-02-29")
        #expect(try #require(LocalDate(iso: "1970-01-01")).adding(days: -1).description == "1969-12-31")
    }

    // MARK: LocalDateTime

    @Test func refusesImpossibleTimes() throws {
        let date = try #require(LocalDate(iso: "2026-12-02"))
        #expect(LocalDateTime(date: date, hour: 24, minute: 0) == nil)
        #expect(LocalDateTime(date: date, hour: 19, minute: 60) == nil)
        #expect(LocalDateTime(date: date, hour: -1, minute: 0) == nil)
        #expect(
            LocalDateTime(date: date, hour: 23, minute: 59, second: 59)?.description == "2026-12-02T23:59:59")
    }

    @Test func ordersByDateThenTime() throws {
        #expect(try at(2026, 12, 2, 19, 0) < at(2026, 12, 2, 19, 1))
        #expect(try at(2026, 12, 1, 23, 59) < at(2026, 12, 2, 0, 0))
        #expect(try !(at(2026, 12, 2, 19, 0) < at(2026, 12, 2, 19, 0)))
    }

    @Test func instantForOrdinaryTimes() throws {
        let copenhagen = try zone("Europe/Copenhagen")
        #expect(try at(2026, 12, 2, 19, 0).instant(in: copenhagen) == utc("2026-12-02T18:00:00Z"))
        #expect(try at(2026, 7, 1, 19, 0).instant(in: copenhagen) == utc("2026-07-01T17:00:00Z"))
        #expect(try at(2026, 12, 2, 19, 0).instant(in: zone("UTC")) == utc("2026-12-02T19:00:00Z"))
        #expect(try at(2026, 12, 2, 19, 0).instant(in: zone("Asia/Kolkata")) == utc("2026-12-02T13:30:00Z"))
        #expect(
            try at(2026, 12, 2, 19, 0).instant(in: zone("America/New_York")) == utc("2026-12-03T00:00:00Z"))
        #expect(try at(1969, 12, 31, 23, 0).instant(in: copenhagen) == utc("1969-12-31T22:00:00Z"))
    }

    @Test func springForwardGapMovesForwardByTheGap() throws {
        let copenhagen = try zone("Europe/Copenhagen")
        // 02:00–03:00 does not exist on 2026-03-29 in Copenhagen.
        let instant = try at(2026, 3, 29, 2, 30).instant(in: copenhagen)
        #expect(try instant == utc("2026-03-29T01:30:00Z"))
        #expect(LocalDateTime(instant, in: copenhagen).description == "2026-03-29T03:30:00")
        // Just around the gap, times exist and map as usual.
        #expect(try at(2026, 3, 29, 1, 59).instant(in: copenhagen) == utc("2026-03-29T00:59:00Z"))
        #expect(try at(2026, 3, 29, 3, 0).instant(in: copenhagen) == utc("2026-03-29T01:00:00Z"))
        // New York's gap, on the other side of UTC.
        #expect(
            try at(2026, 3, 8, 2, 30).instant(in: zone("America/New_York")) == utc("2026-03-08T07:30:00Z"))
    }

    @Test func fallBackRepeatedHourIsTheFirst() throws {
        let copenhagen = try zone("Europe/Copenhagen")
        // 02:00–03:00 happens twice on 2026-10-25: first in summer time (UTC+2), then in winter time.
        #expect(try at(2026, 10, 25, 2, 30).instant(in: copenhagen) == utc("2026-10-25T00:30:00Z"))
        #expect(
            try LocalDateTime(utc("2026-10-25T00:30:00Z"), in: copenhagen).description
                == "2026-10-25T02:30:00")
        #expect(
            try LocalDateTime(utc("2026-10-25T01:30:00Z"), in: copenhagen).description
                == "2026-10-25T02:30:00")
        #expect(try at(2026, 10, 25, 3, 0).instant(in: copenhagen) == utc("2026-10-25T02:00:00Z"))
        #expect(
            try at(2026, 11, 1, 1, 30).instant(in: zone("America/New_York")) == utc("2026-11-01T05:30:00Z"))
    }

    @Test(arguments: ["Europe/Copenhagen", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Sydney"])
    func roundTripsThroughInstants(_ identifier: String) throws {
        let zone = try zone(identifier)
        let yearStart = try utc("2026-01-01T00:00:00Z").timeIntervalSince1970
        // Every 17 minutes through 2026, which lands on both sides of every change.
        for step in 0..<(366 * 24 * 60 / 17) {
            let instant = Date(timeIntervalSince1970: yearStart + Double(step * 17 * 60))
            let local = LocalDateTime(instant, in: zone)
            let back = local.instant(in: zone)
            // Only the second pass through a repeated hour maps to the first one.
            if back != instant {
                #expect(back < instant && LocalDateTime(back, in: zone) == local, "\(identifier) \(instant)")
            }
        }
    }

    @Test func wallClockOfInstantsBefore1970() throws {
        let utcZone = try zone("UTC")
        #expect(
            LocalDateTime(Date(timeIntervalSince1970: -1), in: utcZone).description == "1969-12-31T23:59:59")
        #expect(
            LocalDateTime(Date(timeIntervalSince1970: -0.5), in: utcZone).description == "1969-12-31T23:59:59"
        )
        #expect(
            LocalDateTime(Date(timeIntervalSince1970: -86_400), in: utcZone).description
                == "1969-12-31T00:00:00")
        #expect(try LocalDateTime(utc("1944-06-06T06:30:00Z"), in: utcZone) == at(1944, 6, 6, 6, 30))
    }
}
