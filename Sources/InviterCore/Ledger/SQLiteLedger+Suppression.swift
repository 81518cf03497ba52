import Foundation
import GRDB

/// The suppression list: unsubscribed and bounced addresses, never sent to.
///
/// Addresses are kept as ``AddressKey``s, as ``DeliveryKey`` keeps recipients, so a
/// list that writes `Anna@Example.org` still matches.
extension SQLiteLedger {
    /// Replaces an existing entry, so the newest reason (a bounce after an
    /// unsubscribe, say) is the one shown.
    public func suppress(_ address: AddressKey, reason: String, now: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO suppression (address, reason, since) VALUES (?, ?, ?)",
                arguments: [address, reason, now.timeIntervalSince1970])
        }
    }

    public func unsuppress(_ address: AddressKey) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "DELETE FROM suppression WHERE address = ?", arguments: [address])
            return db.changesCount > 0
        }
    }

    public func suppressed() throws -> [(address: AddressKey, reason: String, since: Date)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT address, reason, since FROM suppression ORDER BY address").map {
                row in
                try (
                    address: row.decode(forColumn: "address"), reason: row.decode(forColumn: "reason"),
                    since: Date(timeIntervalSince1970: row.decode(forColumn: "since"))
                )
            }
        }
    }

    public func isSuppressed(_ address: AddressKey) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM suppression WHERE address = ?)",
                arguments: [address]) ?? false
        }
    }
}
