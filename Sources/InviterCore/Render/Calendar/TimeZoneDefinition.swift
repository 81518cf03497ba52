import Foundation

/// The VTIMEZONE of one zone, derived from Foundation's time zone data for the years around an event.
///
/// A calendar program that does not know the TZID (Outlook maps IANA names
/// through its own tables, and some programs ignore names altogether) relies on
/// this definition to place `DTSTART;TZID=…` on its own clock, so it must agree
/// with Foundation on every transition near the event. Where the transitions
/// from the year before to the year after follow one yearly rule each (the
/// usual case), the rules are written as RRULEs, the form every calendar
/// program reads; otherwise (a zone whose rules changed in those years) each
/// transition is written as its own observance, which is exact by construction.
struct TimeZoneDefinition {
    /// One STANDARD or DAYLIGHT sub-component.
    struct Observance {
        var isDaylight: Bool
        /// Wall-clock onset in the offset in force before it (`offsetFrom`), as RFC 5545 3.6.5 wants.
        var onset: LocalDateTime
        var offsetFrom: Int
        var offsetTo: Int
        var name: String
        /// `FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`, or `nil` for a single onset.
        var rule: String?

        /// Whether two transitions are the same yearly change (same kind, offsets and name).
        func sameKind(as other: Observance) -> Bool {
            isDaylight == other.isDaylight && offsetFrom == other.offsetFrom && offsetTo == other.offsetTo
                && name == other.name
        }
    }

    let identifier: String
    let observances: [Observance]

    /// Reads the transitions of `zone` from the year before `years` through the year after.
    ///
    /// The margin year on each side keeps an event near New Year, and a reminder
    /// that a reader's program fires some days before it, inside the definition.
    init(zone: TimeZone, years: ClosedRange<Int>) {
        identifier = zone.identifier
        let window = max(1, years.lowerBound - 1)...min(9998, years.upperBound + 1)
        let start = TimeZoneDefinition.startOfYear(window.lowerBound, in: zone)
        let end = TimeZoneDefinition.startOfYear(window.upperBound + 1, in: zone)
        var transitions: [Observance] = []
        var cursor = start
        // A cap well above the two transitions a year that real zones have, so a strange zone cannot loop.
        while transitions.count < 64, let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next < end, next > cursor
        {
            let from = zone.secondsFromGMT(for: next - 1)
            let to = zone.secondsFromGMT(for: next)
            transitions.append(
                Observance(
                    isDaylight: zone.isDaylightSavingTime(for: next),
                    onset: LocalDateTime.adding(seconds: from, to: LocalDateTime(next, in: .gmt)),
                    offsetFrom: from, offsetTo: to,
                    name: TimeZoneDefinition.name(of: zone, at: next, offset: to), rule: nil))
            cursor = next
        }
        if let rules = TimeZoneDefinition.yearlyRules(transitions, years: window) {
            observances = rules
        } else {
            // The state from the start of the window, so that a time before the first transition is defined.
            let offset = zone.secondsFromGMT(for: start)
            let initial = Observance(
                isDaylight: !transitions.isEmpty && zone.isDaylightSavingTime(for: start),
                onset: LocalDateTime(start, in: zone), offsetFrom: offset, offsetTo: offset,
                name: TimeZoneDefinition.name(of: zone, at: start, offset: offset), rule: nil)
            observances = [initial] + transitions
        }
    }

    /// Writes the VTIMEZONE component.
    func write(into lines: inout ContentLines) {
        lines.component("VTIMEZONE") { lines in
            lines.append("TZID", ICalendarValue.text(identifier))
            for observance in observances {
                lines.component(observance.isDaylight ? "DAYLIGHT" : "STANDARD") { lines in
                    lines.append("DTSTART", ICalendarValue.dateTime(observance.onset))
                    if let rule = observance.rule { lines.append("RRULE", rule) }
                    lines.append("TZOFFSETFROM", ICalendarValue.offset(observance.offsetFrom))
                    lines.append("TZOFFSETTO", ICalendarValue.offset(observance.offsetTo))
                    lines.append("TZNAME", ICalendarValue.text(observance.name))
                }
            }
        }
    }

