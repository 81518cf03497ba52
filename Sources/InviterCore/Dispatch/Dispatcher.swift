import Foundation
import Synchronization

/// What one run did, for the summary line, `--json` and the exit code.
public struct RunSummary: Sendable, Codable {
    public var mailingsDue: [String] = []
    public var registered = 0
    public var sent = 0
    public var retrying = 0
    public var failed = 0
    public var unknown = 0
    public var skipped = 0
    public var recovered = 0
    public var expired = 0
    /// Deliveries left waiting because the rate limit's budget was spent.
    public var waitingForRateLimit = 0
    /// Set when the run stopped early: the relay refused for security, or could not be reached.
    public var stoppedBecause: String?
    public var stopKind: StopKind?

    public enum StopKind: String, Sendable, Codable { case security, unreachable, configuration }

    public init() {}

    /// One paragraph for the log.
    public var text: String {
        var parts = [counted(mailingsDue.count, "mailing") + " due"]
        parts.append("\(sent) sent")
        if retrying > 0 { parts.append("\(retrying) to retry later") }
        if failed > 0 { parts.append("\(failed) failed permanently") }
        if unknown > 0 { parts.append("\(unknown) with unknown outcome") }
        if skipped > 0 { parts.append("\(skipped) skipped") }
        if waitingForRateLimit > 0 { parts.append("\(waitingForRateLimit) waiting for the rate limit") }
        if recovered > 0 { parts.append("\(recovered) found in doubt from an interrupted run") }
        if expired > 0 { parts.append("\(expired) given up because the event started") }
        var text = parts.joined(separator: ", ") + "."
        if let stoppedBecause { text += " Stopped: \(stoppedBecause)." }
        return text
    }
}

/// One run: plan → record → render → deliver → report.
///
/// The ledger is written before and after every hand-over, so a run killed
/// at any instant loses nothing: the next run finds what was in flight
/// (`unknown`, sent again with the same Message-ID) and everything not yet
/// tried (`pending`).
public struct Dispatcher: Sendable {
    public let network: LoadedNetwork
    public let renderer: MessageRenderer
    public let ledger: any Ledger
    public let transport: any Transport
    /// Messages rendered and handed over at a time: memory stays flat however long the list (two
    /// batches of about 8 KB a message are held at once: 1000 took a 100,000-member run past
    /// 150 MB), and the pause at the end of each batch, while the connections finish their last
    /// messages, comes seldom (200 left a tenth of a run in those pauses).
    public var batchSize = 500
    /// Receives progress (sent so far in this run, and how many there are to send), for a terminal's live line.
    public var progress: (@Sendable (_ sent: Int, _ total: Int) -> Void)?

    public init(
        network: LoadedNetwork, renderer: MessageRenderer, ledger: any Ledger, transport: any Transport
    ) {
        self.network = network
        self.renderer = renderer
        self.ledger = ledger
        self.transport = transport
    }

    var configuration: Configuration { network.configuration }
    var zone: TimeZone { configuration.network.timeZone }

    /// Retry delays after the 1st, 2nd, 3rd and later temporary failures.
    static let backoff: [TimeInterval] = [5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60]

