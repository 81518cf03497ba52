import Foundation

/// One mailing: a kind of message, about one occurrence (or a digest, or an announcement), due at one moment.
public struct Mailing: Sendable, Hashable {
    /// Stable, in every message's `X-Inviter-Mailing` and every ledger record.
    public var id: MailingID
    public var kind: MailingKind
    /// The occurrence an invitation, reminder, cancellation, update or partner copy is about.
    public var occurrence: Occurrence?
    /// The occurrences a newsletter lists.
    public var digest: [Occurrence]
    /// The template name of an announcement.
    public var announcement: String?
    /// The member segments an announcement goes to (`all` for everyone).
    public var segments: [String]
    /// When it is due; it may go out until `dueAt + grace`, and never once the occurrence has started.
    public var dueAt: Date

    /// The mailing of `kind` about `occurrence`; for an update, the `sequence`-th change.
    public init(kind: MailingKind, occurrence: Occurrence, dueAt: Date, sequence: Int = 0) {
        self.id =
            kind.isUpdate
            ? .update(occurrence.id, sequence: sequence, partners: kind == .partnerUpdate)
            : .of(kind, occurrence.id)
        self.kind = kind
        self.occurrence = occurrence
        self.digest = []
        self.announcement = nil
        self.segments = occurrence.audience
        self.dueAt = dueAt
    }

    /// A newsletter on `date` listing `digest`.
    public init(newsletterOn date: LocalDate, digest: [Occurrence], dueAt: Date) {
        self.id = .newsletter(date)
        self.kind = .newsletter
        self.occurrence = nil
        self.digest = digest
        self.announcement = nil
        self.segments = ["all"]
        self.dueAt = dueAt
    }

    /// An announcement from template `name` to `segments`, recorded under the local `date` it is
    /// sent on (none for a preview or a test copy), so the same template can be announced again
    /// another day.
    public init(announcement name: String, segments: [String], dueAt: Date, on date: LocalDate? = nil) {
        self.id = .announcement(name, on: date)
        self.kind = .announcement
        self.occurrence = nil
        self.digest = []
        self.announcement = name
        self.segments = segments.isEmpty ? ["all"] : segments
        self.dueAt = dueAt
    }

    /// The same cancellation or update in the partner copy's form, for the partner contacts who
    /// got the partner copy; nil for the other kinds, which partners either get as they are or
    /// not at all.
    public var partnerCopy: Mailing? {
        guard let occurrence else { return nil }
        switch kind {
        case .cancellation:
            return Mailing(kind: .partnerCancellation, occurrence: occurrence, dueAt: dueAt)
        case .update:
            return Mailing(
                kind: .partnerUpdate, occurrence: occurrence, dueAt: dueAt, sequence: id.sequence ?? 0)
        default: return nil
        }
    }

    /// Whom the mailing's member messages are for.
    public var audience: Audience { Audience(segments) }
}
