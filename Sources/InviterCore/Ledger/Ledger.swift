import Foundation

/// Where one (mailing, recipient) pair stands.
///
/// `pending` → `sending` → `sent`; a temporary failure → `retrying` (with a
/// next attempt time) until the deadline, then `failed`; a permanent one →
/// `failed`; an outcome nobody knows (the run died while sending, or the
/// connection broke after the body) → `unknown`, sent again by default or
/// `held` for a person. `skipped`: the recipient was suppressed, or the
/// mailing was missed beyond grace.
public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    case pending, sending, sent, retrying, failed, unknown, held, skipped
}

/// One delivery's outcome, as the ledger records it.
public struct RecordedOutcome: Sendable, Hashable {
    public var key: DeliveryKey
    /// `sent`, `retrying` (with `retryAt`), `failed` or `unknown`.
    public var state: DeliveryState
    public var reply: String?
    public var retryAt: Date?
    /// Set when the address must never be written to again (no such user): the reason to keep.
    public var suppression: String?

    public init(
        key: DeliveryKey, state: DeliveryState, reply: String?, retryAt: Date? = nil,
        suppression: String? = nil
    ) {
        self.key = key
        self.state = state
        self.reply = reply
        self.retryAt = retryAt
        self.suppression = suppression
    }
}

/// A mailing as the ledger keeps it.
public struct MailingRecord: Sendable, Hashable {
    public var id: MailingID
    public var kind: MailingKind
    public var dueAt: Date
    /// After this moment nothing of the mailing is sent any more (the occurrence starts); retries give up.
    public var deadline: Date?

    public init(id: MailingID, kind: MailingKind, dueAt: Date, deadline: Date?) {
        self.id = id
        self.kind = kind
        self.dueAt = dueAt
        self.deadline = deadline
    }
}

/// One delivery as the ledger has it.
public struct LedgerEntry: Sendable, Hashable {
    public var key: DeliveryKey
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The Message-ID used for every attempt, so a resent message is recognisable as the same one.
    public var messageID: String
    /// The server's last reply, or why the state was set.
    public var lastReply: String?
    public var updatedAt: Date
    /// What a delivery report said after the relay had accepted the message (`hard: 5.1.1 …`).
    public var bounce: String? = nil

    public init(
        key: DeliveryKey, state: DeliveryState, attempts: Int, nextAttemptAt: Date?, messageID: String,
        lastReply: String?, updatedAt: Date
    ) {
        self.key = key
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.messageID = messageID
        self.lastReply = lastReply
        self.updatedAt = updatedAt
    }
}

/// Counts and failures of one mailing, for `inviter status`.
public struct MailingStatus: Sendable, Hashable {
    public var mailing: MailingRecord
    public var counts: [DeliveryState: Int]
    /// Failed, unknown and held deliveries: what a person may need to act on.
    public var attention: [LedgerEntry]
    /// Why deliveries were skipped (missed, suppressed: unsubscribed, no longer a member), with how many.
    public var skippedReasons: [String: Int]
    /// Deliveries a relay accepted and a delivery report later said had failed.
    public var bounced = 0

    public init(
        mailing: MailingRecord, counts: [DeliveryState: Int], attention: [LedgerEntry],
        skippedReasons: [String: Int] = [:]
    ) {
        self.mailing = mailing
        self.counts = counts
        self.attention = attention
        self.skippedReasons = skippedReasons
    }
}

