import Foundation

/// An occurrence's date and time written the way the reader's language writes
/// them ("tirsdag den 1. december 2026 kl. 19.00", "wtorek, 1 grudnia 2026 o 19:00"),
/// plus machine-readable values for `<time datetime="…">`.
///
/// Everything comes from ICU's localized patterns with locale, Gregorian
/// calendar and the network's zone all set explicitly: the server's own zone
/// is UTC, and a fixed pattern such as `"EEEE d. MMMM y 'kl.' HH.mm"` would be
/// right for Danish only. The times shown are the wall-clock times of the
/// occurrence in `zone`, so a 19:00 event reads 19:00 on both sides of a
/// daylight-saving change. Texts are plain Unicode, not escaped; some contain
/// U+00A0, U+202F (Ukrainian "2026 р.") or U+200F (Arabic numeric dates).
public struct DateTexts: Sendable, Hashable {
    /// "tirsdag den 1. december 2026", "Tuesday, 1 December 2026".
    public let longDate: String
    /// "tirsdag", "Tuesday".
    public let weekday: String
    /// Numeric, two-digit day and month: "01.12.2026" (da), "01/12/2026" (en).
    public let shortDate: String
    /// The start time: "19.00" (da), "19:00" (en), "7:00 م" (ar).
    public let time: String
    /// The end time, written like `time`.
    public let endTime: String
    /// "19.00–22.00" (da), "19:00–22:00 Uhr" (de); ICU's interval format when the event
    /// ends on the day it starts, else the two times joined by an en dash ("22.00–02.00").
    public let timeRange: String
    /// The full date and start time: "tirsdag den 1. december 2026 kl. 19.00".
    public let dateTime: String
    /// RFC 3339 with the zone's offset at that instant: "2026-12-01T19:00:00+01:00".
    public let isoStart: String
    /// Like `isoStart`, for the end.
    public let isoEnd: String

    /// Formats an occurrence for a reader of `language`.
    ///
    /// A start inside the spring-forward gap reads as the time the occurrence
    /// actually begins (02:30 becomes 03:30), as in the calendar part
    /// (`LocalDateTime.instant(in:)`).
    ///
    /// A run renders the same few occurrences for thousands of readers, so a `cache` makes the
    /// formatters once per (language, zone) and remembers the texts per (start, end, language,
    /// zone); without one, both are made afresh.
    public init(
        start: LocalDateTime, end: LocalDateTime, language: LanguageCode, zone: TimeZone,
        cache: RenderCache? = nil
    ) {
        guard let cache else {
            let formatters = Formatters(locale: DateTexts.locale(for: language), zone: zone)
            self = DateTexts(
                start: start.instant(in: zone), end: end.instant(in: zone), zone: zone, formatters)
            return
        }
        self = cache.dateTexts(
            TextsKey(start: start, end: end, language: language, zone: zone),
            formatters: { Formatters(locale: DateTexts.locale(for: language), zone: zone) },
            make: { DateTexts(start: start.instant(in: zone), end: end.instant(in: zone), zone: zone, $0) })
    }

    private init(start: Date, end: Date, zone: TimeZone, _ formatters: Formatters) {
        longDate = formatters.longDate.string(from: start)
        weekday = formatters.weekday.string(from: start)
        shortDate = formatters.shortDate.string(from: start)
        time = formatters.time.string(from: start)
        endTime = formatters.time.string(from: end)
        dateTime = formatters.dateTime.string(from: start)
        let sameDay = LocalDateTime(start, in: zone).date == LocalDateTime(end, in: zone).date
        if sameDay, start <= end {
            timeRange = formatters.interval.string(from: start, to: end)
        } else {
            // ICU would write both dates; a party until 02:00 reads "22.00–02.00".
            timeRange = "\(time)\u{2013}\(endTime)"
        }
        isoStart = DateTexts.iso(start, in: zone)
        isoEnd = DateTexts.iso(end, in: zone)
    }

