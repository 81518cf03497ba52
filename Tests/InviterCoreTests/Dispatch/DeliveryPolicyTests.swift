import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The rules for each outcome, without a server: what the ledger records for a result.
@Suite struct DeliveryPolicyTests {
    static let now = Date(timeIntervalSince1970: 1_795_024_800)
    static let key = DeliveryKey(mailing: "invitation/hygge/2026-12-02", recipient: "a@example.org")

    static func entry(attempts: Int) -> LedgerEntry {
        LedgerEntry(
            key: key, state: .sending, attempts: attempts, nextAttemptAt: nil, messageID: "x@example.org",
            lastReply: nil, updatedAt: now)
    }

    static func result(_ outcome: DeliveryOutcome, _ code: Int, _ text: String) -> DeliveryResult {
        DeliveryResult(key: key, outcome: outcome, reply: SMTPReply(code: code, text: text), detail: "detail")
    }

    /// The ledger's `attempts` before this attempt was marked: 0 for the first try. The delays
    /// are the README's: 5 minutes, 15 minutes, an hour, then every 4 hours.
    @Test(arguments: [(0, 5 * 60), (1, 15 * 60), (2, 60 * 60), (3, 4 * 60 * 60), (9, 4 * 60 * 60)])
    func temporaryFailuresBackOff(_ attemptsBefore: Int, _ seconds: Int) {
        let recorded = DeliveryPolicy.outcome(
            of: Self.result(.temporary, 451, "4.3.0 try later"), entry: Self.entry(attempts: attemptsBefore),
            deadline: nil, now: Self.now)
        #expect(recorded.state == .retrying)
        #expect(recorded.retryAt == Self.now.addingTimeInterval(TimeInterval(seconds)))
        #expect(recorded.reply == "451 4.3.0 try later")
    }

    @Test func aRetryThatWouldComeAfterTheEventIsAFailureNow() {
        let recorded = DeliveryPolicy.outcome(
            of: Self.result(.temporary, 451, "4.3.0 try later"), entry: Self.entry(attempts: 0),
            deadline: Self.now.addingTimeInterval(60), now: Self.now)
        #expect(recorded.state == .failed)
        #expect(recorded.reply == "gave up before the event: 451 4.3.0 try later")
    }

    @Test func onlyANoSuchUserReplySuppressesTheAddress() {
        let bounced = DeliveryPolicy.outcome(
            of: Self.result(.permanent, 550, "5.1.1 no such user"), entry: Self.entry(attempts: 0),
            deadline: nil,
            now: Self.now)
        #expect(bounced.state == .failed)
        #expect(bounced.suppression == "bounced: 550 5.1.1 no such user")
        let policy = DeliveryPolicy.outcome(
            of: Self.result(.permanent, 550, "5.7.1 rejected by policy"), entry: Self.entry(attempts: 0),
            deadline: nil, now: Self.now)
        #expect(policy.state == .failed)
        #expect(policy.suppression == nil)
    }

    @Test func sentAndUnknownKeepTheReply() {
        let sent = DeliveryPolicy.outcome(
            of: Self.result(.delivered, 250, "2.0.0 Ok"), entry: Self.entry(attempts: 0), deadline: nil,
            now: Self.now)
        #expect(sent.state == .sent && sent.reply == "250 2.0.0 Ok")
        let unknown = DeliveryPolicy.outcome(
            of: Self.result(.unknown, 354, "End data"), entry: Self.entry(attempts: 0), deadline: nil,
            now: Self.now)
        #expect(unknown.state == .unknown && unknown.reply == "detail; 354 End data")
    }
}
