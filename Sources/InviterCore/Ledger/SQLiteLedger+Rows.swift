import Foundation
import GRDB

/// Reading rows back into the protocol's values.
///
/// Decoding uses GRDB's throwing `decode`, never the subscripts, which stop the
/// process on a bad value: a hand-edited ledger must give an error that names
/// the column, not a crash in the middle of a run.
extension SQLiteLedger {
    /// The delivery columns every entry query selects, prefixed for joins.
    static let entryColumns = [
        "mailingId", "recipient", "state", "attempts", "nextAttemptAt", "messageId", "lastReply", "updatedAt",
        "bounce",
    ].map { "d.\($0)" }.joined(separator: ", ")

    /// - Parameter mailing: The row's mailing when the caller already has it (a query of one
    ///   mailing's deliveries), so that a batch of 500 parses its id once, not 500 times.
    static func entry(from row: Row, mailing: MailingID? = nil) throws -> LedgerEntry {
        let next: Double? = try row.decode(forColumn: "nextAttemptAt")
        var entry = try LedgerEntry(
            key: DeliveryKey(
                mailing: mailing ?? row.decode(forColumn: "mailingId"),
                recipient: row.decode(forColumn: "recipient")),
            state: state(row.decode(forColumn: "state")),
            attempts: row.decode(forColumn: "attempts"),
            nextAttemptAt: next.map(Date.init(timeIntervalSince1970:)),
            messageID: row.decode(forColumn: "messageId"),
            lastReply: row.decode(forColumn: "lastReply"),
            updatedAt: Date(timeIntervalSince1970: row.decode(forColumn: "updatedAt"))
        )
        entry.bounce = try row.decode(forColumn: "bounce")
        return entry
    }

    static func mailing(from row: Row) throws -> MailingRecord {
        let rawKind: String = try row.decode(forColumn: "kind")
        guard let kind = MailingKind(rawValue: rawKind) else {
            throw SQLiteLedgerError.unreadable(column: "mailing.kind", value: rawKind)
        }
        let deadline: Double? = try row.decode(forColumn: "deadline")
        return try MailingRecord(
            id: row.decode(forColumn: "id"),
            kind: kind,
            dueAt: Date(timeIntervalSince1970: row.decode(forColumn: "dueAt")),
            deadline: deadline.map(Date.init(timeIntervalSince1970:))
        )
    }

    static func state(_ raw: String) throws -> DeliveryState {
        guard let state = DeliveryState(rawValue: raw) else {
            throw SQLiteLedgerError.unreadable(column: "delivery.state", value: raw)
        }
        return state
    }

    /// Whether the pair was ever registered, to tell "nothing to change" from "no such delivery".
    static func exists(_ key: DeliveryKey, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM delivery WHERE mailingId = ? AND recipient = ?)",
            arguments: [key.mailing, key.recipient]) ?? false
    }
}
