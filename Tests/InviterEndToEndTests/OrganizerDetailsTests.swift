import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Small things an organizer reads and relies on: the suppression list kept and exported, a test
/// message sent as the configuration says, and a check whose counts say what it printed.
@Suite(.serialized) struct OrganizerDetailsTests {
    @Test func suppressAddKeepsTheEarlierReasonAndListExportsCSV() throws {
        let fixture = try NetworkFixture()
        _ = try RunCommandTests.run(
            fixture, ["suppress", "add", "Anna@Example.org", "--reason", "bounced: 550 5.1.1, no such user"])
        let again = try RunCommandTests.run(
            fixture, ["suppress", "add", "anna@example.org", "--reason", "asked"])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("was already suppressed since"), "\(again.standardOutput)")
        #expect(again.standardOutput.contains("bounced: 550 5.1.1, no such user (kept)"))
        _ = try RunCommandTests.run(
            fixture, ["suppress", "add", "eve@example.org", "--reason", "=HYPERLINK(\"x\")"])
        let csv = try RunCommandTests.run(fixture, ["suppress", "list", "--csv"])
        let lines = csv.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "email,reason,since,list")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("anna@example.org,\"bounced: 550 5.1.1, no such user\","), "\(lines)")
        #expect(
            lines[2].hasPrefix("eve@example.org,\"'=HYPERLINK(\"\"x\"\")\","),
            "no formula reaches a spreadsheet")
    }

    @Test func sendTestSendsAsTheConfigurationSays() throws {
        let fixture = try NetworkFixture()
        let result = try RunCommandTests.run(fixture, ["send-test", "--to", "organizer@example.org"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("wrote the test message"), "\(result.standardOutput)")
        let outbox = fixture.directory.appendingPathComponent("outbox")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        #expect(files == ["send-test_organizer@example.org.eml"], "\(files)")
        let text = try String(contentsOf: outbox.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(text.contains("From: Test Network <events@example.org>"), "the configuration's sender")
    }

    @Test func checkCountsEveryWarningItPrints() throws {
        let fixture = try NetworkFixture([
            "members.csv": NetworkFixture.members + "ivan@example.org,Ivan,ru,newcomers,,active\n"
        ])
        let result = try RunCommandTests.run(fixture, ["check"])
        let printed = result.standardOutput.split(separator: "\n").filter { $0.contains(": warning: ") }.count
        #expect(printed > 0, "a language without templates warns: \(result.standardOutput)")
        #expect(
            result.standardOutput.contains(
                "Problems: 0 errors (0 rows left out), \(counted(printed, "warning"))"),
            "\(result.standardOutput)")
    }

    @Test func statusSaysWhySomethingWasSkippedWhatComesNextAndWhatOnePersonGot() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        _ = try RunCommandTests.run(
            fixture, ["suppress", "add", "olena@example.org", "--reason", "asked by phone"])
        _ = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        let status = try RunCommandTests.run(fixture, ["status"])
        #expect(
            status.standardOutput.contains("  skipped 1: suppressed: asked by phone"),
            "\(status.standardOutput)")
        let json = try RunCommandTests.status(fixture)
        let mailings = json["mailings"] as? [[String: Any]] ?? []
        let invitation = mailings.first { ($0["id"] as? String) == "invitation/wednesday-hygge/2026-12-02" }
        #expect((invitation?["skipped"] as? [String: Int]) == ["suppressed: asked by phone": 1])

        let upcoming = try RunCommandTests.run(
            fixture, ["status", "--upcoming", "--now", RunCommandTests.invitationDue])
        #expect(
            upcoming.standardOutput.contains(
                "reminder/wednesday-hygge/2026-12-02  due 2026-11-30T19:00:00+01:00: 1 recipient"),
            "\(upcoming.standardOutput)")
        let mette = try RunCommandTests.run(
            fixture, ["status", "--recipient", "Mette@Example.org", "--now", RunCommandTests.invitationDue])
        #expect(
            mette.standardOutput.contains("invitation/wednesday-hygge/2026-12-02: sent"),
            "\(mette.standardOutput)")
        #expect(mette.standardOutput.contains("Coming for mette@example.org:"))
        #expect(
            mette.standardOutput.contains(
                "  reminder/wednesday-hygge/2026-12-02  due 2026-11-30T19:00:00+01:00"))
    }
}
