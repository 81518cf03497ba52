import Foundation
import Synchronization

/// A ``Ledger`` kept in memory: the twin of ``SQLiteLedger`` for fast tests.
///
/// As Hummingbird ships `MemoryPersistDriver` beside its database drivers, this ledger lets a
/// test drive a ``Dispatcher`` through whole runs in milliseconds, with no file and no fsync.
/// It follows ``SQLiteLedger``'s rules requirement by requirement (a `sent` delivery is final,
/// registering is idempotent, the same order from ``ready(now:resendUnknown:limit:)``, the same
/// token bucket), and `MemoryLedgerConformanceTests` plays every scenario against both to keep it so.
///
/// Everything lives behind one `Mutex`, and each requirement holds it from start to end, as each
/// of ``SQLiteLedger``'s is one transaction: a run's marking thread, the transport's reports and
/// the run's own task call it at once, and every call sees the ledger before or after another,
/// never halfway. Nothing survives the process, so it is no ledger for a real run.
///
/// Addresses and mailing ids compare as Swift strings do, where SQLite compares their bytes: the
/// two differ only for text that is not in Unicode normal form C, which no validated address is.
public final class MemoryLedger: Ledger {
    /// A mailing and when it was first registered.
    private struct StoredMailing {
        var record: MailingRecord
        let createdAt: Date
    }

    private struct Held {
        var reason: String
        var since: Date
    }

    /// The provider's budget, for the rate it was filled for.
    private struct Bucket {
        var tokens: Double
        var updatedAt: Date
        var rate: RateLimit
    }

    private struct State {
        var mailings: [MailingID: StoredMailing] = [:]
        var deliveries: [DeliveryKey: LedgerEntry] = [:]
        var suppressions: [AddressKey: [Suppression.Scope: Held]] = [:]
        var signups: [DeliveryKey: SignupRequest] = [:]
        var joined: [AddressKey: JoinedMember] = [:]
        var rsvp = RSVPBook()
        var inbound = InboundBook()

        /// Why a mailing of `list` is held back for `address`, a suppression of every list first.
        func suppression(of address: AddressKey, for list: MailingList?) -> String? {
            guard let held = suppressions[address] else { return nil }
            if let all = held[.all] { return all.reason }
            return list.flatMap { held[.list($0)]?.reason }
        }
        var bucket: Bucket?
        var versions: [OccurrenceID: (fingerprint: String, sequence: Int)] = [:]
        var transport: String?
    }

    /// Tolerance for the refill arithmetic, as ``SQLiteLedger`` has it: half tokens must add up
    /// to the whole token they are meant to be.
    private static let tokenTolerance = 1e-9

    private let state = Mutex(State())

    /// An empty ledger.
    public init() {}

    // MARK: - Registering

    public func register(
        _ mailing: MailingRecord, recipients: [(address: AddressKey, messageID: String)], now: Date
    ) throws -> Int {
        state.withLock { state in Self.register(mailing, recipients: recipients, in: &state, now: now) }
    }

    /// Registers under the caller's lock: a promotion records its seat notices with the seat.
    private static func register(
        _ mailing: MailingRecord, recipients: [(address: AddressKey, messageID: String)],
        in state: inout State,
        now: Date
    ) -> Int {
        // A known mailing keeps its kind and due time; only the deadline follows the event.
        if state.mailings[mailing.id] != nil {
            state.mailings[mailing.id]?.record.deadline = mailing.deadline
        } else {
            state.mailings[mailing.id] = StoredMailing(record: mailing, createdAt: now)
        }
        var added = 0
        for recipient in recipients {
            let key = DeliveryKey(mailing: mailing.id, recipient: recipient.address)
            guard state.deliveries[key] == nil else { continue }
            let reason = state.suppression(of: recipient.address, for: mailing.id.list)
            state.deliveries[key] = LedgerEntry(
                key: key, state: reason == nil ? .pending : .skipped, attempts: 0, nextAttemptAt: nil,
                messageID: recipient.messageID, lastReply: reason.map { "suppressed: \($0)" },
                updatedAt: now)
            added += 1
        }
        return added
    }

    public func recoverInterrupted(now: Date) throws -> Int {
        state.withLock { state in
            var recovered = 0
            for (key, entry) in state.deliveries where entry.state == .sending {
                state.deliveries[key]?.update(
                    to: .unknown, reply: "the run stopped while this message was being sent", now: now)
                recovered += 1
            }
            return recovered
        }
    }

