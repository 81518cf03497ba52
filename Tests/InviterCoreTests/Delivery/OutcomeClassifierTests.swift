import InviterTestSupport
import Testing

@testable import InviterCore

/// The outcome rules as a table: how a transfer ended, the server's last reply and whether the
/// body went decide each message's fate. The rows for smtp-sink's faults are the ones the
/// transport tests also check end to end against a real server.
@Suite struct OutcomeClassifierTests {
    static let key = DeliveryKey(mailing: .of(.invitation, "hygge/2026-12-02"), recipient: "a@example.org")

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var end: TransferEnd
        var reply: SMTPReply?
        var bodyComplete: Bool
        var expected: Expected
        var testDescription: String { name }
    }

    enum Expected: Sendable, Equatable {
        case outcome(DeliveryOutcome, detail: String)
        case stop(TransportError, outcome: DeliveryOutcome?)
    }

    static let rows: [Row] = [
        Row(
            name: "250 after the body", end: .completed, reply: SMTPReply(code: 250, text: "2.0.0 Ok"),
            bodyComplete: true, expected: .outcome(.delivered, detail: "accepted by the server")),
        Row(
            name: "smtp-sink -r RCPT", end: .failed, reply: SMTPReply(code: 450, text: "4.3.0 Error"),
            bodyComplete: false, expected: .outcome(.temporary, detail: "deferred before the message body")),
        Row(
            name: "smtp-sink -f RCPT", end: .failed, reply: SMTPReply(code: 500, text: "5.3.0 Error"),
            bodyComplete: false, expected: .outcome(.permanent, detail: "refused before the message body")),
        Row(
            name: "smtp-sink -r .", end: .failed, reply: SMTPReply(code: 450, text: "4.3.0 Error"),
            bodyComplete: true, expected: .outcome(.temporary, detail: "deferred after the message body")),
        Row(
            name: "smtp-sink -f .", end: .failed, reply: SMTPReply(code: 500, text: "5.3.0 Error"),
            bodyComplete: true, expected: .outcome(.permanent, detail: "refused after the message body")),
        Row(
            name: "smtp-sink -Q MAIL", end: .failed, reply: SMTPReply(code: 421, text: "4.3.0 Bye"),
            bodyComplete: false, expected: .outcome(.temporary, detail: "deferred before the message body")),
        Row(
            name: "smtp-sink -q DATA: the body never went", end: .failed,
            reply: SMTPReply(code: 250, text: "2.1.5 Ok"), bodyComplete: false,
            expected: .outcome(
                .temporary,
                detail:
                    "the connection failed before the message body was complete (Failure when receiving data)"
            )
        ),
        Row(
            name: "smtp-sink -q .: the body went, no final reply", end: .failed,
            reply: SMTPReply(code: 354, text: "End data with <CR><LF>.<CR><LF>"), bodyComplete: true,
            expected: .outcome(
                .unknown,
                detail:
                    "lost the connection (Failure when receiving data) after the message body was sent, before the server's final reply"
            )),
        Row(
            name: "smtp-sink -W .:10 with a shorter time-out", end: .timedOut,
            reply: SMTPReply(code: 354, text: "End data"), bodyComplete: true,
            expected: .outcome(
                .unknown, detail: "timed out after the message body was sent, before the server's final reply"
            )),
        Row(
            name: "354 but the body was not complete", end: .failed, reply: SMTPReply(code: 354, text: ""),
            bodyComplete: false,
            expected: .outcome(
                .temporary,
                detail:
                    "the connection failed before the message body was complete (Failure when receiving data)"
            )
        ),
        Row(
            name: "nothing answers", end: .couldNotConnect, reply: nil, bodyComplete: false,
            expected: .stop(
                .unreachable("could not connect to the relay (Failure when receiving data)"),
                outcome: .temporary)),
        Row(
            name: "no reply before the time-out", end: .timedOut, reply: nil, bodyComplete: false,
            expected: .stop(
                .unreachable("no answer from the relay (Failure when receiving data)"), outcome: .temporary)
        ),
        Row(
            name: "AUTH refused", end: .authenticationRejected,
            reply: SMTPReply(code: 535, text: "5.7.8 Bad"),
            bodyComplete: false,
            expected: .stop(
                .security(
                    "authentication rejected: the relay did not accept the username and password (server said: 535 5.7.8 Bad)"
                ), outcome: nil)),
        Row(
            name: "no STARTTLS offered", end: .noStartTLS, reply: nil, bodyComplete: false,
            expected: .stop(
                .security(
                    "the server does not offer STARTTLS, which tls = \"starttls\" requires; nothing was sent, not even AUTH"
                ), outcome: nil)),
        Row(
            name: "certificate for another host", end: .certificateUnverified, reply: nil,
            bodyComplete: false,
            expected: .stop(
                .security(
                    "the server's TLS certificate could not be verified (Failure when receiving data); set ca_file for a private relay"
                ), outcome: nil)),
        Row(
            name: "TLS handshake fails", end: .tlsFailed, reply: nil, bodyComplete: false,
            expected: .stop(.security("the TLS handshake failed (Failure when receiving data)"), outcome: nil)
        ),
        Row(
            name: "ca_file is not PEM", end: .caFileUnreadable, reply: nil, bodyComplete: false,
            expected: .stop(
                .configuration("ca_file could not be read as PEM certificates (Failure when receiving data)"),
                outcome: nil)),
    ]

    @Test(arguments: rows)
    func classifies(_ row: Row) {
        let facts = TransferFacts(
            end: row.end, curlText: "Failure when receiving data", reply: row.reply, authReply: nil,
            bodyComplete: row.bodyComplete)
        switch (OutcomeClassifier.verdict(facts, key: Self.key), row.expected) {
        case (.result(let result), .outcome(let outcome, let detail)):
            #expect(result.outcome == outcome)
            #expect(result.detail == detail)
            #expect(result.reply == row.reply, "the server's reply is kept with the outcome")
            #expect(result.key == Self.key)
        case (.stop(let error, let result), .stop(let expected, let outcome)):
            #expect(error == expected)
            #expect(result?.outcome == outcome)
        case (let verdict, let expected):
            Issue.record("\(row.name): got \(verdict), expected \(expected)")
        }
    }

    /// The reply that refused AUTH names the reason, even when a later reply (to QUIT) was the last.
    @Test func authRefusalQuotesTheAuthReply() {
        let facts = TransferFacts(
            end: .authenticationRejected, curlText: "Login denied", reply: SMTPReply(code: 221, text: "Bye"),
            authReply: SMTPReply(code: 535, text: "5.7.8 Authentication credentials invalid"),
            bodyComplete: false)
        guard case .stop(.security(let reason), nil) = OutcomeClassifier.verdict(facts, key: Self.key) else {
            Issue.record("an AUTH refusal must stop the delivery for security")
            return
        }
        #expect(reason.hasSuffix("(server said: 535 5.7.8 Authentication credentials invalid)"))
    }
}

