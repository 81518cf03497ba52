import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The mailbox end to end: invitations sent through smtp-sink with VERP return paths, the
/// bounces, unsubscribe mails and replies they draw dropped into a real Dovecot (STARTTLS,
/// AUTH), read by `inviter mailbox` over libcurl IMAP, and the next run, which no longer mails
/// the bounced and the unsubscribed.
@Suite(.serialized) struct MailboxTests {
    static let password = "mailbox-pw-\(UUID().uuidString.prefix(8))"
    static let invitation = "invitation/wednesday-hygge/2026-12-09"

    /// The network of `RunCommandTests` with `[web]`, a return path and `[mailbox]` at `dovecot`.
    static func network(sink: SMTPSink, dovecot: DovecotServer, members: Int, caFile: Bool = true) throws
        -> NetworkFixture
    {
        let ca = caFile ? dovecot.certificate.map { "ca_file = \"\($0.certificate.path)\"\n" } ?? "" : ""
        let tls = dovecot.certificate == nil ? "tls = \"none\"\n" : ""
        let fixture = try RunCommandTests.network(
            sinkURL: sink.url, members: members,
            extra: ServeNetwork.web + """

                [mailbox]
                url = "\(dovecot.url)"
                username = "\(dovecot.user)"
                password_env = "INVITER_MAILBOX_PASSWORD"
                \(ca)\(tls)
                """)
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8).replacingOccurrences(
            of: "state = \"state\"", with: "state = \"state\"\nreturn_path = \"bounces+{token}@example.org\"")
        try fixture.write("inviter.toml", bytes: Array(config.utf8))
        return fixture
    }

    /// The link secret and the mailbox password, as cron would have them.
    static let environment = ServeNetwork.environment.merging(["INVITER_MAILBOX_PASSWORD": password]) { $1 }

    static func tool(_ fixture: NetworkFixture, _ arguments: [String], input: [UInt8]? = nil) throws
        -> CommandTests.Output
    {
        try CommandTests.run(
            arguments + ["--config", fixture.configURL.path], environment: environment, input: input)
    }

    /// The fixture `name` as the mail system would return it for `recipient`'s `mailing` message.
    static func bounce(
        _ name: String, recipient: String, verp: String, mailing: String = invitation,
        unsubscribe: String = ""
    ) throws -> [UInt8] {
        let key = DeliveryKey(mailing: MailingID(mailing) ?? .sendTest, recipient: AddressKey(recipient))
        return try MailboxFixtures.message(
            name,
            MailboxFixtures.Values(
                verpAddress: verp, fromAddress: "events@example.org", recipient: recipient,
                messageID: key.messageID(domain: "example.org").value, mailing: mailing,
                unsubscribeAddress: "unsubscribe@example.org", unsubscribeSubject: unsubscribe))
    }

    @Test func bouncesAndUnsubscribesStopTheNextRunAndNothingCountsTwice() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let dovecot = try DovecotServer(password: Self.password)
        defer { dovecot.stop() }
        let fixture = try Self.network(sink: sink, dovecot: dovecot, members: 4)
        let check = try Self.tool(fixture, ["check", "--now", RunCommandTests.invitationDue])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")

        // The invitations of 2026-12-09 (and the 2026-12-02 reminders' neighbours): each envelope
        // sender is the return path with its own token.
        let first = try Self.tool(fixture, ["run", "--now", ServeNetwork.nextInvitationDue])
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        var verp: [String: String] = [:]
        for envelope in try sink.envelopes() {
            #expect(envelope.sender.hasPrefix("bounces+"))
            #expect(envelope.sender.hasSuffix("@example.org"))
            for recipient in envelope.recipients { verp[recipient] = envelope.sender }
        }
        #expect(Set(verp.values).count == verp.count, "one token per delivery")
        let texts = try sink.messages()
        let metteText = try #require(texts.first { $0.recipients.contains("<mette@example.org>") }).text
        let subject = try #require(Self.mailtoSubject(in: metteText))
        #expect(subject.hasPrefix("unsubscribe mette@example.org 2."))

        let messages: [[UInt8]] = [
            try Self.bounce(
                "postfix-hard", recipient: "member0@example.org", verp: verp["member0@example.org"] ?? ""),
            try Self.bounce(
                "exchange-hard", recipient: "member1@example.org", verp: verp["member1@example.org"] ?? ""),
            // A relay that rewrote the envelope sender: matched by the Message-ID and the recipient.
            try Self.bounce("rewritten-sender", recipient: "member2@example.org", verp: ""),
            try Self.bounce(
                "mailto-unsubscribe", recipient: "mette@example.org", verp: "", unsubscribe: subject),
            try Self.bounce(
                "postfix-delayed", recipient: "olena@example.org", verp: verp["olena@example.org"] ?? ""),
            try Self.bounce("out-of-office", recipient: "member3@example.org", verp: ""),
            try Self.bounce("human-reply", recipient: "member3@example.org", verp: ""),
            try Self.bounce("forged-token", recipient: "member3@example.org", verp: ""),
            try Self.bounce("malformed-mime", recipient: "member3@example.org", verp: ""),
        ]
        try dovecot.deliver(messages)

        let read = try Self.tool(fixture, ["mailbox", "--now", ServeNetwork.nextInvitationDue])
        #expect(read.status == 0, "\(read.standardOutput)\(read.standardError)")
        #expect(
            read.standardOutput.contains(
                "Mailbox: read 9 messages: 3 bounces, 1 unsubscribes, 1 delay reports, 1 auto-replies ignored, "
                    + "3 left unread for a person; 4 addresses suppressed."), "\(read.standardOutput)")
        #expect(!read.standardOutput.contains(dovecot.password))
        // What was dealt with is read; the reply, the forged bounce and the broken message wait unread.
        let flags = try dovecot.messages()
        #expect(flags.count == 9)
        #expect(flags.filter { !$0.seen }.count == 3)

        let suppressed = try Self.tool(fixture, ["suppress", "list"]).standardOutput
        for address in ["member0", "member1", "member2"] {
            let line = suppressed.split(separator: "\n").first { $0.contains("\(address)@example.org") } ?? ""
            #expect(line.contains("bounced: 5."), "\(suppressed)")
        }
        #expect(suppressed.contains("mette@example.org"))
        #expect(suppressed.contains("unsubscribed by mail"))
        #expect(!suppressed.contains("olena@example.org"))
        let status = try RunCommandTests.status(fixture)
        #expect(RunCommandTests.counts(status, Self.invitation)["bounced"] == 3)
        let mailbox = status["mailbox"] as? [String: Int] ?? [:]
        #expect(mailbox == ["bounce": 3, "unsubscribe": 1, "report": 1, "auto-reply": 1, "person": 3])

        // Read again: nothing is new, nothing counts twice.
        let again = try Self.tool(fixture, ["mailbox"])
        #expect(again.standardOutput.contains("Mailbox: no new messages."), "\(again.standardOutput)")
        #expect(try RunCommandTests.status(fixture)["mailbox"] as? [String: Int] == mailbox)

        // The folder re-created (a new UIDVALIDITY): its unread messages are read again, to no effect.
        try dovecot.resetUIDValidity()
        try dovecot.deliver([try Self.bounce("human-reply", recipient: "olena@example.org", verp: "")])
        let renumbered = try Self.tool(fixture, ["mailbox"])
        #expect(renumbered.standardOutput.contains("UIDVALIDITY changed"), "\(renumbered.standardOutput)")
        #expect(
            renumbered.standardOutput.contains(
                "Mailbox: read 4 messages: 1 left unread for a person, 3 read before; 0 addresses suppressed."
            ),
            "\(renumbered.standardOutput)")
        var person = mailbox
        person["person"] = 4
        #expect(try RunCommandTests.status(fixture)["mailbox"] as? [String: Int] == person)

        // The next run (the invitations of 2026-12-16) reads the mailbox first and mails the rest only.
        let before = Set(try sink.settle())
        try dovecot.deliver([
            try Self.bounce(
                "gmail-hard", recipient: "member3@example.org", verp: verp["member3@example.org"] ?? "")
        ])
        let next = try Self.tool(fixture, ["run", "--now", "2026-12-02T19:00:00+01:00"])
        #expect(next.status == 0, "\(next.standardOutput)\(next.standardError)")
        #expect(next.standardOutput.contains("Mailbox: read 1 messages: 1 bounces"), "\(next.standardOutput)")
        let recipients = Set(try sink.envelopes().filter { !before.contains($0.file) }.flatMap(\.recipients))
        #expect(recipients.contains("olena@example.org"))
        for gone in ["mette", "member0", "member1", "member2", "member3"] {
            #expect(!recipients.contains("\(gone)@example.org"), "\(gone) bounced or unsubscribed")
        }
    }

    /// The `subject=` of the List-Unsubscribe mailto in a captured message, percent-decoded.
    static func mailtoSubject(in text: String) -> String? {
        let unfolded = text.replacingOccurrences(of: "\n ", with: " ")
        guard let range = unfolded.range(of: "?subject=") else { return nil }
        let encoded = unfolded[range.upperBound...].prefix { $0 != ">" }
        return String(encoded).removingPercentEncoding
    }

    @Test func inboundReadsOneMessageFromAPipe() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let dovecot = try DovecotServer(password: Self.password)
        defer { dovecot.stop() }
        let fixture = try Self.network(sink: sink, dovecot: dovecot, members: 1)
        let first = try Self.tool(fixture, ["run", "--now", ServeNetwork.nextInvitationDue])
        #expect(first.status == 0, "\(first.standardError)")
        let envelope = try #require(try sink.envelopes().first { $0.recipients == ["member0@example.org"] })
        let hard = try Self.bounce("postfix-hard", recipient: "member0@example.org", verp: envelope.sender)

        // Every fixture through the pipe: each is handled or ignored (exit 0), as the unit tests expect.
        let captured = try #require(try sink.messages().first { $0.recipients == ["<member0@example.org>"] })
        let subject = try #require(Self.mailtoSubject(in: captured.text))
        let expected: [String: String] = [
            "postfix-hard": "bounce", "exim-hard": "bounce", "exchange-hard": "bounce",
            "gmail-hard": "bounce",
            "rewritten-sender": "bounce", "qmail-failure": "bounce", "exchange-legacy": "bounce",
            "unclosed-multipart": "bounce", "policy-rejected": "bounce", "postfix-soft-failed": "bounce",
            "postfix-delayed": "report", "out-of-office": "auto-reply",
            "vacation-no-autosubmitted": "auto-reply",
            "mailto-unsubscribe": "unsubscribe",
        ]
        #expect(MailboxFixtures.names.count == 21)
        for name in MailboxFixtures.names where name != "postfix-hard" {
            let message = try Self.bounce(
                name, recipient: "member0@example.org", verp: envelope.sender, unsubscribe: subject)
            let result = try Self.tool(fixture, ["inbound"], input: message)
            #expect(result.status == 0, "\(name): \(result.standardOutput)\(result.standardError)")
            #expect(
                result.standardOutput.hasPrefix((expected[name] ?? "person") + ": "),
                "\(name): \(result.standardOutput)")
        }

        let bounced = try Self.tool(fixture, ["inbound"], input: hard)
        #expect(bounced.status == 0, "\(bounced.standardError)")
        #expect(
            bounced.standardOutput.hasPrefix("bounce: member0@example.org hard (5.1.1)"),
            "\(bounced.standardOutput)")
        let twice = try Self.tool(fixture, ["inbound"], input: hard)
        #expect(twice.status == 0)
        #expect(twice.standardOutput.contains("(recorded before)"))
        let person = try Self.tool(
            fixture, ["inbound"],
            input: try Self.bounce("human-reply", recipient: "member0@example.org", verp: ""))
        #expect(person.status == 0)
        #expect(person.standardOutput.hasPrefix("person: "))
        let tooLarge = try Self.tool(
            fixture, ["inbound"],
            input: Array("Subject: big\r\n\r\n".utf8) + [UInt8](repeating: 65, count: 10_485_761))
        #expect(tooLarge.status == 65, "\(tooLarge.standardOutput)\(tooLarge.standardError)")
        // The token only in the envelope, as a pipe from Postfix has it: $ORIGINAL_RECIPIENT.
        let qmail = try Self.bounce(
            "qmail-failure", recipient: "olena@example.org", verp: "postmaster@example.org")
        let olena = try #require(try sink.envelopes().first { $0.recipients == ["olena@example.org"] })
        let piped = try CommandTests.run(
            ["inbound", "--config", fixture.configURL.path],
            environment: Self.environment.merging(["ORIGINAL_RECIPIENT": olena.sender]) { $1 }, input: qmail)
        #expect(
            piped.standardOutput.hasPrefix("bounce: olena@example.org hard (5.1.1)"),
            "\(piped.standardOutput)")
    }

    @Test func aStrippedStartTLSOrAnUntrustedCertificateIsRefusedBeforeTheLogin() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        // A server that offers no STARTTLS, while the configuration requires it.
        let plain = try DovecotServer(security: .plaintext, password: Self.password)
        defer { plain.stop() }
        let stripped = try Self.network(sink: sink, dovecot: plain, members: 0)
        let config = try String(contentsOf: stripped.configURL, encoding: .utf8).replacingOccurrences(
            of: "tls = \"none\"\n", with: "")
        try stripped.write("inviter.toml", bytes: Array(config.utf8))
        let refused = try Self.tool(stripped, ["mailbox", "--trace"])
        #expect(refused.status == 77, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains("did not offer STARTTLS"))
        #expect(!(refused.standardOutput + refused.standardError).contains(plain.password))
        // No login was attempted: the client never sent LOGIN or AUTHENTICATE.
        let sent = refused.standardError.split(separator: "\n").filter { $0.contains("] > ") }
        #expect(!sent.contains { $0.contains("LOGIN") || $0.contains("AUTHENTICATE") }, "\(sent)")

        let secure = try DovecotServer(password: Self.password)
        defer { secure.stop() }
        let untrusted = try Self.network(sink: sink, dovecot: secure, members: 0, caFile: false)
        let unverified = try Self.tool(untrusted, ["mailbox", "--trace"])
        #expect(unverified.status == 77, "\(unverified.standardOutput)\(unverified.standardError)")
        #expect(unverified.standardError.contains("certificate"))
        #expect(!(unverified.standardOutput + unverified.standardError).contains(secure.password))

        // Trusted: the trace shows the conversation, never the password.
        let trusted = try Self.network(sink: sink, dovecot: secure, members: 0)
        let traced = try Self.tool(trusted, ["mailbox", "--trace"])
        #expect(traced.status == 0, "\(traced.standardOutput)\(traced.standardError)")
        #expect(traced.standardError.contains("SELECT INBOX"), "\(traced.standardError)")
        #expect(!(traced.standardOutput + traced.standardError).contains(secure.password))
        #expect(
            !(traced.standardOutput + traced.standardError).contains(
                Data(secure.password.utf8).base64EncodedString()))
    }

    @Test func aMailboxKilledMidwayCountsNothingTwice() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let dovecot = try DovecotServer(password: Self.password)
        defer { dovecot.stop() }
        let fixture = try Self.network(sink: sink, dovecot: dovecot, members: 1)
        _ = try Self.tool(fixture, ["run", "--now", ServeNetwork.nextInvitationDue])
        let envelope = try #require(try sink.envelopes().first { $0.recipients == ["member0@example.org"] })
        // 1 500 distinct delay reports for one delivery (each its own message), and one hard bounce last.
        let delayed = try Self.bounce(
            "postfix-delayed", recipient: "member0@example.org", verp: envelope.sender)
        var messages = (0..<1500).map { number in Array("X-Sequence: \(number)\r\n".utf8) + delayed }
        messages.append(
            try Self.bounce("postfix-hard", recipient: "member0@example.org", verp: envelope.sender))
        try dovecot.deliver(messages)

        for delay in [0.4, 0.8] {
            let process = Process()
            process.executableURL = CommandTests.executable
            process.arguments = ["mailbox", "--config", fixture.configURL.path]
            process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // The kills came before the end: the last message, the bounce, is not recorded yet.
        #expect(RunCommandTests.counts(try RunCommandTests.status(fixture), Self.invitation)["bounced"] == 0)
        let rest = try Self.tool(fixture, ["mailbox"])
        #expect(rest.status == 0, "\(rest.standardError)")
        let mailbox = try RunCommandTests.status(fixture)["mailbox"] as? [String: Int] ?? [:]
        #expect(mailbox["report"] == 1500, "\(mailbox)")
        #expect(mailbox["bounce"] == 1)
        #expect(try dovecot.messages().allSatisfy(\.seen))
        #expect(RunCommandTests.counts(try RunCommandTests.status(fixture), Self.invitation)["bounced"] == 1)
    }
}
