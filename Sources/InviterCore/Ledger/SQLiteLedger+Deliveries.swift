import Foundation
import GRDB

/// The delivery state machine: register, pick, mark, record, expire, skip.
///
/// A `sent` entry is final: every update below excludes it, so a late or
/// duplicate outcome (a second run, a retried report) can never undo a
/// success and cause the message to go out again.
extension SQLiteLedger {
    /// Deliveries registered in one transaction. A 20,000-member mailing in one held the ledger
    /// for a fifth of a second, and a one-click unsubscribe that came then waited for all of it;
    /// registering is idempotent, so a run killed between two chunks registers the rest next time.
    static let registerChunk = 1000

    public func register(
        _ mailing: MailingRecord, recipients: [(address: AddressKey, messageID: String)], now: Date
    ) throws -> Int {
        var added = 0
        var start = 0
        repeat {
            let chunk = recipients[start..<min(start + Self.registerChunk, recipients.count)]
            added += try register(mailing, chunk: chunk, now: now)
            start += Self.registerChunk
        } while start < recipients.count
        return added
    }

    private func register(
        _ mailing: MailingRecord, chunk recipients: ArraySlice<(address: AddressKey, messageID: String)>,
        now: Date
    ) throws -> Int {
        try pool.write { db in try Self.register(mailing, chunk: recipients, db: db, now: now) }
    }

