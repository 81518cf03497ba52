import Foundation

/// What one reading of the mailbox did.
public struct MailboxSummary: Sendable, Hashable {
    /// New messages by what they were.
    public var counts: [InboundDisposition: Int] = [:]
    /// Messages recorded before (a run killed after the ledger had them, a message also piped in).
    public var duplicates = 0
    /// Addresses suppressed by bounces and unsubscribes.
    public var suppressed = 0
    /// Messages another client moved or deleted between the search and the fetch: nothing to read.
    public var gone = 0

    public var total: Int { counts.values.reduce(0, +) + duplicates + gone }
}

/// `inviter mailbox`: reads the new messages of `[mailbox]` over IMAP and records each.
///
/// "New" is by UID: the ledger keeps the folder's UIDVALIDITY and the last UID done. The first
/// read of a folder (and the first after its UIDVALIDITY changed) takes its unread messages only
/// (see ``MailboxPosition``). Messages go 50 at a time: fetched (over two read-only connections
/// of their own, ahead of the one being read, so that fetching sets no flag), their flags set in
/// one command, then their records and the new position
/// committed together, so a run killed at any moment leaves every message either done (and
/// skipped next time) or not (and read again, to the same result: a message recorded before
/// changes nothing twice).
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
        // New by UID within a known UIDVALIDITY; otherwise (the first read, or a re-created
        // folder) the unread messages below today's UIDNEXT, which is what a person has not
        // dealt with either, and everything after them.
        var position = MailboxPosition(
            mailbox: positionKey, uidValidity: validity, lastUID: 0, unreadBelow: uidNext, fetchedThrough: 0)
        let known = try handler.ledger.mailboxPosition(positionKey)
        if let known, known.uidValidity == validity {
            position = known
        } else {
            if let known {
                progress?(
                    "the folder's UIDVALIDITY changed (\(known.uidValidity) → \(validity)): reading its unread messages again"
                )
            }
            _ = try handler.ledger.recordInbound([], position: position, now: now)
        }
        // The next chunks are fetched over connections of their own while the one before is read
        // and recorded: the server's work and this process's overlap, on every core.
        let fetchers = try (0..<Self.fetchers).map { _ in
            Prefetcher(
                session: try IMAPSession.readOnly(settings: settings, password: password, trace: trace))
        }
        var chunks = Chunks(
            session: session, from: position.lastUID + 1, uidNext: uidNext, unreadBelow: position.unreadBelow,
            readAllThrough: position.fetchedThrough, window: Self.window, batch: Self.batch)
        let ledger = handler.ledger
        func start(_ chunk: Chunks.Chunk, on fetcher: Prefetcher) throws -> Prefetcher.Pending {
            // A fetch marks messages read: the scan of unread ones must know it may have happened.
            if chunk.unreadScan, let last = chunk.uids.last, last > position.fetchedThrough {
                position.fetchedThrough = last
                _ = try ledger.recordInbound([], position: position, now: now)
            }
            return fetcher.start(chunk.uids[...])
        }
        var inFlight: [(chunk: Chunks.Chunk, pending: Prefetcher.Pending, fetcher: Prefetcher)] = []
        for fetcher in fetchers {
            guard let chunk = try chunks.next() else { break }
            inFlight.append((chunk, try start(chunk, on: fetcher), fetcher))
        }
        var summary = MailboxSummary()
        while !inFlight.isEmpty {
            let (chunk, pending, fetcher) = inFlight.removeFirst()
            let fetched = try pending.wait()
            if let next = try chunks.next() { inFlight.append((next, try start(next, on: fetcher), fetcher)) }
            var messages = fetched.messages
            // A chunk over ``Prefetcher/chunkBytes`` is finished here, message by message.
            for uid in fetched.rest {
                messages.append((uid, try session.fetch(uid, limit: InboundMIME.maximumSize)))
            }
            // The last chunk of a window moves the position to the window's end, past its gaps.
            position.lastUID = max(position.lastUID, chunk.through)
            try record(
                messages, session: session, position: position, now: now, into: &summary, progress: progress)
        }
        return summary
    }

    /// Connections that fetch, beside the one that searches and sets flags.
    static let fetchers = 2

    /// Reads the fetched messages, sets their flags, then records them and `position` in one transaction.
    private func record(
        _ fetched: [(uid: UInt64, result: FetchResult)], session: IMAPSession, position: MailboxPosition,
        now: Date,
        into summary: inout MailboxSummary, progress: ((String) -> Void)?
    ) throws {
        // A message gone from the folder is not recorded: there is nothing left to read or to flag,
        // and the position moves past it with the rest.
        var messages: [(uid: UInt64, bytes: [UInt8]?)] = []
        for (uid, result) in fetched {
            switch result {
            case .message(let bytes): messages.append((uid, bytes))
            case .tooLarge: messages.append((uid, nil))
            case .gone:
                summary.gone += 1
                progress?("UID \(uid): gone: another client moved or deleted it before it was read")
            }
        }
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

/// The UIDs to read, a chunk at a time, searched a window at a time as the chunks are taken.
///
/// Up to `readAllThrough` every message is read (a scan killed after fetching them); below
/// `unreadBelow` the unread ones (the first scan of a folder); after that every message.
struct Chunks {
    struct Chunk {
        var uids: [UInt64]
        /// The position once the chunk is recorded: its last UID, or its window's end for the last
        /// chunk of a window (an empty window gives one empty chunk, which moves the position past it).
        var through: UInt64
        /// Whether it was searched among the unread only, so that fetching it must be noted first.
        var unreadScan: Bool
    }

    let session: IMAPSession
    var from: UInt64
    let uidNext: UInt64
    let unreadBelow: UInt64
    let readAllThrough: UInt64
    let window: UInt64
    let batch: Int
    private var pending: [Chunk] = []

    init(
        session: IMAPSession, from: UInt64, uidNext: UInt64, unreadBelow: UInt64, readAllThrough: UInt64,
        window: UInt64, batch: Int
    ) {
        self.session = session
        self.from = from
        self.uidNext = uidNext
        self.unreadBelow = unreadBelow
        self.readAllThrough = readAllThrough
        self.window = window
        self.batch = batch
    }

    mutating func next() throws(MailboxError) -> Chunk? {
        if pending.isEmpty, from < uidNext {
            let start = from
            var to = min(start + window - 1, uidNext - 1)
            var unreadOnly = false
            if start <= readAllThrough {
                to = min(to, readAllThrough)
            } else if start < unreadBelow {
                to = min(to, unreadBelow - 1)
                unreadOnly = true
            }
            let uids = try session.search((unreadOnly ? "UNSEEN " : "") + "UID \(start):\(to)")
                .filter { $0 >= start && $0 <= to }
            var index = 0
            repeat {
                let slice = Array(uids[index..<min(index + batch, uids.count)])
                let last = index + batch >= uids.count
                pending.append(
                    Chunk(uids: slice, through: last ? to : (slice.last ?? to), unreadScan: unreadOnly))
                index += batch
            } while index < uids.count
            from = to + 1
        }
        return pending.isEmpty ? nil : pending.removeFirst()
    }
}

/// Fetches the messages of the next chunk over a connection of its own, on a queue of its own.
///
/// `@unchecked Sendable`: its session is used on `queue` only, and a ``Pending`` result is written
/// before its semaphore is signalled and read after it is waited for.
final class Prefetcher: @unchecked Sendable {
    /// What one chunk fetched, and the UIDs left for the next.
    struct Fetched {
        var messages: [(uid: UInt64, result: FetchResult)]
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
        var messages: [(uid: UInt64, result: FetchResult)] = []
        var bytes = 0
        var index = uids.startIndex
        while index < uids.endIndex, messages.count < MailboxReader.batch, bytes < Self.chunkBytes {
            let result = try session.fetch(uids[index], limit: InboundMIME.maximumSize)
            if case .message(let data) = result { bytes += data.count }
            messages.append((uids[index], result))
            index += 1
        }
        return Fetched(messages: messages, rest: uids[index...])
    }
}