/// The send ledger: every (mailing, recipient) pair, exactly once.
///
/// Nothing is recorded as sent before the server's 250, and every message
/// is marked `sending` (durably) before it is handed over, so a run killed at
/// any instant leaves at most those in flight in doubt, and the next run
/// finds them.
public protocol Ledger: Sendable {
    /// Registers a mailing and its recipients with their Message-IDs. Pairs already
    /// known keep their state; returns how many were new.
    func register(_ mailing: MailingRecord, recipients: [(address: AddressKey, messageID: String)], now: Date)
        throws -> Int
    /// At the start of a run: deliveries left `sending` by a run that died become `unknown`.
    func recoverInterrupted(now: Date) throws -> Int
    /// Deliveries to attempt now, oldest due first: `pending`, `retrying` whose time has come, and
    /// `unknown` when `resendUnknown` (else those become `held`), of mailings already due. At most
    /// `limit`; of `mailings` only when given (an announcement sends itself and nothing else).
    func ready(now: Date, resendUnknown: Bool, limit: Int, mailings: Set<MailingID>?) throws -> [LedgerEntry]
    /// Marks deliveries as being sent, durably, before they are handed to the server.
    func markSending(_ keys: [DeliveryKey], now: Date) throws
    /// Records an outcome: `sent`, `retrying` at `retryAt` (or `failed` when nil), `failed`, or `unknown`.
    func record(_ key: DeliveryKey, state: DeliveryState, reply: String?, retryAt: Date?, now: Date) throws
    /// Records `outcomes` (suppressing the addresses they name) and marks `keys` as being sent, in
    /// one commit, durable when `keys` is not empty: a run pays one fsync per group of messages.
    ///
    /// - Returns: the keys withheld instead of marked, `skipped` because their address was
    ///   suppressed for the mailing's list since the batch was taken (an unsubscribe clicked while
    ///   the run sends): those must not be handed over.
    @discardableResult
    func settle(_ outcomes: [RecordedOutcome], marking keys: [DeliveryKey], now: Date) throws -> Set<
        DeliveryKey
    >
    /// Gives up on everything still waiting for a mailing whose deadline has passed: `failed` with `reason`.
    func expire(now: Date, reason: String) throws -> Int
    /// Marks pairs `skipped` with a reason (a suppressed address, a mailing missed beyond grace).
    func skip(_ keys: [DeliveryKey], reason: String, now: Date) throws

    /// Suppresses `address` for `scope`, replacing the reason of an earlier entry of that scope.
    func suppress(_ address: AddressKey, scope: Suppression.Scope, reason: String, now: Date) throws
    /// Records each suppression unless its address is already suppressed for that scope (which
    /// keeps its first reason and date), all in one transaction: `inviter serve` commits the
    /// one-click unsubscribes that came in together with one disk sync.
    func suppressKeepingEarlier(_ entries: [Suppression]) throws
    /// Lifts the suppression of `scope`, or every one of the address when `scope` is nil.
    func unsuppress(_ address: AddressKey, scope: Suppression.Scope?) throws -> Bool
    /// Every suppression, by address, then scope.
    func suppressed() throws -> [Suppression]
    /// Whether a mailing of `list` is held back for `address` (nil: only a suppression of all).
    func isSuppressed(_ address: AddressKey, from list: MailingList?) throws -> Bool

    /// Records a sign-up request and, unless the address asked a moment ago or three times today
    /// (`day`, in the network's zone), a confirmation delivery to it, due now, in one transaction.
    func requestSignup(_ request: SignupRequest, day: LocalDate, messageDomain: String) throws
        -> SignupAdmission
    /// The request behind a confirmation delivery.
    func signupRequest(_ key: DeliveryKey) throws -> SignupRequest?
    /// Makes the request behind `key` a member (the first confirmation's time is kept), and lifts
    /// an earlier unsubscribe from the members' list: joining again is asking again.
    func confirmSignup(_ key: DeliveryKey, now: Date) throws -> JoinedMember?
    /// Everyone who joined through the sign-up page, by address.
    func joinedMembers() throws -> [JoinedMember]

    /// Records a member's RSVP answer for an occurrence, in one transaction: yes is going while
    /// fewer than `capacity` are (nil: no limit), else waitlisted after those already waiting; no
    /// is declined, and a going member's no gives the seat to the first waitlisted, whose seat
    /// notice (`seat`) is recorded with it. The same answer again changes nothing.
    func answerRSVP(
        _ answer: RSVPAnswer, occurrence: OccurrenceID, address: AddressKey, capacity: Int?,
        seat: SeatNotice, now: Date
    ) throws -> RSVPResult
    /// Gives the seats free under `capacity` (raised since) to the first waitlisted, each with
    /// their seat notice, in one transaction; lowering it moves nobody out.
    func promoteWaitlisted(occurrence: OccurrenceID, capacity: Int?, seat: SeatNotice, now: Date) throws
        -> [AddressKey]
    /// Every answer for an occurrence: going (in order of answer), the waitlist in order (with
    /// positions), declined.
    func rsvps(of occurrence: OccurrenceID) throws -> [RSVPRecord]
    /// One member's answer, with their waitlist position.
    func rsvp(occurrence: OccurrenceID, address: AddressKey) throws -> RSVPRecord?
    /// How many are going, waitlisted and declined, for every occurrence anybody answered.
    func rsvpCounts() throws -> [OccurrenceID: RSVPCounts]

