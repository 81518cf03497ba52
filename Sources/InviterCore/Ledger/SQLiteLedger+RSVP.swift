import Foundation
import GRDB

/// RSVP answers, the waitlist and the seat notices that promotions from it record.
///
/// Each answer is one IMMEDIATE transaction that counts the seats and writes the answer, so
/// members answering yes at the same moment (from `serve`, or `serve` and a run) queue for the
/// write lock and the last seat goes to exactly one of them; the others are waitlisted in the
/// order their transactions ran.
extension SQLiteLedger {
    public func answerRSVP(
        _ answer: RSVPAnswer, occurrence: OccurrenceID, address: AddressKey, capacity: Int?,
        seat: SeatNotice, now: Date
    ) throws -> RSVPResult {
        try pool.write { db in
            // Seats freed by a raised capacity go to those already waiting before a new yes.
            var promoted = try Self.promote(occurrence, capacity: capacity, seat: seat, db: db, now: now)
            let earlier = try Self.record(occurrence, address, db: db)
            switch (answer, earlier?.status) {
            case (.yes, .going), (.yes, .waitlisted), (.no, .declined):
                // The same answer again (a double click, a second look): the first one stands.
                break
            case (.yes, _):
                let going = try Self.count(occurrence, .going, db: db)
                if capacity.map({ going < $0 }) ?? true {
                    try Self.write(occurrence, address, .going, waitOrder: nil, db: db, now: now)
                } else {
                    let order =
                        try Int.fetchOne(
                            db, sql: "SELECT MAX(waitOrder) FROM rsvp WHERE occurrence = ?",
                            arguments: [occurrence]) ?? 0
                    try Self.write(occurrence, address, .waitlisted, waitOrder: order + 1, db: db, now: now)
                }
            case (.no, _):
                try Self.write(occurrence, address, .declined, waitOrder: nil, db: db, now: now)
                if earlier?.status == .going {
                    promoted += try Self.promote(occurrence, capacity: capacity, seat: seat, db: db, now: now)
                }
            }
            guard let record = try Self.record(occurrence, address, db: db) else {
                throw SQLiteLedgerError.unreadable(column: "rsvp", value: "\(occurrence) \(address)")
            }
            return RSVPResult(record: record, promoted: promoted)
        }
    }

    public func promoteWaitlisted(occurrence: OccurrenceID, capacity: Int?, seat: SeatNotice, now: Date)
        throws -> [AddressKey]
    {
        try pool.write { db in try Self.promote(occurrence, capacity: capacity, seat: seat, db: db, now: now)
        }
    }

