import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The plan a dry run prints and a preview renders, checked against what the following run sends.
@Suite struct RunPlanTests {
    /// An invitation that went out with a temporary failure for one member, and a member who joined
    /// since: the plan shows both the joiner and the retry, and the run sends exactly those two.
    @Test func showsLateJoinersAndDueRetriesOfTheSameInvitation() async throws {
        let ledger = MemoryLedger()
        let first = try DispatcherTests.setUp(members: DispatcherTests.members(3), ledger: ledger) {
            envelope in
            envelope.key.recipient.value == "member02@example.org"
                ? .temporary(SMTPReply(code: 451, text: "4.3.0 try later")) : .delivered
        }
        _ = try await first.dispatcher.run(now: DispatcherTests.invitationDue)
        let later = DispatcherTests.invitationDue.addingTimeInterval(2 * 86_400)
        let second = try DispatcherTests.setUp(members: DispatcherTests.members(4), ledger: ledger)
        let plan = try RunPlan(network: second.dispatcher.network, ledger: ledger, now: later)
        let planned = Set(
            plan.items.filter { $0.mailing.id == DispatcherTests.invitation }.flatMap(\.recipients).map(
                \.address.key.value))
        #expect(planned == ["member02@example.org", "member04@example.org"], "\(plan.items.map(\.cause))")
        #expect(plan.items.contains { $0.cause == .joined } && plan.items.contains { $0.cause == .waiting })

        _ = try await second.dispatcher.run(now: later)
        let sent = Set(
            second.transport.handedOver.filter { $0.key.mailing == DispatcherTests.invitation }.map(
                \.key.recipient.value))
        #expect(sent == planned, "the run sends what the plan showed")
    }
}
