import Foundation

/// What RSVP changes in a run: who a reminder reaches, the seats a message says are left, and the
/// seats a raised capacity frees.
extension Dispatcher {
    /// Gives the seats that a raised (or removed) capacity frees to the first waitlisted of every
    /// RSVP occurrence that has not started, each with a seat notice the run then sends.
    ///
    /// - Returns: how many members got a seat.
    func promoteWaitlisted(_ plan: DuePlan, now: Date) throws -> Int {
        let counts = try ledger.rsvpCounts()
        var promoted = 0
        for occurrence in RSVPOccurrences.open(in: plan, zone: zone, now: now) {
            guard let count = counts[occurrence.id], count.waitlisted > 0,
                occurrence.capacity.map({ count.going < $0 }) ?? true
            else { continue }
            promoted += try ledger.promoteWaitlisted(
                occurrence: occurrence.id, capacity: occurrence.capacity,
                seat: configuration.seatNotice(for: occurrence, now: now), now: now
            ).count
        }
        return promoted
    }
}

extension Configuration {
    /// The seat notice a promotion records (by a run, or by `serve` for a no or a newcomer's
    /// yes), due at once and given up when the occurrence starts.
    func seatNotice(for occurrence: Occurrence, now: Date) -> SeatNotice {
        SeatNotice(
            occurrence: occurrence.id, start: occurrence.start.instant(in: network.timeZone), now: now,
            messageDomain: String(network.from.domain))
    }
}

extension Event {
    /// Whether the event, or any one occurrence's override, takes RSVP answers.
    var takesAnswers: Bool { rsvp || overrides.values.contains { $0.rsvp == true } }
}

/// The RSVP occurrences of a plan, and what their answers mean for a mailing.
enum RSVPOccurrences {
    /// Occurrences that take answers now: RSVP on, not cancelled, not started, invitation planned.
    static func open(in plan: DuePlan, zone: TimeZone, now: Date) -> [Occurrence] {
        plan.mailings.compactMap { mailing in
            guard mailing.kind == .invitation, let occurrence = mailing.occurrence, occurrence.rsvp,
                !occurrence.cancelled, now < occurrence.start.instant(in: zone)
            else { return nil }
            return occurrence
        }
    }

    /// The members a reminder of an RSVP occurrence leaves out: those who said no and those on
    /// the waitlist (who hear from the seat notice if a seat frees). Empty for other mailings.
    static func leftOut(of mailing: Mailing, ledger: (any Ledger)?) throws -> [AddressKey: RSVPStatus] {
        guard mailing.kind == .reminder, let occurrence = mailing.occurrence, occurrence.rsvp, let ledger
        else { return [:] }
        var result: [AddressKey: RSVPStatus] = [:]
        for record in try ledger.rsvps(of: occurrence.id) where record.status != .going {
            result[record.address] = record.status
        }
        return result
    }

    /// The seats left of each RSVP occurrence (with a capacity) a newsletter lists.
    static func digestSeatsLeft(_ mailing: Mailing, counts: () throws -> [OccurrenceID: RSVPCounts]) rethrows
        -> [OccurrenceID: Int]
    {
        var seats: [OccurrenceID: Int] = [:]
        for occurrence in mailing.digest {
            if let left = try seatsLeft(occurrence, counts: counts) { seats[occurrence.id] = left }
        }
        return seats
    }

    /// The seats left of an RSVP occurrence with a capacity, from the ledger's counts; nil otherwise.
    static func seatsLeft(_ occurrence: Occurrence?, counts: () throws -> [OccurrenceID: RSVPCounts]) rethrows
        -> Int?
    {
        guard let occurrence, occurrence.rsvp, let capacity = occurrence.capacity else { return nil }
        return (try counts()[occurrence.id] ?? RSVPCounts()).seatsLeft(of: capacity)
    }
}

extension RSVPOccurrences {
    /// The seat notices a run would record because a capacity was raised: for a dry run and a
    /// preview, worked out from the ledger without changing it, as ``Dispatcher/promoteWaitlisted``
    /// then records them.
    static func seatsFreed(_ plan: DuePlan, network: LoadedNetwork, ledger: (any Ledger)?, now: Date) throws
        -> [RunPlan.Item]
    {
        guard let ledger else { return [] }
        let zone = network.configuration.network.timeZone
        let counts = try ledger.rsvpCounts()
        var members: [AddressKey: Member]?
        var items: [RunPlan.Item] = []
        for occurrence in open(in: plan, zone: zone, now: now) {
            guard let count = counts[occurrence.id], count.waitlisted > 0 else { continue }
            let free = occurrence.capacity.map { $0 - count.going } ?? count.waitlisted
            guard free > 0 else { continue }
            let next = try ledger.rsvps(of: occurrence.id).filter { $0.status == .waitlisted }.prefix(free)
            if members == nil {
                members = Dictionary(network.members.members.map { ($0.address.key, $0) }) { first, _ in first
                }
            }
            var item = RunPlan.Item(
                mailing: Mailing(kind: .seat, occurrence: occurrence, dueAt: now), cause: .seat,
                recipients: [],
                sequence: try ledger.occurrenceVersion(occurrence.id)?.sequence ?? 0, alreadySent: 0,
                skipped: [:])
            for record in next {
                if let member = members?[record.address], member.isActive {
                    item.recipients.append(.member(member))
                } else {
                    item.skipped["no longer an active member", default: 0] += 1
                }
                item.recorded.append(record.address)
            }
            items.append(item)
        }
        return items
    }
}