    // MARK: - Picking

    /// Also skips waiting deliveries to addresses suppressed since they were registered, and holds
    /// `unknown` ones unless `resendUnknown`, under the same lock, as ``SQLiteLedger`` does in the
    /// same transaction.
    public func ready(now: Date, resendUnknown: Bool, limit: Int, mailings only: Set<MailingID>?) throws
        -> [LedgerEntry]
    {
        state.withLock { state in
            for (key, entry) in state.deliveries
            where [.pending, .retrying, .unknown].contains(entry.state) {
                guard let reason = state.suppression(of: key.recipient, for: key.mailing.list) else {
                    continue
                }
                state.deliveries[key]?.update(to: .skipped, reply: "suppressed: \(reason)", now: now)
            }
            if !resendUnknown {
                for (key, entry) in state.deliveries where entry.state == .unknown {
                    // Held keeps its reply and its time: only the state changes.
                    state.deliveries[key]?.state = .held
                    state.deliveries[key]?.updatedAt = now
                }
            }
            guard limit > 0 else { return [] }
            // A mailing registered ahead of its time (an announcement with --at) waits for it.
            let due = state.mailings.values.map(\.record)
                .filter { $0.dueAt <= now && ($0.deadline.map { $0 > now } ?? true) }
                .filter { only?.contains($0.id) ?? true }
                .sorted(by: Self.dueOrder)
                .map(\.id)
            // One pass over every delivery, grouped by mailing: a test's ledger is small, and the
            // grouping keeps the order the same as one sorted query.
            var waiting: [MailingID: [LedgerEntry]] = [:]
            for entry in state.deliveries.values
            where Self.isWaiting(entry, now: now, resendUnknown: resendUnknown) {
                waiting[entry.key.mailing, default: []].append(entry)
            }
            var entries: [LedgerEntry] = []
            for mailing in due {
                let remaining = limit - entries.count
                guard remaining > 0 else { break }
                let mine = waiting[mailing] ?? []
                entries += mine.sorted { $0.key.recipient < $1.key.recipient }.prefix(remaining)
            }
            return entries
        }
    }

    // MARK: - Outcomes

    /// Leaves a `sent` entry alone.
    ///
    /// - Throws: ``MemoryLedgerError/unknownDelivery(_:)`` when a key was never registered;
    ///   nothing of the batch is marked then.
    public func markSending(_ keys: [DeliveryKey], now: Date) throws {
        try settle([], marking: keys, now: now)
    }

    /// A `retrying` outcome without `retryAt` is stored as `failed`; a `sent` entry is left as it is.
    ///
    /// - Throws: ``MemoryLedgerError/unknownDelivery(_:)`` when the key was never registered.
    public func record(_ key: DeliveryKey, state: DeliveryState, reply: String?, retryAt: Date?, now: Date)
        throws
    {
        try settle(
            [RecordedOutcome(key: key, state: state, reply: reply, retryAt: retryAt)], marking: [], now: now)
    }

    /// Records the outcomes, then marks the keys, all or nothing: every key is looked up before
    /// anything changes, as ``SQLiteLedger`` rolls back the whole commit on the first it lacks.
    /// A suppression an outcome names is kept even when its delivery was already `sent`.
    ///
    /// - Throws: ``MemoryLedgerError/unknownDelivery(_:)`` for the first key (outcomes first,
    ///   then marks) that was never registered; nothing is recorded then.
    @discardableResult
    public func settle(_ outcomes: [RecordedOutcome], marking keys: [DeliveryKey], now: Date) throws
        -> Set<DeliveryKey>
    {
        guard !outcomes.isEmpty || !keys.isEmpty else { return [] }
        return try state.withLock { (state) throws(MemoryLedgerError) -> Set<DeliveryKey> in
            for key in outcomes.map(\.key) + keys where state.deliveries[key] == nil {
                throw .unknownDelivery(key)
            }
            for outcome in outcomes {
                let key = outcome.key
                if let entry = state.deliveries[key], entry.state != .sent {
                    let stored: DeliveryState =
                        outcome.state == .retrying && outcome.retryAt == nil ? .failed : outcome.state
                    state.deliveries[key]?.update(
                        to: stored, reply: outcome.reply,
                        retryAt: stored == .retrying ? outcome.retryAt : nil,
                        now: now)
                }
                if let reason = outcome.suppression {
                    state.suppressions[key.recipient, default: [:]][.all] = Held(reason: reason, since: now)
                }
            }
            var withheld: Set<DeliveryKey> = []
            for key in keys where state.deliveries[key]?.state != .sent {
                if let reason = state.suppression(of: key.recipient, for: key.mailing.list) {
                    state.deliveries[key]?.update(to: .skipped, reply: "suppressed: \(reason)", now: now)
                    withheld.insert(key)
                    continue
                }
                state.deliveries[key]?.state = .sending
                state.deliveries[key]?.attempts += 1
                state.deliveries[key]?.nextAttemptAt = nil
                state.deliveries[key]?.updatedAt = now
            }
            return withheld
        }
    }

