import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// One network's one-off mail with a typo must not block its invitations: the broken
/// announcement is refused, everything else goes.
@Suite(.serialized) struct BrokenAnnouncementTests {
    /// A network sending through `sink` with its own copy of the templates, in which the
    /// `winter-programme` announcement names a column no list has.
    static func network(_ sink: SMTPSink) throws -> NetworkFixture {
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let shipped = TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent("Templates")
        let own = fixture.directory.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: shipped, to: own)
        let english = own.appendingPathComponent("announcements/winter-programme/en.mustache")
        let text = try String(contentsOf: english, encoding: .utf8)
        try (text + "\nCall us: {{recipient.fields.telefon}}\n").write(
            to: english, atomically: true, encoding: .utf8)
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8)
            .replacingOccurrences(of: shipped.path, with: own.path)
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func aBrokenAnnouncementStopsItselfNotTheInvitations() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try Self.network(sink)
        let check = try RunCommandTests.run(fixture, ["check"])
        #expect(check.status == 78)
        #expect(check.standardOutput.contains("en.mustache:"), "\(check.standardOutput)")
        #expect(
            check.standardError.contains("the announcement winter-programme has template errors"),
            "\(check.standardError)")

        let announce = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--now", RunCommandTests.invitationDue])
        #expect(announce.status == 78)
        #expect(announce.standardError.contains("the announcement template winter-programme has errors"))

        let run = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("3 sent"), "the invitations go: \(run.standardOutput)")
        #expect(run.standardError.contains("cannot be sent until this is fixed"), "\(run.standardError)")
    }
}
