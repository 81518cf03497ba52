import Foundation
import Synchronization

/// One run: plan → record → render → deliver → report.
///
/// The ledger is written before and after every hand-over, so a run killed at any instant loses
/// nothing: the next run finds what was in flight (`unknown`, sent again with the same
/// Message-ID) and everything not yet tried (`pending`). How the three threads of a run (rendering,
/// sending, marking) work together is drawn in `Dispatch/README.md`.
public struct Dispatcher: Sendable {
    public let network: LoadedNetwork
    public let renderer: MessageRenderer
    public let ledger: any Ledger
    public let transport: any Transport
    /// Messages rendered and handed over at a time: memory stays flat however long the list (two
    /// batches of about 8 KB a message are held at once, three with `[dkim]`: 1000 took a
    /// 100,000-member run past 150 MB), and the pause at the end of each batch, while the
    /// connections finish their last messages, comes seldom (200 left a tenth of a run in those
    /// pauses).
    public var batchSize = 500
    /// What the run's last batch is halved down to. Nothing is left to render or sign while the
    /// last batch is sent: at 10,000 members signed with RSA, a whole batch of 500 left the last
    /// 0.16 s of a 4.8 s run to the transport alone, one of the two cores idle; in halves (250,
    /// 125, 63, 62) the transport's stretch alone is the last 0.03–0.09 s, and the batches before
    /// it are sent while the next is still being signed.
    public var smallestBatch = 64
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

    /// Records what is due at `now` and sends everything waiting in the ledger.
    ///
    /// - Throws: ``TransportClaim/Conflict`` when the ledger's sent deliveries went through another
    ///   transport (a trial into the outbox), before anything is recorded or sent.
    public func run(now: Date) async throws -> RunSummary {
        try TransportClaim.claim(ledger, for: configuration)
        var summary = RunSummary()
        summary.recovered = try ledger.recoverInterrupted(now: now)

        // Plan (the same plan a dry run prints and a preview renders), then record: each due
        // mailing with its recipients, each change to those invited, each missed mailing, once.
        let plan = try RunPlan(network: network, ledger: ledger, now: now, listingRecipients: false)
        summary.mailingsDue = plan.due.due.map(\.id.description)
        summary.promoted = try promoteWaitlisted(plan.due, now: now)
        for mailing in plan.due.due {
            summary.registered += try register(
                mailing.id, kind: mailing.kind, dueAt: mailing.dueAt, deadline: deadline(of: mailing),
                addresses: try recipientAddresses(of: mailing), now: now)
        }
        for item in plan.items where item.cause == .joined {
            summary.registered += try register(
                item.mailing.id, kind: item.mailing.kind, dueAt: item.mailing.dueAt,
                deadline: deadline(of: item.mailing),
                addresses: item.recorded, now: now)
            summary.mailingsDue.append(item.mailing.id.description)
        }
        try recordChanges(plan, now: now, summary: &summary)
        try recordMissed(plan, now: now, summary: &summary)
        summary.expired = try ledger.expire(now: now, reason: "gave up: the event has started")
        try await deliverWaiting(plan.due, now: now, summary: &summary)
        return summary
    }

    /// Sends what the ledger has waiting of `mailings` and nothing else, without planning or
    /// recording anything new: what `inviter announce` does right after recording its
    /// announcement, so that a reminder that happens to be due waits for its own run.
    public func deliver(only mailings: Set<MailingID>, now: Date) async throws -> RunSummary {
        try TransportClaim.claim(ledger, for: configuration)
        var summary = RunSummary()
        summary.recovered = try ledger.recoverInterrupted(now: now)
        summary.mailingsDue = mailings.map(\.description).sorted()
        try await deliverWaiting(
            DuePlan(network: network, now: now), only: mailings, now: now, summary: &summary)
        return summary
    }

    /// Sends what the ledger has waiting (of `only`, when given), in batches, each rendered just
    /// before it goes.
    private func deliverWaiting(
        _ plan: DuePlan, only: Set<MailingID>? = nil, now: Date, summary: inout RunSummary
    ) async throws {
        let recipients = RecipientIndex(
            members: network.members.members, partners: network.partners?.partners ?? [])
        let total =
            progress == nil
            ? 0
            : try ledger.ready(
                now: now, resendUnknown: configuration.delivery.resendUnknown, limit: Int.max, mailings: only
            ).count
        // Each delivery is attempted at most once per run: an unknown outcome is ready again at once,
        // and must wait for the next run rather than loop here. Only those are remembered (not
        // every key of the run, which cost 17 MB at 100,000 members).
        var attempted: Set<DeliveryKey> = []
        let deadlines = Dictionary(uniqueKeysWithValues: plan.known.values.map { ($0.id, deadline(of: $0)) })
        // While one batch is being sent (libcurl's thread, the relay), the next is rendered: the two
        // used to take turns. With `[dkim]` two batches are rendered ahead, so the signing threads
        // always have work while the transport sends and the transport never waits for the
        // signatures. The transport keeps its connections from batch to batch; they close when the
        // run ends.
        defer { transport.finish() }
        let workers = renderer.dkim == nil ? nil : SigningWorkers()
        defer { workers?.finish() }
        let depth = workers == nil ? 1 : 2
        var current = try nextBatch(
            excluding: [], attempted: attempted, only: only, plan: plan, recipients: recipients, now: now,
            workers: workers, summary: &summary)?.ready()
        var ahead: [PendingBatch] = []
        while let batch = current {
            let sentBefore = summary.sent
            async let sending = send(
                batch, deadlines: deadlines, now: now, total: total, sentBefore: sentBefore)
            while ahead.count < depth, summary.waitingForRateLimit == 0 {
                let excluded = ahead.reduce(batch.keys) { $0.union($1.keys) }
                guard
                    let pending = try nextBatch(
                        excluding: excluded, attempted: attempted, only: only, plan: plan,
                        recipients: recipients, now: now, workers: workers, summary: &summary)
                else { break }
                ahead.append(pending)
            }
            let result = try await sending
            summary.sent += result.states[.sent, default: 0]
            summary.retrying += result.states[.retrying, default: 0]
            summary.failed += result.states[.failed, default: 0]
            summary.unknown += result.states[.unknown, default: 0]
            summary.skipped += result.withheld
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
            current = ahead.isEmpty ? nil : try ahead.removeFirst().ready()
        }
    }

