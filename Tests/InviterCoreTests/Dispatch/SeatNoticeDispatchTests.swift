import Foundation
import InviterCore
import InviterTestSupport
import Synchronization
import Testing

/// Seat notices through whole runs on the in-memory twins: a promoted member keeps the seat
/// while the notice is retried, and gets it once.
@Suite struct SeatNoticeDispatchTests {
    static let lunch: OccurrenceID = "christmas-lunch/2026-12-12"
    /// 2026-11-28 12:00 in Copenhagen: the lunch's invitations are due.
    static let invitationDue = Date(timeIntervalSince1970: 1_795_863_600)

    static func setUp(
        capacity: Int = 1, ledger: MemoryLedger = MemoryLedger(),
        script: @escaping @Sendable (Envelope) -> MemoryTransport.Outcome
    ) throws -> (Dispatcher, MemoryLedger, MemoryTransport) {
        let config =
            NetworkFixture.config + """
                [web]
                base_url = "https://example.org/inviter"
                secret_env = "INVITER_TEST_SECRET"

                """
        let events = NetworkFixture.events.replacingOccurrences(
            of: "capacity = 120", with: "capacity = \(capacity)\nrsvp = true")
        let fixture = try NetworkFixture(["inviter.toml": config, "events.toml": events])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let renderer = try RenderSetup.load(
            network.configuration, environment: ["INVITER_TEST_SECRET": "test-secret"]
        ).renderer
        let transport = MemoryTransport(handOverGroup: 2, script: script)
        return (
            Dispatcher(network: network, renderer: renderer, ledger: ledger, transport: transport), ledger,
            transport
        )
    }

    @Test func aPromotedMemberKeepsTheSeatWhileTheNoticeIsRetriedAndGetsItOnce() async throws {
        let greylisted = SMTPReply(code: 451, text: "4.7.1 Greylisted, try again later")
        let (dispatcher, ledger, transport) = try Self.setUp { envelope in
            envelope.key.mailing.kind == .seat && !Self.secondTry.withLock { $0 }
                ? .temporary(greylisted) : .delivered
        }
        _ = try await dispatcher.run(now: Self.invitationDue)
        let seat = SeatNotice(
            occurrence: Self.lunch, start: Self.invitationDue.addingTimeInterval(14 * 86_400),
            now: Self.invitationDue, messageDomain: "example.org")
        let answer = { (address: AddressKey, value: RSVPAnswer, seconds: Double) throws -> RSVPResult in
            try ledger.answerRSVP(
                value, occurrence: Self.lunch, address: address, capacity: 1, seat: seat,
                now: Self.invitationDue.addingTimeInterval(seconds))
        }
        _ = try answer("member@example.org", .yes, 60)
        _ = try answer("olena@example.org", .yes, 120)
        #expect(try answer("member@example.org", .no, 180).promoted == ["olena@example.org"])

        let key = DeliveryKey(mailing: .of(.seat, Self.lunch), recipient: "olena@example.org")
        let first = try await dispatcher.run(now: Self.invitationDue.addingTimeInterval(3600))
        #expect(first.retrying == 1, "\(first.text)")
        #expect(try ledger.entry(key)?.state == .retrying)
        #expect(try ledger.rsvp(occurrence: Self.lunch, address: "olena@example.org")?.status == .going)

        Self.secondTry.withLock { $0 = true }
        let second = try await dispatcher.run(now: Self.invitationDue.addingTimeInterval(7200))
        #expect(second.sent == 1, "\(second.text)")
        #expect(try ledger.entry(key)?.state == .sent)
        let third = try await dispatcher.run(now: Self.invitationDue.addingTimeInterval(10_800))
        #expect(third.sent == 0)
        let notices = transport.handedOver.filter { $0.key == key }
        #expect(notices.count == 2, "one failed try, one delivery")
        let text = String(decoding: notices.last?.data ?? [], as: UTF8.self)
        #expect(text.contains("X-Inviter-Mailing: seat/christmas-lunch/2026-12-12"))
        #expect(text.contains("Content-Type: text/calendar"))
    }

    /// A raised capacity: the dry run lists the seat notices the run then records and sends.
    @Test func aRaisedCapacityShowsInTheDryRunAndTheRunSendsTheNotices() async throws {
        let (small, ledger, _) = try Self.setUp { _ in .delivered }
        _ = try await small.run(now: Self.invitationDue)
        let seat = SeatNotice(
            occurrence: Self.lunch, start: Self.invitationDue.addingTimeInterval(14 * 86_400),
            now: Self.invitationDue, messageDomain: "example.org")
        for (offset, address) in ["member@example.org", "olena@example.org"].enumerated() {
            _ = try ledger.answerRSVP(
                .yes, occurrence: Self.lunch, address: AddressKey(address), capacity: 1, seat: seat,
                now: Self.invitationDue.addingTimeInterval(Double(60 + offset)))
        }
        let later = Self.invitationDue.addingTimeInterval(3600)
        let unchanged = try RunPlan(network: small.network, ledger: ledger, now: later)
        #expect(!unchanged.items.contains { $0.cause == .seat }, "no seat while the capacity is full")

        let (raised, _, transport) = try Self.setUp(capacity: 2, ledger: ledger) { _ in .delivered }
        let plan = try RunPlan(network: raised.network, ledger: ledger, now: later)
        let seats = try #require(plan.items.first { $0.cause == .seat })
        #expect(seats.mailing.id == .of(.seat, Self.lunch))
        #expect(seats.recipients.map(\.address.address) == ["olena@example.org"])
        #expect(
            DryRun.lines(plan, network: raised.network).contains {
                $0.contains("seats freed by a raised capacity")
            })

        let summary = try await raised.run(now: later)
        #expect(summary.promoted == 1, "\(summary.text)")
        #expect(summary.text.contains("1 moved from a waitlist to a free seat"))
        #expect(
            transport.handedOver.map(\.key) == [
                DeliveryKey(mailing: .of(.seat, Self.lunch), recipient: "olena@example.org")
            ])
        let after = try RunPlan(network: raised.network, ledger: ledger, now: later.addingTimeInterval(60))
        #expect(!after.items.contains { $0.cause == .seat }, "told once")
    }

    static let secondTry = Mutex(false)
}
