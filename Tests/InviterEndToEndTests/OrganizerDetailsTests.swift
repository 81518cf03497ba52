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
        #expect(lines.first == "email,reason,since")
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
}
