import Foundation

/// What became of one received message.
public enum InboundDisposition: String, Sendable, Codable, CaseIterable {
    /// A delivery report for one of our deliveries: recorded, marked read.
    case bounce
    /// The mail a mail program sent for the List-Unsubscribe mailto: the address unsubscribed, marked read.
    case unsubscribe
    /// A delivery report that changes nothing (`delayed`, `relayed`), marked read.
    case report
    /// An out-of-office or other automatic reply: ignored, marked read.
    case autoReply = "auto-reply"
    /// Anything else, or what could not be trusted or read: left unread for a person.
    case person

    /// Whether the message is marked read: only what was dealt with completely is.
    public var marksRead: Bool { self != .person }
}

/// How a failed delivery counts (RFC 3463's classes).
public enum BounceClass: String, Sendable, Codable, CaseIterable {
    /// `5.x.x` other than `5.7.x`: the address does not work; never mailed again.
    case hard
    /// `4.x.x` after the relay gave up: three within ``BouncePolicy/softWindow`` count as a hard one.
    case soft
    /// `5.7.x`: refused by the receiver's policy (content, reputation): recorded, nobody suppressed,
    /// since the address itself works.
    case policy
}

/// One delivery reported as failed.
public struct BounceEvent: Sendable, Hashable {
    public var delivery: DeliveryKey
    public var bounceClass: BounceClass
    /// The enhanced status code, `5.1.1`.
    public var status: String
    /// The receiving server's words, as the report gives them.
    public var diagnostic: String?

    public init(delivery: DeliveryKey, bounceClass: BounceClass, status: String, diagnostic: String?) {
        self.delivery = delivery
        self.bounceClass = bounceClass
        self.status = status
        self.diagnostic = diagnostic
    }

    /// `5.1.1 550 5.1.1 User unknown`, for the delivery record and the suppression reason.
    public var summary: String {
        guard let diagnostic, !diagnostic.isEmpty else { return status }
        return status + " " + String(diagnostic.prefix(300))
    }
}

/// One received message as the ledger records it: what it was and what it changed, all at once.
public struct InboundRecord: Sendable, Hashable {
    /// The SHA-256 of the message's bytes: the same message read again (after a killed run, or
    /// through both the mailbox and a pipe) is recognised and changes nothing the second time.
    public var key: String
    public var disposition: InboundDisposition
    /// One line for `status` and the log: what the message was.
    public var summary: String
    public var bounces: [BounceEvent] = []
    /// The address and list a mailto unsubscribe named.
    public var unsubscribe: UnsubscribeRequest?

    public init(key: String, disposition: InboundDisposition, summary: String) {
        self.key = key
        self.disposition = disposition
        self.summary = summary
    }
}

/// An address leaving a list by mail.
public struct UnsubscribeRequest: Sendable, Hashable {
    public var address: AddressKey
    public var list: MailingList

    public init(address: AddressKey, list: MailingList) {
        self.address = address
        self.list = list
    }
}

/// What recording a received message did.
public struct InboundApplied: Sendable, Hashable {
    /// The message had been recorded before: nothing changed now.
    public var duplicate: Bool
    /// The addresses that are suppressed because of it.
    public var suppressed: [AddressKey]

    public init(duplicate: Bool, suppressed: [AddressKey]) {
        self.duplicate = duplicate
        self.suppressed = suppressed
    }
}

/// Where reading a mailbox stands: the UIDs up to `lastUID` of this `uidValidity` are done.
///
/// The first read of a folder (and the first after its UIDVALIDITY changed) takes only the
/// unread messages below `unreadBelow`, the UIDNEXT when it began: what was read before Inviter
/// came is a person's. Fetching marks a message read, so a scan killed between a fetch and its
/// record would lose the message to the next scan; `fetchedThrough` is written before each
/// fetch of the scan, and up to it the next run reads every message, read or not.
public struct MailboxPosition: Sendable, Hashable {
    /// The server, folder and user, so two mailboxes (or a moved one) do not share a position.
    public var mailbox: String
    public var uidValidity: UInt64
    public var lastUID: UInt64
    public var unreadBelow: UInt64
    public var fetchedThrough: UInt64

    public init(
        mailbox: String, uidValidity: UInt64, lastUID: UInt64, unreadBelow: UInt64 = 0,
        fetchedThrough: UInt64 = 0
    ) {
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.unreadBelow = unreadBelow
        self.fetchedThrough = fetchedThrough
    }

    /// `self` moved on by `newer`: forward only within one UIDVALIDITY, anew with another.
    public func merged(with newer: MailboxPosition) -> MailboxPosition {
        guard newer.uidValidity == uidValidity else { return newer }
        return MailboxPosition(
            mailbox: mailbox, uidValidity: uidValidity, lastUID: max(lastUID, newer.lastUID),
            unreadBelow: newer.unreadBelow, fetchedThrough: max(fetchedThrough, newer.fetchedThrough))
    }
}

/// When a bounce silences an address: one rule for both ledgers.
public enum BouncePolicy {
    /// Soft failures older than this are forgotten.
    public static let softWindow: TimeInterval = 30 * 86_400
    /// Soft failures of distinct deliveries within the window that count as a hard bounce.
    public static let softLimit = 3

    /// Why `event`'s address is suppressed now, or nil: `softFailures` counts the distinct
    /// deliveries to the address that failed softly within the window, this one included.
    public static func suppression(for event: BounceEvent, softFailures: Int) -> String? {
        switch event.bounceClass {
        case .hard:
            return "bounced: \(event.summary) (\(event.delivery.mailing))"
        case .soft where softFailures >= softLimit:
            return "bounced: \(softFailures) temporary failures within 30 days, the last \(event.summary) "
                + "(\(event.delivery.mailing))"
        case .soft, .policy:
            return nil
        }
    }

    /// The class of a failure with `status` (`5.1.1`); nil for a status that is not a failure.
    public static func bounceClass(ofStatus status: String) -> BounceClass? {
        if status.hasPrefix("5.7.") { return .policy }
        if status.hasPrefix("5.") { return .hard }
        if status.hasPrefix("4.") { return .soft }
        return nil
    }
}