    public func run(now: Date) async throws -> RunSummary {
        var summary = RunSummary()
        summary.recovered = try ledger.recoverInterrupted(now: now)

        // Plan and record: each due mailing with its recipients, once.
        let known = knownMailings(now: now)
        // Cancellations are not due at a planned time: `announceChanges` sends one when it sees it.
        let due = known.values.filter {
            $0.kind != .cancellation
                && Planner.isDue($0, at: now, schedule: configuration.schedule, zone: zone)
        }
        .sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
        summary.mailingsDue = due.map(\.id)
        for mailing in due {
            summary.registered += try register(
                mailing.id, kind: mailing.kind, dueAt: mailing.dueAt, deadline: deadline(of: mailing),
                addresses: try recipientAddresses(of: mailing), now: now)
        }
        try announceChanges(known: known, now: now, summary: &summary)
        try skipMissed(known: known, now: now, summary: &summary)
        summary.expired = try ledger.expire(now: now, reason: "gave up: the event has started")

        // Deliver in batches, rendering each message just before it goes.
        let recipientsByAddress = recipientIndex()
        let total =
            progress == nil
            ? 0
            : try ledger.ready(now: now, resendUnknown: configuration.delivery.resendUnknown, limit: Int.max)
                .count
        // Each delivery is attempted at most once per run: an unknown outcome is ready again at once,
        // and must wait for the next run rather than loop here. Only those are remembered (not
        // every key of the run, which cost 17 MB at 100,000 members).
        var attempted: Set<DeliveryKey> = []
        let deadlines = Dictionary(uniqueKeysWithValues: known.values.map { ($0.id, deadline(of: $0)) })
        // While one batch is being sent (libcurl's thread, the relay), the next is rendered: the two
        // used to take turns. Messages are marked `sending` a small group at a time just before
        // they are handed over (see `send`), so a killed run leaves only a handful in doubt.
        // The transport keeps its connections from batch to batch; they close when the run ends.
        defer { transport.finish() }
        var current = try nextBatch(
            excluding: [], attempted: attempted, known: known, recipients: recipientsByAddress, now: now,
            summary: &summary)
        while let batch = current {
            let sentBefore = summary.sent
            async let sending = send(
                batch, deadlines: deadlines, now: now, total: total, sentBefore: sentBefore)
            var next: Batch? = nil
            if summary.waitingForRateLimit == 0 {
                next = try nextBatch(
                    excluding: batch.keys, attempted: attempted, known: known,
                    recipients: recipientsByAddress,
                    now: now, summary: &summary)
            }
            let result = try await sending
            summary.sent += result.states[.sent, default: 0]
            summary.retrying += result.states[.retrying, default: 0]
            summary.failed += result.states[.failed, default: 0]
            summary.unknown += result.states[.unknown, default: 0]
            attempted.formUnion(result.readyAgain)
            if let stop = result.stop {
                // The next batch was only rendered: nothing of it was marked or handed over.
                summary.stoppedBecause = stop.description
                switch stop {
                case .security: summary.stopKind = .security
                case .unreachable: summary.stopKind = .unreachable
                case .configuration: summary.stopKind = .configuration
                }
                break
            }
            current = next
        }
        return summary
    }

    /// One batch, rendered and ready to hand over.
    struct Batch: Sendable {
        var envelopes: [Envelope]
        var entries: [String: LedgerEntry]
        var keys: Set<DeliveryKey> { Set(entries.values.map(\.key)) }
    }

    /// What sending a batch came to.
    struct BatchResult: Sendable {
        var states: [DeliveryState: Int] = [:]
        /// Deliveries still ready to send (an unknown outcome, or one the transport never
        /// reported), which this run must not try again.
        var readyAgain: Set<DeliveryKey> = []
        var stop: TransportError?
    }

    /// The next deliveries to send, within the rate budget, rendered; nil when there are none.
    private func nextBatch(
        excluding inFlight: Set<DeliveryKey>, attempted: Set<DeliveryKey>, known: [String: Mailing],
        recipients: RecipientIndex, now: Date, summary: inout RunSummary
    ) throws -> Batch? {
        while true {
            var entries = try ledger.ready(
                now: now, resendUnknown: configuration.delivery.resendUnknown,
                limit: batchSize + attempted.count + inFlight.count
            ).filter { !attempted.contains($0.key) && !inFlight.contains($0.key) }
            entries = Array(entries.prefix(batchSize))
            if entries.isEmpty { return nil }
            if let rate = configuration.delivery.rate {
                let granted = try ledger.takeTokens(entries.count, rate: rate, now: now)
                if granted < entries.count {
                    let waiting = try ledger.ready(
                        now: now, resendUnknown: configuration.delivery.resendUnknown, limit: Int.max)
                    summary.waitingForRateLimit =
                        waiting.filter { !attempted.contains($0.key) && !inFlight.contains($0.key) }.count
                        - granted
                    entries = Array(entries.prefix(granted))
                }
                if entries.isEmpty { return nil }
            }
            let batch = try prepare(
                entries, known: known, recipients: recipients, now: now, summary: &summary)
            // A batch whose every entry was skipped (members gone) sends nothing: take the next.
            if !batch.envelopes.isEmpty { return batch }
        }
    }