    /// Takes up to `wanted` sends from a token bucket of `rate`, shared by all runs; returns how many are granted.
    // MARK: The mailbox

    /// The deliveries whose Message-ID begins with `hash` (the 32 hex digits a VERP token or a
    /// returned Message-ID names): a delivery report is matched through them.
    func entries(messageIDHash hash: String) throws -> [LedgerEntry]
    /// Records received messages, in order, and everything they change (a delivery's bounce, a
    /// suppression, an unsubscribe) and the mailbox's new `position`, in one transaction, so a run
    /// killed at any moment has either done all of it or none. A message recorded before (also
    /// earlier in `records`) changes nothing again; the position still moves.
    func recordInbound(_ records: [InboundRecord], position: MailboxPosition?, now: Date) throws
        -> [InboundApplied]
    /// Where reading `mailbox` stands, nil before the first read.
    func mailboxPosition(_ mailbox: String) throws -> MailboxPosition?
    /// The received messages of each disposition since `since`, for `status`.
    func inboundCounts(since: Date) throws -> [InboundDisposition: Int]

    func takeTokens(_ wanted: Int, rate: RateLimit, now: Date) throws -> Int

    /// The fingerprint (time and place) an occurrence had when its members were last told, and the
    /// calendar SEQUENCE of that message.
    func occurrenceVersion(_ occurrenceID: OccurrenceID) throws -> (fingerprint: String, sequence: Int)?
    func setOccurrenceVersion(_ occurrenceID: OccurrenceID, fingerprint: String, sequence: Int, now: Date)
        throws
    /// The recipients of a mailing whose delivery reached `state`.
    func recipients(of mailingID: MailingID, state: DeliveryState) throws -> [AddressKey]

    /// The transport (`outbox`, `smtp`) this ledger's deliveries went through, once one was set.
    func transport() throws -> String?
    func setTransport(_ name: String) throws
    /// How many deliveries are recorded as sent, of every mailing.
    func sentCount() throws -> Int
    /// Forgets every mailing and delivery (and the rate budget and occurrence versions), and
    /// keeps the suppression list and the members who joined: after a trial run, before the real thing. Returns how many
    /// deliveries were forgotten.
    func forgetDeliveries() throws -> Int

    func entry(_ key: DeliveryKey) throws -> LedgerEntry?
    /// Every delivery of a mailing, in recipient order: for a plan of what a run would do.
    func entries(of mailing: MailingID) throws -> [LedgerEntry]
    /// Every delivery to one address, of every mailing, oldest mailing first: `status --recipient`.
    func entries(for recipient: AddressKey) throws -> [LedgerEntry]
    /// What ``ready(now:resendUnknown:limit:)`` would give, read without changing anything: the
    /// waiting deliveries of mailings already due, less those to suppressed addresses, and
    /// `unknown` ones only when `resendUnknown`. For a dry run and a preview.
    func waiting(now: Date, resendUnknown: Bool) throws -> [LedgerEntry]
    func mailing(_ id: MailingID) throws -> MailingRecord?
    func status(mailing: MailingID?) throws -> [MailingStatus]
}

extension Ledger {
    /// Suppresses `address` for every list.
    public func suppress(_ address: AddressKey, reason: String, now: Date) throws {
        try suppress(address, scope: .all, reason: reason, now: now)
    }

    /// Lifts every suppression of `address`.
    public func unsuppress(_ address: AddressKey) throws -> Bool { try unsuppress(address, scope: nil) }

    /// Whether `address` is suppressed for every list.
    public func isSuppressed(_ address: AddressKey) throws -> Bool { try isSuppressed(address, from: nil) }

    /// The deliveries to attempt now, of every mailing.
    /// One received message, recorded as ``recordInbound(_:position:now:)`` records several.
    public func recordInbound(_ record: InboundRecord, position: MailboxPosition?, now: Date) throws
        -> InboundApplied
    {
        try recordInbound([record], position: position, now: now).first
            ?? InboundApplied(duplicate: true, suppressed: [])
    }

    public func ready(now: Date, resendUnknown: Bool, limit: Int) throws -> [LedgerEntry] {
        try ready(now: now, resendUnknown: resendUnknown, limit: limit, mailings: nil)
    }
}
