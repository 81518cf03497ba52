import Foundation

/// A span of time as organizers write it: `14d`, `2d`, `6h`, `90m`, `1d12h`.
///
/// Days (and weeks) are calendar days in the network's zone: an invitation
/// `14d` before a 19:00 event goes out at 19:00 local time, also when a
/// daylight-saving change lies between. Hours and minutes are elapsed time.
public struct SendOffset: Sendable, Hashable, CustomStringConvertible {
    public let days: Int
    public let seconds: Int

    public init(days: Int = 0, seconds: Int = 0) {
        self.days = days
        self.seconds = seconds
    }

    /// Parses `14d`, `2w`, `6h`, `90m`, `1d12h` (units d, w, h, m; no spaces needed).
    ///
    /// - Throws: a message for a person, naming what was wrong.
    public init(parsing text: String) throws(SendOffsetError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { throw SendOffsetError(value: text, reason: "it is empty") }
        var days = 0
        var seconds = 0
        var number = ""
        var seen: Set<Character> = []
        for character in trimmed where character != " " {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else {
                throw SendOffsetError(value: text, reason: "a number must come before \"\(character)\"")
            }
            guard !seen.contains(character) else {
                throw SendOffsetError(value: text, reason: "\"\(character)\" appears twice")
            }
            seen.insert(character)
            switch character {
            case "w": days += value * 7
            case "d": days += value
            case "h": seconds += value * 3600
            case "m": seconds += value * 60
            default:
                throw SendOffsetError(
                    value: text,
                    reason:
                        "\"\(character)\" is not a unit; use d (days), w (weeks), h (hours) or m (minutes)")
            }
            number = ""
        }
        guard number.isEmpty else {
            throw SendOffsetError(
                value: text,
                reason: "the number \(number) has no unit; write for example \(number)d or \(number)h")
        }
        guard days <= 3660, seconds <= 366 * 86_400 else {
            throw SendOffsetError(value: text, reason: "it is longer than ten years")
        }
        self.days = days
        self.seconds = seconds
    }

    /// The instant this span before `start` (a wall-clock time in `zone`).
    public func before(_ start: LocalDateTime, in zone: TimeZone) -> Date {
        let shifted = LocalDateTime(
            date: start.date.adding(days: -days), hour: start.hour, minute: start.minute, second: start.second
        )
        return (shifted ?? start).instant(in: zone).addingTimeInterval(-Double(seconds))
    }

    /// The instant this span after `instant`: calendar days in `zone`, then elapsed seconds.
    public func after(_ instant: Date, in zone: TimeZone) -> Date {
        guard days != 0 else { return instant.addingTimeInterval(Double(seconds)) }
        let local = LocalDateTime(instant, in: zone)
        let shifted = LocalDateTime(
            date: local.date.adding(days: days), hour: local.hour, minute: local.minute, second: local.second)
        return (shifted ?? local).instant(in: zone).addingTimeInterval(Double(seconds))
    }

    public var description: String {
        var text = ""
        if days > 0 { text += "\(days)d" }
        if seconds >= 3600 { text += "\(seconds / 3600)h" }
        if seconds % 3600 >= 60 { text += "\(seconds % 3600 / 60)m" }
        return text.isEmpty ? "0m" : text
    }
}

public struct SendOffsetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let reason: String

    public var description: String {
        "\(value.debugDescription) is not a duration: \(reason) (examples: 14d, 2d, 6h, 90m)"
    }
}
