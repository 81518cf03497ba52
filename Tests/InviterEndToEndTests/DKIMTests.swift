import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// DKIM end to end: keys made by `inviter dkim keygen`, every kind of message a network sends
/// signed on its way through a real smtp-sink (and a real STARTTLS+AUTH server), each verified
/// by dkimpy with the published record passed in instead of DNS.
@Suite(.serialized) struct DKIMTests {
    /// `inviter dkim keygen` into `folder`; the key's path and the TXT record's text.
    static func keygen(_ folder: URL, selector: String, algorithm: String) throws -> (URL, String) {
        let file = folder.appendingPathComponent("\(selector).pem")
        let output = try CommandTests.run([
            "dkim", "keygen", "--domain", "example.org", "--selector", selector, "--out", file.path,
            "--algorithm", algorithm,
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let line = try #require(
            output.standardOutput.split(separator: "\n").first {
                $0.hasPrefix("\(selector)._domainkey.example.org. IN TXT")
            })
        let strings = line.components(separatedBy: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(
            \.element)
        #expect(strings.allSatisfy { $0.utf8.count <= 255 }, "DNS strings of at most 255 bytes")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(!output.standardOutput.contains("PRIVATE KEY"), "the key is never printed")
        return (file, strings.joined())
    }

    static func dkimSection(_ keys: [(selector: String, file: URL)]) -> String {
        """
        [dkim]
        domain = "example.org"
        selector = [\(keys.map { "\"\($0.selector)\"" }.joined(separator: ", "))]
        private_key_file = [\(keys.map { "\"\($0.file.path)\"" }.joined(separator: ", "))]

        """
    }

    /// smtp-sink's capture as a receiving server would hand it on: CRLF line ends.
    static func crlf(_ text: String) -> [UInt8] {
        Array(
            text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
                .utf8)
    }

    @Test func everyKindOfMessageIsSignedWithBothKeysAndVerifies() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let keys = try TestPaths.temporaryDirectory("dkim-keys")
        let (rsaFile, rsaRecord) = try Self.keygen(keys, selector: "inviter", algorithm: "rsa")
        let (edFile, edRecord) = try Self.keygen(keys, selector: "inviter-ed", algorithm: "ed25519")
        let records = ["inviter": rsaRecord, "inviter-ed": edRecord]
        // A line that starts with a dot (dot-stuffed on the wire) and a long subject.
        let events = NetworkFixture.events.replacingOccurrences(
            of: "description = { en = \"Meet at the pub.\", da = \"Vi mødes på pubben.\" }",
            with:
                "description = { en = \"Meet at the pub.\\n\\n.NET and .dotfiles talk after.\", da = \"Vi mødes.\" }"
        ).replacingOccurrences(
            of: "title = \"Christmas lunch\"",
            with:
                "title = \"Christmas lunch with herring, flæskesteg, risalamande and a very long list of songs\""
        )
        let fixture = try RunCommandTests.network(
            sinkURL: sink.url, members: 2,
            extra: ServeNetwork.web + "\n" + Self.dkimSection([("inviter", rsaFile), ("inviter-ed", edFile)]))
        try fixture.write("events.toml", bytes: Array(events.utf8))
        let environment = ServeNetwork.environment
        func tool(_ arguments: [String]) throws -> CommandTests.Output {
            try CommandTests.run(arguments + ["--config", fixture.configURL.path], environment: environment)
        }
        let check = try tool(["check", "--now", RunCommandTests.invitationDue])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")

        for moment in [
            RunCommandTests.invitationDue, ServeNetwork.christmasLunchDue, ServeNetwork.reminderDue,
        ] {
            let run = try tool(["run", "--now", moment])
            #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        }
        let sent = try tool(["send-test", "--to", "postmaster@example.org"])
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(
            sent.standardOutput.contains("inviter._domainkey.example.org. IN TXT"), "\(sent.standardOutput)")
        #expect(sent.standardOutput.contains("verifies against the inviter key"), "\(sent.standardOutput)")
        #expect(sent.standardOutput.contains("verifies against the inviter-ed key"), "\(sent.standardOutput)")
        // A sign-up confirmation, sent by serve itself.
        let serve = try ServeProcess(
            executable: CommandTests.executable, config: fixture.configURL, environment: environment,
            logDirectory: fixture.directory)
        defer { serve.stop() }
        let joined = try BlockingHTTP.postForm(
            ServeNetwork.url("/join", on: serve),
            [("email", "newcomer@example.org"), ("name", "Nour Haddad"), ("language", "ar")])
        #expect(joined.status == 200)
        let deadline = Date().addingTimeInterval(15)
        var mail = try sink.messages()
        while !mail.contains(where: { $0.text.contains("X-Inviter-Mailing: join/") }), Date() < deadline {
            usleep(200_000)
            mail = try sink.messages()
        }

        let folder = try TestPaths.temporaryDirectory("dkim-captured")
        var files: [URL] = []
        var kinds: Set<String> = []
        for (index, message) in mail.enumerated() {
            let file = folder.appendingPathComponent("\(index).eml")
            try Data(Self.crlf(message.text)).write(to: file)
            files.append(file)
            let mailing = message.text.components(separatedBy: "X-Inviter-Mailing: ").dropFirst().first?
                .prefix { $0 != "/" && $0 != "\n" && $0 != "\r" }
            kinds.insert(mailing.map(String.init) ?? "send-test")
        }
        #expect(kinds.isSuperset(of: ["invitation", "partner", "reminder", "join", "send-test"]), "\(kinds)")
        // The preview's files are signed as the run's messages are.
        let preview = try tool([
            "preview", "--now", RunCommandTests.invitationDue, "--out",
            folder.appendingPathComponent("preview").path,
            "--mailing", "invitation/wednesday-hygge/2026-12-02",
        ])
        #expect(preview.status == 0, "\(preview.standardError)")
        let previews = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("preview").path
        ).filter { $0.hasSuffix(".eml") }.map { folder.appendingPathComponent("preview/\($0)") }
        #expect(!previews.isEmpty)
        files += previews

        let verdicts = try DKIMVerdict.check(files: files, records: records)
        print("DKIM: \(files.count) messages verified, kinds \(kinds.sorted().joined(separator: ", "))")
        #expect(verdicts.count == files.count)
        for (file, signatures) in verdicts {
            #expect(
                signatures.map(\.algorithm) == ["rsa-sha256", "ed25519-sha256"], "\(file): \(signatures)")
            #expect(signatures.allSatisfy { $0.ok }, "\(file): \(signatures)")
            #expect(signatures.allSatisfy { $0.length.isEmpty }, "never l=")
        }
        let oneClick = try #require(
            verdicts.values.first { $0.first?.fields.contains("list-unsubscribe-post") == true })
        #expect(
            oneClick.first?.fields.contains("list-unsubscribe") == true,
            "RFC 8058 needs both one-click fields signed")
    }

    @Test func aServerThatKeepsTheBytesAsSentGetsVerifiableMail() throws {
        let certificate = try Certificate.make(
            subjectAltName: "IP:127.0.0.1", in: try TestPaths.temporaryDirectory("dkim-tls"))
        let server = try TLSServer(mode: "starttls", certificate: certificate, password: "s3cret")
        defer { server.stop() }
        let keys = try TestPaths.temporaryDirectory("dkim-keys")
        let (rsaFile, rsaRecord) = try Self.keygen(keys, selector: "inviter", algorithm: "rsa")
        let config =
            NetworkFixture.config.replacingOccurrences(
                of: "transport = \"outbox\"", with: "transport = \"smtp\"")
                + """
                [smtp]
                url = "smtp://127.0.0.1:\(server.port)"
                tls = "starttls"
                username = "events@example.org"
                password_env = "INVITER_TEST_PASSWORD"
                ca_file = "\(certificate.certificate.path)"

                """ + Self.dkimSection([("inviter", rsaFile)])
        let fixture = try NetworkFixture(["inviter.toml": config])
        let run = try CommandTests.run(
            ["run", "--config", fixture.configURL.path, "--now", RunCommandTests.invitationDue],
            environment: ["INVITER_TEST_PASSWORD": "s3cret"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let messages = try server.messages()
        #expect(messages.count == 3)
        for message in messages {
            let verdict = try DKIMVerdict.check(message, records: ["inviter": rsaRecord])
            #expect(verdict.count == 1 && verdict.first?.ok == true, "\(verdict)")
        }
    }

    @Test func badKeysAreRefusedByCheckWithTheirLineAndNothingIsSent() throws {
        let keys = try TestPaths.temporaryDirectory("dkim-keys")
        let (good, _) = try Self.keygen(keys, selector: "inviter", algorithm: "rsa")
        let readable = keys.appendingPathComponent("readable.pem")
        try FileManager.default.copyItem(at: good, to: readable)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: readable.path)
        let notAKey = keys.appendingPathComponent("certificate.pem")
        try Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).write(to: notAKey)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: notAKey.path)
        let weak = keys.appendingPathComponent("weak.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["genrsa", "-out", weak.path, "1024"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: weak.path)
        let secretText = try String(contentsOf: good, encoding: .utf8)
        let cases: [(section: String, expected: String)] = [
            (Self.dkimSection([("inviter", keys.appendingPathComponent("missing.pem"))]), "does not exist"),
            (Self.dkimSection([("inviter", readable)]), "can be read by other users (mode 644)"),
            (Self.dkimSection([("inviter", notAKey)]), "is not a PEM private key"),
            (Self.dkimSection([("inviter", weak)]), "is a 1024-bit RSA key"),
            (Self.dkimSection([("in viter", good)]), "is not a selector"),
        ]
        for (section, expected) in cases {
            let fixture = try NetworkFixture(["inviter.toml": NetworkFixture.config + section])
            let check = try CommandTests.run(["check", "--config", fixture.configURL.path])
            #expect(check.status == 78, "\(expected): \(check.standardOutput)\(check.standardError)")
            let all = check.standardOutput + check.standardError
            #expect(all.contains("inviter.toml:"), "a file:line error: \(all)")
            #expect(all.contains(expected), "\(expected): \(all)")
            #expect(!all.contains(secretText.split(separator: "\n")[1]), "the key never appears")
            let run = try CommandTests.run(["run", "--config", fixture.configURL.path])
            #expect(run.status == 78)
            #expect(
                !FileManager.default.fileExists(
                    atPath: fixture.directory.appendingPathComponent("outbox").path))
        }
    }

    @Test func aSigningDomainTheFromAddressDoesNotAlignWithIsAWarning() throws {
        let keys = try TestPaths.temporaryDirectory("dkim-keys")
        let (file, _) = try Self.keygen(keys, selector: "inviter", algorithm: "rsa")
        let section = Self.dkimSection([("inviter", file)]).replacingOccurrences(
            of: "domain = \"example.org\"", with: "domain = \"example.com\"")
        let fixture = try NetworkFixture(["inviter.toml": NetworkFixture.config + section])
        let check = try CommandTests.run(["check", "--config", fixture.configURL.path])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(
            check.standardOutput.contains(
                "warning: dkim.domain: signs for example.com but mail is from example.org"),
            "\(check.standardOutput)")
    }
}