    /// Leaves `sending` (another run may have it in flight) and `held` (waiting for a person) alone.
    public func expire(now: Date, reason: String) throws -> Int {
        state.withLock { state in
            var expired = 0
            for (key, entry) in state.deliveries where [.pending, .retrying, .unknown].contains(entry.state) {
                guard let deadline = state.mailings[key.mailing]?.record.deadline, deadline <= now else {
                    continue
                }
                state.deliveries[key]?.update(to: .failed, reply: reason, now: now)
                expired += 1
            }
            return expired
        }
    }

    /// Keys that were never registered are ignored: there is nothing to skip.
    public func skip(_ keys: [DeliveryKey], reason: String, now: Date) throws {
        state.withLock { state in
            for key in keys where state.deliveries[key].map({ $0.state != .sent }) ?? false {
                state.deliveries[key]?.update(to: .skipped, reply: reason, now: now)
            }
        }
    }

    // MARK: - Suppression

    /// Replaces an existing entry of the same scope, so the newest reason is the one shown.
    public func suppress(_ address: AddressKey, scope: Suppression.Scope, reason: String, now: Date) throws {
        state.withLock { $0.suppressions[address, default: [:]][scope] = Held(reason: reason, since: now) }
    }

    public func suppressKeepingEarlier(_ entries: [Suppression]) throws {
        state.withLock { state in
            for entry in entries where state.suppressions[entry.address]?[entry.scope] == nil {
                state.suppressions[entry.address, default: [:]][entry.scope] = Held(
                    reason: entry.reason, since: entry.since)
            }
        }
    }

    public func unsuppress(_ address: AddressKey, scope: Suppression.Scope?) throws -> Bool {
        state.withLock { state in
            guard let scope else { return state.suppressions.removeValue(forKey: address) != nil }
            let removed = state.suppressions[address]?.removeValue(forKey: scope) != nil
            if state.suppressions[address]?.isEmpty ?? false { state.suppressions[address] = nil }
            return removed
        }
    }

    public func suppressed() throws -> [Suppression] {
        state.withLock { state in
            state.suppressions.sorted { $0.key < $1.key }.flatMap { address, held in
                held.sorted { $0.key.description < $1.key.description }.map {
                    Suppression(
                        address: address, scope: $0.key, reason: $0.value.reason, since: $0.value.since)
                }
            }
        }
    }

    public func isSuppressed(_ address: AddressKey, from list: MailingList?) throws -> Bool {
        state.withLock { $0.suppression(of: address, for: list) != nil }
    }

    // MARK: - Sign-ups

    public func requestSignup(_ request: SignupRequest, day: LocalDate, messageDomain: String) throws
        -> SignupAdmission
    {
        state.withLock { state in
            let address = request.address.key
            let earlier = state.signups.filter { key, _ in
                guard key.recipient == address, case .join(let date, _) = key.mailing.form else {
                    return false
                }
                return date == day
            }
            let now = request.requestedAt
            if earlier.values.contains(where: {
                now.timeIntervalSince($0.requestedAt) < SQLiteLedger.repeatWindow && now >= $0.requestedAt
            }) {
                return .repeated
            }
            guard earlier.count < SQLiteLedger.confirmationsPerDay else { return .limited }
            let mailing = MailingID.join(day, number: earlier.count + 1)
            let key = DeliveryKey(mailing: mailing, recipient: address)
            if state.mailings[mailing] == nil {
                state.mailings[mailing] = StoredMailing(
                    record: MailingRecord(id: mailing, kind: .join, dueAt: now, deadline: nil), createdAt: now
                )
            }
            let reason = state.suppression(of: address, for: nil)
            state.deliveries[key] = LedgerEntry(
                key: key, state: reason == nil ? .pending : .skipped, attempts: 0, nextAttemptAt: nil,
                messageID: key.messageID(domain: messageDomain).description,
                lastReply: reason.map { "suppressed: \($0)" }, updatedAt: now)
            state.signups[key] = request
            return .queued(mailing)
        }
    }

