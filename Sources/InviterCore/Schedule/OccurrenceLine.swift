/// One line per occurrence for `inviter events`: weekday, date, time, id, title and venue.
public enum OccurrenceLine {
    public static func format(_ occurrence: Occurrence, language: LanguageCode) -> String {
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][
            (occurrence.start.date.weekday - 1) % 7]
        func clock(_ time: LocalDateTime) -> String {
            (time.hour < 10 ? "0" : "") + "\(time.hour):" + (time.minute < 10 ? "0" : "") + "\(time.minute)"
        }
        let endDay = occurrence.end.date == occurrence.start.date ? "" : "\(occurrence.end.date) "
        let title = occurrence.title.resolve(language, fallback: language)?.text ?? occurrence.eventID
        var line =
            "\(weekday) \(occurrence.start.date) \(clock(occurrence.start))–\(endDay)\(clock(occurrence.end))  "
        line += "\(occurrence.id)  \(title) @ \(occurrence.venue)"
        if occurrence.start.date != occurrence.date { line += "  [moved from \(occurrence.date)]" }
        if occurrence.cancelled { line += "  [CANCELLED]" }
        return line
    }
}