    /// Renders one batch; entries whose recipient or mailing is gone are recorded as skipped.
    private func prepare(
        _ entries: [LedgerEntry], known: [String: Mailing], recipients: RecipientIndex, now: Date,
        summary: inout RunSummary
    ) throws -> Batch {
        var envelopes: [Envelope] = []
        var byID: [String: LedgerEntry] = [:]
        var skipped: [DeliveryKey] = []
        var jobs: [(LedgerEntry, RenderRequest)] = []
        // One ledger read per mailing, not per recipient.
        var sequences: [String: Int] = [:]
        for entry in entries {
            // A person who is both a member and a partner contact gets both messages: look in the right list.
            let forPartners =
                known[entry.key.mailingID]?.kind == .partner
                || entry.key.mailingID.hasSuffix(Self.partnerSuffix)
            guard let mailing = resolve(entry.key.mailingID, known: known),
                let recipient = recipients.recipient(entry.key.recipient, partner: forPartners)
            else {
                skipped.append(entry.key)
                continue
            }
            if case .member(let member) = recipient, member.status != .active {
                skipped.append(entry.key)
                continue
            }
            let sequence = try sequences[mailing.id] ?? calendarSequence(of: mailing)
            sequences[mailing.id] = sequence
            jobs.append(
                (entry, RenderRequest(mailing: mailing, recipient: recipient, sequence: sequence, now: now)))
        }
        for (entry, envelope) in try render(jobs) {
            envelopes.append(envelope)
            byID[envelope.id] = entry
        }
        if !skipped.isEmpty {
            try ledger.skip(
                skipped, reason: "no longer an active member or partner, or the mailing is gone", now: now)
            summary.skipped += skipped.count
        }
        return Batch(envelopes: envelopes, entries: byID)
    }

    /// Marks the messages `sending` a few at a time as they are handed over, and records their
    /// outcomes in the same commits.
    ///
    /// A commit per message would cost an fsync per message, so commits are grouped: the transport
    /// asks to mark a group at a time (on a thread of its own, ahead of the messages being sent),
    /// and the outcomes that came in since the last group are recorded in the same commit. A run
    /// killed now leaves in doubt the groups marked and not yet done, and the messages whose
    /// outcome was not yet committed; they are sent again with the same Message-ID. A commit that
    /// fails stops the transport; what it held stays `sending`, for the next run to resolve.
    private func send(
        _ batch: Batch, deadlines: [String: Date?], now: Date, total: Int, sentBefore: Int
    ) async throws -> BatchResult {
        let outcome = Mutex(Outcome())
        let ledger = self.ledger
        let entriesByID = batch.entries
        let progress = self.progress
        var stop: TransportError?
        /// Commits the outcomes waiting and marks `keys`. The transport marks one group at a time
        /// and the last call comes after it returns, so commits never overlap; the lock is held
        /// only to take the outcomes, so the libcurl thread never waits for a commit to report one.
        let settle: @Sendable ([DeliveryKey]) throws -> Void = { keys in
            let waiting = outcome.withLock { outcome in
                defer { outcome.uncommitted.removeAll(keepingCapacity: true) }
                return outcome.uncommitted
            }
            try ledger.settle(waiting, marking: keys, now: now)
        }
        do {
            let willSend: @Sendable ([String]) throws -> Void = { ids in
                try settle(ids.compactMap { entriesByID[$0]?.key })
            }
            try await transport.deliver(batch.envelopes, willSend: willSend) { result in
                guard let entry = entriesByID[result.id] else { return }
                let recorded = Dispatcher.outcome(
                    of: result, entry: entry, deadline: deadlines[entry.key.mailingID] ?? nil, now: now)
                let sent = outcome.withLock { outcome -> Int in
                    outcome.uncommitted.append(recorded)
                    outcome.reported.insert(result.id)
                    if recorded.state == .unknown { outcome.readyAgain.insert(entry.key) }
                    outcome.states[recorded.state, default: 0] += 1
                    return outcome.states[.sent, default: 0]
                }
                progress?(sentBefore + sent, total)
            }
        } catch let error as TransportError {
            stop = error
        }
        do {
            try settle([])
        } catch {
            throw LedgerWriteError(description: "\(error)")
        }
        let final = outcome.withLock { $0 }
        var result = BatchResult(states: final.states, readyAgain: final.readyAgain, stop: stop)
        for envelope in batch.envelopes where !final.reported.contains(envelope.id) {
            guard let key = batch.entries[envelope.id]?.key else { continue }
            // Messages never handed over go back to waiting, for the next run.
            if let stop {
                try ledger.record(
                    key, state: .pending, reply: "not attempted: \(stop)", retryAt: nil, now: now)
            }
            result.readyAgain.insert(key)
        }
        return result
    }

