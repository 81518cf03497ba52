import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `inviter preview`: what a run would send, as files or as a summary, with nothing sent or recorded.
@Suite struct PreviewCommandTests {
    static func fixture(members count: Int) throws -> NetworkFixture {
        var members = NetworkFixture.members
        let languages = ["en", "da", "pl"]
        for number in 0..<count {
            members +=
                "member\(number)@example.org,Member \(number),\(languages[number % 3]),newcomers,,active\n"
        }
        return try NetworkFixture(["members.csv": members])
    }

    @Test func writesAnEmlAndAnHTMLFilePerMessageAndAnIndex() throws {
        let fixture = try Self.fixture(members: 40)
        let output = try TestPaths.temporaryDirectory("preview")
        let result = try RunCommandTests.run(
            fixture, ["preview", "--now", RunCommandTests.invitationDue, "--out", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path)
        let eml = files.filter { $0.hasSuffix(".eml") }
        #expect(eml.count == 43, "40 members, the fixture's two and its partner contact")
        #expect(files.filter { $0.hasSuffix(".html") }.count == 44, "one per message and index.html")
        #expect(
            result.standardOutput.contains("Wrote 43 messages for 2 mailings"), "\(result.standardOutput)")
        let index = try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8)
        for name in eml { #expect(index.contains("href=\"\(name)\"")) }
        // Every member's message is their own: name, address and language.
        let seventh = try String(
            contentsOf: output.appendingPathComponent(
                eml.first { $0.contains("member7@") } ?? "missing"), encoding: .utf8)
        #expect(seventh.contains("To: Member 7 <member7@example.org>"))
        #expect(
            seventh.contains("Kære Member") || seventh.contains("K=C3=A6re Member"), "member 7 reads Danish")
        let state = fixture.configURL.deletingLastPathComponent().appendingPathComponent("state")
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("ledger.sqlite").path))
    }

    @Test func summaryRendersEverythingAndWritesNothing() throws {
        let fixture = try Self.fixture(members: 40)
        let output = try TestPaths.temporaryDirectory("preview-summary").appendingPathComponent("never")
        let result = try RunCommandTests.run(
            fixture, ["preview", "--now", RunCommandTests.invitationDue, "--out", output.path, "--summary"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "nothing written")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let invitation = try #require(lines.first { $0.hasPrefix("invitation/wednesday-hygge/2026-12-02: ") })
        #expect(invitation.contains("42 messages (da 14, en 14, pl 13, uk 1)"), "\(invitation)")
        #expect(invitation.contains("KB on average"))
        #expect(lines.contains { $0.hasPrefix("partner/wednesday-hygge/2026-12-02: 1 message (") })
        #expect(
            result.standardOutput.contains(
                "Rendered 43 messages for 2 mailings; nothing was written or sent."))
    }
}