    /// Records `mailing` and its `recipients` within the caller's transaction: a promotion from a
    /// waitlist records its seat notice in the same one as the seat.
    static func register(
        _ mailing: MailingRecord, chunk recipients: ArraySlice<(address: AddressKey, messageID: String)>,
        db: Database, now: Date
    ) throws -> Int {
        // A known mailing keeps its kind and due time; only the deadline follows the event.
        try db.execute(
            sql: """
                INSERT INTO mailing (id, kind, dueAt, deadline, createdAt, list) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET deadline = excluded.deadline
                """,
            arguments: [
                mailing.id, mailing.kind.rawValue, mailing.dueAt.timeIntervalSince1970,
                mailing.deadline?.timeIntervalSince1970, now.timeIntervalSince1970,
                mailing.id.list?.rawValue,
            ])
        let reasons = try suppressionReasons(
            of: recipients.map(\.address), list: mailing.id.list?.rawValue, db: db)
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO delivery (
                    mailingId, recipient, state, attempts, nextAttemptAt, messageId, lastReply,
                    updatedAt)
                VALUES (?, ?, ?, 0, NULL, ?, ?, ?)
                """)
        var added = 0
        for recipient in recipients {
            let address = recipient.address
            let reason = reasons[address.value]
            let state: DeliveryState = reason == nil ? .pending : .skipped
            try insert.execute(arguments: [
                mailing.id, address, state.rawValue, recipient.messageID,
                reason.map { "suppressed: \($0)" },
                now.timeIntervalSince1970,
            ])
            added += db.changesCount
        }
        return added
    }

    /// The reason each of `addresses` that is suppressed for a mailing of `list` is (the
    /// suppression of every list before the list's own), keyed by the address: one query for a
    /// whole chunk, where one per address was half of what registering 10,000 deliveries cost.
    static func suppressionReasons(
        of addresses: [AddressKey], list: String?, db: Database
    ) throws -> [String: String] {
        let json = String(decoding: try JSONEncoder().encode(addresses.map(\.value)), as: UTF8.self)
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT address, reason FROM suppression
                    WHERE address IN (SELECT value FROM json_each(?)) AND (scope = 'all' OR scope = ?)
                    ORDER BY scope = 'all'
                    """),
            arguments: [json, list])
        var reasons: [String: String] = [:]
        // Every list's suppression comes last, so it is the one kept.
        while let row = try rows.next() { reasons[row["address"]] = row["reason"] }
        return reasons
    }

    /// The reason an address is suppressed for a mailing of a list (`all` first), bound to the
    /// address and the mailing's list (NULL for mail only a suppression of every list holds back).
    static let suppressionReason = """
        SELECT reason FROM suppression WHERE address = ? AND (scope = 'all' OR scope = ?)
        ORDER BY scope = 'all' DESC LIMIT 1
        """

    /// Skips the waiting deliveries to addresses suppressed for their mailing's list, looking
    /// only at the addresses of suppressions with an id above `applied`.
    private static func skipSuppressed(since applied: Int, in db: Database, now seconds: Double) throws {
        try db.execute(
            sql: """
                UPDATE delivery
                SET state = 'skipped', nextAttemptAt = NULL, updatedAt = ?,
                    lastReply = 'suppressed: ' || (
                        SELECT s.reason FROM suppression s
                        WHERE s.address = delivery.recipient AND (s.scope = 'all'
                            OR s.scope = (SELECT list FROM mailing WHERE id = delivery.mailingId))
                        ORDER BY s.scope = 'all' DESC LIMIT 1)
                -- the unary + keeps SQLite on the recipient index (a few suppressed
                -- addresses) rather than the state index (every waiting delivery)
                WHERE recipient IN (SELECT address FROM suppression WHERE id > ?)
                    AND +state IN ('pending', 'retrying', 'unknown')
                    AND EXISTS (
                        SELECT 1 FROM suppression s
                        WHERE s.address = delivery.recipient AND (s.scope = 'all'
                            OR s.scope = (SELECT list FROM mailing WHERE id = delivery.mailingId)))
                """,
            arguments: [seconds, applied])
    }

    public func recoverInterrupted(now: Date) throws -> Int {
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'unknown', lastReply = ?, nextAttemptAt = NULL, updatedAt = ?
                    WHERE state = 'sending'
                    """,
                arguments: ["the run stopped while this message was being sent", now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Also, in the same transaction, skips waiting deliveries to addresses
    /// suppressed since they were registered (an unsubscribe or bounce between
    /// runs), so they are never sent to, and holds `unknown` ones unless
    /// `resendUnknown`.
    public func ready(now: Date, resendUnknown: Bool, limit: Int, mailings only: Set<MailingID>?) throws
        -> [LedgerEntry]
    {
        try pool.write { db in
            let seconds = now.timeIntervalSince1970
            // Only suppressions added since the last batch can hold back a waiting delivery: the
            // older ones were applied then, and a delivery registered since was checked as it was
            // registered. Looking at all of them cost 20 ms a batch at 25,000 suppressions, with
            // the ledger locked against `serve`'s unsubscribes meanwhile.
            let applied =
                try Int.fetchOne(
                    db, sql: "SELECT CAST(value AS INTEGER) FROM ledgerInfo WHERE key = 'suppressionsApplied'"
                ) ?? 0
            let newest = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM suppression") ?? 0
            if newest > applied {
                try Self.skipSuppressed(since: applied, in: db, now: seconds)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO ledgerInfo (key, value) VALUES ('suppressionsApplied', ?)",
                    arguments: [String(newest)])
            }
            if !resendUnknown {
                try db.execute(
                    sql: "UPDATE delivery SET state = 'held', updatedAt = ? WHERE state = 'unknown'",
                    arguments: [seconds])
            }
            guard limit > 0 else { return [] }
            // Mailing by mailing in due order, and within one the waiting deliveries of each state
            // in recipient order, each read straight from the `delivery_queue` index. One query
            // over the join sorted the whole table on every batch, so a run slowed down as the
            // list grew (100,000 members: 500 batches, each sorting all 100,000 rows).
            let mailings = try MailingID.fetchAll(
                db,
                sql: """
                    SELECT id FROM mailing
                    WHERE dueAt <= ? AND (deadline IS NULL OR deadline > ?)
                    ORDER BY dueAt, id
                    """,
                // A mailing registered ahead of its time (an announcement with --at) waits for it.
                arguments: [seconds, seconds]
            ).filter { only?.contains($0) ?? true }
            // A `retrying` entry without a time cannot be written by `record`; should one
            // appear anyway, it is due rather than stuck for ever.
            var conditions = [
                ("pending", "", StatementArguments()),
                (
                    "retrying", " AND (d.nextAttemptAt IS NULL OR d.nextAttemptAt <= ?)",
                    StatementArguments([seconds])
                ),
            ]
            if resendUnknown { conditions.append(("unknown", "", StatementArguments())) }
            var entries: [LedgerEntry] = []
            for mailing in mailings {
                let remaining = limit - entries.count
                guard remaining > 0 else { break }
                // Each state's first `remaining` in recipient order, merged: the same order as one
                // sorted query, read from the index.
                var waiting: [LedgerEntry] = []
                for (state, extra, arguments) in conditions {
                    let rows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT \(Self.entryColumns) FROM delivery d
                            WHERE d.mailingId = ? AND d.state = ?\(extra)
                            ORDER BY d.recipient LIMIT ?
                            """,
                        arguments: [mailing, state] + arguments + [remaining])
                    waiting += try rows.map { try Self.entry(from: $0, mailing: mailing) }
                }
                entries += waiting.sorted { $0.key.recipient < $1.key.recipient }.prefix(remaining)
            }
            return entries
        }
    }

    /// Leaves a `sent` entry alone (there is no return value to tell the
    /// caller, and undoing the success would be worse).
    ///
    /// - Throws: `SQLiteLedgerError.unknownDelivery` when a key was never registered;
    ///   nothing of the batch is marked then.
    public func markSending(_ keys: [DeliveryKey], now: Date) throws {
        try settle([], marking: keys, now: now)
    }

    /// Marks `keys` as being sent, but for those whose address is suppressed for the mailing's list
    /// by now: those are skipped and returned. The suppressions are looked up a list at a time, in
    /// one query each, as registering does: a batch almost always belongs to one mailing.
    private static func mark(_ keys: [DeliveryKey], in db: Database, now: Date) throws -> Set<DeliveryKey> {
        let update = try db.cachedStatement(
            sql: """
                UPDATE delivery
                SET state = 'sending', attempts = attempts + 1, nextAttemptAt = NULL, updatedAt = ?
                WHERE mailingId = ? AND recipient = ? AND state <> 'sent'
                """)
        var reasonsByList: [String?: [String: String]] = [:]
        for (list, group) in Dictionary(grouping: keys, by: { $0.mailing.list?.rawValue }) {
            reasonsByList[list] = try suppressionReasons(of: group.map(\.recipient), list: list, db: db)
        }
        let skip = try db.cachedStatement(
            sql: """
                UPDATE delivery SET state = 'skipped', nextAttemptAt = NULL, updatedAt = ?, lastReply = ?
                WHERE mailingId = ? AND recipient = ? AND state <> 'sent'
                """)
        var withheld: Set<DeliveryKey> = []
        for key in keys {
            if let reason = reasonsByList[key.mailing.list?.rawValue]?[key.recipient.value] {
                try skip.execute(arguments: [
                    now.timeIntervalSince1970, "suppressed: \(reason)", key.mailing, key.recipient,
                ])
                withheld.insert(key)
                continue
            }
            try update.execute(arguments: [now.timeIntervalSince1970, key.mailing, key.recipient])
            if db.changesCount == 0, try !Self.exists(key, in: db) {
                throw SQLiteLedgerError.unknownDelivery(key)
            }
        }
        return withheld
    }

    /// A `retrying` outcome without `retryAt` is stored as `failed`: with no time
    /// to try again it would otherwise wait for ever. A `sent` entry is left as it is.
    ///
    /// - Throws: `SQLiteLedgerError.unknownDelivery` when the key was never registered.
    public func record(_ key: DeliveryKey, state: DeliveryState, reply: String?, retryAt: Date?, now: Date)
        throws
    {
        try settle(
            [RecordedOutcome(key: key, state: state, reply: reply, retryAt: retryAt)], marking: [], now: now)
    }

    /// Outcomes alone are committed without their own fsync: the next `sending` mark's synced
    /// commit carries them to the disk, and a killed process loses nothing either way (the WAL is
    /// written before the commit returns). Only a power cut can take back the last outcomes, and
    /// then those messages are `sending`, in doubt, and resent with the same Message-ID: never lost.
    ///
    /// - Throws: `SQLiteLedgerError.unknownDelivery` when a key was never registered; nothing of
    ///   the group is recorded then.
    @discardableResult
    public func settle(_ outcomes: [RecordedOutcome], marking keys: [DeliveryKey], now: Date) throws
        -> Set<DeliveryKey>
    {
        guard !outcomes.isEmpty || !keys.isEmpty else { return [] }
        var withheld: Set<DeliveryKey> = []
        try pool.writeWithoutTransaction { db in
            if keys.isEmpty { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            defer { if keys.isEmpty { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
            try db.inTransaction {
                let seconds = now.timeIntervalSince1970
                if !outcomes.isEmpty {
                    let update = try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET state = ?, lastReply = ?, nextAttemptAt = ?, updatedAt = ?
                            WHERE mailingId = ? AND recipient = ? AND state <> 'sent'
                            """)
                    for outcome in outcomes {
                        let stored: DeliveryState =
                            outcome.state == .retrying && outcome.retryAt == nil ? .failed : outcome.state
                        let next = stored == .retrying ? outcome.retryAt?.timeIntervalSince1970 : nil
                        let key = outcome.key
                        try update.execute(arguments: [
                            stored.rawValue, outcome.reply, next, seconds, key.mailing, key.recipient,
                        ])
                        if db.changesCount == 0, try !Self.exists(key, in: db) {
                            throw SQLiteLedgerError.unknownDelivery(key)
                        }
                        if let reason = outcome.suppression {
                            try db.execute(
                                sql:
                                    "INSERT OR REPLACE INTO suppression (address, scope, reason, since) VALUES (?, 'all', ?, ?)",
                                arguments: [key.recipient, reason, seconds])
                        }
                    }
                }
                if !keys.isEmpty { withheld = try Self.mark(keys, in: db, now: now) }
                return .commit
            }
        }
        return withheld
    }

    /// Leaves `sending` (another run may have it in flight; `recoverInterrupted`
    /// turns it into `unknown` first) and `held` (waiting for a person) alone.
    public func expire(now: Date, reason: String) throws -> Int {
        try pool.write { db in
            let seconds = now.timeIntervalSince1970
            try db.execute(
                sql: """
                    UPDATE delivery SET state = 'failed', lastReply = ?, nextAttemptAt = NULL, updatedAt = ?
                    WHERE state IN ('pending', 'retrying', 'unknown')
                        AND mailingId IN (SELECT id FROM mailing WHERE deadline IS NOT NULL AND deadline <= ?)
                    """,
                arguments: [reason, seconds, seconds])
            return db.changesCount
        }
    }

    /// Keys that were never registered are ignored: there is nothing to skip.
    public func skip(_ keys: [DeliveryKey], reason: String, now: Date) throws {
        try pool.write { db in
            let update = try db.cachedStatement(
                sql: """
                    UPDATE delivery SET state = 'skipped', lastReply = ?, nextAttemptAt = NULL, updatedAt = ?
                    WHERE mailingId = ? AND recipient = ? AND state <> 'sent'
                    """)
            for key in keys {
                try update.execute(arguments: [
                    reason, now.timeIntervalSince1970, key.mailing, key.recipient,
                ])
            }
        }
    }

    public func entry(_ key: DeliveryKey) throws -> LedgerEntry? {
        try pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(Self.entryColumns) FROM delivery d WHERE d.mailingId = ? AND d.recipient = ?",
                arguments: [key.mailing, key.recipient]
            ).map { try Self.entry(from: $0) }
        }
    }

    public func mailing(_ id: MailingID) throws -> MailingRecord? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, kind, dueAt, deadline FROM mailing WHERE id = ?", arguments: [id]
            ).map(Self.mailing(from:))
        }
    }

    /// Reads everything in one snapshot, so the counts and the attention list agree
    /// even while another run is sending.
    public func status(mailing id: MailingID?) throws -> [MailingStatus] {
        try pool.read { db in
            let filter = id == nil ? "" : "WHERE id = ?"
            let deliveryFilter = id == nil ? "" : "AND d.mailingId = ?"
            let arguments: StatementArguments = id.map { [$0] } ?? []
            let mailings = try Row.fetchAll(
                db, sql: "SELECT id, kind, dueAt, deadline FROM mailing \(filter) ORDER BY dueAt, id",
                arguments: arguments
            ).map(Self.mailing(from:))
            var counts: [MailingID: [DeliveryState: Int]] = [:]
            let countRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.mailingId, d.state, COUNT(*) AS count FROM delivery d
                    WHERE 1 \(deliveryFilter) GROUP BY d.mailingId, d.state
                    """,
                arguments: arguments)
            for row in countRows {
                let mailingID: MailingID = try row.decode(forColumn: "mailingId")
                let state = try Self.state(row.decode(forColumn: "state"))
                counts[mailingID, default: [:]][state] = try row.decode(forColumn: "count")
            }
            var attention: [MailingID: [LedgerEntry]] = [:]
            let attentionRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.entryColumns) FROM delivery d
                    WHERE d.state IN ('failed', 'unknown', 'held') \(deliveryFilter)
                    ORDER BY d.mailingId, d.recipient
                    """,
                arguments: arguments)
            for row in attentionRows {
                let entry = try Self.entry(from: row)
                attention[entry.key.mailing, default: []].append(entry)
            }
            var skipped: [MailingID: [String: Int]] = [:]
            let skippedRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.mailingId, COALESCE(d.lastReply, '') AS reason, COUNT(*) AS count FROM delivery d
                    WHERE d.state = 'skipped' \(deliveryFilter) GROUP BY d.mailingId, reason
                    """,
                arguments: arguments)
            for row in skippedRows {
                let mailingID: MailingID = try row.decode(forColumn: "mailingId")
                skipped[mailingID, default: [:]][try row.decode(forColumn: "reason")] = try row.decode(
                    forColumn: "count")
            }
            var bounced: [MailingID: Int] = [:]
            let bouncedRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.mailingId, COUNT(*) AS count FROM delivery d
                    WHERE d.bounce IS NOT NULL \(deliveryFilter) GROUP BY d.mailingId
                    """,
                arguments: arguments)
            for row in bouncedRows {
                bounced[try row.decode(forColumn: "mailingId")] = try row.decode(forColumn: "count")
            }
            return mailings.map {
                var status = MailingStatus(
                    mailing: $0, counts: counts[$0.id] ?? [:], attention: attention[$0.id] ?? [],
                    skippedReasons: skipped[$0.id] ?? [:])
                status.bounced = bounced[$0.id] ?? 0
                return status
            }
        }
    }
}

extension SQLiteLedger {
    public func entries(of mailing: MailingID) throws -> [LedgerEntry] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.entryColumns) FROM delivery d WHERE d.mailingId = ? ORDER BY d.recipient",
                arguments: [mailing]
            ).map { try Self.entry(from: $0, mailing: mailing) }
        }
    }

    public func entries(for recipient: AddressKey) throws -> [LedgerEntry] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.entryColumns) FROM delivery d JOIN mailing m ON m.id = d.mailingId
                    WHERE d.recipient = ? ORDER BY m.dueAt, m.id
                    """,
                arguments: [recipient]
            ).map { try Self.entry(from: $0) }
        }
    }

    public func waiting(now: Date, resendUnknown: Bool) throws -> [LedgerEntry] {
        try pool.read { db in
            let seconds = now.timeIntervalSince1970
            let states = resendUnknown ? "('pending', 'retrying', 'unknown')" : "('pending', 'retrying')"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.entryColumns) FROM delivery d JOIN mailing m ON m.id = d.mailingId
                    WHERE d.state IN \(states)
                        AND (d.state <> 'retrying' OR d.nextAttemptAt IS NULL OR d.nextAttemptAt <= ?)
                        AND m.dueAt <= ? AND (m.deadline IS NULL OR m.deadline > ?)
                        AND NOT EXISTS (
                            SELECT 1 FROM suppression s
                            WHERE s.address = d.recipient AND (s.scope = 'all' OR s.scope = m.list))
                    ORDER BY m.dueAt, m.id, d.recipient
                    """,
                arguments: [seconds, seconds, seconds]
            ).map { try Self.entry(from: $0) }
        }
    }
}