    /// One batch, rendered and ready to hand over.
    struct Batch: Sendable {
        var envelopes: [Envelope]
        var entries: [DeliveryKey: LedgerEntry]
        var keys: Set<DeliveryKey> { Set(entries.keys) }
    }

    /// One batch, rendered, whose signatures may still be in the making on the signing threads.
    struct PendingBatch {
        var entries: [DeliveryKey: LedgerEntry]
        fileprivate var messages: [(LedgerEntry, Envelope)]
        fileprivate var signing: SignedMessages?
        var keys: Set<DeliveryKey> { Set(entries.keys) }

        /// The batch, once each of its messages is signed.
        func ready() throws -> Batch {
            var messages = messages
            if let signing {
                for (index, bytes) in try signing.wait().enumerated() {
                    let unsigned = messages[index].1
                    messages[index].1 = Envelope(
                        key: unsigned.key, sender: unsigned.sender, recipient: unsigned.recipient, data: bytes
                    )
                }
            }
            return Batch(envelopes: messages.map(\.1), entries: entries)
        }
    }

    /// The next deliveries to send, within the rate budget, rendered; nil when there are none.
    private func nextBatch(
        excluding inFlight: Set<DeliveryKey>, attempted: Set<DeliveryKey>, only: Set<MailingID>?,
        plan: DuePlan, recipients: RecipientIndex, now: Date, workers: SigningWorkers?,
        summary: inout RunSummary
    ) throws -> PendingBatch? {
        while true {
            // One more than a batch, to tell the last batch from the others.
            var entries = try ledger.ready(
                now: now, resendUnknown: configuration.delivery.resendUnknown,
                limit: batchSize + 1 + attempted.count + inFlight.count, mailings: only
            ).filter { !attempted.contains($0.key) && !inFlight.contains($0.key) }
            let isLast = entries.count <= batchSize
            entries = Array(
                entries.prefix(
                    isLast && entries.count > smallestBatch ? (entries.count + 1) / 2 : batchSize))
            if entries.isEmpty { return nil }
            if let rate = configuration.delivery.rate {
                let granted = try ledger.takeTokens(entries.count, rate: rate, now: now)
                if granted < entries.count {
                    let waiting = try ledger.ready(
                        now: now, resendUnknown: configuration.delivery.resendUnknown, limit: Int.max,
                        mailings: only)
                    summary.waitingForRateLimit =
                        waiting.filter { !attempted.contains($0.key) && !inFlight.contains($0.key) }.count
                        - granted
                    entries = Array(entries.prefix(granted))
                }
                if entries.isEmpty { return nil }
            }
            let batch = try prepare(
                entries, plan: plan, recipients: recipients, now: now, workers: workers, summary: &summary)
            // A batch whose every entry was skipped (members gone) sends nothing: take the next.
            if !batch.entries.isEmpty { return batch }
        }
    }

