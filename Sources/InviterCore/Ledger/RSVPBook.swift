import Foundation

/// RSVP answers and the waitlist in memory: ``MemoryLedger``'s half of what ``SQLiteLedger``
/// does in its `rsvp` table, with the same rules, so a test's in-memory run promotes the same
/// members in the same order as a real one.
struct RSVPBook: Sendable {
    private struct Entry {
        var status: RSVPStatus
        var answeredAt: Date
        var waitOrder: Int?
    }

    private var entries: [OccurrenceID: [AddressKey: Entry]] = [:]

    /// Records `answer` and returns the promoted (``Ledger/answerRSVP``); the caller records their
    /// seat notices under the same lock.
    mutating func answer(
        _ answer: RSVPAnswer, occurrence: OccurrenceID, address: AddressKey, capacity: Int?, now: Date
    ) -> (record: RSVPRecord, promoted: [AddressKey]) {
        var promoted = promote(occurrence, capacity: capacity)
        let earlier = entries[occurrence]?[address]?.status
        switch (answer, earlier) {
        case (.yes, .going), (.yes, .waitlisted), (.no, .declined):
            break
        case (.yes, _):
            if capacity.map({ count(occurrence, .going) < $0 }) ?? true {
                entries[occurrence, default: [:]][address] = Entry(status: .going, answeredAt: now)
            } else {
                let order = (entries[occurrence]?.values.compactMap(\.waitOrder).max() ?? 0) + 1
                entries[occurrence, default: [:]][address] = Entry(
                    status: .waitlisted, answeredAt: now, waitOrder: order)
            }
        case (.no, _):
            entries[occurrence, default: [:]][address] = Entry(status: .declined, answeredAt: now)
            if earlier == .going { promoted += promote(occurrence, capacity: capacity) }
        }
        let record =
            records(of: occurrence).first { $0.address == address }
            ?? RSVPRecord(occurrence: occurrence, address: address, status: .declined, answeredAt: now)
        return (record, promoted)
    }

    /// The first waitlisted become going while seats are free.
    mutating func promote(_ occurrence: OccurrenceID, capacity: Int?) -> [AddressKey] {
        let free = capacity.map { $0 - count(occurrence, .going) } ?? Int.max
        guard free > 0, let book = entries[occurrence] else { return [] }
        let next = book.filter { $0.value.status == .waitlisted }
            .sorted { ($0.value.waitOrder ?? 0) < ($1.value.waitOrder ?? 0) }
            .prefix(free).map(\.key)
        for address in next {
            entries[occurrence]?[address]?.status = .going
            entries[occurrence]?[address]?.waitOrder = nil
        }
        return Array(next)
    }

    /// Going in order of answer, the waitlist in order (numbered), declined.
    func records(of occurrence: OccurrenceID) -> [RSVPRecord] {
        let rank: [RSVPStatus: Int] = [.going: 0, .waitlisted: 1, .declined: 2]
        return (entries[occurrence] ?? [:]).sorted { lhs, rhs in
            (rank[lhs.value.status] ?? 3, lhs.value.waitOrder ?? 0, lhs.value.answeredAt, lhs.key)
                < (rank[rhs.value.status] ?? 3, rhs.value.waitOrder ?? 0, rhs.value.answeredAt, rhs.key)
        }
        .map {
            RSVPRecord(
                occurrence: occurrence, address: $0.key, status: $0.value.status,
                answeredAt: $0.value.answeredAt)
        }
        .numberingWaitlist()
    }

    var counts: [OccurrenceID: RSVPCounts] {
        entries.mapValues { book in
            var counts = RSVPCounts()
            for entry in book.values { counts.add(entry.status) }
            return counts
        }
        .filter { $0.value != RSVPCounts() }
    }

    private func count(_ occurrence: OccurrenceID, _ status: RSVPStatus) -> Int {
        entries[occurrence]?.values.filter { $0.status == status }.count ?? 0
    }
}
