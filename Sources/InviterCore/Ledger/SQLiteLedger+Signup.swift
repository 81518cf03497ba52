import Foundation
import GRDB

/// The sign-up page's records: requests waiting for their confirmation, and the members they made.
extension SQLiteLedger {
    /// A second request this soon after the first is the same form sent twice, not a new wish.
    static let repeatWindow: TimeInterval = 10 * 60
    /// Confirmation mails one address can get from the form in a day.
    static let confirmationsPerDay = 3

    public func requestSignup(_ request: SignupRequest, day: LocalDate, messageDomain: String) throws
        -> SignupAdmission
    {
        try pool.write { db in
            let address = request.address.key
            let seconds = request.requestedAt.timeIntervalSince1970
            let earlier = try Row.fetchAll(
                db,
                sql:
                    "SELECT mailingId, requestedAt FROM signupRequest WHERE address = ? AND mailingId LIKE ?",
                arguments: [address, "join/\(day)/%"])
            let times: [Double] = try earlier.map { try $0.decode(forColumn: "requestedAt") }
            if times.contains(where: { seconds - $0 < Self.repeatWindow && seconds >= $0 }) {
                return .repeated
            }
            guard earlier.count < Self.confirmationsPerDay else { return .limited }
            let mailing = MailingID.join(day, number: earlier.count + 1)
            let key = DeliveryKey(mailing: mailing, recipient: address)
            try db.execute(
                sql: """
                    INSERT INTO mailing (id, kind, dueAt, deadline, createdAt, list) VALUES (?, 'join', ?, NULL, ?, NULL)
                    ON CONFLICT (id) DO NOTHING
                    """,
                arguments: [mailing, seconds, seconds])
            let reason = try String.fetchOne(db, sql: Self.suppressionReason, arguments: [address, nil])
            try db.execute(
                sql: """
                    INSERT INTO delivery (
                        mailingId, recipient, state, attempts, nextAttemptAt, messageId, lastReply, updatedAt)
                    VALUES (?, ?, ?, 0, NULL, ?, ?, ?)
                    """,
                arguments: [
                    mailing, address, reason == nil ? "pending" : "skipped",
                    key.messageID(domain: messageDomain).description, reason.map { "suppressed: \($0)" },
                    seconds,
                ])
            try db.execute(
                sql: """
                    INSERT INTO signupRequest (
                        mailingId, address, email, name, language, segments, occurrence, requestedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    mailing, address, request.address.address, request.name, request.language.identifier,
                    request.segments.joined(separator: ","), request.occurrence?.description, seconds,
                ])
            return .queued(mailing)
        }
    }

    public func signupRequest(_ key: DeliveryKey) throws -> SignupRequest? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM signupRequest WHERE mailingId = ? AND address = ?",
                arguments: [key.mailing, key.recipient]
            ).flatMap(Self.signupRequest(from:))
        }
    }

    public func confirmSignup(_ key: DeliveryKey, now: Date) throws -> JoinedMember? {
        try pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM signupRequest WHERE mailingId = ? AND address = ?",
                    arguments: [key.mailing, key.recipient]),
                let request = try Self.signupRequest(from: row)
            else { return nil }
            try db.execute(
                sql: """
                    INSERT INTO joinedMember (
                        address, email, name, language, segments, occurrence, requestedAt, joinedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET email = excluded.email, name = excluded.name,
                        language = excluded.language, segments = excluded.segments,
                        occurrence = excluded.occurrence, requestedAt = excluded.requestedAt
                    """,
                arguments: [
                    key.recipient, request.address.address, request.name, request.language.identifier,
                    request.segments.joined(separator: ","), request.occurrence?.description,
                    request.requestedAt.timeIntervalSince1970, now.timeIntervalSince1970,
                ])
            try db.execute(
                sql: "DELETE FROM suppression WHERE address = ? AND scope = 'members'",
                arguments: [key.recipient])
            return try Self.joinedMembers(db, address: key.recipient).first
        }
    }

    public func joinedMembers() throws -> [JoinedMember] {
        try pool.read { db in try Self.joinedMembers(db, address: nil) }
    }

    private static func joinedMembers(_ db: Database, address: AddressKey?) throws -> [JoinedMember] {
        let rows =
            if let address {
                try Row.fetchAll(
                    db, sql: "SELECT * FROM joinedMember WHERE address = ?", arguments: [address])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM joinedMember ORDER BY address")
            }
        return try rows.compactMap { row in
            guard let request = try signupRequest(from: row) else { return nil }
            let joinedAt: Double = try row.decode(forColumn: "joinedAt")
            return JoinedMember(request: request, joinedAt: Date(timeIntervalSince1970: joinedAt))
        }
    }

    /// A request as stored; nil for a row that no longer reads as one (which nothing writes).
    private static func signupRequest(from row: Row) throws -> SignupRequest? {
        let email: String = try row.decode(forColumn: "email")
        let name: String = try row.decode(forColumn: "name")
        let language: String = try row.decode(forColumn: "language")
        let segments: String = try row.decode(forColumn: "segments")
        let occurrence: String? = try row.decode(forColumn: "occurrence")
        let requestedAt: Double = try row.decode(forColumn: "requestedAt")
        guard let address = try? MailAddress(email, displayName: name),
            let code = try? LanguageCode(language)
        else { return nil }
        return SignupRequest(
            address: address, name: name, language: code,
            segments: segments.split(separator: ",").map(String.init),
            occurrence: occurrence.flatMap { OccurrenceID($0) },
            requestedAt: Date(timeIntervalSince1970: requestedAt))
    }
}
