import Foundation

/// What is due at one moment: the one answer that `run`, `run --dry-run` and `preview` share.
///
/// Made from the events and the schedule alone (no ledger), so a dry run and a preview can make it
/// without writing anything; a run then records the due mailings and works out, from the ledger,
/// the changes and cancellations that reach those already invited.
public struct DuePlan: Sendable {
    public let now: Date
    /// Every mailing the ledger may still hold deliveries for, from a few days back to over a year
    /// ahead, in due order: a delivery read back from the ledger finds its mailing here.
    public let mailings: [Mailing]
    /// The same, by id.
    public let known: [MailingID: Mailing]
    /// The mailings due now, in due order, without cancellations: a cancellation has no planned
    /// time, it goes to those invited when a run first sees it.
    public let due: [Mailing]
    /// Cancellations of occurrences whose invitation time has come and that have not started.
    public let cancellations: [Mailing]

    /// How far ahead mailings are known: an occurrence a year out can already have been announced
    /// by an organizer who set a long invitation time.
    static let horizonDays = 400

    public init(network: LoadedNetwork, now: Date) {
        let configuration = network.configuration
        let schedule = configuration.schedule
        let zone = configuration.network.timeZone
        var mailings = Planner.mailings(
            around: now, events: network.events, schedule: schedule, zone: zone, horizonDays: Self.horizonDays
        )
        // Newsletters a few days back too, so a retry of one finds its digest.
        mailings += Planner.newsletters(
            around: now, events: network.events, schedule: schedule, zone: zone, daysBack: 3, daysAhead: 0)
        let known = Dictionary(mailings.map { ($0.id, $0) }) { first, _ in first }
        self.now = now
        self.known = known
        self.mailings = known.values.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
        let isDue = { (mailing: Mailing) in Planner.isDue(mailing, at: now, schedule: schedule, zone: zone) }
        self.due = self.mailings.filter { $0.kind != .cancellation && isDue($0) }
        self.cancellations = self.mailings.filter { $0.kind == .cancellation && isDue($0) }
    }

    /// Mailings due after now, soonest first, for "nothing is due; next:" hints.
    public var upcoming: [Mailing] { mailings.filter { $0.dueAt > now } }

    /// The mailing a ledger id names: a planned one, an announcement, an update of a planned
    /// occurrence, or the partner contacts' copy of a cancellation; nil when no event or template
    /// stands behind it any more.
    public func mailing(_ id: MailingID) -> Mailing? {
        if let mailing = known[id] { return mailing }
        switch id.form {
        case .announcement(let name, _, _):
            var mailing = Mailing(announcement: name, segments: ["all"], dueAt: .distantPast)
            mailing.id = id
            return mailing
        case .update(let occurrence, let sequence, let partners):
            guard let invitation = known[.of(.invitation, occurrence)]?.occurrence else { return nil }
            return Mailing(
                kind: partners ? .partnerUpdate : .update, occurrence: invitation, dueAt: .distantPast,
                sequence: sequence)
        case .occurrence(.partnerCancellation, let occurrence):
            guard let cancellation = known[.of(.cancellation, occurrence)] else { return nil }
            return cancellation.partnerCopy
        case .occurrence(.seat, let occurrence):
            // A seat notice: recorded by a promotion, about an occurrence the plan knows.
            guard let invitation = known[.of(.invitation, occurrence)]?.occurrence else { return nil }
            return Mailing(kind: .seat, occurrence: invitation, dueAt: .distantPast)
        case .occurrence, .newsletter, .sendTest, .join:
            return nil
        }
    }
}
