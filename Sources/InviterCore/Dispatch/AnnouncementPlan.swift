import Foundation

/// A one-off announcement as `inviter announce` was asked for it: the template, who gets it and
/// under which ids, checked against the network before anything is recorded.
public struct AnnouncementPlan: Sendable {
    /// The mailing to the members, under the id with the local date it goes out on.
    public let mailing: Mailing
    /// The member segments it goes to; empty when only partner contacts get it.
    public let segments: [String]
    public let partnerKinds: [PartnerKind]
    public let members: [Recipient]
    public let partnerContacts: [Recipient]

    /// Why an announcement cannot be planned: the user's words were off.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownTemplate(String, known: [String])
        /// The template names something no message has (see `inviter check`).
        case brokenTemplate(String)
        case unknownPartnerKind(String)
        /// A segment no member list and no event names: a typo would otherwise reach nobody.
        case unknownSegment(String, known: [String])

        public var description: String {
            switch self {
            case .unknownTemplate(let name, let known):
                return "no announcement template \(name.debugDescription)"
                    + Suggestion.didYouMean(name, among: known)
                    + (known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))")
            case .brokenTemplate(let name):
                return
                    "the announcement template \(name) has errors (see inviter check); nothing was sent or recorded"
            case .unknownSegment(let name, let known):
                return "--segment \(name.debugDescription) is not a segment of any member list or event"
                    + Suggestion.didYouMean(name, among: known) + "; known: \(known.joined(separator: ", "))"
            case .unknownPartnerKind(let text):
                let names = PartnerKind.allCases.map(\.rawValue)
                return "--partners \(text.debugDescription) is not a partner kind; use "
                    + names.joined(separator: ", ") + Suggestion.didYouMean(text, among: names)
            }
        }
    }

    /// - Parameters:
    ///   - segments: Member segments as typed; none means every active member, unless `partners`
    ///     are given alone, which sends to partner contacts only.
    ///   - partners: Partner kinds as typed.
    ///   - at: When it is due.
    /// - Throws: ``Problem`` for an unknown template or partner kind.
    public init(
        template: String, segments: [String], partners: [String], at: Date, network: LoadedNetwork,
        templates: TemplateSet, broken: Set<String> = []
    ) throws(Problem) {
        guard templates.announcements.contains(template) else {
            throw .unknownTemplate(template, known: templates.announcements)
        }
        guard !broken.contains(template) else { throw .brokenTemplate(template) }
        var kinds: [PartnerKind] = []
        for text in partners {
            // As the partner lists read a kind: `lærdansk` too.
            guard let kind = try? PartnerList.kind(text.trimmingCharacters(in: .whitespaces)).get() else {
                throw .unknownPartnerKind(text)
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        let chosen = segments.isEmpty ? (kinds.isEmpty ? ["all"] : []) : segments.map { $0.lowercased() }
        let known = Self.segments(of: network)
        for segment in chosen where !known.contains(segment) {
            throw .unknownSegment(segment, known: known.sorted())
        }
        let date = LocalDateTime(at, in: network.configuration.network.timeZone).date
        let mailing = Mailing(announcement: template, segments: chosen, dueAt: at, on: date)
        self.mailing = mailing
        self.segments = chosen
        self.partnerKinds = kinds
        self.members =
            chosen.isEmpty
            ? [] : Planner.recipients(of: mailing, members: network.members.members, partners: [])
        let wanted = Set(kinds)
        self.partnerContacts = (network.partners?.partners ?? []).filter { wanted.contains($0.kind) }.map(
            Recipient.partner)
    }

    /// The segments an announcement can name: every segment of a member list or an event's
    /// audience, and `all`.
    static func segments(of network: LoadedNetwork) -> Set<String> {
        var known: Set<String> = ["all"]
        for member in network.members.members { known.formUnion(member.segments) }
        for event in network.events { known.formUnion(event.audience.map { $0.lowercased() }) }
        return known
    }

    /// The ids it is recorded under: the members' and, with partner kinds, the partner contacts'.
    public var ids: Set<MailingID> {
        var ids: Set<MailingID> = []
        if !segments.isEmpty { ids.insert(mailing.id) }
        if !partnerKinds.isEmpty { ids.insert(mailing.id.partnerCopy) }
        return ids
    }

    /// Why a test copy has nobody to be rendered for.
    public struct NoSample: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The recipient whose copy a test renders: the one at `recipient`, else the first who reads
    /// `language` (in the language the templates give them), else the first of all.
    ///
    /// - Throws: ``NoSample`` naming what matched nobody.
    public func sample(language: String?, recipient: String?, renderer: MessageRenderer) throws(NoSample)
        -> Recipient
    {
        var candidates = recipients
        if let recipient {
            let wanted = AddressKey(recipient.trimmingCharacters(in: .whitespaces))
            candidates = candidates.filter { $0.address.key == wanted }
            guard !candidates.isEmpty else {
                throw NoSample(description: "\(recipient) does not get this announcement")
            }
        }
        if let language {
            guard let code = try? LanguageCode(language) else {
                throw NoSample(
                    description: "--language \(language.debugDescription) is not an ISO 639 language code")
            }
            let fallback = renderer.configuration.network.defaultLanguage
            candidates = candidates.filter {
                renderer.templates.language(
                    of: "announcements/\(mailing.announcement ?? "")", for: $0.language ?? fallback,
                    fallback: renderer.configuration.network.languageFallback) == code
            }
            guard !candidates.isEmpty else {
                throw NoSample(description: "nobody it goes to reads it in \(code)")
            }
        }
        guard let first = candidates.first else {
            throw NoSample(
                description: "nobody is in the chosen segments, so there is no one to render the test with")
        }
        return first
    }

    /// Everyone it goes to, members first.
    public var recipients: [Recipient] { members + partnerContacts }

    /// What a dry run shows: each id a real announce records under, with its recipients per language.
    public func dryRunLines(defaultLanguage: LanguageCode) -> [String] {
        var lines: [String] = []
        if !segments.isEmpty {
            lines.append(
                "\(mailing.id) to \(segments.joined(separator: ", ")): \(counted(members.count, "member")) "
                    + "(\(LanguageCount.summary(members, defaultLanguage: defaultLanguage)))")
        }
        if !partnerKinds.isEmpty {
            lines.append(
                "\(mailing.id.partnerCopy) to \(partnerKinds.map(\.rawValue).sorted().joined(separator: ", ")): "
                    + "\(counted(partnerContacts.count, "partner contact")) "
                    + "(\(LanguageCount.summary(partnerContacts, defaultLanguage: defaultLanguage)))")
        }
        return lines
    }
}

/// How many recipients read each language, for plans and dry runs: `da 3, en 12`.
public enum LanguageCount {
    public static func summary(_ recipients: [Recipient], defaultLanguage: LanguageCode) -> String {
        var counts: [String: Int] = [:]
        for recipient in recipients {
            counts[(recipient.language ?? defaultLanguage).identifier, default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
