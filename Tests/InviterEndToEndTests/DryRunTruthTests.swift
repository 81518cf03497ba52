import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// What an organizer does before a real send: a dry run and a preview, after a change, a
/// cancellation and a send. Each must show exactly what the following run then sends.
@Suite(.serialized) struct DryRunTruthTests {
    static let later = "2026-11-20T10:00:00+01:00"

    /// The `X-Inviter-Mailing` and recipient of every message the sink captured, less `earlier`.
    static func sent(_ sink: SMTPSink, after earlier: Set<String> = []) throws -> Set<String> {
        Set(
            try sink.messages().compactMap { message in
                let mailing = message.text.split(separator: "\n").first {
                    $0.hasPrefix("X-Inviter-Mailing: ")
                }
                return mailing.map { "\($0.dropFirst(19)) \(message.recipients.joined())" }
            }
        ).subtracting(earlier)
    }

    /// The same, from the `.eml` files a preview wrote.
    static func previewed(_ folder: URL) throws -> Set<String> {
        var result: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where name.hasSuffix(".eml") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n")
            guard let mailing = lines.first(where: { $0.hasPrefix("X-Inviter-Mailing: ") }),
                let to = lines.first(where: { $0.hasPrefix("To: ") }),
                let open = to.lastIndex(of: "<")
            else { continue }
            result.insert("\(mailing.dropFirst(19)) \(to[open...].lowercased())")
        }
        return result
    }

    func preview(_ fixture: NetworkFixture, at now: String) throws -> Set<String> {
        let folder = fixture.directory.appendingPathComponent("preview-\(UUID().uuidString)")
        let result = try RunCommandTests.run(fixture, ["preview", "--now", now, "--out", folder.path])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        return try Self.previewed(folder)
    }

    @Test func afterAVenueChangeTheDryRunAndThePreviewShowTheUpdateTheRunSends() throws {
        let (sink, fixture) = try ChangeAfterInvitationTests().invitedThenChanged(
            "venue = \"Town Hall, Torvet 1\"")
        defer { sink.stop() }
        let before = try Self.sent(sink)
        let dry = try RunCommandTests.run(fixture, ["run", "--dry-run", "--now", Self.later])
        #expect(
            dry.standardOutput.contains(
                "update/wednesday-hygge/2026-12-02/1: 2 recipients (da 1, uk 1), moved after the invitation"),
            "\(dry.standardOutput)")
        #expect(
            dry.standardOutput.contains(
                "partner-update/wednesday-hygge/2026-12-02/1: 1 recipient (da 1), moved after the invitation: "
                    + "to the partner contacts who got the partner copy"),
            "\(dry.standardOutput)")
        let previewed = try preview(fixture, at: Self.later)
        let run = try RunCommandTests.run(fixture, ["run", "--now", Self.later])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let sent = try Self.sent(sink, after: before)
        #expect(sent.count == 3)
        #expect(
            sent.contains("partner-update/wednesday-hygge/2026-12-02/1 <hr@company.example.com>"), "\(sent)")
        #expect(previewed == sent, "the preview renders message for message what the run sends")
    }

    @Test func afterACancellationTheDryRunAndThePreviewShowWhoIsTold() throws {
        let (sink, fixture) = try ChangeAfterInvitationTests().invitedThenChanged("cancelled = true")
        defer { sink.stop() }
        let before = try Self.sent(sink)
        let dry = try RunCommandTests.run(fixture, ["run", "--dry-run", "--now", Self.later])
        #expect(
            dry.standardOutput.contains(
                "cancellation/wednesday-hygge/2026-12-02: 2 recipients (da 1, uk 1), cancelled after the invitation"
            ),
            "\(dry.standardOutput)")
        #expect(
            dry.standardOutput.contains(
                "partner-cancellation/wednesday-hygge/2026-12-02: 1 recipient (da 1), cancelled after the "
                    + "invitation: to the partner contacts who got the partner copy"),
            "\(dry.standardOutput)")
        let previewed = try preview(fixture, at: Self.later)
        _ = try RunCommandTests.run(fixture, ["run", "--now", Self.later])
        let sent = try Self.sent(sink, after: before)
        #expect(sent.count == 3)
        #expect(
            sent.contains("partner-cancellation/wednesday-hygge/2026-12-02 <hr@company.example.com>"),
            "\(sent)")
        #expect(previewed == sent)
    }

    @Test func afterASendTheDryRunLeavesOutWhoGotItAndSaysWhyOthersAreLeftOut() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let now = RunCommandTests.invitationDue
        let first = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(first.standardOutput.contains("3 sent"), "\(first.standardOutput)")
        // Two people join the list the same evening; one of them asked never to be mailed.
        let members = fixture.directory.appendingPathComponent("members.csv")
        try
            (NetworkFixture.members + "lena@example.org,Lena Berg,en,newcomers,,active\n"
            + "amir@example.org,Amir Haddad,en,newcomers,,active\n")
            .write(to: members, atomically: true, encoding: .utf8)
        _ = try RunCommandTests.run(
            fixture, ["suppress", "add", "Amir@Example.org", "--reason", "asked by phone"])
        let dry = try RunCommandTests.run(fixture, ["run", "--dry-run", "--now", now])
        #expect(
            dry.standardOutput.contains(
                "invitation/wednesday-hygge/2026-12-02: 1 recipient (en 1); 2 already sent; "
                    + "left out: 1 suppressed: asked by phone"),
            "\(dry.standardOutput)")
        #expect(
            dry.standardOutput.contains(
                "partner/wednesday-hygge/2026-12-02: nothing to send; 1 already sent"),
            "\(dry.standardOutput)")
        let previewed = try preview(fixture, at: now)
        #expect(previewed == ["invitation/wednesday-hygge/2026-12-02 <lena@example.org>"])
        let before = try Self.sent(sink)
        let again = try RunCommandTests.run(fixture, ["run", "--now", now])
        #expect(again.standardOutput.contains("1 sent"), "\(again.standardOutput)")
        #expect(try Self.sent(sink, after: before) == previewed)
    }

    /// A member who joins after the invitation went out gets it, until the reminder is due; then
    /// the reminder alone.
    @Test func aLateJoinerGetsTheInvitationUntilTheReminderIsDue() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        _ = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        let members = fixture.directory.appendingPathComponent("members.csv")
        try (NetworkFixture.members + "lena@example.org,Lena Berg,en,newcomers,,active\n")
            .write(to: members, atomically: true, encoding: .utf8)
        let dry = try RunCommandTests.run(fixture, ["run", "--dry-run", "--now", Self.later])
        #expect(
            dry.standardOutput.contains(
                "invitation/wednesday-hygge/2026-12-02: 1 recipient (en 1), to members who joined since it went out"
            ),
            "\(dry.standardOutput)")
        let before = try Self.sent(sink)
        let run = try RunCommandTests.run(fixture, ["run", "--now", Self.later])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(
            try Self.sent(sink, after: before) == ["invitation/wednesday-hygge/2026-12-02 <lena@example.org>"]
        )

        // Once the reminder is due, a newer member gets the reminder, not the invitation.
        try
            (NetworkFixture.members + "lena@example.org,Lena Berg,en,newcomers,,active\n"
            + "amir@example.org,Amir Haddad,en,newcomers,,active\n")
            .write(to: members, atomically: true, encoding: .utf8)
        let reminderDue = "2026-11-30T19:00:00+01:00"
        let sentBefore = try Self.sent(sink)
        _ = try RunCommandTests.run(fixture, ["run", "--now", reminderDue])
        let reminders = try Self.sent(sink, after: sentBefore)
        #expect(reminders.contains("reminder/wednesday-hygge/2026-12-02 <amir@example.org>"), "\(reminders)")
        #expect(!reminders.contains("invitation/wednesday-hygge/2026-12-02 <amir@example.org>"))
    }

    @Test func anUpdateCanBePreviewedByItsID() throws {
        let (sink, fixture) = try ChangeAfterInvitationTests().invitedThenChanged(
            "venue = \"Town Hall, Torvet 1\"")
        defer { sink.stop() }
        let folder = fixture.directory.appendingPathComponent("preview-update")
        let result = try RunCommandTests.run(
            fixture,
            [
                "preview", "--now", Self.later, "--mailing", "update/wednesday-hygge/2026-12-02/1", "--out",
                folder.path,
            ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let previewed = try Self.previewed(folder)
        #expect(previewed.count == 2, "those who got the invitation: \(previewed)")
        #expect(previewed.allSatisfy { $0.hasPrefix("update/wednesday-hygge/2026-12-02/1 ") })
    }
}
