import Foundation

/// The line that says how a series repeats, in the reader's language: "Every Wednesday,
/// 19:00–22:00; not 23 December, 30 December".
///
/// The common patterns of the README's table are said (every week, every few weeks, the nth or
/// last weekday of the month, a day of the month); any other rule says nothing rather than
/// something wrong. The weekdays are the language's own standalone names, and the phrases around
/// them are written per language so that no name has to be declined (Polish and Ukrainian take
/// the weekday as a label: "Co tydzień, środa"). The dates without a meeting are those within
/// eight weeks after the occurrence: what a reader plans around.
extension MessageRenderer {
    /// How far ahead the dates without a meeting are named.
    static let skippedHorizon = 56

    /// The line for `occurrence` in `language`, with its own time range.
    public func repetitionLine(_ occurrence: Occurrence, language: LanguageCode) -> String? {
        let dates = DateTexts(
            start: occurrence.start, end: occurrence.end, language: language, zone: network.timeZone,
            cache: cache)
        return repetitionText(occurrence, language: language, timeRange: dates.timeRange)
    }

    func repetitionText(_ occurrence: Occurrence, language: LanguageCode, timeRange: String) -> String? {
        guard let repetition = occurrence.repetition, !occurrence.cancelled,
            let rule = ruleText(repetition.rule, start: occurrence.start.date, language: language)
        else { return nil }
        let fallback = network.languageFallback
        let last = occurrence.date.adding(days: Self.skippedHorizon)
        let skipped = repetition.skipped.filter { $0 > occurrence.date && $0 <= last }
        guard !skipped.isEmpty else {
            return strings.text(
                "repeat_line", language: language, fallback: fallback,
                values: ["rule": rule, "time": timeRange])
        }
        let formatter = dayMonthFormatter(language)
        let dates = skipped.compactMap { date in
            LocalDateTime(date: date, hour: 12, minute: 0).map {
                formatter.string(from: $0.instant(in: network.timeZone))
            }
        }
        return strings.text(
            "repeat_line_except", language: language, fallback: fallback,
            values: [
                "rule": rule, "time": timeRange,
                "dates": dates.joined(separator: LanguageDirection.comma(language)),
            ])
    }

    /// The rule alone ("Every Wednesday"), or nil for a pattern the strings do not say.
    private func ruleText(_ rule: RecurrenceRule, start: LocalDate, language: LanguageCode) -> String? {
        let fallback = network.languageFallback
        let names = weekdayNames(language)
        func name(_ weekday: Int) -> String { names[weekday % 7] }
        switch rule.frequency {
        case .weekly
        where rule.byDay.allSatisfy({ $0.ordinal == nil }) && rule.byMonthDay.isEmpty
            && rule.byMonth.isEmpty:
            let days = rule.byDay.isEmpty ? [start.weekday] : rule.byDay.map(\.weekday)
            let weekdays = days.map(name).joined(separator: " / ")
            if rule.interval == 1 {
                return strings.text(
                    "repeat_weekly", language: language, fallback: fallback, values: ["weekdays": weekdays])
            }
            return strings.plural(
                "repeat_weeks", count: rule.interval, language: language, fallback: fallback,
                values: ["weekdays": weekdays])
        case .monthly where rule.interval == 1 && rule.byMonth.isEmpty:
            if rule.byDay.count == 1, rule.byMonthDay.isEmpty, let ordinal = rule.byDay[0].ordinal,
                let week = ordinal == -1 ? "week_last" : (1...4).contains(ordinal) ? "week_\(ordinal)" : nil,
                let weekText = strings.text(week, language: language, fallback: fallback)
            {
                return strings.text(
                    "repeat_monthly_weekday", language: language, fallback: fallback,
                    values: ["week": weekText, "weekday": name(rule.byDay[0].weekday)])
            }
            let days = rule.byMonthDay.isEmpty && rule.byDay.isEmpty ? [start.day] : rule.byMonthDay
            guard rule.byDay.isEmpty, days.count == 1, let day = days.first, day > 0 else { return nil }
            return strings.text(
                "repeat_monthly_day", language: language, fallback: fallback, values: ["day": String(day)])
        default:
            return nil
        }
    }

    /// The standalone weekday names, Sunday first (as Foundation lists them; ISO weekday 7 is index 0).
    private func weekdayNames(_ language: LanguageCode) -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.identifier)
        return formatter.standaloneWeekdaySymbols
    }

    /// "23 December" as the language writes a day and its month.
    private func dayMonthFormatter(_ language: LanguageCode) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.identifier)
        formatter.timeZone = network.timeZone
        formatter.setLocalizedDateFormatFromTemplate("dMMMM")
        return formatter
    }
}