    /// Renders and encodes a batch, in order, on the calling thread.
    ///
    /// One thread is enough: filling in a prepared message takes a fraction of the time sending it
    /// does, and rendering on every core starved libcurl's thread (and a relay on the same host) of
    /// the CPU it needs to keep the connections busy.
    private func render(_ jobs: [(LedgerEntry, RenderRequest)]) throws -> [(LedgerEntry, Envelope)] {
        let sender = configuration.network.from
        return try jobs.map { entry, request in
            let rendered = try renderer.render(request)
            let envelope = Envelope(
                id: "\(entry.key.mailingID) \(entry.key.recipient)", sender: sender,
                recipient: request.recipient.address, data: try rendered.encoded())
            return (entry, envelope)
        }
    }

    private struct Outcome {
        var reported: Set<String> = []
        var readyAgain: Set<DeliveryKey> = []
        var states: [DeliveryState: Int] = [:]
        /// Outcomes reported and not yet committed.
        var uncommitted: [RecordedOutcome] = []
    }

    /// What the ledger records for one result.
    static func outcome(of result: DeliveryResult, entry: LedgerEntry, deadline: Date?, now: Date)
        -> RecordedOutcome
    {
        let reply = result.reply.map { "\($0)" } ?? result.detail
        switch result.outcome {
        case .delivered:
            return RecordedOutcome(key: entry.key, state: .sent, reply: reply)
        case .unknown:
            return RecordedOutcome(key: entry.key, state: .unknown, reply: "\(result.detail); \(reply)")
        case .permanent:
            // "No such user" (5.1.x): never write to this address again.
            let bounced = result.reply?.text.hasPrefix("5.1.") == true ? "bounced: \(reply)" : nil
            return RecordedOutcome(key: entry.key, state: .failed, reply: reply, suppression: bounced)
        case .temporary:
            let delay = backoff[min(max(entry.attempts, 1), backoff.count) - 1]
            let retryAt = now.addingTimeInterval(delay)
            if let deadline, retryAt >= deadline {
                return RecordedOutcome(
                    key: entry.key, state: .failed, reply: "gave up before the event: \(reply)")
            }
            return RecordedOutcome(key: entry.key, state: .retrying, reply: reply, retryAt: retryAt)
        }
    }

    /// Every mailing the ledger may still hold deliveries for, by id: from a day back to well ahead.
    func knownMailings(now: Date) -> [String: Mailing] {
        var mailings = Planner.mailings(
            around: now, events: network.events, schedule: configuration.schedule, zone: zone,
            horizonDays: 400)
        mailings += Planner.newsletters(
            around: now, events: network.events, schedule: configuration.schedule, zone: zone, daysBack: 3,
            daysAhead: 0)
        return Dictionary(mailings.map { ($0.id, $0) }) { first, _ in first }
    }

    /// The mailing behind a ledger id: a planned one, an announcement, or an update of a planned occurrence.
    func resolve(_ id: String, known: [String: Mailing]) -> Mailing? {
        if let mailing = known[id] ?? Self.announcement(id) { return mailing }
        // update/<event>/<date>/<sequence>
        let parts = id.split(separator: "/")
        guard parts.count == 4, parts[0] == "update",
            let occurrence = known["invitation/\(parts[1])/\(parts[2])"]?.occurrence
        else { return nil }
        var mailing = Mailing(kind: .update, occurrence: occurrence, dueAt: .distantPast)
        mailing.id = id
        return mailing
    }

    /// What an occurrence's members were told: its time and place.
    static func fingerprint(_ occurrence: Occurrence) -> String {
        "\(occurrence.start)|\(occurrence.end)|\(occurrence.venue)"
    }

