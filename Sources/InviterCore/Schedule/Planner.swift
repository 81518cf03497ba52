import Foundation

/// One mailing: a kind of message about one occurrence, due at one moment.
public struct Mailing: Sendable, Hashable {
    /// `invitation/wednesday-hygge/2026-12-02`: stable, in every message's `X-Inviter-Mailing`.
    public var id: String
    public var kind: MailingKind
    public var occurrence: Occurrence
    /// When it is due; it may go out until `dueAt + grace`, and never once the occurrence has started.
    public var dueAt: Date

    public init(kind: MailingKind, occurrence: Occurrence, dueAt: Date) {
        self.id = "\(kind.rawValue)/\(occurrence.id)"
        self.kind = kind
        self.occurrence = occurrence
        self.dueAt = dueAt
    }
}

/// Works out which mailings are due at a given moment and who gets them.
///
/// Pure functions of `now`, the events and the policy, so that any instant
/// (a daylight-saving night, a catch-up after downtime) can be tested.
public enum Planner {
    /// The member mailings of every occurrence that starts within `horizon` after `now`,
    /// with their due times, whether due yet or not.
    public static func mailings(
        around now: Date, events: [Event], schedule: Configuration.Schedule, zone: TimeZone,
        horizonDays: Int? = nil
    ) -> [Mailing] {
        let from = LocalDateTime(now.addingTimeInterval(-Double(schedule.grace.seconds) - 86_400), in: zone)
        let ahead = horizonDays ?? (schedule.invitation.days + 2)
        let through = LocalDateTime(
            date: LocalDateTime(now, in: zone).date.adding(days: ahead), hour: 23, minute: 59, second: 59)
        guard let through else { return [] }
        var result: [Mailing] = []
        for event in events {
            for occurrence in event.occurrences(from: from, through: through, in: zone) {
                let invitationDue = schedule.invitation.before(occurrence.start, in: zone)
                if occurrence.cancelled {
                    // Only those already invited hear of a cancellation; before the invitation, nobody is told anything.
                    result.append(Mailing(kind: .cancellation, occurrence: occurrence, dueAt: invitationDue))
                    continue
                }
                result.append(Mailing(kind: .invitation, occurrence: occurrence, dueAt: invitationDue))
                if !occurrence.partners.isEmpty {
                    result.append(Mailing(kind: .partner, occurrence: occurrence, dueAt: invitationDue))
                }
                if let reminder = schedule.reminder {
                    result.append(
                        Mailing(
                            kind: .reminder, occurrence: occurrence,
                            dueAt: reminder.before(occurrence.start, in: zone)))
                }
            }
        }
        return result.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
    }

    /// The mailings due at `now`: past their due time, within grace, and before the occurrence starts.
    public static func due(at now: Date, events: [Event], schedule: Configuration.Schedule, zone: TimeZone)
        -> [Mailing]
    {
        mailings(around: now, events: events, schedule: schedule, zone: zone).filter {
            isDue($0, at: now, schedule: schedule, zone: zone)
        }
    }

    public static func isDue(
        _ mailing: Mailing, at now: Date, schedule: Configuration.Schedule, zone: TimeZone
    ) -> Bool {
        let start = mailing.occurrence.start.instant(in: zone)
        let latest = schedule.grace.after(mailing.dueAt, in: zone)
        return mailing.dueAt <= now && now < latest && now < start
    }

    /// The active members an occurrence is for: `all`, or anyone in one of its audience segments.
    public static func audience(of occurrence: Occurrence, members: [Member]) -> [Member] {
        let segments = Set(occurrence.audience)
        let everyone = segments.contains("all")
        return members.filter { member in
            member.status == .active && (everyone || !segments.isDisjoint(with: member.segments))
        }
    }

    /// The partner contacts of the kinds the occurrence reaches.
    public static func partners(of occurrence: Occurrence, partners: [Partner]) -> [Partner] {
        let kinds = Set(occurrence.partners)
        return partners.filter { kinds.contains($0.kind) }
    }

    /// The recipients of a mailing.
    public static func recipients(of mailing: Mailing, members: [Member], partners: [Partner]) -> [Recipient]
    {
        switch mailing.kind {
        case .partner: return Self.partners(of: mailing.occurrence, partners: partners).map(Recipient.partner)
        case .invitation, .reminder, .cancellation:
            return audience(of: mailing.occurrence, members: members).map(Recipient.member)
        }
    }
}
