import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The recipe's trial: a first run into the outbox, then the switch to the relay. The trial must
/// not eat the real send.
@Suite(.serialized) struct TrialRunTests {
    @Test func anOutboxTrialIsNeverCountedAsSentForTheRelay() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let real = try String(contentsOf: fixture.configURL, encoding: .utf8)
        try real.replacingOccurrences(of: "transport = \"smtp\"", with: "transport = \"outbox\"")
            .write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let now = RunCommandTests.invitationDue
        let trial = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(trial.standardOutput.contains("3 sent"), "\(trial.standardOutput)")

        try real.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let refused = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(refused.status == 78)
        #expect(
            refused.standardError.contains(
                "records 3 deliveries as sent that went only into the outbox (a trial)"),
            "\(refused.standardError)")
        #expect(try sink.messages().isEmpty, "nothing reached the relay")

        let unconfirmed = try RunCommandTests.run(fixture, ["reset"])
        #expect(unconfirmed.status == 64, "without a terminal, reset wants --yes")
        let reset = try RunCommandTests.run(fixture, ["reset", "--yes"])
        #expect(reset.status == 0, "\(reset.standardError)")
        #expect(reset.standardOutput.contains("Forgot 3 deliveries"), "\(reset.standardOutput)")

        let sent = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(sent.status == 0, "\(sent.standardOutput)\(sent.standardError)")
        #expect(sent.standardOutput.contains("3 sent"), "\(sent.standardOutput)")
        #expect(try sink.messages().count == 3, "everyone gets the real mail, once")
        let again = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(again.standardOutput.contains("0 sent"))
    }

    /// A ledger whose sends went through the relay refuses a trial into the outbox on it: the
    /// trial's copies would be recorded as sent without reaching anyone.
    @Test func aTrialAfterRealSendsIsRefusedToo() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let real = try String(contentsOf: fixture.configURL, encoding: .utf8)
        _ = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        try real.replacingOccurrences(of: "transport = \"smtp\"", with: "transport = \"outbox\"")
            .write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let refused = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-30T19:00:00+01:00"])
        #expect(refused.status == 78)
        #expect(refused.standardError.contains("Give a trial its own [delivery] state folder"))
    }
}