    /// The ICU locale for a language: a region the reader gave (`pt-BR`) is kept;
    /// English is British English (day before month, 24-hour clock, as readers in
    /// Denmark expect), and the other main languages get their home country's
    /// conventions. Plain `ar` keeps Latin digits, which `ar_EG` would not.
    static func locale(for language: LanguageCode) -> Locale {
        if language.identifier.contains("-") {
            return Locale(identifier: language.identifier.replacingOccurrences(of: "-", with: "_"))
        }
        let identifier =
            switch language.identifier {
            case "en": "en_GB"
            case "da": "da_DK"
            case "de": "de_DE"
            case "pl": "pl_PL"
            case "ro": "ro_RO"
            case "uk": "uk_UA"
            default: language.identifier
            }
        return Locale(identifier: identifier)
    }

    /// `2026-12-01T19:00:00+01:00`, written by hand: exact, and no formatter needed.
    static func iso(_ instant: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: instant)
        let minutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        return LocalDateTime(instant, in: zone).description
            + sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    struct TextsKey: Hashable {
        let start: LocalDateTime
        let end: LocalDateTime
        let language: LanguageCode
        let zone: TimeZone
    }

    struct FormattersKey: Hashable {
        let language: LanguageCode
        let zone: TimeZone
    }

    /// ICU formatters for one locale and zone.
    ///
    /// `DateFormatter` with date and time *styles* rather than `Date.FormatStyle`:
    /// the format style builds its pattern from a skeleton and loses the
    /// locale's hour padding ("kl. 2.30" where Danish writes "kl. 02.30"),
    /// while the styles use CLDR's own patterns. The class is not `Sendable`:
    /// an instance is used by the one initializer that made it, or lives inside a
    /// ``RenderCache`` and is used under its lock.
    final class Formatters {
        let longDate: DateFormatter
        let weekday: DateFormatter
        let shortDate: DateFormatter
        let time: DateFormatter
        let dateTime: DateFormatter
        let interval: DateIntervalFormatter

        init(locale: Locale, zone: TimeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            calendar.locale = locale
            func formatter(_ configure: (DateFormatter) -> Void) -> DateFormatter {
                let formatter = DateFormatter()
                formatter.locale = locale  // before the calendar, which a new locale would replace
                formatter.calendar = calendar
                formatter.timeZone = zone
                configure(formatter)
                return formatter
            }
            longDate = formatter {
                $0.dateStyle = .full
                Self.dropArabicYearComma($0)
            }
            weekday = formatter { $0.setLocalizedDateFormatFromTemplate("EEEE") }
            shortDate = formatter { $0.setLocalizedDateFormatFromTemplate("ddMMy") }
            time = formatter { $0.timeStyle = .short }
            dateTime = formatter {
                $0.dateStyle = .full
                $0.timeStyle = .short
                Self.dropArabicYearComma($0)
            }
            interval = DateIntervalFormatter()
            interval.locale = locale
            interval.calendar = calendar
            interval.timeZone = zone
            interval.dateStyle = .none
            interval.timeStyle = .short
        }

        /// The ICU data on the machines Inviter runs on writes the Arabic full date with a comma
        /// before the year (`d MMMM، y`: "16 ديسمبر، 2026"); CLDR's own pattern today is
        /// `EEEE، d MMMM y`, without it, and so the date reads here.
        static func dropArabicYearComma(_ formatter: DateFormatter) {
            guard let format = formatter.dateFormat, format.contains("MMMM\u{060C} y") else { return }
            formatter.dateFormat = format.replacingOccurrences(of: "MMMM\u{060C} y", with: "MMMM y")
        }
    }

    /// What a ``RenderCache`` keeps of one language and zone for
    /// ``init(start:end:language:zone:cache:)``: the formatters, once made, and the texts made
    /// with them.
    struct Cache {
        var formatters: Formatters?
        var texts: [TextsKey: DateTexts] = [:]
    }
}