    public func signupRequest(_ key: DeliveryKey) throws -> SignupRequest? {
        state.withLock { $0.signups[key] }
    }

    public func confirmSignup(_ key: DeliveryKey, now: Date) throws -> JoinedMember? {
        state.withLock { state in
            guard let request = state.signups[key] else { return nil }
            let joinedAt = state.joined[key.recipient]?.joinedAt ?? now
            let member = JoinedMember(request: request, joinedAt: joinedAt)
            state.joined[key.recipient] = member
            state.suppressions[key.recipient]?[.list(.members)] = nil
            if state.suppressions[key.recipient]?.isEmpty ?? false { state.suppressions[key.recipient] = nil }
            return member
        }
    }

    public func joinedMembers() throws -> [JoinedMember] {
        state.withLock { $0.joined.sorted { $0.key < $1.key }.map(\.value) }
    }

    // MARK: - RSVP

    public func answerRSVP(
        _ answer: RSVPAnswer, occurrence: OccurrenceID, address: AddressKey, capacity: Int?,
        seat: SeatNotice, now: Date
    ) throws -> RSVPResult {
        state.withLock { state in
            let (record, promoted) = state.rsvp.answer(
                answer, occurrence: occurrence, address: address, capacity: capacity, now: now)
            Self.recordSeats(promoted, seat: seat, in: &state, now: now)
            return RSVPResult(record: record, promoted: promoted)
        }
    }

    public func promoteWaitlisted(occurrence: OccurrenceID, capacity: Int?, seat: SeatNotice, now: Date)
        throws -> [AddressKey]
    {
        state.withLock { state in
            let promoted = state.rsvp.promote(occurrence, capacity: capacity)
            Self.recordSeats(promoted, seat: seat, in: &state, now: now)
            return promoted
        }
    }

    public func rsvps(of occurrence: OccurrenceID) throws -> [RSVPRecord] {
        state.withLock { $0.rsvp.records(of: occurrence) }
    }

    public func rsvp(occurrence: OccurrenceID, address: AddressKey) throws -> RSVPRecord? {
        state.withLock { $0.rsvp.records(of: occurrence).first { $0.address == address } }
    }

    public func rsvpCounts() throws -> [OccurrenceID: RSVPCounts] { state.withLock { $0.rsvp.counts } }

    // MARK: - The mailbox

    public func entries(messageIDHash hash: String) throws -> [LedgerEntry] {
        let prefix = hash.lowercased() + "."
        guard hash.count == 32 else { return [] }
        return state.withLock { state in
            state.deliveries.values.filter { $0.messageID.hasPrefix(prefix) }
                .sorted { ($0.key.mailing, $0.key.recipient) < ($1.key.mailing, $1.key.recipient) }
        }
    }

    public func recordInbound(_ records: [InboundRecord], position: MailboxPosition?, now: Date) throws
        -> [InboundApplied]
    {
        state.withLock { state in
            if let position { state.inbound.store(position) }
            return records.map { Self.record($0, in: &state, now: now) }
        }
    }

    private static func record(_ record: InboundRecord, in state: inout State, now: Date) -> InboundApplied {
        guard let suppressions = state.inbound.record(record, now: now) else {
            return InboundApplied(duplicate: true, suppressed: [])
        }
        for event in record.bounces {
            state.deliveries[event.delivery]?.bounce = event.bounceClass.rawValue + ": " + event.summary
        }
        for (address, reason) in suppressions {
            state.suppressions[address, default: [:]][.all] = Held(reason: reason, since: now)
        }
        var suppressed = suppressions.map(\.0)
        if let request = record.unsubscribe {
            let scope = Suppression.Scope.list(request.list)
            if state.suppressions[request.address]?[scope] == nil {
                state.suppressions[request.address, default: [:]][scope] = Held(
                    reason: "unsubscribed by mail", since: now)
            }
            suppressed.append(request.address)
        }
        return InboundApplied(duplicate: false, suppressed: suppressed)
    }

