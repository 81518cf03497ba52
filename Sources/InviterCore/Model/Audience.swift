/// Whom a mailing or an occurrence is for: every active member (`all`), or the active members of
/// some segments.
///
/// The planner, the renderer (a digest lists only what is meant for its reader) and the dispatcher
/// all ask the same question of a member; this is the one answer.
public struct Audience: Sendable, Hashable {
    /// The segments as an event or an announcement names them; `all` means everyone.
    public let segments: Set<String>

    public init(_ segments: some Sequence<String>) {
        self.segments = Set(segments)
    }

    /// Whether `member` is active and in one of the segments (or the audience is `all`).
    public func includes(_ member: Member) -> Bool {
        member.isActive && (segments.contains("all") || !segments.isDisjoint(with: member.segments))
    }
}

extension Occurrence {
    /// The members invited to this occurrence.
    public var audienceOfMembers: Audience { Audience(audience) }
}

extension Sequence<Occurrence> {
    /// The occurrences (of a digest) that are meant for `member`.
    public func meant(for member: Member) -> [Occurrence] {
        filter { $0.audienceOfMembers.includes(member) }
    }
}
