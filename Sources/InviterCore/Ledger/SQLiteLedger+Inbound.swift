import Foundation
import GRDB

/// The mailbox's half of the ledger: received messages, bounces and the read position.
extension SQLiteLedger {
    public func entries(messageIDHash hash: String) throws -> [LedgerEntry] {
        let hash = hash.lowercased()
        guard hash.count == 32, hash.allSatisfy(\.isHexDigit) else { return [] }
        return try pool.read { db in
            // Ours are `<hash>.inviter@domain`; a range, so the index serves whatever the domain.
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.entryColumns) FROM delivery d WHERE d.messageId >= ? AND d.messageId < ?")
            return try Row.fetchAll(statement, arguments: [hash + ".", hash + "/"]).map {
                try Self.entry(from: $0)
            }
        }
    }

    public func recordInbound(_ records: [InboundRecord], position: MailboxPosition?, now: Date) throws
        -> [InboundApplied]
    {
        try pool.write { db in
            if let position { try Self.store(position, db: db) }
            return try records.map { try Self.record($0, db: db, now: now) }
        }
    }

    private static func record(_ record: InboundRecord, db: Database, now: Date) throws -> InboundApplied {
        let known =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM inbound WHERE key = ?"), arguments: [record.key])
            ?? false
        if known { return InboundApplied(duplicate: true, suppressed: []) }
        try db.execute(
            sql: "INSERT INTO inbound (key, disposition, summary, receivedAt) VALUES (?, ?, ?, ?)",
            arguments: [record.key, record.disposition.rawValue, record.summary, now.timeIntervalSince1970])
        var suppressed: [AddressKey] = []
        for event in record.bounces {
            if let reason = try recordBounce(event, inbound: record.key, db: db, now: now) {
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO suppression (address, scope, reason, since) VALUES (?, 'all', ?, ?)",
                    arguments: [event.delivery.recipient, reason, now.timeIntervalSince1970])
                suppressed.append(event.delivery.recipient)
            }
        }
        if let request = record.unsubscribe {
            try db.execute(
                sql: """
                    INSERT INTO suppression (address, scope, reason, since) VALUES (?, ?, ?, ?)
                    ON CONFLICT (address, scope) DO NOTHING
                    """,
                arguments: [
                    request.address, Suppression.Scope.list(request.list).description, "unsubscribed by mail",
                    now.timeIntervalSince1970,
                ])
            suppressed.append(request.address)
        }
        return InboundApplied(duplicate: false, suppressed: suppressed)
    }

    /// Writes the bounce and the delivery's record of it; returns the suppression reason when the
    /// address is now silenced (``BouncePolicy``).
    private static func recordBounce(_ event: BounceEvent, inbound: String, db: Database, now: Date) throws
        -> String?
    {
        let key = event.delivery
        try db.execute(
            sql: """
                INSERT INTO bounce (mailingId, recipient, class, status, diagnostic, at, inboundKey)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.mailing, key.recipient, event.bounceClass.rawValue, event.status, event.diagnostic,
                now.timeIntervalSince1970, inbound,
            ])
        try db.execute(
            sql: "UPDATE delivery SET bounce = ? WHERE mailingId = ? AND recipient = ?",
            arguments: [event.bounceClass.rawValue + ": " + event.summary, key.mailing, key.recipient])
        var softFailures = 0
        if event.bounceClass == .soft {
            softFailures =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(DISTINCT mailingId) FROM bounce
                        WHERE recipient = ? AND class = 'soft' AND at >= ?
                        """,
                    arguments: [key.recipient, now.timeIntervalSince1970 - BouncePolicy.softWindow]) ?? 0
        }
        return BouncePolicy.suppression(for: event, softFailures: softFailures)
    }

    private static func store(_ position: MailboxPosition, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO mailboxPosition (mailbox, uidValidity, lastUID) VALUES (?, ?, ?)
                ON CONFLICT (mailbox) DO UPDATE SET uidValidity = excluded.uidValidity,
                    lastUID = MAX(excluded.lastUID, CASE WHEN uidValidity = excluded.uidValidity THEN lastUID ELSE 0 END)
                """,
            arguments: [position.mailbox, Int64(position.uidValidity), Int64(position.lastUID)])
    }

    public func mailboxPosition(_ mailbox: String) throws -> MailboxPosition? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT uidValidity, lastUID FROM mailboxPosition WHERE mailbox = ?",
                arguments: [mailbox]
            ).map { row in
                let validity: Int64 = try row.decode(forColumn: "uidValidity")
                let last: Int64 = try row.decode(forColumn: "lastUID")
                return MailboxPosition(mailbox: mailbox, uidValidity: UInt64(validity), lastUID: UInt64(last))
            }
        }
    }

    public func inboundCounts(since: Date) throws -> [InboundDisposition: Int] {
        try pool.read { db in
            var counts: [InboundDisposition: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT disposition, COUNT(*) AS count FROM inbound WHERE receivedAt >= ? GROUP BY disposition",
                arguments: [since.timeIntervalSince1970])
            {
                let text: String = try row.decode(forColumn: "disposition")
                if let disposition = InboundDisposition(rawValue: text) {
                    counts[disposition] = try row.decode(forColumn: "count")
                }
            }
            return counts
        }
    }
}

extension SQLiteLedger {
    /// Whether `error` says the ledger was busy (another writer held it beyond the wait): a pipe's
    /// caller should try again later rather than lose the message.
    public static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }
}
