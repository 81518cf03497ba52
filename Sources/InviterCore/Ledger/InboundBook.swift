import Foundation

/// Received messages, bounces and mailbox positions in memory: ``MemoryLedger``'s half of what
/// ``SQLiteLedger`` keeps in its `inbound`, `bounce` and `mailboxPosition` tables, by the same
/// ``BouncePolicy``.
struct InboundBook: Sendable {
    private struct Bounce {
        var delivery: DeliveryKey
        var bounceClass: BounceClass
        var at: Date
    }

    private var received: [String: (disposition: InboundDisposition, at: Date)] = [:]
    private var bounces: [Bounce] = []
    private var positions: [String: MailboxPosition] = [:]

    /// Moves the position as ``SQLiteLedger`` does (``MailboxPosition/merged(with:)``).
    mutating func store(_ position: MailboxPosition) {
        positions[position.mailbox] =
            positions[position.mailbox].map { $0.merged(with: position) } ?? position
    }

    func position(_ mailbox: String) -> MailboxPosition? { positions[mailbox] }

    /// Records `record` unless it is known; returns nil for a known one, else the suppressions
    /// its bounces call for, which the caller applies under the same lock.
    mutating func record(_ record: InboundRecord, now: Date) -> [(AddressKey, String)]? {
        guard received[record.key] == nil else { return nil }
        received[record.key] = (record.disposition, now)
        var suppressions: [(AddressKey, String)] = []
        for event in record.bounces {
            bounces.append(Bounce(delivery: event.delivery, bounceClass: event.bounceClass, at: now))
            let window = now.addingTimeInterval(-BouncePolicy.softWindow)
            let soft = Set(
                bounces.filter {
                    $0.delivery.recipient == event.delivery.recipient && $0.bounceClass == .soft
                        && $0.at >= window
                }.map(\.delivery.mailing)
            ).count
            if let reason = BouncePolicy.suppression(
                for: event, softFailures: event.bounceClass == .soft ? soft : 0)
            {
                suppressions.append((event.delivery.recipient, reason))
            }
        }
        return suppressions
    }

    func counts(since: Date) -> [InboundDisposition: Int] {
        var counts: [InboundDisposition: Int] = [:]
        for (disposition, at) in received.values where at >= since { counts[disposition, default: 0] += 1 }
        return counts
    }
}
