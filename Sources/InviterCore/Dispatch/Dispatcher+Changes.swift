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
        return mailing.kind == .cancellation ? current + 1 : current
    }

    /// Notices occurrences whose time or place changed after their invitation went out, and
    /// registers an update to everyone who got the invitation, with the next SEQUENCE; and
    /// occurrences cancelled after it, and registers the cancellation to them, once.
    ///
    /// Both are due the moment a run first sees the change, however long after the invitation an
    /// organizer makes it: a cancellation tied to the invitation's grace would never reach the
    /// people invited two weeks earlier. An occurrence cancelled before its invitation is told to
    /// nobody, since nobody was invited.
    func announceChanges(_ plan: DuePlan, now: Date, summary: inout RunSummary) throws {
        for mailing in plan.mailings where mailing.kind == .cancellation {
            guard let occurrence = mailing.occurrence, now < occurrence.start.instant(in: zone),
                try ledger.mailing(mailing.id) == nil
            else { continue }
            let invited = try ledger.recipients(of: .of(.invitation, occurrence.id), state: .sent)
            guard !invited.isEmpty else { continue }
            summary.registered += try register(
                mailing.id, kind: .cancellation, dueAt: now, deadline: occurrence.start.instant(in: zone),
                addresses: invited, now: now)
            summary.mailingsDue.append(mailing.id.description)
        }
        for mailing in plan.mailings where mailing.kind == .invitation {
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
            let sequence = version.sequence + 1
            let invited = try ledger.recipients(of: mailing.id, state: .sent)
            if !invited.isEmpty {
                let update = MailingID.update(occurrence.id, sequence: sequence)
                summary.registered += try register(
                    update, kind: .update, dueAt: now, deadline: occurrence.start.instant(in: zone),
                    addresses: invited, now: now)
                summary.mailingsDue.append(update.description)
            }
            try ledger.setOccurrenceVersion(
                occurrence.id, fingerprint: fingerprint, sequence: sequence, now: now)
        }
    }
}
