import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Delivery against a real SMTP server with STARTTLS or implicit TLS and AUTH
/// (aiosmtpd), with certificates made for each test run.
@Suite struct SMTPTLSTests {
    static let user = "events@example.org"
    static let password = "Hygge#2026!pw"

    /// The password and every form an AUTH exchange could carry it in.
    static var secretForms: [String] {
        let plain = Array("\0\(user)\0\(password)".utf8)
        return [
            password, Data(password.utf8).base64EncodedString(), Data(plain).base64EncodedString(),
            Data("\(user)\0\(user)\0\(password)".utf8).base64EncodedString(),
        ]
    }

    struct Fixture {
        let directory: URL
        let good: Certificate
        let wrongHost: Certificate

        init() throws {
            directory = try TestPaths.temporaryDirectory("certs")
            good = try Certificate.make(subjectAltName: "IP:127.0.0.1", in: directory)
            wrongHost = try Certificate.make(subjectAltName: "DNS:wrong.example.invalid", in: directory)
        }
    }

    func settings(
        _ server: TLSServer, tls: SMTPSettings.TLSMode = .starttls, caFile: URL?, password: String = password,
        trace: SMTPSinkTests.TraceLog? = nil
    ) -> SMTPSettings {
        let scheme = tls == .implicit ? "smtps" : "smtp"
        return SMTPSettings(
            url: "\(scheme)://127.0.0.1:\(server.port)", tls: tls, username: Self.user,
            password: Secret(password),
            caFile: caFile?.path, connectTimeout: 10, messageTimeout: 20, trace: trace?.sink)
    }

    static func isSecurityError(_ error: any Error, mentioning text: String) -> Bool {
        guard case .security(let reason) = error as? TransportError else { return false }
        return reason.contains(text)
    }

    @Test func deliversOverSTARTTLSWithAuthAndAPrivateCA() async throws {
        let fixture = try Fixture()
        let server = try TLSServer(mode: "starttls", certificate: fixture.good, password: Self.password)
        defer { server.stop() }
        let trace = SMTPSinkTests.TraceLog()
        let envelopes = try SMTPSinkTests.envelopes(3)
        let transport = try SMTPTransport(
            settings: settings(server, caFile: fixture.good.certificate, trace: trace))
        let results = try await transport.deliver(envelopes)
        #expect(results.map(\.outcome) == [.delivered, .delivered, .delivered], "\(results)")
        // aiosmtpd keeps the message as received, CRLF and all, after undoing the dot-stuffing.
        #expect(try server.messages() == envelopes.map(\.data))
        #expect(trace.count("> STARTTLS") >= 1)
        #expect(trace.count("> AUTH") >= 1)
        #expect(trace.all.contains { $0.contains("[credentials redacted]") })
        for form in Self.secretForms {
            #expect(!trace.all.joined(separator: "\n").contains(form), "the trace shows the password")
        }
    }

    @Test func deliversOverImplicitTLS() async throws {
        let fixture = try Fixture()
        let server = try TLSServer(mode: "implicit", certificate: fixture.good, password: Self.password)
        defer { server.stop() }
        let transport = try SMTPTransport(
            settings: settings(server, tls: .implicit, caFile: fixture.good.certificate))
        let results = try await transport.deliver(try SMTPSinkTests.envelopes(2))
        #expect(results.map(\.outcome) == [.delivered, .delivered], "\(results)")
        #expect(try server.messages().count == 2)
    }

    @Test func refusesAServerWithoutSTARTTLSBeforeAnyAuth() async throws {
        let server = try TLSServer(mode: "plain", certificate: nil, password: Self.password)
        defer { server.stop() }
        let transport = try SMTPTransport(settings: settings(server, caFile: nil))
        let reported = SMTPSinkTests.TraceLog()
        await #expect {
            try await transport.deliver(try SMTPSinkTests.envelopes(2)) { reported.sink($0.outcome.rawValue) }
        } throws: { Self.isSecurityError($0, mentioning: "STARTTLS") }
        #expect(reported.all.isEmpty, "nothing is reported as tried: every message waits")
        let commands = server.commands
        #expect(commands.contains { $0.hasPrefix("EHLO") }, "the server saw the connection")
        #expect(
            !commands.contains { $0.uppercased().hasPrefix("AUTH") }, "AUTH must never be sent without TLS")
        #expect(!commands.contains { $0.uppercased().hasPrefix("MAIL") })
        #expect(try server.messages().isEmpty)
    }

    @Test func refusesACertificateForAnotherHost() async throws {
        let fixture = try Fixture()
        let server = try TLSServer(mode: "starttls", certificate: fixture.wrongHost, password: Self.password)
        defer { server.stop() }
        let transport = try SMTPTransport(settings: settings(server, caFile: fixture.wrongHost.certificate))
        await #expect {
            try await transport.deliver(try SMTPSinkTests.envelopes(1))
        } throws: { Self.isSecurityError($0, mentioning: "certificate") }
        #expect(!server.commands.contains { $0.uppercased().hasPrefix("AUTH") })
    }

    @Test func refusesAnUntrustedCertificate() async throws {
        let fixture = try Fixture()
        let server = try TLSServer(mode: "starttls", certificate: fixture.good, password: Self.password)
        defer { server.stop() }
        let transport = try SMTPTransport(settings: settings(server, caFile: nil))
        await #expect {
            try await transport.deliver(try SMTPSinkTests.envelopes(1))
        } throws: { Self.isSecurityError($0, mentioning: "certificate") }
        #expect(!server.commands.contains { $0.uppercased().hasPrefix("AUTH") })
    }

    @Test func reportsAWrongPasswordClearlyAndNeverShowsIt() async throws {
        let fixture = try Fixture()
        let server = try TLSServer(mode: "starttls", certificate: fixture.good, password: "the-right-one")
        defer { server.stop() }
        let trace = SMTPSinkTests.TraceLog()
        let transport = try SMTPTransport(
            settings: settings(server, caFile: fixture.good.certificate, trace: trace))
        var thrown: (any Error)?
        do {
            _ = try await transport.deliver(try SMTPSinkTests.envelopes(2))
        } catch {
            thrown = error
        }
        let error = try #require(thrown)
        #expect(Self.isSecurityError(error, mentioning: "authentication rejected"))
        #expect(String(describing: error).contains("535"), "the server's reply is kept: \(error)")
        #expect(try server.messages().isEmpty)
        let output = trace.all.joined(separator: "\n") + String(describing: error) + String(reflecting: error)
        #expect(trace.count("> AUTH") >= 1, "the trace covers the AUTH exchange")
        for form in Self.secretForms {
            #expect(!output.contains(form), "output shows the password")
        }
    }

    @Test func secretsNeverPrint() throws {
        let secret = Secret(Self.password)
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains(Self.password))
    }

    @Test func readsThePasswordFromTheEnvironmentOrAPrivateFile() throws {
        #expect(
            try Secret.load(from: .environment("INVITER_PW"), environment: ["INVITER_PW": "pw"]).reveal()
                == "pw")
        #expect(throws: TransportError.self) {
            try Secret.load(from: .environment("INVITER_PW"), environment: [:])
        }
        let directory = try TestPaths.temporaryDirectory("secret")
        let file = directory.appendingPathComponent("smtp")
        try Data("from-file\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try Secret.load(from: .file(file.path)).reveal() == "from-file")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect {
            try Secret.load(from: .file(file.path))
        } throws: { error in
            String(describing: error).contains("can be read by other users")
                && !String(describing: error).contains("from-file")
        }
    }
}
