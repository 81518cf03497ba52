import Foundation

/// Recording mailings and their recipients in the ledger, before anything is sent.
extension Dispatcher {
    /// Records a mailing and its recipients (with their stable Message-IDs) in the ledger; returns how many were new.
    func register(
        _ id: MailingID, kind: MailingKind, dueAt: Date, deadline: Date?, addresses: [AddressKey], now: Date
    ) throws -> Int {
        let record = MailingRecord(id: id, kind: kind, dueAt: dueAt, deadline: deadline)
        let domain = configuration.network.from.domain
        // In slices, so a list of 100,000 never has all its Message-IDs in memory at once.
        var added = 0
        for start in stride(from: 0, to: addresses.count, by: 10_000) {
            let slice = addresses[start..<min(start + 10_000, addresses.count)]
            added += try ledger.register(
                record,
                recipients: slice.map {
                    ($0, DeliveryKey(mailing: id, recipient: $0).messageID(domain: domain).value)
                },
                now: now)
        }
        if addresses.isEmpty { added += try ledger.register(record, recipients: [], now: now) }
        return added
    }

    /// The addresses a due mailing is recorded for: its audience read straight from the list for
    /// the common kinds (a list of ``Recipient``s would copy every member), else its recipients.
    func recipientAddresses(of mailing: Mailing) throws -> [AddressKey] {
        switch mailing.kind {
        case .invitation, .reminder, .update, .announcement:
            let audience = mailing.audience
            let leftOut = try RSVPOccurrences.leftOut(of: mailing, ledger: ledger)
            var addresses: [AddressKey] = []
            for member in network.members.members where audience.includes(member) {
                let key = member.address.key
                if leftOut[key] == nil { addresses.append(key) }
            }
            return addresses
        case .partner, .newsletter, .cancellation, .partnerCancellation, .partnerUpdate:
            return try recipients(of: mailing).map(\.address.key)
        case .join, .seat:
            // Recorded by the sign-up page for the one address that asked, and with each
            // promotion from a waitlist: never planned.
            return []
        }
    }

    /// The recipients of a due mailing; a cancellation only reaches those who were invited (or
    /// sent the partner copy).
    func recipients(of mailing: Mailing) throws -> [Recipient] {
        let all = Planner.recipients(
            of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
        guard mailing.kind.isCancellation, let invitation = mailing.id.invitation else { return all }
        let invited = Set(try ledger.recipients(of: invitation, state: .sent))
        return all.filter { invited.contains($0.address.key) }
    }

    /// Registers a one-off announcement: its members and its partner contacts apart, under the ids
    /// the plan names, due at the plan's time.
    ///
    /// - Returns: how many recipients were registered.
    public func registerAnnouncement(_ plan: AnnouncementPlan, now: Date) throws -> Int {
        // Given up a week after its time: an announcement is news, not an archive.
        let deadline = plan.mailing.dueAt.addingTimeInterval(7 * 86_400)
        var count = 0
        if !plan.segments.isEmpty {
            count += try register(
                plan.mailing.id, kind: .announcement, dueAt: plan.mailing.dueAt, deadline: deadline,
                addresses: plan.members.map(\.address.key), now: now)
        }
        if !plan.partnerKinds.isEmpty {
            count += try register(
                plan.mailing.id.partnerCopy, kind: .announcement, dueAt: plan.mailing.dueAt,
                deadline: deadline,
                addresses: plan.partnerContacts.map(\.address.key), now: now)
        }
        return count
    }

    /// Mailings whose grace has ended without a run: recorded as skipped, once, so `status` shows
    /// them, and never sent late.
    func recordMissed(_ plan: RunPlan, now: Date, summary: inout RunSummary) throws {
        for item in plan.items where item.cause == .missed {
            let mailing = item.mailing
            _ = try register(
                mailing.id, kind: mailing.kind, dueAt: mailing.dueAt, deadline: deadline(of: mailing),
                addresses: item.recorded, now: now)
            let due = MessageEncoder.rfc5322Date(mailing.dueAt, in: zone)
            let keys = item.recorded.map { DeliveryKey(mailing: mailing.id, recipient: $0) }
            try ledger.skip(
                keys, reason: "missed: due \(due), and the grace period ended before a run", now: now)
            summary.skipped += keys.count
        }
    }
}