    /// Renders one batch; entries whose recipient or mailing is gone are recorded as skipped.
    private func prepare(
        _ entries: [LedgerEntry], plan: DuePlan, recipients: RecipientIndex, now: Date,
        workers: SigningWorkers?, summary: inout RunSummary
    ) throws -> PendingBatch {
        var skipped: [DeliveryKey] = []
        var jobs: [(LedgerEntry, RenderRequest)] = []
        // One ledger read per mailing, not per recipient.
        var sequences: [MailingID: Int] = [:]
        // The seats left as the batch is rendered: answers keep coming in while a run sends.
        var counts: [OccurrenceID: RSVPCounts]?
        func rsvpCounts() throws -> [OccurrenceID: RSVPCounts] {
            if let counts { return counts }
            let read = try ledger.rsvpCounts()
            counts = read
            return read
        }
        var confirmations: [(LedgerEntry, Envelope)] = []
        for entry in entries {
            if case .join = entry.key.mailing.form {
                // A sign-up confirmation: the request in the ledger is its recipient and content.
                if let envelope = try joinConfirmation(entry, now: now) {
                    confirmations.append((entry, envelope))
                } else {
                    skipped.append(entry.key)
                }
                continue
            }
            guard let mailing = plan.mailing(entry.key.mailing),
                let recipient = recipients.recipient(of: entry.key, kind: mailing.kind)
            else {
                skipped.append(entry.key)
                continue
            }
            if case .member(let member) = recipient, !member.isActive {
                skipped.append(entry.key)
                continue
            }
            let sequence = try sequences[mailing.id] ?? calendarSequence(of: mailing)
            sequences[mailing.id] = sequence
            var request = RenderRequest(mailing: mailing, recipient: recipient, sequence: sequence, now: now)
            request.seatsLeft = try RSVPOccurrences.seatsLeft(mailing.occurrence, counts: rsvpCounts)
            request.digestSeatsLeft = try RSVPOccurrences.digestSeatsLeft(mailing, counts: rsvpCounts)
            jobs.append((entry, request))
        }
        var batch = try render(jobs, workers: workers)
        for (entry, envelope) in confirmations {
            batch.messages.append((entry, envelope))
            batch.entries[entry.key] = entry
        }
        if !skipped.isEmpty {
            try ledger.skip(
                skipped, reason: "no longer an active member or partner, or the mailing is gone", now: now)
            summary.skipped += skipped.count
        }
        return batch
    }

    /// The confirmation a sign-up asked for; nil when its request is gone or no link can be made
    /// (`[web]` or its secret removed since).
    private func joinConfirmation(_ entry: LedgerEntry, now: Date) throws -> Envelope? {
        guard let request = try ledger.signupRequest(entry.key),
            renderer.joinConfirmationLink(entry.key) != nil
        else { return nil }
        let message = try renderer.joinConfirmation(request, key: entry.key, now: now)
        return Envelope(
            key: entry.key, sender: try renderer.envelopeSender(for: entry.key), recipient: request.address,
            data: try renderer.encodeAndSign(message))
    }

    /// Renders and encodes a batch, in order, on the calling thread; with `[dkim]`, each message
    /// goes to `workers` to be signed as soon as it is encoded, and the batch is returned before
    /// the signatures are done.
    ///
    /// One thread is enough for rendering: filling in a prepared message takes a fraction of the
    /// time sending it does, and rendering on every core starved libcurl's thread (and a relay on
    /// the same host) of the CPU it needs to keep the connections busy. A signature costs more than
    /// all of that (an RSA-2048 one more than the rest of a message), so the signing goes to the
    /// workers, beside the rendering and below the transport in priority. Each message is signed
    /// with its own signer at its own Date, as ``RenderedMessage/encoded()`` would sign it: the
    /// same bytes, in the same order.
    private func render(
        _ jobs: [(LedgerEntry, RenderRequest)], workers: SigningWorkers?
    ) throws -> PendingBatch {
        let signing = workers == nil ? nil : SignedMessages(count: jobs.count)
        var batch = PendingBatch(entries: [:], messages: [], signing: signing)
        batch.messages.reserveCapacity(jobs.count)
        for (index, (entry, request)) in jobs.enumerated() {
            var rendered = try renderer.render(request)
            let signer = rendered.signer
            if signing != nil { rendered.signer = nil }
            let bytes = try rendered.encoded()
            if let signing, let workers {
                let date = rendered.message.date
                signing.submit(index, to: workers) { () throws(MessageEncodingError) -> [UInt8] in
                    try MessageRenderer.sign(bytes, at: date, with: signer)
                }
            }
            let envelope = Envelope(
                key: entry.key, sender: try renderer.envelopeSender(for: entry.key),
                recipient: request.recipient.address, data: signing == nil ? bytes : [])
            batch.messages.append((entry, envelope))
            batch.entries[entry.key] = entry
        }
        return batch
    }

    /// After the occurrence starts nothing of its mailings goes out; a newsletter's grace is its deadline.
    func deadline(of mailing: Mailing) -> Date? {
        if let occurrence = mailing.occurrence { return occurrence.start.instant(in: zone) }
        return configuration.schedule.grace.after(mailing.dueAt, in: zone)
    }
}

/// The signatures of one batch's messages, made on ``SigningWorkers`` and waited for before the
/// batch is handed over.
final class SignedMessages: Sendable {
    private let slots: Mutex<[Result<[UInt8], MessageEncodingError>?]>
    private let done = DispatchGroup()

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    /// Signs message `index` on `workers`.
    func submit(
        _ index: Int, to workers: SigningWorkers,
        _ sign: @escaping @Sendable () throws(MessageEncodingError) -> [UInt8]
    ) {
        done.enter()
        workers.submit { [self] in
            let result = Result(catching: sign)
            slots.withLock { $0[index] = result }
            done.leave()
        }
    }

    /// Every message's signed bytes, in order, once all are done.
    func wait() throws -> [[UInt8]] {
        done.wait()
        return try slots.withLock { $0 }.map { result in
            guard let result else {
                throw MessageEncodingError(field: "DKIM-Signature", reason: "the message was not signed")
            }
            return try result.get()
        }
    }
}
