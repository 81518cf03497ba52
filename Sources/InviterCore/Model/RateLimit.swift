import Foundation

/// A provider's sending limit: `30/min`, `5/s`, `500/hour`, `2000/day`.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public let messages: Int
    /// The window in seconds: 1, 60, 3600 or 86400.
    public let per: Int

    public init(messages: Int, per: Int) {
        self.messages = messages
        self.per = per
    }

    public init(parsing text: String) throws(RateLimitError) {
        let parts = text.replacingOccurrences(of: " ", with: "").lowercased().split(
            separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw RateLimitError(
                value: text, reason: "write a rate as messages/unit, such as 30/min or 2000/day")
        }
        guard let count = Int(parts[0]), count > 0 else {
            throw RateLimitError(
                value: text, reason: "\(String(parts[0]).debugDescription) is not a positive whole number")
        }
        let units: [String: Int] = [
            "s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86_400, "day": 86_400,
        ]
        guard let seconds = units[String(parts[1])] else {
            throw RateLimitError(
                value: text,
                reason: "\(String(parts[1]).debugDescription) is not a unit; use s, min, hour or day")
        }
        messages = count
        per = seconds
    }

    public var description: String {
        let unit = [1: "s", 60: "min", 3600: "hour", 86_400: "day"][per] ?? "\(per)s"
        return "\(messages)/\(unit)"
    }
}

public struct RateLimitError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let reason: String

    public var description: String { "\(value.debugDescription) is not a rate: \(reason)" }
}
