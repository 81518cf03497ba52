import Foundation

/// What a run at `now` would send, worked out against the ledger without changing it: the one
/// answer that `run --dry-run` prints and `preview` renders, so that what an organizer sees is
/// what the run then sends.
///
/// It follows the run step by step: the mailings due now (less the recipients the ledger already
/// has as sent, failed or skipped), the updates and cancellations a change since the invitation
/// would trigger (to those who got the invitation), what waits in the ledger from earlier runs
/// (retries that are due, an announcement whose time has come), and mailings missed beyond
/// their grace. The rate limit may still hold some of it for a later run.
public struct RunPlan: Sendable {
    /// One mailing of the plan.
    public struct Item: Sendable {
        /// Why the mailing is in the plan.
        public enum Cause: String, Sendable {
            /// Its time has come.
            case due
            /// An invitation already sent, to members who joined the audience since: they get it
            /// until the reminder is due, rather than only the reminder.
            case joined
            /// The occurrence was moved or cancelled after its invitation went out.
            case change
            /// Seats a raised capacity frees, to the first on the waitlist: their seat notices.
            case seat
            /// Recorded by an earlier run and still waiting: a retry, an announcement at its time.
            case waiting
            /// Its grace ended before a run: recorded as skipped, never sent late.
            case missed
        }

        public var mailing: Mailing
        public var cause: Cause
        /// Who gets a message from this run.
        public var recipients: [Recipient]
        /// The calendar SEQUENCE the messages carry.
        public var sequence: Int
        /// Recipients the ledger has as sent already.
        public var alreadySent: Int
        /// Recipients left out, by reason ("suppressed: unsubscribed", "failed", …).
        public var skipped: [String: Int]
        /// For a change or a missed mailing: every address a run records it for (those left out
        /// too, so the ledger says why).
        var recorded: [AddressKey] = []
    }

    public let now: Date
    public let due: DuePlan
    /// In the order a run goes through them: due, changes, waiting, missed.
    public var items: [Item] = []

    /// Every message the run would send.
    public var messageCount: Int { items.reduce(0) { $0 + $1.recipients.count } }

    /// - Parameters:
    ///   - ledger: The ledger as it stands, opened for reading; nil when none exists yet.
    ///   - listingRecipients: Whether to work out who gets a message from what is already due or
    ///     waiting (each due mailing's audience, what earlier runs left in the ledger). A run
    ///     needs neither (it records the whole audience and sends what the ledger has waiting),
    ///     and after a killed 100,000-member run either list would cost more memory than the rest
    ///     of the run; it still needs the late joiners, the changes and the missed mailings, which
    ///     it records from the plan.
    public init(network: LoadedNetwork, ledger: (any Ledger)?, now: Date, listingRecipients: Bool = true)
        throws
    {
        self.now = now
        self.due = DuePlan(network: network, now: now)
        let planner = Planning(network: network, ledger: ledger, now: now)
        var covered: Set<MailingID> = []
        for mailing in due.due {
            items.append(
                listingRecipients
                    ? try planner.dueItem(mailing)
                    : Item(
                        mailing: mailing, cause: .due, recipients: [], sequence: 0, alreadySent: 0,
                        skipped: [:]))
            covered.insert(mailing.id)
        }
        // Late joiners are not in the ledger yet, so the invitation's retries still show as waiting.
        items += try planner.joined(due, except: covered)
        for item in try planner.changes(due) {
            items.append(item)
            covered.insert(item.mailing.id)
        }
        items += try RSVPOccurrences.seatsFreed(due, network: network, ledger: ledger, now: now)
        if listingRecipients { items += try planner.waiting(due, except: covered) }
        items += try planner.missed(due)
    }
}

/// The reading behind a ``RunPlan``: the network's lists, the ledger and the clock.
private struct Planning {
    let network: LoadedNetwork
    let ledger: (any Ledger)?
    let now: Date
    let index: RecipientIndex
    /// Each suppressed address's suppressions, of every list first.
    let suppressions: [AddressKey: [Suppression]]

    init(network: LoadedNetwork, ledger: (any Ledger)?, now: Date) {
        self.network = network
        self.ledger = ledger
        self.now = now
        self.index = RecipientIndex(
            members: network.members.members, partners: network.partners?.partners ?? [])
        var suppressions: [AddressKey: [Suppression]] = [:]
        for entry in (try? ledger?.suppressed()) ?? [] {
            suppressions[entry.address, default: []].append(entry)
        }
        for address in suppressions.keys {
            suppressions[address]?.sort { $0.scope == .all && $1.scope != .all }
        }
        self.suppressions = suppressions
    }

    /// Why `mailing` is held back for `address`, as the ledger would say it; nil when it is not.
    func suppressed(_ address: AddressKey, _ mailing: MailingID) -> String? {
        suppressions[address]?.first { $0.scope.covers(mailing.list) }?.reason
    }

    var configuration: Configuration { network.configuration }
    var zone: TimeZone { configuration.network.timeZone }

