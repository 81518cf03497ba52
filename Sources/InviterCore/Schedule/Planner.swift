import Foundation

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
                // Announced through the newsletter alone: no invitation, so nobody to tell of a change.
                guard occurrence.schedule.announce == .invitation else { continue }
                let invitationDue = (occurrence.schedule.invitation ?? schedule.invitation).before(
                    occurrence.start, in: zone)
                if occurrence.cancelled {
                    // Only those already invited hear of a cancellation; before the invitation, nobody is told anything.
                    result.append(Mailing(kind: .cancellation, occurrence: occurrence, dueAt: invitationDue))
                    continue
                }
                result.append(Mailing(kind: .invitation, occurrence: occurrence, dueAt: invitationDue))
                if !occurrence.partners.isEmpty {
                    result.append(Mailing(kind: .partner, occurrence: occurrence, dueAt: invitationDue))
                }
                let reminder: SendOffset?
                switch occurrence.schedule.reminder {
                case .network: reminder = schedule.reminder
                case .none: reminder = nil
                case .before(let offset): reminder = offset
                }
                if let reminder {
                    result.append(
                        Mailing(
                            kind: .reminder, occurrence: occurrence,
                            dueAt: reminder.before(occurrence.start, in: zone)))
                }
            }
        }
        result += newsletters(around: now, events: events, schedule: schedule, zone: zone, daysAhead: ahead)
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
        let latest = schedule.grace.after(mailing.dueAt, in: zone)
        guard mailing.dueAt <= now, now < latest else { return false }
        guard let occurrence = mailing.occurrence else { return true }
        return now < occurrence.start.instant(in: zone)
    }

    /// The partner contacts of the kinds the occurrence reaches.
    public static func partners(of occurrence: Occurrence, partners: [Partner]) -> [Partner] {
        let kinds = Set(occurrence.partners)
        return partners.filter { kinds.contains($0.kind) }
    }

    /// The recipients of a mailing (of a cancellation or an update: everyone it could reach, of
    /// whom only those who got the invitation, or the partner copy, are told).
    public static func recipients(of mailing: Mailing, members: [Member], partners: [Partner]) -> [Recipient]
    {
        switch mailing.kind {
        case .partner, .partnerCancellation, .partnerUpdate:
            guard let occurrence = mailing.occurrence else { return [] }
            return Self.partners(of: occurrence, partners: partners).map(Recipient.partner)
        case .newsletter:
            // Only members for whom the digest lists something.
            return members.filter { $0.isActive && !mailing.digest.meant(for: $0).isEmpty }.map(
                Recipient.member)
        case .invitation, .reminder, .cancellation, .update, .announcement:
            let audience = mailing.audience
            return members.filter(audience.includes).map(Recipient.member)
        case .join, .seat:
            // The one address that asked on the sign-up page, which no list names; the members a
            // freed seat went to, whom the ledger names.
            return []
        }
    }

    /// The newsletters due between `daysBack` days before and `daysAhead` days after `now`,
    /// each listing the occurrences of the `weeks` after it.
    ///
    /// The RRULE is anchored at 2000-01-01 00:00 local time, so `BYHOUR`/`BYMINUTE` set the time
    /// of day and the rule alone decides the dates.
    public static func newsletters(
        around now: Date, events: [Event], schedule: Configuration.Schedule, zone: TimeZone,
        daysBack: Int = 1,
        daysAhead: Int = 60, weeks: Int = 5
    ) -> [Mailing] {
        guard let rule = schedule.newsletter, let anchorDate = LocalDate(year: 2000, month: 1, day: 1),
            let anchor = LocalDateTime(date: anchorDate, hour: 0, minute: 0)
        else { return [] }
        let today = LocalDateTime(now, in: zone).date
        guard let from = LocalDateTime(date: today.adding(days: -daysBack), hour: 0, minute: 0),
            let through = LocalDateTime(date: today.adding(days: daysAhead), hour: 23, minute: 59, second: 59)
        else { return [] }
        var result: [Mailing] = []
        for time in rule.occurrences(start: anchor, in: zone, from: from, through: through)
        where time != anchor {
            guard
                let until = LocalDateTime(
                    date: time.date.adding(days: weeks * 7), hour: 23, minute: 59, second: 59)
            else { continue }
            let digest = events.flatMap { $0.occurrences(from: time, through: until, in: zone) }
                .filter { !$0.cancelled }
                .sorted { ($0.start, $0.eventID) < ($1.start, $1.eventID) }
            result.append(Mailing(newsletterOn: time.date, digest: digest, dueAt: time.instant(in: zone)))
        }
        return result
    }
}
