import Foundation
import GRDB

/// The provider's sending limit as a token bucket kept in the ledger.
///
/// The bucket lives in the database rather than in memory because the limit
/// is the provider's, not the run's: two runs started by cron at once, or a
/// run right after another, must share one budget. Reading, refilling and
/// taking happen in one IMMEDIATE write transaction, which SQLite serialises
/// across processes, so no two runs can both spend the same tokens.
extension SQLiteLedger {
    /// Tolerance for the refill arithmetic: 30/min refills 0.5 tokens a second,
    /// and a sum like 0.1 + 0.2 must still count as the whole token it is meant to be.
    private static let tokenTolerance = 1e-9

    /// The bucket holds at most `rate.messages` tokens and refills at
    /// `rate.messages / rate.per` a second; it starts full, and starts full again
    /// when the configured rate changes. A clock that went back refills nothing.
    public func takeTokens(_ wanted: Int, rate: RateLimit, now: Date) throws -> Int {
        guard wanted > 0 else { return 0 }
        return try pool.write { db in
            let capacity = Double(max(rate.messages, 0))
            let perSecond = capacity / Double(max(rate.per, 1))
            let seconds = now.timeIntervalSince1970
            var tokens = capacity
            var since = seconds
            if let row = try Row.fetchOne(
                db, sql: "SELECT tokens, updatedAt, messages, per FROM rateBucket WHERE id = 1"),
                try row.decode(Int.self, forColumn: "messages") == rate.messages,
                try row.decode(Int.self, forColumn: "per") == rate.per
            {
                let stored: Double = try row.decode(forColumn: "tokens")
                let last: Double = try row.decode(forColumn: "updatedAt")
                tokens = min(capacity, stored + max(0, seconds - last) * perSecond)
                // Keeping the later instant means the seconds before it are never refilled twice.
                since = max(last, seconds)
            }
            let whole = (tokens + Self.tokenTolerance).rounded(.down)
            let granted = min(wanted, Int(max(0, whole)))
            tokens = max(0, tokens - Double(granted))
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO rateBucket (id, tokens, updatedAt, messages, per)
                    VALUES (1, ?, ?, ?, ?)
                    """,
                arguments: [tokens, since, rate.messages, rate.per])
            return granted
        }
    }
}
