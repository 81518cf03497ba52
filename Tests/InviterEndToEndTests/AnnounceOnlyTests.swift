import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `inviter announce` as an organizer uses it: it sends the announcement and nothing else, and
/// catches the slips an organizer makes on the command line.
@Suite(.serialized) struct AnnounceOnlyTests {
    static let now = RunCommandTests.invitationDue

    static func mailings(_ sink: SMTPSink) throws -> [String] {
        try sink.messages().compactMap { message in
            message.text.split(separator: "\n").first { $0.hasPrefix("X-Inviter-Mailing: ") }.map {
                String($0.dropFirst(19))
            }
        }.sorted()
    }

    @Test func sendsTheAnnouncementAloneWhileAnInvitationIsDue() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let announced = try RunCommandTests.run(
            fixture,
            ["announce", "--template", "winter-programme", "--segment", "newcomers", "--now", Self.now])
        #expect(announced.status == 0, "\(announced.standardOutput)\(announced.standardError)")
        #expect(announced.standardOutput.contains("1 mailing due, 1 sent."), "\(announced.standardOutput)")
        #expect(try Self.mailings(sink) == ["announcement/winter-programme/2026-11-18"])
        // The invitation that was due goes with the next run, as it would have without the announcement.
        let run = try RunCommandTests.run(fixture, ["run", "--now", Self.now])
        #expect(run.standardOutput.contains("3 sent"), "\(run.standardOutput)")
    }

    @Test func anUnknownSegmentIsAnErrorWithASuggestion() throws {
        let fixture = try NetworkFixture()
        let result = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--segment", "newcomer", "--dry-run"])
        #expect(result.status == 64)
        #expect(
            result.standardError.contains(
                "--segment \"newcomer\" is not a segment of any member list or event; did you mean \"newcomers\"?"
            ),
            "\(result.standardError)")
    }

    @Test func takesLaerdanskAsThePartnerListsWriteIt() throws {
        let fixture = try NetworkFixture()
        let result = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--partners", "Lærdansk", "--dry-run"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardOutput.contains("/partners to laerdansk: 0 partner contacts"),
            "\(result.standardOutput)")
    }

    @Test func aTestCopyIsRenderedForTheLanguageOrRecipientAskedFor() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let ukrainian = try RunCommandTests.run(
            fixture,
            [
                "announce", "--template", "winter-programme", "--test-to", "organizer@example.org",
                "--language", "uk",
            ])
        #expect(ukrainian.status == 0, "\(ukrainian.standardError)")
        #expect(
            ukrainian.standardOutput.contains("rendered for olena@example.org"), "\(ukrainian.standardOutput)"
        )
        let mette = try RunCommandTests.run(
            fixture,
            [
                "announce", "--template", "winter-programme", "--test-to", "organizer@example.org",
                "--recipient",
                "Mette@Example.org",
            ])
        #expect(mette.standardOutput.contains("rendered for mette@example.org"), "\(mette.standardOutput)")
        let nobody = try RunCommandTests.run(
            fixture,
            [
                "announce", "--template", "winter-programme", "--test-to", "organizer@example.org",
                "--language", "pl",
            ])
        #expect(nobody.status == 65)
        #expect(nobody.standardError.contains("nobody it goes to reads it in pl"), "\(nobody.standardError)")
    }

    /// On a terminal, more than a handful of recipients are confirmed first; a "no" records nothing.
    @Test func asksOnATerminalBeforeSendingToMany() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url, members: 6)
        let command = [
            CommandTests.executable.path, "announce", "--template", "winter-programme", "--config",
            fixture.configURL.path, "--now", Self.now,
        ]
        // `script` gives the command a terminal of its own and passes our input to it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command.map { "'\($0)'" }.joined(separator: " "), "/dev/null"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("n\n".utf8))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains("recipients? [y/N]"), "\(text)")
        #expect(text.contains("Nothing was sent or recorded."), "\(text)")
        #expect(try sink.messages().isEmpty)
        // A script says --yes.
        let sent = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--now", Self.now, "--yes"])
        #expect(sent.standardOutput.contains("8 sent"), "\(sent.standardOutput)")
    }
}
