import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The preview index shows who does not get each mailing, and why.
@Suite struct PreviewLeftOutTests {
    @Test func theIndexListsWhoIsLeftOutWithWhy() throws {
        let members =
            NetworkFixture.members + "gone@example.org,Gone Away,en,newcomers,,unsubscribed\n"
            + "quiet@example.org,Quiet Reader,en,newcomers,,active\n"
        let partners = NetworkFixture.partners + "office@school.example.com,Example School,school,Ida,da\n"
        let fixture = try NetworkFixture(["members.csv": members, "partners.csv": partners])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let renderer = try RenderSetup.load(network.configuration, environment: [:]).renderer
        let ledger = MemoryLedger()
        try ledger.suppress("quiet@example.org", reason: "asked by phone", now: RenderFixture.now)
        let output = try TestPaths.temporaryDirectory("preview-left-out")
        // 2026-11-18 19:00: the Wednesday hygge's invitation (everyone) and its partner copy (companies).
        let request = PreviewRequest(now: DispatcherTests.invitationDue, output: output)
        let (entries, _) = try Preview.write(request, network: network, renderer: renderer, ledger: ledger)
        #expect(Set(entries.map(\.recipient)).isSuperset(of: ["mette@example.org", "olena@example.org"]))
        let index = try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(
            index.contains("Not getting it: 2 (1 suppressed: asked by phone · 1 unsubscribed)"), "\(index)")
        #expect(index.contains("gone@example.org") && index.contains("quiet@example.org"))
        #expect(index.contains("<table class=\"left\">"), "greyed out, in a table of its own")
        #expect(index.contains("members.csv:4)</small></td>"), "with the row")
        #expect(index.contains("partner kind school: this event&#39;s copy goes to company"))
    }
}