    public func mailboxPosition(_ mailbox: String) throws -> MailboxPosition? {
        state.withLock { $0.inbound.position(mailbox) }
    }

    public func inboundCounts(since: Date) throws -> [InboundDisposition: Int] {
        state.withLock { $0.inbound.counts(since: since) }
    }

    /// The seat notices of `promoted`, recorded as any delivery is.
    private static func recordSeats(
        _ promoted: [AddressKey], seat: SeatNotice, in state: inout State, now: Date
    ) {
        guard !promoted.isEmpty else { return }
        let id = seat.mailing.id
        _ = register(
            seat.mailing,
            recipients: promoted.map {
                ($0, DeliveryKey(mailing: id, recipient: $0).messageID(domain: seat.messageDomain).value)
            }, in: &state, now: now)
    }

    // MARK: - Rate limit

    /// The same bucket as ``SQLiteLedger``'s: at most `rate.messages` tokens, refilled at
    /// `rate.messages / rate.per` a second, full at first and again when the rate changes; a
    /// clock that went back refills nothing. Shared by the runs of one process only.
    public func takeTokens(_ wanted: Int, rate: RateLimit, now: Date) throws -> Int {
        guard wanted > 0 else { return 0 }
        return state.withLock { state in
            let capacity = Double(max(rate.messages, 0))
            let perSecond = capacity / Double(max(rate.per, 1))
            var tokens = capacity
            var since = now
            if let bucket = state.bucket, bucket.rate == rate {
                tokens = min(
                    capacity, bucket.tokens + max(0, now.timeIntervalSince(bucket.updatedAt)) * perSecond)
                // Keeping the later instant means the seconds before it are never refilled twice.
                since = max(bucket.updatedAt, now)
            }
            let whole = (tokens + Self.tokenTolerance).rounded(.down)
            let granted = min(wanted, Int(max(0, whole)))
            state.bucket = Bucket(tokens: max(0, tokens - Double(granted)), updatedAt: since, rate: rate)
            return granted
        }
    }

    // MARK: - Occurrences

    public func occurrenceVersion(_ occurrenceID: OccurrenceID) throws -> (
        fingerprint: String, sequence: Int
    )? {
        state.withLock { $0.versions[occurrenceID] }
    }

    public func setOccurrenceVersion(
        _ occurrenceID: OccurrenceID, fingerprint: String, sequence: Int, now: Date
    )
        throws
    {
        state.withLock { $0.versions[occurrenceID] = (fingerprint, sequence) }
    }

    public func recipients(of mailingID: MailingID, state wanted: DeliveryState) throws -> [AddressKey] {
        state.withLock { state in
            state.deliveries.values
                .filter { $0.key.mailing == mailingID && $0.state == wanted }
                .map(\.key.recipient)
                .sorted()
        }
    }

    // MARK: - Reading

    public func entry(_ key: DeliveryKey) throws -> LedgerEntry? {
        state.withLock { $0.deliveries[key] }
    }

    public func mailing(_ id: MailingID) throws -> MailingRecord? {
        state.withLock { $0.mailings[id]?.record }
    }

    public func transport() throws -> String? { state.withLock { $0.transport } }

    public func setTransport(_ name: String) throws { state.withLock { $0.transport = name } }

    public func sentCount() throws -> Int {
        state.withLock { state in state.deliveries.values.filter { $0.state == .sent }.count }
    }

    public func forgetDeliveries() throws -> Int {
        state.withLock { state in
            let count = state.deliveries.count
            state.deliveries = [:]
            state.signups = [:]
            state.mailings = [:]
            state.versions = [:]
            state.bucket = nil
            state.transport = nil
            return count
        }
    }

    public func entries(for recipient: AddressKey) throws -> [LedgerEntry] {
        state.withLock { state in
            state.deliveries.values.filter { $0.key.recipient == recipient }.sorted { lhs, rhs in
                let left = state.mailings[lhs.key.mailing]?.record
                let right = state.mailings[rhs.key.mailing]?.record
                return (left?.dueAt ?? .distantPast, lhs.key.mailing) < (
                    right?.dueAt ?? .distantPast, rhs.key.mailing
                )
            }
        }
    }

