import Foundation

/// What a member answered to an RSVP invitation.
public enum RSVPAnswer: String, Sendable, Hashable, CaseIterable {
    case yes, no
}

/// Where a member stands for one occurrence after their last answer.
public enum RSVPStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Has a seat.
    case going
    /// Said yes when every seat was taken: gets the next seat that frees, in order of answer.
    case waitlisted
    /// Said no.
    case declined
}

/// One member's answer for one occurrence, as the ledger keeps it.
public struct RSVPRecord: Sendable, Hashable {
    public var occurrence: OccurrenceID
    public var address: AddressKey
    public var status: RSVPStatus
    /// When the member last answered (a promotion from the waitlist keeps it).
    public var answeredAt: Date
    /// Place on the waitlist (1 is next), for the waitlisted only.
    public var position: Int?

    public init(
        occurrence: OccurrenceID, address: AddressKey, status: RSVPStatus, answeredAt: Date,
        position: Int? = nil
    ) {
        self.occurrence = occurrence
        self.address = address
        self.status = status
        self.answeredAt = answeredAt
        self.position = position
    }
}

/// What an answer did: where the member stands now, and who got the seat it freed.
public struct RSVPResult: Sendable, Hashable {
    public var record: RSVPRecord
    /// The waitlisted members who became going because of this answer (a going member's no), in order.
    public var promoted: [AddressKey]

    public init(record: RSVPRecord, promoted: [AddressKey] = []) {
        self.record = record
        self.promoted = promoted
    }
}

/// How many are going, waiting and declined for one occurrence.
public struct RSVPCounts: Sendable, Hashable, Codable {
    public var going = 0
    public var waitlisted = 0
    public var declined = 0

    public init(going: Int = 0, waitlisted: Int = 0, declined: Int = 0) {
        self.going = going
        self.waitlisted = waitlisted
        self.declined = declined
    }

    /// Seats still free under `capacity` (none below zero when it was lowered); nil without a limit.
    public func seatsLeft(of capacity: Int?) -> Int? { capacity.map { max(0, $0 - going) } }
}

/// The "a seat is yours" mailing a promotion records, so the next run sends it once.
///
/// Made by whoever promotes (the answer page, or a run after a raised capacity) and handed to the
/// ledger, which records the seat and its delivery in one transaction: a seat is never given
/// without its notice waiting, nor a notice without its seat.
public struct SeatNotice: Sendable, Hashable {
    public var mailing: MailingRecord
    /// The domain of the Message-IDs (the sender's).
    public var messageDomain: String

    /// The notice for `occurrence`, due at once and given up at its start.
    public init(occurrence: OccurrenceID, start: Date, now: Date, messageDomain: String) {
        self.mailing = MailingRecord(id: .of(.seat, occurrence), kind: .seat, dueAt: now, deadline: start)
        self.messageDomain = messageDomain
    }
}
