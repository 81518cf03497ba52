import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// What each kind of received mail does to the ledger, against both ledgers: the fixtures in the
/// shapes real mail systems write, with one delivery's values filled in.
@Suite struct InboundHandlerTests {
    typealias Kind = MemoryLedgerConformanceTests.Kind
    static let t0 = MemoryLedgerConformanceTests.t0
    static let secret = Secret("a link secret for the tests")
    static let network = "Test network"
    static func returnPath() throws -> ReturnPath { try ReturnPath(parsing: "bounces+{token}@example.org") }
    static let anna: AddressKey = "anna.jensen@example.com"
    static let bo: AddressKey = "bo.larsen@example.com"

    static func mailingID(_ day: Int) -> MailingID {
        .of(
            .invitation, OccurrenceID(stringLiteral: "wednesday-hygge/2026-12-\(String(format: "%02d", day))")
        )
    }

    /// One invitation sent to Anna and Bo.
    static func send(_ ledger: any Ledger, day: Int = 9) throws {
        let id = mailingID(day)
        _ = try ledger.register(
            MailingRecord(id: id, kind: .invitation, dueAt: t0, deadline: nil),
            recipients: [anna, bo].map {
                ($0, DeliveryKey(mailing: id, recipient: $0).messageID(domain: "example.org").value)
            },
            now: t0)
        for address in [anna, bo] {
            try ledger.record(
                DeliveryKey(mailing: id, recipient: address), state: .sent, reply: "250 ok", retryAt: nil,
                now: t0)
        }
    }

    static func handler(_ ledger: any Ledger) throws -> InboundHandler {
        InboundHandler(ledger: ledger, returnPath: try returnPath(), network: network, secret: secret)
    }

    /// The fixture `name` as it would come back for Anna's delivery of `day`.
    static func fixture(_ name: String, day: Int = 9, token: String? = nil, list: MailingList = .members)
        throws -> [UInt8]
    {
        let key = DeliveryKey(mailing: mailingID(day), recipient: anna)
        var verp = try returnPath().address(for: key, network: network, secret: secret).address
        if let token { verp = "bounces+\(token)@example.org" }
        let unsubscribe = UnsubscribeLink.token(address: anna, list: list, network: network, secret: secret)
        return try MailboxFixtures.message(
            name,
            MailboxFixtures.Values(
                verpAddress: verp, fromAddress: "events@example.org", recipient: anna.value,
                messageID: key.messageID(domain: "example.org").value, mailing: key.mailing.description,
                unsubscribeAddress: "events@example.org",
                unsubscribeSubject: "unsubscribe \(anna.value) \(unsubscribe)"))
    }