    public func entries(of mailing: MailingID) throws -> [LedgerEntry] {
        state.withLock { state in
            state.deliveries.values.filter { $0.key.mailing == mailing }.sorted {
                $0.key.recipient < $1.key.recipient
            }
        }
    }

    public func waiting(now: Date, resendUnknown: Bool) throws -> [LedgerEntry] {
        state.withLock { state in
            let due = state.mailings.values.map(\.record)
                .filter { $0.dueAt <= now && ($0.deadline.map { $0 > now } ?? true) }
                .sorted(by: Self.dueOrder)
            var waiting: [MailingID: [LedgerEntry]] = [:]
            for entry in state.deliveries.values
            where state.suppression(of: entry.key.recipient, for: entry.key.mailing.list) == nil
                && Self.isWaiting(entry, now: now, resendUnknown: resendUnknown)
            {
                waiting[entry.key.mailing, default: []].append(entry)
            }
            return due.flatMap { (waiting[$0.id] ?? []).sorted { $0.key.recipient < $1.key.recipient } }
        }
    }

    /// Reads everything under one lock, so the counts and the attention list agree.
    public func status(mailing id: MailingID?) throws -> [MailingStatus] {
        state.withLock { state in
            let mailings = state.mailings.values.map(\.record)
                .filter { id == nil || $0.id == id }
                .sorted(by: Self.dueOrder)
            var counts: [MailingID: [DeliveryState: Int]] = [:]
            var attention: [MailingID: [LedgerEntry]] = [:]
            var skipped: [MailingID: [String: Int]] = [:]
            for entry in state.deliveries.values where id == nil || entry.key.mailing == id {
                counts[entry.key.mailing, default: [:]][entry.state, default: 0] += 1
                if entry.state == .skipped {
                    skipped[entry.key.mailing, default: [:]][entry.lastReply ?? "", default: 0] += 1
                }
                if [.failed, .unknown, .held].contains(entry.state) {
                    attention[entry.key.mailing, default: []].append(entry)
                }
            }
            var bounced: [MailingID: Int] = [:]
            for entry in state.deliveries.values
            where entry.bounce != nil && (id == nil || entry.key.mailing == id) {
                bounced[entry.key.mailing, default: 0] += 1
            }
            return mailings.map {
                var status = MailingStatus(
                    mailing: $0, counts: counts[$0.id] ?? [:],
                    attention: (attention[$0.id] ?? []).sorted { $0.key.recipient < $1.key.recipient },
                    skippedReasons: skipped[$0.id] ?? [:])
                status.bounced = bounced[$0.id] ?? 0
                return status
            }
        }
    }

    /// Whether a run would attempt `entry` now: pending, a retry whose time has come, or an
    /// unknown outcome when those are sent again.
    private static func isWaiting(_ entry: LedgerEntry, now: Date, resendUnknown: Bool) -> Bool {
        switch entry.state {
        case .pending: true
        // A `retrying` entry without a time is due rather than stuck for ever.
        case .retrying: entry.nextAttemptAt.map { $0 <= now } ?? true
        case .unknown: resendUnknown
        case .sending, .sent, .failed, .held, .skipped: false
        }
    }

    /// Mailings as the ledger lists them: oldest due first, then by id.
    private static func dueOrder(_ lhs: MailingRecord, _ rhs: MailingRecord) -> Bool {
        (lhs.dueAt, lhs.id) < (rhs.dueAt, rhs.id)
    }
}

extension LedgerEntry {
    /// A new state with its reply: what every change but marking and holding writes.
    fileprivate mutating func update(to state: DeliveryState, reply: String?, retryAt: Date? = nil, now: Date)
    {
        self.state = state
        lastReply = reply
        nextAttemptAt = retryAt
        updatedAt = now
    }
}

/// Why the memory ledger could not do what was asked.
public enum MemoryLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A send or an outcome for a pair that was never registered: a caller's bug, reported rather
    /// than silently lost, as ``SQLiteLedgerError/unknownDelivery(_:)`` reports it.
    case unknownDelivery(DeliveryKey)

    public var description: String {
        switch self {
        case .unknownDelivery(let key): "the ledger has no delivery \(key); register the mailing first"
        }
    }
}
