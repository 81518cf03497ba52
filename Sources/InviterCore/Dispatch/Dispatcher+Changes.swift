import Foundation

/// Changes after an invitation: an occurrence moved in time or place, or cancelled.
extension Dispatcher {
    /// What an occurrence's members were told: its time and place.
    static func fingerprint(_ occurrence: Occurrence) -> String {
        "\(occurrence.start)|\(occurrence.end)|\(occurrence.venue)"
    }

    /// The calendar SEQUENCE for a message: the occurrence's current one, the update's own, or one
    /// more for a cancellation, which must outrank everything announced before it.
    func calendarSequence(of mailing: Mailing) throws -> Int {
        guard let occurrence = mailing.occurrence else { return 0 }
        if let sequence = mailing.id.sequence { return sequence }
        let current = try ledger.occurrenceVersion(occurrence.id)?.sequence ?? 0
        return mailing.kind.isCancellation ? current + 1 : current
    }

    /// Records the cancellations and updates the plan found (to everyone who got the invitation,
    /// and to every partner contact who got the partner copy, once), and what each occurrence's members have now been told: its time and place, and the
    /// calendar SEQUENCE of that message.
    ///
    /// Both are due the moment a run first sees the change, however long after the invitation an
    /// organizer makes it: a cancellation tied to the invitation's grace would never reach the
    /// people invited two weeks earlier. An occurrence cancelled before its invitation is told to
    /// nobody, since nobody was invited.
    func recordChanges(_ plan: RunPlan, now: Date, summary: inout RunSummary) throws {
        for item in plan.items where item.cause == .change {
            guard let occurrence = item.mailing.occurrence else { continue }
            summary.registered += try register(
                item.mailing.id, kind: item.mailing.kind, dueAt: now,
                deadline: occurrence.start.instant(in: zone),
                addresses: item.recorded, now: now)
            summary.mailingsDue.append(item.mailing.id.description)
        }
        for mailing in plan.due.mailings where mailing.kind == .invitation {
            guard let occurrence = mailing.occurrence, !occurrence.cancelled,
                now < occurrence.start.instant(in: zone), try ledger.mailing(mailing.id) != nil
            else { continue }
            let fingerprint = Self.fingerprint(occurrence)
            guard let version = try ledger.occurrenceVersion(occurrence.id) else {
                try ledger.setOccurrenceVersion(
                    occurrence.id, fingerprint: fingerprint, sequence: 0, now: now)
                continue
            }
            guard version.fingerprint != fingerprint else { continue }
            // The update the plan registered carries this SEQUENCE; with nobody invited yet, the
            // next invitation's calendar entry does.
            try ledger.setOccurrenceVersion(
                occurrence.id, fingerprint: fingerprint, sequence: version.sequence + 1, now: now)
        }
    }
}