    @Test(
        arguments: Kind.allCases,
        [
            "postfix-hard", "exim-hard", "exchange-hard", "gmail-hard", "rewritten-sender", "qmail-failure",
            "exchange-legacy", "unclosed-multipart",
        ])
    func aHardBounceSuppressesTheAddressOnce(_ kind: Kind, _ name: String) throws {
        try kind.withLedger { ledger throws in
            try Self.send(ledger)
            let handler = try Self.handler(ledger)
            let (record, applied) = try handler.handle(try Self.fixture(name), position: nil, now: Self.t0)
            #expect(record.disposition == .bounce, "\(record.summary)")
            #expect(record.bounces.map(\.bounceClass) == [.hard])
            #expect(
                record.bounces.first?.delivery
                    == DeliveryKey(mailing: Self.mailingID(9), recipient: Self.anna))
            #expect(record.bounces.first?.status.hasPrefix("5.") == true)
            #expect(applied == InboundApplied(duplicate: false, suppressed: [Self.anna]))
            #expect(try ledger.isSuppressed(Self.anna, from: .members))
            #expect(try !ledger.isSuppressed(Self.bo, from: .members))
            let reason = try ledger.suppressed().first { $0.address == Self.anna }?.reason ?? ""
            #expect(reason.hasPrefix("bounced: 5."))
            #expect(reason.contains("invitation/wednesday-hygge/2026-12-09"))
            let entry = try ledger.entry(DeliveryKey(mailing: Self.mailingID(9), recipient: Self.anna))
            #expect(entry?.bounce?.hasPrefix("hard: 5.") == true)
            #expect(entry?.state == .sent)
            #expect(try ledger.status(mailing: Self.mailingID(9)).first?.bounced == 1)

            // The same message again (a run killed after the ledger had it, or a pipe as well): nothing new.
            let again = try handler.handle(
                try Self.fixture(name), position: nil, now: Self.t0.addingTimeInterval(60))
            #expect(again.applied.duplicate)
            #expect(try ledger.inboundCounts(since: Self.t0) == [.bounce: 1])
        }
    }

    @Test(arguments: Kind.allCases)
    func aDelayAndAPolicyRejectionSilenceNobody(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            try Self.send(ledger)
            let handler = try Self.handler(ledger)
            let delayed = try handler.handle(try Self.fixture("postfix-delayed"), position: nil, now: Self.t0)
            #expect(delayed.record.disposition == .report)
            #expect(delayed.record.bounces.isEmpty)
            let policy = try handler.handle(try Self.fixture("policy-rejected"), position: nil, now: Self.t0)
            #expect(policy.record.disposition == .bounce)
            #expect(policy.record.bounces.map(\.bounceClass) == [.policy])
            #expect(policy.record.bounces.first?.status == "5.7.1")
            #expect(policy.applied.suppressed.isEmpty)
            #expect(try ledger.suppressed().isEmpty)
            #expect(try ledger.status(mailing: Self.mailingID(9)).first?.bounced == 1)
        }
    }

    @Test(arguments: Kind.allCases)
    func threeSoftBouncesWithinThirtyDaysSuppressTwoDoNot(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let handler = try Self.handler(ledger)
            for day in [2, 9, 16, 23] { try Self.send(ledger, day: day) }
            // The first is 31 days before the last: outside the window when the fourth arrives.
            let times = [0.0, 31, 32, 33].map { Self.t0.addingTimeInterval($0 * 86_400) }
            var suppressedAfter: [Bool] = []
            for (day, time) in zip([2, 9, 16, 23], times) {
                let (record, _) = try handler.handle(
                    try Self.fixture("postfix-soft-failed", day: day), position: nil, now: time)
                #expect(record.bounces.map(\.bounceClass) == [.soft])
                #expect(record.bounces.first?.status == "4.2.2")
                suppressedAfter.append(try ledger.isSuppressed(Self.anna, from: .members))
            }
            #expect(suppressedAfter == [false, false, false, true])
            let reason = try ledger.suppressed().first?.reason ?? ""
            #expect(reason.hasPrefix("bounced: 3 temporary failures within 30 days, the last 4.2.2"))
        }
    }

    @Test(
        arguments: Kind.allCases,
        [
            "rewritten-sender-wrong-recipient", "forged-no-reference", "forged-token", "human-reply",
            "mailto-unsubscribe-forged", "malformed-mime", "invalid-utf8-headers",
        ])
    func whatCannotBeTrustedOrIsNotOursIsLeftForAPerson(_ kind: Kind, _ name: String) throws {
        try kind.withLedger { ledger throws in
            try Self.send(ledger)
            let (record, applied) = try Self.handler(ledger).handle(
                try Self.fixture(name), position: nil, now: Self.t0)
            #expect(record.disposition == .person, "\(record.summary)")
            #expect(record.bounces.isEmpty)
            #expect(applied.suppressed.isEmpty)
            #expect(try ledger.suppressed().isEmpty)
            #expect(try ledger.status(mailing: Self.mailingID(9)).first?.bounced == 0)
        }
    }

    @Test(arguments: Kind.allCases)
    func anEditedTokenNamesNoDelivery(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            try Self.send(ledger)
            let key = DeliveryKey(mailing: Self.mailingID(9), recipient: Self.anna)
            var token = Array(BounceToken.make(key, network: Self.network, secret: Self.secret))
            token[token.count - 1] = token[token.count - 1] == "a" ? "b" : "a"
            let (record, _) = try Self.handler(ledger).handle(
                try Self.fixture("postfix-hard", token: String(token)), position: nil, now: Self.t0)
            #expect(record.disposition == .person)
            #expect(record.summary.contains("not genuine"))
            // Made with another secret: the same.
            let other = BounceToken.make(key, network: Self.network, secret: Secret("another secret"))
            let (forged, _) = try Self.handler(ledger).handle(
                try Self.fixture("postfix-hard", token: other), position: nil, now: Self.t0)
            #expect(forged.disposition == .person)
            #expect(try ledger.suppressed().isEmpty)
        }
    }

    @Test(arguments: Kind.allCases, [MailingList.members, .partners])
    func aMailtoUnsubscribeLeavesTheListItNames(_ kind: Kind, _ list: MailingList) throws {
        try kind.withLedger { ledger throws in
            let (record, applied) = try Self.handler(ledger).handle(
                try Self.fixture("mailto-unsubscribe", list: list), position: nil, now: Self.t0)
            #expect(record.disposition == .unsubscribe)
            #expect(record.unsubscribe == UnsubscribeRequest(address: Self.anna, list: list))
            #expect(applied.suppressed == [Self.anna])
            #expect(try ledger.isSuppressed(Self.anna, from: list))
            #expect(try !ledger.isSuppressed(Self.anna, from: list == .members ? .partners : .members))
            #expect(try ledger.suppressed().first?.reason == "unsubscribed by mail")
        }
    }

    @Test(arguments: ["out-of-office", "vacation-no-autosubmitted"])
    func autoRepliesAreIgnored(_ name: String) throws {
        let ledger = MemoryLedger()
        try Self.send(ledger)
        let (record, applied) = try Self.handler(ledger).handle(
            try Self.fixture(name), position: nil, now: Self.t0)
        #expect(record.disposition == .autoReply)
        #expect(record.disposition.marksRead)
        #expect(applied.suppressed.isEmpty)
    }

    @Test func aThousandPartsOrElevenMegabytesAreNotRead() throws {
        let ledger = MemoryLedger()
        var parts =
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        for index in 0..<1000 { parts += "--b\r\nContent-Type: text/plain\r\n\r\npart \(index)\r\n" }
        parts += "--b--\r\n"
        let many = try Self.handler(ledger).read(Array(parts.utf8))
        #expect(many.disposition == .person)
        #expect(many.summary.contains("more than 200 MIME parts"))
        let big = Array("Subject: big\r\n\r\n".utf8) + [UInt8](repeating: 65, count: 11 * 1_048_576)
        let large = try Self.handler(ledger).read(big)
        #expect(large.disposition == .person)
        #expect(large.summary.contains("over the 10 MB"))
        // Nested a thousand deep: parsed to a depth, not recursed without end.
        var nested = "Subject: deep\r\n"
        for level in 0..<1000 {
            nested += "Content-Type: multipart/mixed; boundary=l\(level)\r\n\r\n--l\(level)\r\n"
        }
        #expect(try Self.handler(ledger).read(Array(nested.utf8)).disposition == .person)
    }

    @Test func theMailboxPositionMovesForwardWithinOneUIDValidity() throws {
        for kind in Kind.allCases {
            try kind.withLedger { ledger throws in
                let record = InboundRecord(key: "k1", disposition: .person, summary: "x")
                _ = try ledger.recordInbound(
                    record, position: MailboxPosition(mailbox: "m", uidValidity: 7, lastUID: 5), now: Self.t0)
                var second = record
                second.key = "k2"
                _ = try ledger.recordInbound(
                    second, position: MailboxPosition(mailbox: "m", uidValidity: 7, lastUID: 3), now: Self.t0)
                #expect(
                    try ledger.mailboxPosition("m")
                        == MailboxPosition(mailbox: "m", uidValidity: 7, lastUID: 5))
                second.key = "k3"
                _ = try ledger.recordInbound(
                    second, position: MailboxPosition(mailbox: "m", uidValidity: 8, lastUID: 2), now: Self.t0)
                #expect(
                    try ledger.mailboxPosition("m")
                        == MailboxPosition(mailbox: "m", uidValidity: 8, lastUID: 2))
                #expect(try ledger.mailboxPosition("other") == nil)
            }
        }
    }
}

