import Foundation
import GRDB

extension SQLiteLedger {
    public func occurrenceVersion(_ occurrenceID: OccurrenceID) throws -> (
        fingerprint: String, sequence: Int
    )? {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT fingerprint, sequence FROM occurrenceVersion WHERE occurrenceId = ?",
                    arguments: [occurrenceID])
            else { return nil }
            let fingerprint: String = try row.decode(String.self, forColumn: "fingerprint")
            let sequence: Int = try row.decode(Int.self, forColumn: "sequence")
            return (fingerprint, sequence)
        }
    }

    public func setOccurrenceVersion(
        _ occurrenceID: OccurrenceID, fingerprint: String, sequence: Int, now: Date
    )
        throws
    {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO occurrenceVersion (occurrenceId, fingerprint, sequence, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT(occurrenceId) DO UPDATE SET fingerprint = excluded.fingerprint,
                        sequence = excluded.sequence, updatedAt = excluded.updatedAt
                    """,
                arguments: [occurrenceID, fingerprint, sequence, now.timeIntervalSince1970])
        }
    }

    public func recipients(of mailingID: MailingID, state: DeliveryState) throws -> [AddressKey] {
        try pool.read { db in
            try AddressKey.fetchAll(
                db,
                sql: "SELECT recipient FROM delivery WHERE mailingId = ? AND state = ? ORDER BY recipient",
                arguments: [mailingID, state.rawValue])
        }
    }
}
