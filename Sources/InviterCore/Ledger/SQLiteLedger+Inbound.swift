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

    /// Moves the position by ``MailboxPosition/merged(with:)``, read and written in the caller's transaction.
    private static func store(_ position: MailboxPosition, db: Database) throws {
        let merged = try Self.position(position.mailbox, db: db).map { $0.merged(with: position) } ?? position
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO mailboxPosition (mailbox, uidValidity, lastUID, unreadBelow, fetchedThrough)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [
                merged.mailbox, Int64(merged.uidValidity), Int64(merged.lastUID), Int64(merged.unreadBelow),
                Int64(merged.fetchedThrough),
            ])
    }

    private static func position(_ mailbox: String, db: Database) throws -> MailboxPosition? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT uidValidity, lastUID, unreadBelow, fetchedThrough FROM mailboxPosition WHERE mailbox = ?",
            arguments: [mailbox]
        ).map { row in
            func number(_ column: String) throws -> UInt64 {
                UInt64(max(0, try row.decode(forColumn: column) as Int64))
            }
            return MailboxPosition(
                mailbox: mailbox, uidValidity: try number("uidValidity"), lastUID: try number("lastUID"),
                unreadBelow: try number("unreadBelow"), fetchedThrough: try number("fetchedThrough"))
        }
    }

    public func mailboxPosition(_ mailbox: String) throws -> MailboxPosition? {
        try pool.read { db in try Self.position(mailbox, db: db) }
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
