/// The kinds of mail Inviter sends.
///
/// A kind is part of every mailing's identity (``MailingID``), of the ledger's records and of the
/// template a message is rendered from, so it belongs to the model rather than to any one stage.
public enum MailingKind: String, Sendable, CaseIterable, Codable {
    case invitation, reminder, cancellation, partner
    /// To those already invited, when an occurrence's time or place changed after the invitation.
    case update
    /// The digest of coming occurrences, on the schedule's own RRULE.
    case newsletter
    /// A one-off message from a named template in `announcements/<name>/`.
    case announcement
    /// The confirmation a newcomer asks for on `inviter serve`'s sign-up page (double opt-in).
    case join
    /// To a waitlisted member who got a seat that freed (`seat/<event>/<date>`), with the calendar entry.
    case seat
    /// The cancellation in the partner copy's form, to the partner contacts who got the partner
    /// copy: guests they forwarded the invitation to must hear of it too.
    case partnerCancellation = "partner-cancellation"
    /// The update in the partner copy's form, to the partner contacts who got the partner copy.
    case partnerUpdate = "partner-update"

    /// The kinds every network needs a template for.
    static let required: [MailingKind] = [
        .invitation, .reminder, .cancellation, .partner, .update, .partnerCancellation, .partnerUpdate,
    ]

    /// The kinds about one occurrence, which carry a calendar part.
    public var isAboutOccurrence: Bool { ![.newsletter, .announcement, .join].contains(self) }

    /// The kinds in the partner copy's form, for partner contacts to forward: a forwardable part
    /// without anyone's personal link, and the contact's own opt-out.
    public var isPartnerCopy: Bool { [.partner, .partnerCancellation, .partnerUpdate].contains(self) }

    /// The kinds that withdraw an occurrence, whose calendar entry is a CANCEL.
    public var isCancellation: Bool { self == .cancellation || self == .partnerCancellation }

    /// The kinds that tell of a changed time or place, each change under its own sequence number.
    public var isUpdate: Bool { self == .update || self == .partnerUpdate }
}
