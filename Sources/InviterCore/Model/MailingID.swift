/// A mailing's identity, as it appears in `X-Inviter-Mailing`, in the ledger and in the
/// Message-ID: `invitation/wednesday-hygge/2026-12-02`, `update/wednesday-hygge/2026-12-02/1`,
/// `partner-update/wednesday-hygge/2026-12-02/1`, `newsletter/2026-12-01`,
/// `announcement/citizens-meeting/2026-12-01[/partners]`.
///
/// The one place where that text is made and read: every stage that needs the kind, the
/// occurrence or the sequence of a mailing asks this value instead of splitting a string.
public struct MailingID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// What the id names, by kind of mailing.
    public enum Form: Sendable, Hashable {
        /// An invitation, reminder, cancellation, partner copy or seat notice of one occurrence.
        case occurrence(MailingKind, OccurrenceID)
        /// The `sequence`-th change of an occurrence's time or place, to those invited; `partners`
        /// for the copy to the partner contacts who got the partner copy, recorded apart from the
        /// members' so that a person who is both gets both.
        case update(OccurrenceID, sequence: Int, partners: Bool = false)
        /// The digest sent on `date`.
        case newsletter(LocalDate)
        /// A one-off announcement from template `name`, sent on `date` (none while only previewed
        /// or tested); `partners` for the copy to partner contacts, recorded apart from the
        /// members so that a person who is both gets both.
        case announcement(name: String, date: LocalDate?, partners: Bool)
        /// The message of `inviter send-test`, which no ledger records.
        case sendTest
        /// The `number`-th sign-up confirmation of `date` (1 to 3): each address's first
        /// confirmation of a day is one delivery of `join/<date>/1`, its second of `…/2`, so the
        /// ledger's one-delivery-per-pair rule caps how often the form can mail one address.
        case join(LocalDate, number: Int)
    }

    public let form: Form
    /// The id as text, made once: it is written into every message and ledger row.
    public let description: String

    public init(_ form: Form) {
        self.form = form
        switch form {
        case .occurrence(let kind, let occurrence): description = "\(kind.rawValue)/\(occurrence)"
        case .update(let occurrence, let sequence, let partners):
            let kind = partners ? MailingKind.partnerUpdate : .update
            description = "\(kind.rawValue)/\(occurrence)/\(sequence)"
        case .newsletter(let date): description = "newsletter/\(date)"
        case .announcement(let name, let date, let partners):
            description =
                "announcement/\(name)" + (date.map { "/\($0)" } ?? "") + (partners ? "/partners" : "")
        case .sendTest: description = "send-test"
        case .join(let date, let number): description = "join/\(date)/\(number)"
        }
    }

    /// The mailing of `kind` about `occurrence`; an update takes its sequence through
    /// ``update(_:sequence:partners:)``.
    public static func of(_ kind: MailingKind, _ occurrence: OccurrenceID) -> MailingID {
        MailingID(.occurrence(kind, occurrence))
    }

    public static func update(_ occurrence: OccurrenceID, sequence: Int, partners: Bool = false) -> MailingID
    {
        MailingID(.update(occurrence, sequence: sequence, partners: partners))
    }

    public static func newsletter(_ date: LocalDate) -> MailingID { MailingID(.newsletter(date)) }

    public static func announcement(_ name: String, on date: LocalDate?) -> MailingID {
        MailingID(.announcement(name: name, date: date, partners: false))
    }

    public static let sendTest = MailingID(.sendTest)

    public static func join(_ date: LocalDate, number: Int) -> MailingID {
        MailingID(.join(date, number: number))
    }

    /// Reads an id as ``description`` writes it; nil for text that is not one.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        func occurrence(_ index: Int) -> OccurrenceID? {
            guard parts.count > index + 1, let date = LocalDate(iso: parts[index + 1]), !parts[index].isEmpty
            else { return nil }
            return OccurrenceID(eventID: String(parts[index]), date: date)
        }
        switch first {
        case "send-test" where parts.count == 1:
            self.init(.sendTest)
        case "join":
            guard parts.count == 3, let date = LocalDate(iso: parts[1]), let number = Int(parts[2]),
                number > 0,
                parts[2].allSatisfy(\.isASCII)
            else { return nil }
            self.init(.join(date, number: number))
        case "newsletter":
            guard parts.count == 2, let date = LocalDate(iso: parts[1]) else { return nil }
            self.init(.newsletter(date))
        case "update", "partner-update":
            guard parts.count == 4, let id = occurrence(1), let sequence = Int(parts[3]), sequence >= 0,
                parts[3].allSatisfy(\.isASCII)
            else { return nil }
            self.init(.update(id, sequence: sequence, partners: first == "partner-update"))
        case "announcement":
            guard parts.count >= 2, parts.count <= 4, !parts[1].isEmpty else { return nil }
            var date: LocalDate?
            var partners = false
            for part in parts.dropFirst(2) {
                if date == nil, !partners, let day = LocalDate(iso: part) {
                    date = day
                } else if !partners, part == "partners" {
                    partners = true
                } else {
                    return nil
                }
            }
            self.init(.announcement(name: String(parts[1]), date: date, partners: partners))
        default:
            guard let kind = MailingKind(rawValue: String(first)), !kind.isUpdate, kind != .newsletter,
                kind != .announcement, kind != .join, parts.count == 3, let id = occurrence(1)
            else { return nil }
            self.init(.occurrence(kind, id))
        }
    }

    /// The kind of mail this is; `nil` for the test message, which has no kind of its own.
    public var kind: MailingKind? {
        switch form {
        case .occurrence(let kind, _): kind
        case .update(_, _, let partners): partners ? .partnerUpdate : .update
        case .newsletter: .newsletter
        case .announcement: .announcement
        case .join: .join
        case .sendTest: nil
        }
    }

    /// The occurrence the mailing is about, for the kinds that are about one.
    public var occurrence: OccurrenceID? {
        switch form {
        case .occurrence(_, let id), .update(let id, _, _): id
        case .newsletter, .announcement, .sendTest, .join: nil
        }
    }

    /// An update's calendar SEQUENCE.
    public var sequence: Int? {
        if case .update(_, let sequence, _) = form { return sequence }
        return nil
    }

    /// Whether the deliveries under this id go to partner contacts rather than members.
    public var isForPartners: Bool {
        switch form {
        case .occurrence(let kind, _): kind.isPartnerCopy
        case .announcement(_, _, let partners), .update(_, _, let partners): partners
        case .newsletter, .sendTest, .join: false
        }
    }

    /// The list whose unsubscribes hold this mailing back; `nil` for mail a person asked for
    /// themselves (a sign-up confirmation, a test), which only a suppression of every list stops.
    public var list: MailingList? {
        switch form {
        case .join, .sendTest: nil
        default: isForPartners ? .partners : .members
        }
    }

    /// The announcement's copy for partner contacts; the same id for anything else.
    public var partnerCopy: MailingID {
        guard case .announcement(let name, let date, _) = form else { return self }
        return MailingID(.announcement(name: name, date: date, partners: true))
    }

    /// The invitation of the occurrence this mailing is about: who got it is who hears of changes.
    /// For the mailings to partner contacts, the partner copy: only a contact who was sent it
    /// hears that it was cancelled or changed.
    public var invitation: MailingID? { occurrence.map { .of(isForPartners ? .partner : .invitation, $0) } }

    public static func == (lhs: MailingID, rhs: MailingID) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
    public static func < (lhs: MailingID, rhs: MailingID) -> Bool { lhs.description < rhs.description }
}