/// The reply reader: what it keeps of a conversation, and what a trace may show of it.
@Suite struct SMTPConversationTests {
    static func bytes(_ line: String) -> [UInt8] { Array(line.utf8) }

    @Test func joinsAMultiLineReplyAndIgnoresQuit() {
        var conversation = SMTPConversation()
        _ = conversation.sent(Self.bytes("EHLO inviter.example.org"), tracing: false)
        conversation.received(Self.bytes("250-relay.example.org"))
        conversation.received(Self.bytes("250-PIPELINING"))
        conversation.received(Self.bytes("250 8BITMIME"))
        #expect(conversation.lastReply == SMTPReply(code: 250, text: "relay.example.org PIPELINING 8BITMIME"))
        _ = conversation.sent(Self.bytes("DATA"), tracing: false)
        conversation.received(Self.bytes("354 End data with <CR><LF>.<CR><LF>"))
        _ = conversation.sent(Self.bytes("QUIT"), tracing: false)
        conversation.received(Self.bytes("221 2.0.0 Bye"))
        #expect(conversation.lastReply?.code == 354, "a reply to QUIT says nothing about the message")
        conversation.received(Self.bytes("* not a reply"))
        #expect(conversation.lastReply?.code == 354)
    }

    @Test func keepsCredentialsOutOfTheTraceAndRemembersTheRefusal() {
        var conversation = SMTPConversation()
        #expect(
            conversation.sent(Self.bytes("AUTH LOGIN"), tracing: true)
                == "> AUTH LOGIN [credentials redacted]")
        conversation.received(Self.bytes("334 VXNlcm5hbWU6"))
        #expect(
            conversation.sent(Self.bytes("ZXZlbnRzQGV4YW1wbGUub3Jn"), tracing: true)
                == "> [credentials redacted]")
        conversation.received(Self.bytes("334 UGFzc3dvcmQ6"))
        #expect(conversation.sent(Self.bytes("c2VjcmV0"), tracing: true) == "> [credentials redacted]")
        conversation.received(Self.bytes("535 5.7.8 Authentication credentials invalid"))
        #expect(
            conversation.authReply == SMTPReply(code: 535, text: "5.7.8 Authentication credentials invalid"))
        #expect(
            conversation.sent(Self.bytes("QUIT"), tracing: true) == "> QUIT", "after AUTH, lines show again")
        #expect(conversation.sent(Self.bytes("MAIL FROM:<a@example.org>"), tracing: false) == nil)
        conversation.reset()
        #expect(conversation.lastReply == nil && conversation.authReply == nil)
    }
}