    public func rsvps(of occurrence: OccurrenceID) throws -> [RSVPRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM rsvp WHERE occurrence = ?
                    ORDER BY CASE status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END,
                        waitOrder, answeredAt, address
                    """,
                arguments: [occurrence]
            ).compactMap { try Self.record(from: $0) }
        }
        .numberingWaitlist()
    }

    public func rsvp(occurrence: OccurrenceID, address: AddressKey) throws -> RSVPRecord? {
        try pool.read { db in try Self.record(occurrence, address, db: db) }
    }

    public func rsvpCounts() throws -> [OccurrenceID: RSVPCounts] {
        try pool.read { db in
            var counts: [OccurrenceID: RSVPCounts] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT occurrence, status, COUNT(*) AS n FROM rsvp GROUP BY occurrence, status")
            {
                let text: String = try row.decode(forColumn: "occurrence")
                let status: String = try row.decode(forColumn: "status")
                let count: Int = try row.decode(forColumn: "n")
                guard let occurrence = OccurrenceID(text), let status = RSVPStatus(rawValue: status) else {
                    continue
                }
                counts[occurrence, default: RSVPCounts()].add(status, count)
            }
            return counts
        }
    }

    /// The first waitlisted become going while seats are free under `capacity`, each with a
    /// pending seat notice (skipped for an address unsubscribed since).
    private static func promote(
        _ occurrence: OccurrenceID, capacity: Int?, seat: SeatNotice, db: Database, now: Date
    ) throws -> [AddressKey] {
        let going = try count(occurrence, .going, db: db)
        let free = capacity.map { $0 - going } ?? Int.max
        guard free > 0 else { return [] }
        let next = try String.fetchAll(
            db,
            sql: """
                SELECT address FROM rsvp WHERE occurrence = ? AND status = 'waitlisted'
                ORDER BY waitOrder LIMIT ?
                """,
            arguments: [occurrence, min(free, Int(Int32.max))]
        ).map(AddressKey.init)
        guard !next.isEmpty else { return [] }
        for address in next {
            try db.execute(
                sql:
                    "UPDATE rsvp SET status = 'going', waitOrder = NULL WHERE occurrence = ? AND address = ?",
                arguments: [occurrence, address])
        }
        _ = try register(
            seat.mailing,
            chunk: next.map {
                (
                    $0,
                    DeliveryKey(mailing: seat.mailing.id, recipient: $0).messageID(domain: seat.messageDomain)
                        .value
                )
            }[...], db: db, now: now)
        return next
    }

    private static func count(_ occurrence: OccurrenceID, _ status: RSVPStatus, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM rsvp WHERE occurrence = ? AND status = ?",
            arguments: [occurrence, status.rawValue]) ?? 0
    }

    private static func write(
        _ occurrence: OccurrenceID, _ address: AddressKey, _ status: RSVPStatus, waitOrder: Int?,
        db: Database, now: Date
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO rsvp (occurrence, address, status, answeredAt, waitOrder) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (occurrence, address) DO UPDATE SET status = excluded.status,
                    answeredAt = excluded.answeredAt, waitOrder = excluded.waitOrder
                """,
            arguments: [occurrence, address, status.rawValue, now.timeIntervalSince1970, waitOrder])
    }

    /// One member's record, with their waitlist position.
    private static func record(_ occurrence: OccurrenceID, _ address: AddressKey, db: Database) throws
        -> RSVPRecord?
    {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM rsvp WHERE occurrence = ? AND address = ?",
                arguments: [occurrence, address]),
            var record = try self.record(from: row)
        else { return nil }
        if record.status == .waitlisted, let order: Int = try row.decode(forColumn: "waitOrder") {
            record.position =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM rsvp
                        WHERE occurrence = ? AND status = 'waitlisted' AND waitOrder <= ?
                        """,
                    arguments: [occurrence, order]) ?? 1
        }
        return record
    }

    private static func record(from row: Row) throws -> RSVPRecord? {
        let occurrence: String = try row.decode(forColumn: "occurrence")
        let address: String = try row.decode(forColumn: "address")
        let status: String = try row.decode(forColumn: "status")
        let answeredAt: Double = try row.decode(forColumn: "answeredAt")
        guard let id = OccurrenceID(occurrence) else {
            throw SQLiteLedgerError.unreadable(column: "rsvp.occurrence", value: occurrence)
        }
        guard let status = RSVPStatus(rawValue: status) else {
            throw SQLiteLedgerError.unreadable(column: "rsvp.status", value: status)
        }
        return RSVPRecord(
            occurrence: id, address: AddressKey(address), status: status,
            answeredAt: Date(timeIntervalSince1970: answeredAt))
    }
}

extension RSVPCounts {
    mutating func add(_ status: RSVPStatus, _ count: Int = 1) {
        switch status {
        case .going: going += count
        case .waitlisted: waitlisted += count
        case .declined: declined += count
        }
    }
}

extension Array where Element == RSVPRecord {
    /// The records in the ledger's order (going, waitlist in order, declined), each waitlisted one
    /// with its position.
    func numberingWaitlist() -> [RSVPRecord] {
        var position = 0
        return map { record in
            var record = record
            if record.status == .waitlisted {
                position += 1
                record.position = position
            }
            return record
        }
    }
}
