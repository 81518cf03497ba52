import Foundation

extension RecurrenceRule {
    /// The occurrences of a series in order, as wall-clock times in the network's zone.
    ///
    /// Everything is computed on `LocalDate` and `LocalDateTime`, never on `Date`, so that a 19:00
    /// Wednesday event stays at 19:00 on both sides of a daylight-saving change.
    ///
    /// `start` is always the first occurrence and counts toward COUNT, even when it does not fit the
    /// pattern or comes after UNTIL, as RFC 5545 says; use `matches(_:)` to warn about such a start.
    /// Periods are counted from the start's period (weeks begin on WKST), so `INTERVAL=3` keeps to
    /// the start's rhythm.
    ///
    /// The search stops at `through`, at COUNT or UNTIL, or once a whole 400-year Gregorian cycle of
    /// periods has passed without a match; after that the calendar repeats, so a rule that never
    /// matches (`BYMONTH=2;BYMONTHDAY=31`) ends quickly instead of searching to year 9999.
    ///
    /// - Parameters:
    ///   - start: The first occurrence (DTSTART); it also gives the time of day and, where the rule
    ///     leaves them out, the weekday, day of the month and month.
    ///   - zone: The network's zone; only needed to compare with a UTC UNTIL (`…Z`).
    ///   - from: Occurrences before this are left out of the result but still count toward COUNT,
    ///     so "the third of five" stays the third when a planner looks at a later window.
    ///   - through: The last moment of interest, inclusive.
    public func occurrences(
        start: LocalDateTime, in zone: TimeZone, from: LocalDateTime? = nil, through: LocalDateTime
    ) -> [LocalDateTime] {
        guard start <= through else { return [] }
        var result: [LocalDateTime] = []
        var counted = 1
        if from.map({ start >= $0 }) ?? true { result.append(start) }
        if let count, counted >= count { return result }

        let pattern = RecurrencePattern(rule: self, start: start)
        var emptyPeriods = 0
        var period = 0
        while emptyPeriods < pattern.periodsPerCycle {
            guard let days = pattern.days(inPeriod: period), days.lowerBound <= through.date.dayNumber else {
                break
            }
            period += 1
            let dates = days.map(LocalDate.init(dayNumber:)).filter(pattern.admits)
            if dates.isEmpty {
                emptyPeriods += 1
                continue
            }
            emptyPeriods = 0
            for date in dates {
                for time in pattern.times {
                    let occurrence = LocalDateTime(
                        date: date, hour: time.hour, minute: time.minute, second: start.second)
                    guard let occurrence else { continue }  // cannot happen: hours and minutes are checked
                    if occurrence <= start { continue }
                    if occurrence > through || isPastUntil(occurrence, in: zone) { return result }
                    counted += 1
                    if from.map({ occurrence >= $0 }) ?? true { result.append(occurrence) }
                    if let count, counted >= count { return result }
                }
            }
        }
        return result
    }

    /// Whether `start` fits the rule's own pattern: its weekday, day, month and time are among those
    /// the rule names.
    ///
    /// A start that does not fit is still the first occurrence, which is rarely what an organizer
    /// meant ("start 2026-12-03 is a Thursday but the rule says BYDAY=WE"), so callers warn about it.
    public func matches(_ start: LocalDateTime) -> Bool {
        let pattern = RecurrencePattern(rule: self, start: start)
        return pattern.admits(start.date) && (byHour.isEmpty || byHour.contains(start.hour))
            && (byMinute.isEmpty || byMinute.contains(start.minute))
    }

    private func isPastUntil(_ occurrence: LocalDateTime, in zone: TimeZone) -> Bool {
        switch until {
        case nil: return false
        case .local(let last): return occurrence > last
        case .date(let last): return occurrence.date > last
        case .utc(let last): return occurrence.instant(in: zone) > last
        }
    }
}

/// A rule with the blanks filled in from the start, ready to test days against.
///
/// RFC 5545 takes what a rule leaves out from DTSTART: a WEEKLY rule without BYDAY repeats on the
/// start's weekday, a MONTHLY one on the start's day of the month, a YEARLY one on the start's month
/// and day. Filling those in once lets every frequency share one filter over the days of a period.
private struct RecurrencePattern {
    let frequency: RecurrenceRule.Frequency
    let interval: Int
    let months: Set<Int>
    let monthDays: [Int]
    let weekdays: [RecurrenceRule.WeekdayNum]
    /// Whether BYDAY positions count within the month (`1TU`) or within the year (`20MO`).
    let positionsInMonth: Bool
    /// The times of day, in order: BYHOUR × BYMINUTE, or the start's time.
    let times: [(hour: Int, minute: Int)]
    /// The day number of the first day of the start's period.
    let firstDay: Int
    /// The start's month counted from year 0, for MONTHLY periods.
    let firstMonth: Int
    let firstYear: Int

