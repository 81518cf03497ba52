import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// RSVP answers, the waitlist and the seat notices, played against both ledgers.
@Suite struct RSVPLedgerTests {
    typealias Kind = MemoryLedgerConformanceTests.Kind
    static let t0 = MemoryLedgerConformanceTests.t0
    static let dinner: OccurrenceID = "dinner/2026-12-10"
    static var seat: SeatNotice {
        SeatNotice(
            occurrence: dinner, start: t0.addingTimeInterval(7 * 86_400), now: t0,
            messageDomain: "example.org")
    }

    static func answer(
        _ ledger: any Ledger, _ address: AddressKey, _ answer: RSVPAnswer, capacity: Int? = 2,
        at seconds: Double
    ) throws -> RSVPResult {
        try ledger.answerRSVP(
            answer, occurrence: dinner, address: address, capacity: capacity, seat: seat,
            now: t0.addingTimeInterval(seconds))
    }

    @Test(arguments: Kind.allCases)
    func aFreedSeatGoesToTheFirstWaitlistedWithOneSeatNotice(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            #expect(try Self.answer(ledger, "a@x.org", .yes, at: 1).record.status == .going)
            #expect(try Self.answer(ledger, "b@x.org", .yes, at: 2).record.status == .going)
            let third = try Self.answer(ledger, "c@x.org", .yes, at: 3).record
            #expect(third.status == .waitlisted)
            #expect(third.position == 1)
            let fourth = try Self.answer(ledger, "d@x.org", .yes, at: 4).record
            #expect(fourth.position == 2)
            // A double click: the first answer stands, its place too.
            let again = try Self.answer(ledger, "c@x.org", .yes, at: 5).record
            #expect(again.status == .waitlisted)
            #expect(again.position == 1)
            #expect(again.answeredAt == Self.t0.addingTimeInterval(3))
            #expect(try ledger.waiting(now: Self.t0.addingTimeInterval(6), resendUnknown: true).isEmpty)

            // A going member declines: the first waitlisted gets the seat and a seat notice.
            let declined = try Self.answer(ledger, "a@x.org", .no, at: 10)
            #expect(declined.record.status == .declined)
            #expect(declined.promoted == ["c@x.org"])
            #expect(try ledger.rsvp(occurrence: Self.dinner, address: "d@x.org")?.position == 1)
            let seat = DeliveryKey(mailing: .of(.seat, Self.dinner), recipient: "c@x.org")
            #expect(try ledger.entry(seat)?.state == .pending)
            #expect(
                try ledger.mailing(.of(.seat, Self.dinner))?.deadline
                    == Self.t0.addingTimeInterval(7 * 86_400))

            // A waitlisted member's no frees no seat; it leaves the list.
            #expect(try Self.answer(ledger, "d@x.org", .no, at: 11).promoted.isEmpty)
            let records = try ledger.rsvps(of: Self.dinner)
            #expect(records.map(\.address) == ["b@x.org", "c@x.org", "a@x.org", "d@x.org"])
            #expect(records.map(\.status) == [.going, .going, .declined, .declined])
            #expect(try ledger.rsvpCounts()[Self.dinner] == RSVPCounts(going: 2, waitlisted: 0, declined: 2))
        }
    }

    @Test(arguments: Kind.allCases)
    func aRaisedCapacityPromotesInOrderAndALoweredOneMovesNobody(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            for (index, address) in ["a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org"].enumerated() {
                _ = try Self.answer(ledger, AddressKey(address), .yes, at: Double(index))
            }
            #expect(try ledger.rsvpCounts()[Self.dinner] == RSVPCounts(going: 2, waitlisted: 3))
            // Lowered: nobody is moved out, and a new yes waits.
            #expect(
                try ledger.promoteWaitlisted(
                    occurrence: Self.dinner, capacity: 1, seat: Self.seat, now: Self.t0
                )
                .isEmpty)
            #expect(try ledger.rsvpCounts()[Self.dinner]?.going == 2)
            // Raised: the first two waiting get the seats, in the order they answered.
            let promoted = try ledger.promoteWaitlisted(
                occurrence: Self.dinner, capacity: 4, seat: Self.seat, now: Self.t0)
            #expect(promoted == ["c@x.org", "d@x.org"])
            #expect(try ledger.rsvp(occurrence: Self.dinner, address: "e@x.org")?.position == 1)
            // A yes after a raise that no run has applied yet does not overtake those waiting.
            let late = try Self.answer(ledger, "f@x.org", .yes, capacity: 5, at: 20)
            #expect(late.promoted == ["e@x.org"])
            #expect(late.record.status == .waitlisted)
            // A going member's no seats the one waiting; changing their mind again, they queue.
            #expect(try Self.answer(ledger, "a@x.org", .no, capacity: 5, at: 30).promoted == ["f@x.org"])
            _ = try Self.answer(ledger, "g@x.org", .yes, capacity: 5, at: 31)
            let back = try Self.answer(ledger, "a@x.org", .yes, capacity: 5, at: 32)
            #expect(back.record.status == .waitlisted)
            #expect(back.record.position == 2)
            #expect(
                try ledger.entries(of: .of(.seat, Self.dinner)).map(\.key.recipient).sorted() == [
                    "c@x.org", "d@x.org", "e@x.org", "f@x.org",
                ])
        }
    }

    @Test(arguments: Kind.allCases)
    func withoutCapacityEveryYesIsGoing(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            for index in 0..<5 {
                #expect(
                    try Self.answer(
                        ledger, AddressKey("m\(index)@x.org"), .yes, capacity: nil, at: Double(index)
                    )
                    .record.status == .going)
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func aSeatNoticeToAnUnsubscribedAddressIsSkipped(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            _ = try Self.answer(ledger, "a@x.org", .yes, capacity: 1, at: 1)
            _ = try Self.answer(ledger, "b@x.org", .yes, capacity: 1, at: 2)
            try ledger.suppress("b@x.org", scope: .list(.members), reason: "unsubscribed", now: Self.t0)
            #expect(try Self.answer(ledger, "a@x.org", .no, capacity: 1, at: 3).promoted == ["b@x.org"])
            let seat = DeliveryKey(mailing: .of(.seat, Self.dinner), recipient: "b@x.org")
            #expect(try ledger.entry(seat)?.state == .skipped)
        }
    }
}