    /// The calendar SEQUENCE for a message: the occurrence's current one, the update's own, or one
    /// more for a cancellation, which must outrank everything announced before it.
    func calendarSequence(of mailing: Mailing) throws -> Int {
        guard let occurrence = mailing.occurrence else { return 0 }
        if mailing.kind == .update, let last = mailing.id.split(separator: "/").last, let sequence = Int(last)
        {
            return sequence
        }
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
    private func announceChanges(known: [String: Mailing], now: Date, summary: inout RunSummary) throws {
        for mailing in known.values where mailing.kind == .cancellation {
            guard let occurrence = mailing.occurrence, now < occurrence.start.instant(in: zone),
                try ledger.mailing(mailing.id) == nil
            else { continue }
            let invited = try ledger.recipients(of: "invitation/\(occurrence.id)", state: .sent)
            guard !invited.isEmpty else { continue }
            summary.registered += try register(
                mailing.id, kind: .cancellation, dueAt: now, deadline: occurrence.start.instant(in: zone),
                addresses: invited, now: now)
            summary.mailingsDue.append(mailing.id)
        }
        for mailing in known.values where mailing.kind == .invitation {
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
                var update = Mailing(kind: .update, occurrence: occurrence, dueAt: now)
                update.id = "update/\(occurrence.id)/\(sequence)"
                summary.registered += try register(
                    update.id, kind: .update, dueAt: now, deadline: occurrence.start.instant(in: zone),
                    addresses: invited, now: now)
                summary.mailingsDue.append(update.id)
            }
            try ledger.setOccurrenceVersion(
                occurrence.id, fingerprint: fingerprint, sequence: sequence, now: now)
        }
    }

    /// The mailing behind an `announcement/<name>/<date>` id, which the ledger holds but no event produces.
    static func announcement(_ id: String) -> Mailing? {
        let parts = id.split(separator: "/")
        // announcement/<name>/<date>, and …/partners for the copy to partner contacts.
        guard parts.count == 3 || (parts.count == 4 && parts[3] == "partners"), parts[0] == "announcement"
        else {
            return nil
        }
        var mailing = Mailing(announcement: String(parts[1]), segments: ["all"], dueAt: .distantPast)
        mailing.id = id
        return mailing
    }

    /// The suffix of the ledger id under which an announcement's partner contacts are recorded,
    /// apart from the members, so a person who is both gets both messages.
    static let partnerSuffix = "/partners"

    /// Registers a one-off announcement of template `name` to the members of `segments` (none when
    /// empty) and the partner contacts of `partnerKinds`, due at `at`.
    ///
    /// - Returns: the mailing and how many recipients were registered; its id carries the local
    ///   date, so the same template can be announced again another day.
    public func registerAnnouncement(
        _ name: String, segments: [String], partnerKinds: [PartnerKind] = [], at: Date, now: Date
    ) throws -> (Mailing, Int) {
        var mailing = Mailing(announcement: name, segments: segments, dueAt: at)
        mailing.id = "announcement/\(name)/\(LocalDateTime(at, in: zone).date)"
        let deadline = at.addingTimeInterval(7 * 86_400)
        var count = 0
        if !segments.isEmpty {
            let members = Planner.recipients(of: mailing, members: network.members.members, partners: [])
            count += try register(
                mailing.id, kind: .announcement, dueAt: at, deadline: deadline,
                addresses: members.map(\.address.address), now: now)
        }
        if !partnerKinds.isEmpty {
            let kinds = Set(partnerKinds)
            let partners = (network.partners?.partners ?? []).filter { kinds.contains($0.kind) }.map(
                Recipient.partner)
            count += try register(
                mailing.id + Self.partnerSuffix, kind: .announcement, dueAt: at, deadline: deadline,
                addresses: partners.map(\.address.address),
                now: now)
        }
        return (mailing, count)
    }

    /// Records a mailing and its recipients (with their stable Message-IDs) in the ledger; returns how many were new.
    private func register(
        _ id: String, kind: MailingKind, dueAt: Date, deadline: Date?, addresses: [String], now: Date
    ) throws -> Int {
        let record = MailingRecord(id: id, kind: kind, dueAt: dueAt, deadline: deadline)
        // In slices, so a list of 100,000 never has all its Message-IDs in memory at once.
        var added = 0
        for start in stride(from: 0, to: addresses.count, by: 10_000) {
            let slice = addresses[start..<min(start + 10_000, addresses.count)]
            added += try ledger.register(
                record,
                recipients: slice.map {
                    ($0.lowercased(), renderer.messageID(mailingID: id, recipient: $0).value)
                },
                now: now)
        }
        if addresses.isEmpty { added += try ledger.register(record, recipients: [], now: now) }
        return added
    }

