import Foundation

/// Builds the `text/calendar` part of an invitation (RFC 5545, sent as RFC 6047 iMIP).
///
/// The part carries one VEVENT in the network's zone with a VTIMEZONE made
/// from Foundation's data, so that every calendar program shows the same
/// instant the invitation text names, also across daylight-saving changes.
public enum ICalendar {
    /// A built calendar by everything it is made from: every recipient of a mailing in one
    /// language gets the same entry, so a ``RenderCache`` builds it once, not once per message.
    struct CacheKey: Hashable, Sendable {
        var entry: CalendarEntry
        var method: String
        var zone: String
        var stamp: Date
        var productID: String
    }

    /// The whole VCALENDAR text with CRLF line ends, folded at 75 octets.
    ///
    /// Start and end are written as wall-clock times with `TZID`, as the
    /// organizer wrote them, so that a reader's program keeps a 19:00 event at
    /// 19:00 even if its own rules for the zone differ from ours. A zone that
    /// is UTC needs no definition and is written with `Z` instead.
    ///
    /// - Parameters:
    ///   - entry: The occurrence, already in the recipient's language.
    ///   - method: `PUBLISH` for an invitation or update, `CANCEL` for a cancellation (give it a
    ///     higher `sequence` than the last announcement, or calendar programs may ignore it).
    ///   - zone: The network's zone, in which `entry.start` and `entry.end` are wall-clock times.
    ///   - stamp: When the part was made (DTSTAMP); injected so the output is reproducible.
    ///   - productID: The PRODID, naming the program that wrote the part.
    ///   - cache: Where a run keeps the calendars it built, so that each is built once; without
    ///     one the text is built afresh, the same.
    public static func build(
        _ entry: CalendarEntry, method: CalendarMethod, zone: TimeZone, stamp: Date,
        productID: String = "-//Inviter//Inviter//EN", cache: RenderCache? = nil
    ) -> String {
        guard let cache else {
            return make(entry, method: method, zone: zone, stamp: stamp, productID: productID)
        }
        let key = CacheKey(
            entry: entry, method: method.rawValue, zone: zone.identifier, stamp: stamp, productID: productID)
        return cache.calendar(key) {
            make(entry, method: method, zone: zone, stamp: stamp, productID: productID)
        }
    }

    private static func make(
        _ entry: CalendarEntry, method: CalendarMethod, zone: TimeZone, stamp: Date, productID: String
    ) -> String {
        let first = min(entry.start.date.year, entry.end.date.year)
        let last = max(entry.start.date.year, entry.end.date.year)
        let definition = isUTC(zone) ? nil : TimeZoneDefinition(zone: zone, years: first...last)

        /// DTSTART/DTEND: local time with the zone's TZID, or UTC with `Z`.
        ///
        /// A time inside a spring-forward gap does not exist on the zone's clock, and
        /// parsers disagree on where to put it (dateutil and zoneinfo differ by an hour),
        /// so it is written as the time it becomes, as `LocalDateTime.instant(in:)` reads it.
        /// A time that exists twice stays as it is: RFC 5545 says it means the first.
        func time(_ name: String, _ time: LocalDateTime, into lines: inout ContentLines) {
            let instant = time.instant(in: zone)
            if let definition {
                let existing = LocalDateTime(instant, in: zone)
                lines.append(
                    name, ICalendarValue.dateTime(existing), parameters: [("TZID", definition.parameter)])
            } else {
                lines.append(name, ICalendarValue.utcDateTime(instant))
            }
        }

        var lines = ContentLines()
        lines.component("VCALENDAR") { lines in
            lines.append("VERSION", "2.0")
            lines.append("PRODID", ICalendarValue.text(productID))
            lines.append("CALSCALE", "GREGORIAN")
            lines.append("METHOD", method.rawValue)
            definition?.write(into: &lines)
            lines.component("VEVENT") { lines in
                lines.append("UID", ICalendarValue.text(entry.uid))
                // RFC 5545 allows no negative sequence; a caller's bug should not make the part unreadable.
                lines.append("SEQUENCE", String(max(0, entry.sequence)))
                lines.append("DTSTAMP", ICalendarValue.utcDateTime(stamp))
                time("DTSTART", entry.start, into: &lines)
                time("DTEND", entry.end, into: &lines)
                lines.append("SUMMARY", ICalendarValue.text(entry.summary))
                lines.append("LOCATION", ICalendarValue.text(entry.location))
                lines.append("DESCRIPTION", ICalendarValue.text(entry.description))
                // CN is always quoted: a name may hold `,`, `;` or `:`, which a bare parameter cannot.
                let name = ICalendarValue.parameterText(entry.organizer.displayName ?? "")
                let organizer: [ContentLines.Parameter] = name.isEmpty ? [] : [("CN", "\"\(name)\"")]
                lines.append("ORGANIZER", ICalendarValue.mailto(entry.organizer), parameters: organizer)
                if let url = entry.url.map(ICalendarValue.uri), !url.isEmpty {
                    lines.append("URL", url)
                }
                lines.append("STATUS", method == .cancel ? "CANCELLED" : "CONFIRMED")
                lines.append("TRANSP", "OPAQUE")
            }
        }
        return lines.text
    }

    /// Identifiers under which Foundation and the tz database name plain UTC.
    private static let utcIdentifiers: Set<String> = [
        "GMT", "UTC", "UCT", "Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Universal",
        "Zulu", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich", "GMT+0", "GMT-0",
    ]

    /// Whether times in `zone` are best written in UTC with `Z`: a VTIMEZONE for UTC only adds
    /// a definition that programs have to match to their own, where `Z` needs none.
    private static func isUTC(_ zone: TimeZone) -> Bool {
        utcIdentifiers.contains(zone.identifier)
            && zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0
    }
}