    /// The TZID parameter value that refers to this definition.
    var parameter: String { ICalendarValue.parameter(identifier) }

    /// One RRULE observance per kind of transition, or `nil` when the transitions do not follow
    /// exactly one "n-th (or last) weekday of a month at a fixed time" rule each, once in every year.
    static func yearlyRules(_ transitions: [Observance], years: ClosedRange<Int>) -> [Observance]? {
        var groups: [[Observance]] = []
        for transition in transitions {
            if let index = groups.firstIndex(where: { $0[0].sameKind(as: transition) }) {
                groups[index].append(transition)
            } else {
                groups.append([transition])
            }
        }
        guard groups.count == 2 else { return nil }
        var rules: [Observance] = []
        for group in groups {
            guard group.map(\.onset.date.year) == Array(years), let rule = yearlyRule(group) else {
                return nil
            }
            var first = group[0]
            first.rule = rule
            rules.append(first)
        }
        return rules.sorted { $0.onset < $1.onset }
    }

    /// `FREQ=YEARLY;BYMONTH=m;BYDAY=nWD` when every onset in `group` is the same
    /// n-th (or last) weekday of the same month at the same wall-clock time.
    ///
    /// "Last" is tried first: European rules say "last Sunday", which falls on the
    /// fourth or fifth Sunday depending on the year, so a fixed ordinal would not hold.
    private static func yearlyRule(_ group: [Observance]) -> String? {
        let first = group[0].onset
        let sameShape = group.allSatisfy {
            $0.onset.date.month == first.date.month && $0.onset.date.weekday == first.date.weekday
                && $0.onset.secondOfDay == first.secondOfDay
        }
        guard sameShape else { return nil }
        let dates = group.map(\.onset.date)
        let ordinal: Int
        if dates.allSatisfy({ $0.day > LocalDate.daysIn(month: $0.month, year: $0.year) - 7 }) {
            ordinal = -1
        } else if Set(dates.map { ($0.day - 1) / 7 + 1 }).count == 1 {
            ordinal = (first.date.day - 1) / 7 + 1
        } else {
            return nil
        }
        let weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        return "FREQ=YEARLY;BYMONTH=\(first.date.month);BYDAY=\(ordinal)\(weekdays[first.date.weekday - 1])"
    }

    /// Foundation's abbreviation (`GMT+1`, `EST`), or the offset itself when there is none.
    /// The zone's own abbreviation (CET, CEST). Foundation on Linux says `GMT+1`, which POSIX
    /// reads as one hour *behind* UTC, so that form is replaced by the CLDR short name (British
    /// English has the European ones), else by `UTC+01:00`.
    private static func name(of zone: TimeZone, at instant: Date, offset: Int) -> String {
        func misleading(_ name: String?) -> Bool {
            guard let name, !name.isEmpty else { return true }
            return name.hasPrefix("GMT+") || name.hasPrefix("GMT-") || name.hasPrefix("UTC+")
                || name.hasPrefix("UTC-")
        }
        let own = zone.abbreviation(for: instant)
        if let own, !misleading(own) { return own }
        let style: NSTimeZone.NameStyle =
            zone.isDaylightSavingTime(for: instant) ? .shortDaylightSaving : .shortStandard
        let short = zone.localizedName(for: style, locale: Locale(identifier: "en_GB"))
        if let short, !misleading(short) { return short }
        return "UTC" + ICalendarValue.offset(offset)
    }

    /// Local midnight on 1 January, so that transitions fall into the years their onsets name.
    private static func startOfYear(_ year: Int, in zone: TimeZone) -> Date {
        guard let date = LocalDate(year: year, month: 1, day: 1),
            let midnight = LocalDateTime(date: date, hour: 0, minute: 0)
        else { return Date(timeIntervalSince1970: 0) }
        return midnight.instant(in: zone)
    }
}
