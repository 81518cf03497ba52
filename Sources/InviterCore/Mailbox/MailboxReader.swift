import Foundation

/// What one reading of the mailbox did.
public struct MailboxSummary: Sendable, Hashable {
    /// New messages by what they were.
    public var counts: [InboundDisposition: Int] = [:]
    /// Messages recorded before (a run killed after the ledger had them, a message also piped in).
    public var duplicates = 0
    /// Addresses suppressed by bounces and unsubscribes.
    public var suppressed = 0
    /// One line per message, for the log.
    public var lines: [String] = []

    public var total: Int { counts.values.reduce(0, +) + duplicates }
}

/// `inviter mailbox`: reads the new messages of `[mailbox]` over IMAP and records each.
///
/// "New" is by UID: the ledger keeps the folder's UIDVALIDITY and the last UID done, and each
/// message's flags are set before its record and the new position are committed together, so a
/// run killed at any moment leaves every message either done (and skipped next time) or not (and
/// read again, to the same result: a message recorded before changes nothing twice). When the
/// UIDVALIDITY changes (the folder was re-created or restored), the unread messages are read again.
public struct MailboxReader: Sendable {
    public let settings: Configuration.Mailbox
    public let handler: InboundHandler

    public init(settings: Configuration.Mailbox, handler: InboundHandler) {
        self.settings = settings
        self.handler = handler
    }

    /// The ledger's name for this mailbox: the server, the folder and the user.
    public var positionKey: String {
        let server = settings.server
        return "\(server.base)/\(server.folder) \(settings.username)"
    }

    public func read(
        password: Secret, now: Date, trace: (@Sendable (String) -> Void)? = nil,
        progress: ((String) -> Void)? = nil
    ) throws -> MailboxSummary {
        let session = try IMAPSession(settings: settings, password: password, trace: trace)
        let known = try handler.ledger.mailboxPosition(positionKey)
        var uids = try session.search(known.map { "UID \($0.lastUID + 1):*" } ?? "UNSEEN")
        guard let validity = session.uidValidity else {
            throw MailboxError.unreachable("the server did not say the folder's UIDVALIDITY")
        }
        var last: UInt64 = 0
        if let known, known.uidValidity == validity {
            last = known.lastUID
            // `n:*` always includes the highest UID, even one below n.
            uids = uids.filter { $0 > last }
        } else if known != nil {
            progress?(
                "the folder's UIDVALIDITY changed (\(known?.uidValidity ?? 0) → \(validity)): reading its unread messages again"
            )
            uids = try session.search("UNSEEN")
        }
        var summary = MailboxSummary()
        for uid in uids {
            let record: InboundRecord
            if let bytes = try session.fetch(uid, limit: InboundMIME.maximumSize) {
                record = try handler.read(bytes)
            } else {
                record = InboundRecord(
                    key: "too-large \(validity) \(uid)", disposition: .person,
                    summary: "not read: the message is over \(InboundMIME.maximumSize / 1_048_576) MB")
            }
            // The fetch marked it read; what was not dealt with is unread again, for a person.
            try session.store(
                uid, record.disposition.marksRead ? "+FLAGS.SILENT (\\Seen)" : "-FLAGS.SILENT (\\Seen)")
            let position = MailboxPosition(
                mailbox: positionKey, uidValidity: validity, lastUID: max(last, uid))
            let applied = try handler.ledger.recordInbound(record, position: position, now: now)
            if applied.duplicate {
                summary.duplicates += 1
            } else {
                summary.counts[record.disposition, default: 0] += 1
                summary.suppressed += applied.suppressed.count
            }
            let line =
                "UID \(uid): \(record.disposition.rawValue): \(record.summary)"
                + (applied.duplicate ? " (recorded before)" : "")
            summary.lines.append(line)
            progress?(line)
        }
        return summary
    }
}