    /// A due mailing: its audience, less what the ledger already settled.
    func dueItem(_ mailing: Mailing) throws -> RunPlan.Item {
        var item = RunPlan.Item(
            mailing: mailing, cause: .due, recipients: [], sequence: try sequence(of: mailing),
            alreadySent: 0,
            skipped: [:])
        var known: [AddressKey: LedgerEntry] = [:]
        for entry in try ledger?.entries(of: mailing.id) ?? [] { known[entry.key.recipient] = entry }
        let audience = Planner.recipients(
            of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
        let leftOut = try RSVPOccurrences.leftOut(of: mailing, ledger: ledger)
        for recipient in audience {
            let key = recipient.address.key
            let entry = known[key]
            if entry?.state == .sent {
                item.alreadySent += 1
                continue
            }
            if let status = leftOut[key] {
                item.skipped[status == .declined ? "answered no" : "on the waitlist", default: 0] += 1
                continue
            }
            if let reason = suppressed(key, mailing.id) {
                item.skipped["suppressed: \(reason)", default: 0] += 1
                continue
            }
            guard let entry else {
                item.recipients.append(recipient)
                continue
            }
            switch entry.state {
            case .sent: item.alreadySent += 1
            case .pending: item.recipients.append(recipient)
            case .retrying:
                if let next = entry.nextAttemptAt, next > now {
                    item.skipped["retrying later", default: 0] += 1
                } else {
                    item.recipients.append(recipient)
                }
            // A run first turns what an interrupted run left `sending` into `unknown`.
            case .unknown, .sending:
                if configuration.delivery.resendUnknown {
                    item.recipients.append(recipient)
                } else {
                    item.skipped["held: outcome unknown", default: 0] += 1
                }
            case .failed, .held, .skipped: item.skipped[entry.state.rawValue, default: 0] += 1
            }
        }
        return item
    }

    /// Invitations already recorded whose grace has passed, to the members of their audience who
    /// are not in the ledger yet: a member who joins after the invitation went out still gets it
    /// until the reminder is due (or, without reminders, until the start).
    func joined(_ plan: DuePlan, except covered: Set<MailingID>) throws -> [RunPlan.Item] {
        guard let ledger else { return [] }
        var items: [RunPlan.Item] = []
        for mailing in plan.mailings where mailing.kind == .invitation && !covered.contains(mailing.id) {
            guard let occurrence = mailing.occurrence, mailing.dueAt <= now,
                now < occurrence.start.instant(in: zone), try ledger.mailing(mailing.id) != nil
            else { continue }
            if let reminder = plan.known[.of(.reminder, occurrence.id)], reminder.dueAt <= now { continue }
            let entries = try ledger.entries(of: mailing.id)
            // Only an invitation that went out: one missed beyond its grace stays missed for everyone.
            guard entries.contains(where: { $0.state == .sent }) else { continue }
            let known = Set(entries.map(\.key.recipient))
            let audience = mailing.audience
            var item = RunPlan.Item(
                mailing: mailing, cause: .joined, recipients: [], sequence: try sequence(of: mailing),
                alreadySent: 0, skipped: [:])
            for member in network.members.members where audience.includes(member) {
                let key = member.address.key
                guard !known.contains(key) else { continue }
                if let reason = suppressed(key, mailing.id) {
                    item.skipped["suppressed: \(reason)", default: 0] += 1
                } else {
                    item.recipients.append(.member(member))
                    item.recorded.append(key)
                }
            }
            if !item.recorded.isEmpty { items.append(item) }
        }
        return items
    }

    /// Cancellations and updates a run would record now, to those who got the invitation, and
    /// the same in the partner copy's form to the partner contacts who got the partner copy (the
    /// guests they forwarded it to must not come to a cancelled evening).
    func changes(_ plan: DuePlan) throws -> [RunPlan.Item] {
        guard let ledger else { return [] }
        var items: [RunPlan.Item] = []
        /// `mailing` and its partner copy, each to those who got its invitation, once.
        func tell(_ mailing: Mailing, sequence: Int) throws {
            for told in [mailing, mailing.partnerCopy].compactMap({ $0 }) {
                guard let invitation = told.id.invitation, try ledger.mailing(told.id) == nil else {
                    continue
                }
                let invited = try ledger.recipients(of: invitation, state: .sent)
                guard !invited.isEmpty else { continue }
                var item = resolved(told, cause: .change, addresses: invited, sequence: sequence)
                item.recorded = invited
                items.append(item)
            }
        }
        for mailing in plan.mailings where mailing.kind == .cancellation {
            guard let occurrence = mailing.occurrence, now < occurrence.start.instant(in: zone) else {
                continue
            }
            try tell(mailing, sequence: try sequence(of: mailing))
        }
        for mailing in plan.mailings where mailing.kind == .invitation {
            guard let occurrence = mailing.occurrence, !occurrence.cancelled,
                now < occurrence.start.instant(in: zone), try ledger.mailing(mailing.id) != nil,
                let version = try ledger.occurrenceVersion(occurrence.id),
                version.fingerprint != Dispatcher.fingerprint(occurrence)
            else { continue }
            let update = Mailing(
                kind: .update, occurrence: occurrence, dueAt: now, sequence: version.sequence + 1)
            try tell(update, sequence: version.sequence + 1)
        }
        return items
    }

    /// What earlier runs recorded and a run would send now, by mailing.
    func waiting(_ plan: DuePlan, except covered: Set<MailingID>) throws -> [RunPlan.Item] {
        guard let ledger else { return [] }
        var order: [MailingID] = []
        var byMailing: [MailingID: [AddressKey]] = [:]
        for entry in try ledger.waiting(now: now, resendUnknown: configuration.delivery.resendUnknown)
        where !covered.contains(entry.key.mailing) {
            if byMailing[entry.key.mailing] == nil { order.append(entry.key.mailing) }
            byMailing[entry.key.mailing, default: []].append(entry.key.recipient)
        }
        return try order.compactMap { id -> RunPlan.Item? in
            let addresses = byMailing[id] ?? []
            if case .join = id.form {
                // Sign-up confirmations: each to the one address that asked, which no list names.
                var mailing = Mailing(announcement: "", segments: [], dueAt: now)
                mailing.id = id
                mailing.kind = .join
                let requests = try addresses.compactMap {
                    try ledger.signupRequest(DeliveryKey(mailing: id, recipient: $0))
                }
                return RunPlan.Item(
                    mailing: mailing, cause: .waiting,
                    recipients: requests.map { .member(JoinedMember(request: $0, joinedAt: now).member) },
                    sequence: 0, alreadySent: 0, skipped: [:])
            }
            guard let mailing = plan.mailing(id) else {
                var fallback = Mailing(announcement: "", segments: [], dueAt: now)
                fallback.id = id
                return RunPlan.Item(
                    mailing: fallback, cause: .waiting, recipients: [], sequence: 0, alreadySent: 0,
                    skipped: ["the mailing is gone": addresses.count])
            }
            return resolved(
                mailing, cause: .waiting, addresses: addresses, sequence: try sequence(of: mailing))
        }
    }

    /// Mailings whose grace ended before a run, as a run records them: skipped, once.
    func missed(_ plan: DuePlan) throws -> [RunPlan.Item] {
        var items: [RunPlan.Item] = []
        for mailing in plan.mailings where mailing.kind != .cancellation {
            let latest = configuration.schedule.grace.after(mailing.dueAt, in: zone)
            let start = mailing.occurrence?.start.instant(in: zone) ?? .distantFuture
            guard latest <= now, now < start, now.timeIntervalSince(mailing.dueAt) < 3 * 86_400,
                try ledger?.mailing(mailing.id) == nil
            else { continue }
            var recipients = Planner.recipients(
                of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
            if mailing.kind == .cancellation, let ledger, let invitation = mailing.id.invitation {
                let invited = Set(try ledger.recipients(of: invitation, state: .sent))
                recipients = recipients.filter { invited.contains($0.address.key) }
            }
            guard !recipients.isEmpty else { continue }
            let due = MessageEncoder.rfc5322Date(mailing.dueAt, in: zone)
            items.append(
                RunPlan.Item(
                    mailing: mailing, cause: .missed, recipients: [], sequence: 0, alreadySent: 0,
                    skipped: [
                        "missed: due \(due), and the grace period ended before a run": recipients.count
                    ],
                    recorded: recipients.map(\.address.key)))
        }
        return items
    }

    /// `mailing` to the addresses the ledger names, each found in the lists as a run finds it.
    private func resolved(
        _ mailing: Mailing, cause: RunPlan.Item.Cause, addresses: [AddressKey], sequence: Int
    )
        -> RunPlan.Item
    {
        var item = RunPlan.Item(
            mailing: mailing, cause: cause, recipients: [], sequence: sequence, alreadySent: 0, skipped: [:])
        for address in addresses {
            let key = DeliveryKey(mailing: mailing.id, recipient: address)
            if let reason = suppressed(address, mailing.id) {
                item.skipped["suppressed: \(reason)", default: 0] += 1
            } else if let recipient = index.recipient(of: key, kind: mailing.kind),
                !(recipient.member.map { !$0.isActive } ?? false)
            {
                item.recipients.append(recipient)
            } else {
                item.skipped["no longer an active member or partner", default: 0] += 1
            }
        }
        return item
    }

    /// The calendar SEQUENCE a run gives the mailing's messages (see `Dispatcher.calendarSequence`).
    private func sequence(of mailing: Mailing) throws -> Int {
        guard let occurrence = mailing.occurrence else { return 0 }
        if let sequence = mailing.id.sequence { return sequence }
        let current = try ledger?.occurrenceVersion(occurrence.id)?.sequence ?? 0
        return mailing.kind.isCancellation ? current + 1 : current
    }
}

extension Recipient {
    /// The member, when the recipient is one.
    public var member: Member? {
        if case .member(let member) = self { return member }
        return nil
    }
}
