import Foundation
import GRDB

/// The suppression list: unsubscribed and bounced addresses, never sent to (from every list, or
/// from the one list a one-click unsubscribe named).
///
/// Addresses are kept as ``AddressKey``s, as ``DeliveryKey`` keeps recipients, so a
/// list that writes `Anna@Example.org` still matches.
extension SQLiteLedger {
    /// Replaces an existing entry of the same scope, so the newest reason (a bounce after an
    /// unsubscribe, say) is the one shown.
    public func suppress(_ address: AddressKey, scope: Suppression.Scope, reason: String, now: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO suppression (address, scope, reason, since) VALUES (?, ?, ?, ?)",
                arguments: [address, scope.description, reason, now.timeIntervalSince1970])
        }
    }

    public func suppressKeepingEarlier(_ entries: [Suppression]) throws {
        guard !entries.isEmpty else { return }
        try pool.write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO suppression (address, scope, reason, since) VALUES (?, ?, ?, ?)
                    ON CONFLICT (address, scope) DO NOTHING
                    """)
            for entry in entries {
                try insert.execute(arguments: [
                    entry.address, entry.scope.description, entry.reason, entry.since.timeIntervalSince1970,
                ])
            }
        }
    }

    public func unsuppress(_ address: AddressKey, scope: Suppression.Scope?) throws -> Bool {
        try pool.write { db in
            if let scope {
                try db.execute(
                    sql: "DELETE FROM suppression WHERE address = ? AND scope = ?",
                    arguments: [address, scope.description])
            } else {
                try db.execute(sql: "DELETE FROM suppression WHERE address = ?", arguments: [address])
            }
            return db.changesCount > 0
        }
    }

    public func suppressed() throws -> [Suppression] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT address, scope, reason, since FROM suppression ORDER BY address, scope"
            ).map { row in
                let scope: String = try row.decode(forColumn: "scope")
                return try Suppression(
                    address: row.decode(forColumn: "address"), scope: Suppression.Scope(scope) ?? .all,
                    reason: row.decode(forColumn: "reason"),
                    since: Date(timeIntervalSince1970: row.decode(forColumn: "since")))
            }
        }
    }

    public func isSuppressed(_ address: AddressKey, from list: MailingList?) throws -> Bool {
        try pool.read { db in
            try String.fetchOne(db, sql: Self.suppressionReason, arguments: [address, list?.rawValue]) != nil
        }
    }
}