    init(rule: RecurrenceRule, start: LocalDateTime) {
        frequency = rule.frequency
        interval = rule.interval
        var months = rule.byMonth
        var monthDays = rule.byMonthDay
        var weekdays = rule.byDay
        if monthDays.isEmpty && weekdays.isEmpty {
            switch rule.frequency {
            case .yearly:
                if months.isEmpty { months = [start.date.month] }
                monthDays = [start.date.day]
            case .monthly:
                monthDays = [start.date.day]
            case .weekly:
                weekdays = [RecurrenceRule.WeekdayNum(ordinal: nil, weekday: start.date.weekday)]
            case .daily:
                break
            }
        }
        self.months = Set(months)
        self.monthDays = monthDays
        self.weekdays = weekdays
        positionsInMonth = rule.frequency == .monthly || !rule.byMonth.isEmpty
        let hours = rule.byHour.isEmpty ? [start.hour] : rule.byHour
        let minutes = rule.byMinute.isEmpty ? [start.minute] : rule.byMinute
        times = hours.flatMap { hour in minutes.map { (hour: hour, minute: $0) } }

        let date = start.date
        switch rule.frequency {
        case .weekly:
            firstDay = date.dayNumber - (date.weekday - rule.weekStart + 7) % 7
        default:
            firstDay = date.dayNumber
        }
        firstMonth = date.year * 12 + date.month - 1
        firstYear = date.year
    }

    /// How many periods make up 400 Gregorian years (146 097 days, exactly 20 871 weeks), after which
    /// every month, weekday and position repeats. Whatever the interval, that many periods in a row
    /// cover every position in the cycle, so if none of them matched, none ever will.
    var periodsPerCycle: Int {
        switch frequency {
        case .daily: return 146_097
        case .weekly: return 20_871
        case .monthly: return 4_800
        case .yearly: return 400
        }
    }

    /// The day numbers of period `index` (0 is the start's period), or `nil` past year 9999.
    func days(inPeriod index: Int) -> Range<Int>? {
        switch frequency {
        case .daily:
            let day = firstDay + index * interval
            return day..<day + 1
        case .weekly:
            let day = firstDay + index * interval * 7
            return day..<day + 7
        case .monthly:
            let month = firstMonth + index * interval
            guard let first = LocalDate(year: month / 12, month: month % 12 + 1, day: 1) else { return nil }
            return first.dayNumber..<first.dayNumber + LocalDate.daysIn(month: first.month, year: first.year)
        case .yearly:
            guard let first = LocalDate(year: firstYear + index * interval, month: 1, day: 1) else {
                return nil
            }
            return first.dayNumber..<first.dayNumber + (LocalDate.isLeap(first.year) ? 366 : 365)
        }
    }

    /// Whether an occurrence may fall on `date`: every part the rule gives must agree.
    func admits(_ date: LocalDate) -> Bool {
        if !months.isEmpty && !months.contains(date.month) { return false }
        let monthLength = LocalDate.daysIn(month: date.month, year: date.year)
        if !monthDays.isEmpty
            && !monthDays.contains(where: { ($0 > 0 ? $0 : monthLength + 1 + $0) == date.day })
        {
            return false
        }
        if !weekdays.isEmpty && !weekdays.contains(where: { matches($0, date, monthLength: monthLength) }) {
            return false
        }
        return true
    }

    private func matches(_ day: RecurrenceRule.WeekdayNum, _ date: LocalDate, monthLength: Int) -> Bool {
        guard day.weekday == date.weekday else { return false }
        guard let ordinal = day.ordinal else { return true }
        let index: Int  // 0-based day within the month or year
        let length: Int
        if positionsInMonth {
            index = date.day - 1
            length = monthLength
        } else {
            index = (1..<date.month).reduce(date.day - 1) {
                $0 + LocalDate.daysIn(month: $1, year: date.year)
            }
            length = LocalDate.isLeap(date.year) ? 366 : 365
        }
        return ordinal == index / 7 + 1 || ordinal == -((length - 1 - index) / 7 + 1)
    }
}
