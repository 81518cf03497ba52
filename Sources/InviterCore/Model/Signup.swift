import Foundation

/// What a newcomer filled in on the sign-up page, kept until they confirm it from their mail.
///
/// Nothing of it makes anybody a member: only the confirmation (double opt-in) does, so a form
/// filled in with somebody else's address mails them one confirmation and nothing more.
public struct SignupRequest: Sendable, Hashable {
    public var address: MailAddress
    public var name: String
    public var language: LanguageCode
    /// The `[signup]` segments chosen, lowercased and sorted.
    public var segments: [String]
    /// The occurrence whose partner copy the newcomer came from, when they followed its link.
    public var occurrence: OccurrenceID?
    public var requestedAt: Date

    public init(
        address: MailAddress, name: String, language: LanguageCode, segments: [String],
        occurrence: OccurrenceID? = nil, requestedAt: Date
    ) {
        self.address = address
        self.name = name
        self.language = language
        self.segments = Array(Set(segments.map { $0.lowercased() })).sorted()
        self.occurrence = occurrence
        self.requestedAt = requestedAt
    }
}

/// A person who joined through the sign-up page and confirmed it, kept in the ledger.
public struct JoinedMember: Sendable, Hashable {
    public var request: SignupRequest
    public var joinedAt: Date

    public init(request: SignupRequest, joinedAt: Date) {
        self.request = request
        self.joinedAt = joinedAt
    }

    /// The member the run sees, beside those of the member lists.
    public var member: Member {
        Member(
            address: (try? MailAddress(request.address.address, displayName: request.name))
                ?? request.address,
            name: request.name, language: request.language, segments: request.segments,
            sources: ["sign-up page"])
    }
}

/// What the ledger made of a sign-up request.
public enum SignupAdmission: Sendable, Hashable {
    /// A confirmation is on its way, as the delivery of this mailing.
    case queued(MailingID)
    /// The same address asked a moment ago (a double submit): its confirmation is already on its way.
    case repeated
    /// The address had its three confirmations today: no more mail to it from the form until tomorrow.
    case limited
}
