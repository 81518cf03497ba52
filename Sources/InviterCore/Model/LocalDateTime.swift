import Foundation

/// A calendar date without a time zone: the date of an occurrence as the
/// organizer writes it (`2026-12-02`).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// - Returns: `nil` for a date that does not exist (`2026-02-30`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...LocalDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// Only ASCII digits are accepted: `Int` alone would also take a sign, so `+026-12-02` or
    /// `2026-+1-05` would otherwise pass as dates.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Days since 1970-01-01 (proleptic Gregorian), for date arithmetic without a calendar object.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let value = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday (ISO 4)
        return (value < 0 ? value + 7 : value) + 1
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }
}

/// A wall-clock date and time in the network's zone, as events are written
/// (`2026-12-02T19:00:00`). Kept apart from `Date` on purpose: a weekly 19:00
/// event stays at 19:00 local time on both sides of a daylight-saving change.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let date: LocalDate
    public let hour: Int
    public let minute: Int
    public let second: Int

    public init?(date: LocalDate, hour: Int, minute: Int, second: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else {
            return nil
        }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Seconds since midnight.
    public var secondOfDay: Int { hour * 3600 + minute * 60 + second }

    /// The instant this wall-clock time names in `zone`.
    ///
    /// A time that does not exist (inside the spring-forward gap) is moved
    /// forward by the gap, as calendar programs do; a time that exists twice
    /// (the autumn fall-back hour) is the first of the two.
    public func instant(in zone: TimeZone) -> Date {
        let naive = Double(date.dayNumber * 86_400 + secondOfDay)
        // Try the offsets in force just before and after; pick one that maps back to this wall time.
        let guess = Date(timeIntervalSince1970: naive)
        let offsets = [zone.secondsFromGMT(for: guess - 86_400), zone.secondsFromGMT(for: guess + 86_400)]
        let candidates = offsets.map { Date(timeIntervalSince1970: naive - Double($0)) }
            .filter { Double(zone.secondsFromGMT(for: $0)) + $0.timeIntervalSince1970 == naive }
            .sorted()
        if let first = candidates.first { return first }
        // In the gap: use the offset from before the change, which lands after it.
        return Date(timeIntervalSince1970: naive - Double(offsets[0]))
    }

    /// The wall-clock time of `instant` in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let days = Int((Double(local) / 86_400).rounded(.down))
        let rest = local - days * 86_400
        self.date = LocalDate(dayNumber: days)
        self.hour = rest / 3600
        self.minute = rest % 3600 / 60
        self.second = rest % 60
    }

    public var description: String {
        date.description + String(format: "T%02d:%02d:%02d", hour, minute, second)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date.dayNumber, lhs.secondOfDay) < (rhs.date.dayNumber, rhs.secondOfDay)
    }
}
