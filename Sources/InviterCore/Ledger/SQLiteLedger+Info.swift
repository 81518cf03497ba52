import Foundation
import GRDB

/// What the ledger knows about itself: the transport its deliveries went through.
extension SQLiteLedger {
    /// nil also for a ledger opened for reading before a run brought its schema to v4.
    public func transport() throws -> String? {
        try pool.read { db in
            guard try db.tableExists("ledgerInfo") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM ledgerInfo WHERE key = 'transport'")
        }
    }

    public func setTransport(_ name: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO ledgerInfo (key, value) VALUES ('transport', ?)",
                arguments: [name])
        }
    }

    public func sentCount() throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE state = 'sent'") ?? 0
        }
    }

    public func forgetDeliveries() throws -> Int {
        try pool.write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery") ?? 0
            try db.execute(
                sql: """
                    DELETE FROM delivery; DELETE FROM mailing; DELETE FROM occurrenceVersion;
                    DELETE FROM rateBucket; DELETE FROM ledgerInfo WHERE key = 'transport';
                    DELETE FROM signupRequest;
                    """)
            return count
        }
    }
}
