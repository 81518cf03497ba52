import Foundation
import InviterCore
import InviterTestSupport
import Synchronization
import Testing

/// Delivery against Postfix's `smtp-sink` on loopback: what arrives, how
/// connections are used, and how each injected fault is classified.
@Suite struct SMTPSinkTests {
    /// Envelopes for `count` recipients, each body holding dot lines that libcurl must stuff.
    static func envelopes(_ count: Int, prefix: String = "member") throws -> [Envelope] {
        try (1...count).map { number in
            let message = Message(
                from: try MailAddress("events@example.org", displayName: "International Society Herning"),
                to: try MailAddress(
                    "\(prefix)\(number)@example.org", displayName: "Medlem nr. \(number) – Søren"),
                subject: "Onsdagshygge \(number): på pubben",
                date: SampleMessages.date,
                timeZone: SampleMessages.zone,
                messageID: MessageID(stableKey: "sink \(prefix) \(number)", domain: "example.org"),
                text: "Hej \(number)!\n.\n..x\n.hidden\nSidste linje\n",
                html: "<p>Hej \(number)!</p>\n.\n"
            )
            return try Envelope(message: message)
        }
    }

    /// Trace lines, collected from the transport's thread.
    final class TraceLog: Sendable {
        private let lines = Mutex<[String]>([])
        var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
        var all: [String] { lines.withLock { $0 } }
        func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }
    }

    @Test func deliversTheExactBytesOneTransactionPerRecipient() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let envelopes = try Self.envelopes(4)
        let transport = try SMTPTransport(settings: SMTPSettings(url: sink.url, tls: .none))
        let results = try await transport.deliver(envelopes)

        #expect(results.count == 4)
        #expect(results.allSatisfy { $0.outcome == .delivered && $0.reply?.code == 250 })
        #expect(Set(results.map(\.key)) == Set(envelopes.map(\.key)))
        let received = try sink.messages()
        #expect(received.count == 4)
        for envelope in envelopes {
            let sent = String(decoding: envelope.data, as: UTF8.self).replacingOccurrences(
                of: "\r\n", with: "\n")
            let match = received.first { $0.recipients == ["<\(envelope.recipient.address)>"] }
            // smtp-sink writes LF line ends and removes libcurl's dot-stuffing: what is left must be exactly what was encoded.
            #expect(match?.text == sent, "message to \(envelope.recipient.address) arrived changed")
        }
        #expect(received.allSatisfy { $0.recipients.count == 1 })
    }

    @Test func carriesManyMessagesOverOneConnection() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let trace = TraceLog()
        let transport = try SMTPTransport(
            settings: SMTPSettings(
                url: sink.url, tls: .none, ehloName: "inviter.example.org", connections: 1, trace: trace.sink)
        )
        let results = try await transport.deliver(try Self.envelopes(6))
        #expect(results.map(\.outcome) == Array(repeating: .delivered, count: 6))
        #expect(trace.count("Connected to") == 1)
        #expect(trace.count("> EHLO inviter.example.org") == 1)
        #expect(trace.count("> MAIL FROM:") == 6)
        #expect(try sink.messages().map(\.helo) == Array(repeating: "inviter.example.org", count: 6))
    }

    @Test func spreadsMessagesOverParallelConnections() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let trace = TraceLog()
        let transport = try SMTPTransport(
            settings: SMTPSettings(url: sink.url, tls: .none, connections: 3, trace: trace.sink))
        let results = try await transport.deliver(try Self.envelopes(12))
        #expect(results.filter { $0.outcome == .delivered }.count == 12)
        #expect(trace.count("Connected to") == 3)
        #expect(Set(trace.all.compactMap { $0.split(separator: " ").first }) == ["[1]", "[2]", "[3]"])
        #expect(try sink.messages().count == 12)
    }

    /// Each smtp-sink fault, the outcome it must get, and the reply code the server gave.
    static let faults: [(flags: [String], outcome: DeliveryOutcome, code: Int?)] = [
        (["-r", "RCPT"], .temporary, 450),
        (["-f", "RCPT"], .permanent, 500),
        (["-r", "."], .temporary, 450),
        (["-f", "."], .permanent, 500),
        (["-Q", "MAIL"], .temporary, 421),
        (["-q", "DATA"], .temporary, 250),
        (["-q", "."], .unknown, 354),
        (["-W", ".:6"], .unknown, 354),
    ]

    @Test(arguments: 0..<faults.count)
    func classifiesFaults(_ index: Int) async throws {
        let fault = Self.faults[index]
        let sink = try SMTPSink(faults: fault.flags)
        defer { sink.stop() }
        // The stalled reply (-W) outlasts this time-out; the others answer at once.
        let transport = try SMTPTransport(
            settings: SMTPSettings(url: sink.url, tls: .none, messageTimeout: 2))
        let results = try await transport.deliver(try Self.envelopes(1, prefix: "fault\(index)-"))
        let result = try #require(results.first)
        #expect(result.outcome == fault.outcome, "\(fault.flags): \(result)")
        #expect(result.reply?.code == fault.code, "\(fault.flags): \(result)")
    }

    @Test func keepsTheServersReplyText() async throws {
        let sink = try SMTPSink(faults: ["-f", "RCPT"])
        defer { sink.stop() }
        let transport = try SMTPTransport(settings: SMTPSettings(url: sink.url, tls: .none))
        let result = try #require(try await transport.deliver(try Self.envelopes(1)).first)
        #expect(result.outcome == .permanent)
        #expect(result.reply?.text.isEmpty == false)
        #expect(result.detail == "refused before the message body")
    }

    @Test func reportsAnUnreachableRelayAndStops() async throws {
        let port = try freeLoopbackPort()  // nothing listens there
        let transport = try SMTPTransport(
            settings: SMTPSettings(url: "smtp://127.0.0.1:\(port)", tls: .none, connections: 2))
        let reported = TraceLog()
        await #expect {
            try await transport.deliver(try Self.envelopes(20)) { result in
                reported.sink(result.outcome.rawValue)
            }
        } throws: { error in
            guard case .unreachable(let reason) = error as? TransportError else { return false }
            return reason.contains("could not connect")
        }
        // Only the messages in flight were tried; the rest wait for the next run.
        #expect(reported.all.count <= 2)
        #expect(reported.all.allSatisfy { $0 == "temporary" })
    }

    @Test func refusesInconsistentSettingsBeforeConnecting() {
        let cases: [SMTPSettings] = [
            SMTPSettings(url: "smtp://relay.example.org:587", tls: .implicit),
            SMTPSettings(url: "smtps://relay.example.org:465", tls: .starttls),
            SMTPSettings(url: "http://relay.example.org", tls: .starttls),
            SMTPSettings(url: "smtp://user:pw@relay.example.org", tls: .starttls),
            SMTPSettings(url: "smtp://relay.example.org/path", tls: .starttls),
            SMTPSettings(url: "smtp://relay.example.org:587", tls: .starttls, username: "events@example.org"),
            SMTPSettings(url: "smtp://relay.example.org", tls: .starttls, ehloName: "bad name\r\nRSET"),
            SMTPSettings(url: "smtp://relay.example.org", tls: .starttls, connections: 0),
        ]
        for settings in cases {
            #expect(throws: TransportError.self, "\(settings.url)") { try SMTPTransport(settings: settings) }
        }
        // AUTH without encryption is refused for another host, allowed on this one.
        #expect {
            try SMTPTransport(
                settings: SMTPSettings(
                    url: "smtp://relay.example.org:25", tls: .none, username: "u", password: Secret("p")))
        } throws: { error in
            guard case .security = error as? TransportError else { return false }
            return true
        }
        #expect(throws: Never.self) {
            try SMTPTransport(
                settings: SMTPSettings(
                    url: "smtp://127.0.0.1:25", tls: .none, username: "u", password: Secret("p")))
        }
    }
}
