import Foundation

/// What one reading of the mailbox did.
public struct MailboxSummary: Sendable, Hashable {
    /// New messages by what they were.
    public var counts: [InboundDisposition: Int] = [:]
    /// Messages recorded before (a run killed after the ledger had them, a message also piped in).
    public var duplicates = 0
    /// Addresses suppressed by bounces and unsubscribes.
    public var suppressed = 0

    public var total: Int { counts.values.reduce(0, +) + duplicates }
}

/// `inviter mailbox`: reads the new messages of `[mailbox]` over IMAP and records each.
///
/// "New" is by UID: the ledger keeps the folder's UIDVALIDITY and the last UID done. Messages are
/// read 50 at a time: fetched, their flags set, then their records and the new position committed
/// together, so a run killed at any moment leaves every message either done (and skipped next
/// time) or not (and read again, to the same result: a message recorded before changes nothing
/// twice). When the UIDVALIDITY changes (the folder was re-created or restored), and on the first
/// read, the unread messages are read.
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

    /// UIDs searched at a time: the reply of a window stays one line within libcurl's 16 KB
    /// (which clips a longer line), and memory does not grow with the folder.
    static let window: UInt64 = 1000
    /// Messages recorded in one ledger transaction, after their flags are set in one command each.
    static let batch = 50

    public func read(
        password: Secret, now: Date, trace: (@Sendable (String) -> Void)? = nil,
        progress: ((String) -> Void)? = nil
    ) throws -> MailboxSummary {
        let session = try IMAPSession(settings: settings, password: password, trace: trace)
        try session.open()
        guard let validity = session.uidValidity, let uidNext = session.uidNext else {
            throw MailboxError.unreachable("the server did not give the folder's UIDVALIDITY and UIDNEXT")
        }
        let known = try handler.ledger.mailboxPosition(positionKey)
        var from: UInt64 = 1
        // New by UID within a known UIDVALIDITY; otherwise (the first read, or a re-created
        // folder) the unread messages, which is what a person has not dealt with either.
        var unreadOnly = true
        if let known, known.uidValidity == validity {
            from = known.lastUID + 1
            unreadOnly = false
        } else if let known {
            progress?(
                "the folder's UIDVALIDITY changed (\(known.uidValidity) → \(validity)): reading its unread messages again"
            )
        }
        // The next messages are fetched over a second connection while the ones before are read
        // and recorded: the server's work and this process's overlap, on two cores.
        let fetcher = Prefetcher(
            session: try IMAPSession(settings: settings, password: password, trace: trace))
        var summary = MailboxSummary()
        while from < uidNext {
            let to = min(from + Self.window - 1, uidNext - 1)
            let uids = try session.search((unreadOnly ? "UNSEEN " : "") + "UID \(from):\(to)")
                .filter { $0 >= from && $0 <= to }
            var next = uids.isEmpty ? nil : fetcher.start(uids[...])
            if next == nil {
                // Nothing new in the window: the position still moves past it.
                let position = MailboxPosition(mailbox: positionKey, uidValidity: validity, lastUID: to)
                _ = try handler.ledger.recordInbound([], position: position, now: now)
            }
            while let pending = next {
                let fetched = try pending.wait()
                next = fetched.rest.isEmpty ? nil : fetcher.start(fetched.rest)
                // The last chunk of a window moves the position to the window's end, past its gaps.
                let last = fetched.rest.isEmpty ? to : (fetched.messages.last?.uid ?? to)
                try record(
                    fetched.messages, session: session,
                    position: MailboxPosition(mailbox: positionKey, uidValidity: validity, lastUID: last),
                    now: now,
                    into: &summary, progress: progress)
            }
            from = to + 1
        }
        return summary
    }

    /// Reads the fetched messages, sets their flags, then records them and `position` in one transaction.
    private func record(
        _ messages: [(uid: UInt64, bytes: [UInt8]?)], session: IMAPSession, position: MailboxPosition,
        now: Date,
        into summary: inout MailboxSummary, progress: ((String) -> Void)?
    ) throws {
        let uids = messages.map(\.uid)
        let records = try messages.map { message in
            guard let bytes = message.bytes else {
                return InboundRecord(
                    key: "too-large \(position.uidValidity) \(message.uid)", disposition: .person,
                    summary: "not read: the message is over \(InboundMIME.maximumSize / 1_048_576) MB")
            }
            return try handler.read(bytes)
        }
        // The fetches marked them read; what was not dealt with is unread again, for a person.
        let marks = zip(uids, records)
        try session.store(marks.filter { $0.1.disposition.marksRead }.map(\.0), "+FLAGS.SILENT (\\Seen)")
        try session.store(marks.filter { !$0.1.disposition.marksRead }.map(\.0), "-FLAGS.SILENT (\\Seen)")
        let applied = try handler.ledger.recordInbound(records, position: position, now: now)
        for ((uid, record), result) in zip(marks, applied) {
            if result.duplicate {
                summary.duplicates += 1
            } else {
                summary.counts[record.disposition, default: 0] += 1
                summary.suppressed += result.suppressed.count
            }
            let line =
                "UID \(uid): \(record.disposition.rawValue): \(record.summary)"
                + (result.duplicate ? " (recorded before)" : "")
            progress?(line)
        }
    }
}

/// Fetches the messages of the next chunk over a connection of its own, on a queue of its own.
///
/// `@unchecked Sendable`: its session is used on `queue` only, and a ``Pending`` result is written
/// before its semaphore is signalled and read after it is waited for.
final class Prefetcher: @unchecked Sendable {
    /// What one chunk fetched, and the UIDs left for the next.
    struct Fetched {
        var messages: [(uid: UInt64, bytes: [UInt8]?)]
        var rest: ArraySlice<UInt64>
    }

    /// A chunk being fetched.
    final class Pending: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<Fetched, MailboxError> = .failure(.unreachable("not fetched"))

        fileprivate func finish(_ result: Result<Fetched, MailboxError>) {
            self.result = result
            done.signal()
        }

        func wait() throws(MailboxError) -> Fetched {
            done.wait()
            return try result.get()
        }
    }

    /// A chunk stops at ``MailboxReader/batch`` messages or at this many bytes, whichever comes
    /// first, so that memory stays bounded whatever the messages weigh.
    static let chunkBytes = 16 << 20

    private let session: IMAPSession
    private let queue = DispatchQueue(label: "inviter.mailbox.fetch")

    init(session: IMAPSession) {
        self.session = session
    }

    func start(_ uids: ArraySlice<UInt64>) -> Pending {
        let pending = Pending()
        queue.async {
            pending.finish(Result { () throws(MailboxError) -> Fetched in try self.fetch(uids) })
        }
        return pending
    }

    private func fetch(_ uids: ArraySlice<UInt64>) throws(MailboxError) -> Fetched {
        var messages: [(uid: UInt64, bytes: [UInt8]?)] = []
        var bytes = 0
        var index = uids.startIndex
        while index < uids.endIndex, messages.count < MailboxReader.batch, bytes < Self.chunkBytes {
            let data = try session.fetch(uids[index], limit: InboundMIME.maximumSize)
            bytes += data?.count ?? 0
            messages.append((uids[index], data))
            index += 1
        }
        return Fetched(messages: messages, rest: uids[index...])
    }
}
