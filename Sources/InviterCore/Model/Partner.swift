/// What sort of organisation a partner is, so an event can choose whom to reach.
public enum PartnerKind: String, Sendable, CaseIterable {
    /// An employer, reached through HR to get newcomers to events.
    case company
    /// A school, college or university, usually its international office.
    case school
    /// A Danish language school (Lærdansk), spelled without `æ` so it is safe in
    /// configuration keys; `lærdansk` is accepted in partner lists.
    case laerdansk
    /// Anything else: a municipality, an association, a library.
    case other
}

/// An organisation that forwards invitations to the people it reaches.
///
/// Partners get a forwardable copy with a note to them rather than the member
/// mail; a person who is both a member and a partner contact gets both.
public struct Partner: Sendable, Hashable {
    /// The address to send to; its `displayName` is `contact`.
    public var address: MailAddress
    /// The organisation's name, for the note to the contact.
    public var organisation: String
    /// What sort of partner this is.
    public var kind: PartnerKind
    /// The contact person's name, when given.
    public var contact: String?
    /// The language to write to them in; `nil` means the network's default.
    public var language: LanguageCode?
    /// `file:line` of the row it came from.
    public var source: String

    public init(
        address: MailAddress, organisation: String, kind: PartnerKind, contact: String? = nil,
        language: LanguageCode? = nil, source: String
    ) {
        self.address = address
        self.organisation = organisation
        self.kind = kind
        self.contact = contact
        self.language = language
        self.source = source
    }
}