@Suite struct ReturnPathTests {
    @Test func aTokenNamesItsDeliveryAndNoOther() throws {
        let path = try ReturnPath(parsing: "Bounces+{token}@Example.org")
        let key = DeliveryKey(mailing: "invitation/hygge/2026-12-09", recipient: "anna@example.com")
        let address = try path.address(for: key, network: "N", secret: Secret("s"))
        #expect(address.address.hasPrefix("bounces+"))
        #expect(address.address.hasSuffix("@example.org"))
        #expect(address.address.split(separator: "@")[0].utf8.count <= 64)
        let token = try #require(path.token(in: address.address.uppercased()))
        #expect(BounceToken.verify(token, for: key, network: "N", secret: Secret("s")))
        #expect(!BounceToken.verify(token, for: key, network: "Other", secret: Secret("s")))
        let other = DeliveryKey(mailing: key.mailing, recipient: "bo@example.com")
        #expect(!BounceToken.verify(token, for: other, network: "N", secret: Secret("s")))
        #expect(path.token(in: "bounces@example.org") == nil)
        #expect(path.token(in: "someone@example.org") == nil)
    }

    @Test(arguments: [
        ("bounces@example.org", "must contain {token} once"),
        ("bounces+{token}{token}@example.org", "must contain {token} once"),
        ("bounces@{token}.example.org", "in the local part"),
        ("a-very-long-prefix-that-leaves-no-room+{token}@example.org", "within 21 bytes"),
        ("Bounces <bounces+{token}@example.org>", "bare address"),
        ("bounces+{token}", "in the local part"),
    ])
    func aReturnPathThatCannotWorkIsRefused(_ text: String, _ expected: String) {
        #expect {
            _ = try ReturnPath(parsing: text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func enhancedStatusCodesAreFoundInText() {
        #expect(DeliveryReport.enhancedStatus("smtp; 550 5.1.1 <a@b>: User unknown") == "5.1.1")
        #expect(DeliveryReport.enhancedStatus("Sorry, no mailbox here by that name. (#5.1.1)") == "5.1.1")
        #expect(DeliveryReport.enhancedStatus("4.2.2 (mailbox full)") == "4.2.2")
        #expect(DeliveryReport.enhancedStatus("version 15.1.10 of the server") == nil)
        #expect(DeliveryReport.enhancedStatus("5.1.10 RESOLVER.ADR.RecipientNotFound") == "5.1.10")
        #expect(DeliveryReport.enhancedStatus("no code here") == nil)
    }
}