    /// The addresses a due mailing is recorded for: its audience read straight from the list for
    /// the common kinds (a list of `Recipient`s would copy every member), else its recipients.
    func recipientAddresses(of mailing: Mailing) throws -> [String] {
        switch mailing.kind {
        case .invitation, .reminder, .update, .announcement:
            let isIn = Planner.audienceTest(mailing.segments)
            var addresses: [String] = []
            for member in network.members.members where isIn(member) {
                addresses.append(member.address.address)
            }
            return addresses
        case .partner, .newsletter, .cancellation:
            return try recipients(of: mailing).map(\.address.address)
        }
    }

    /// After the occurrence starts nothing of its mailings goes out; a newsletter's grace is its deadline.
    func deadline(of mailing: Mailing) -> Date? {
        if let occurrence = mailing.occurrence { return occurrence.start.instant(in: zone) }
        return configuration.schedule.grace.after(mailing.dueAt, in: zone)
    }

    /// The recipients of a due mailing; a cancellation only reaches those who were invited.
    func recipients(of mailing: Mailing) throws -> [Recipient] {
        let all = Planner.recipients(
            of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
        guard mailing.kind == .cancellation, let occurrence = mailing.occurrence else { return all }
        let invited = Set(try ledger.recipients(of: "invitation/\(occurrence.id)", state: .sent))
        return all.filter { invited.contains($0.address.address.lowercased()) }
    }

    /// Mailings whose grace has ended without a run: recorded as skipped, once, so `status` shows
    /// them, and never sent late.
    private func skipMissed(known: [String: Mailing], now: Date, summary: inout RunSummary) throws {
        for mailing in known.values where mailing.kind != .cancellation {
            let latest = configuration.schedule.grace.after(mailing.dueAt, in: zone)
            let start = mailing.occurrence?.start.instant(in: zone) ?? .distantFuture
            guard latest <= now, now < start, try ledger.mailing(mailing.id) == nil else { continue }
            // Only a mailing due within the last days is worth reporting; older ones predate this ledger.
            guard now.timeIntervalSince(mailing.dueAt) < 3 * 86_400 else { continue }
            let recipients = try recipients(of: mailing)
            _ = try register(
                mailing.id, kind: mailing.kind, dueAt: mailing.dueAt, deadline: deadline(of: mailing),
                addresses: recipients.map(\.address.address), now: now)
            let due = MessageEncoder.rfc5322Date(mailing.dueAt, in: zone)
            let keys = recipients.map { DeliveryKey(mailingID: mailing.id, recipient: $0.address.address) }
            try ledger.skip(
                keys, reason: "missed: due \(due), and the grace period ended before a run", now: now)
            summary.skipped += keys.count
        }
    }

    /// Members and partner contacts by lowercased address, as positions in the lists: a
    /// dictionary of whole `Member` values cost 44 MB at 100,000 members, one of positions 6 MB.
    struct RecipientIndex {
        var memberList: [Member] = []
        var partnerList: [Partner] = []
        var members: [String: Int] = [:]
        var partners: [String: Int] = [:]

        func recipient(_ address: String, partner: Bool) -> Recipient? {
            if partner { return partners[address].map { .partner(partnerList[$0]) } }
            return members[address].map { .member(memberList[$0]) }
        }
    }

    private func recipientIndex() -> RecipientIndex {
        var index = RecipientIndex(
            memberList: network.members.members, partnerList: network.partners?.partners ?? [])
        index.partners.reserveCapacity(index.partnerList.count)
        for (position, partner) in index.partnerList.enumerated() {
            index.partners[partner.address.key] = position
        }
        index.members.reserveCapacity(index.memberList.count)
        for (position, member) in index.memberList.enumerated() {
            index.members[member.address.key] = position
        }
        return index
    }
}

/// The ledger could not be written while outcomes were being recorded.
public struct LedgerWriteError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
