import Foundation
import InviterCore
import InviterTestSupport
import Synchronization
import Testing

/// Whole runs of the ``Dispatcher`` on the in-memory twins: ``MemoryLedger`` records, a scripted
/// ``MemoryTransport`` answers for the server, and each run takes milliseconds. What the real
/// ledger and a real relay do is proven elsewhere (`MemoryLedgerConformanceTests`, the SMTP
/// tests, the end-to-end runs of the binary); these tests are about the run's own rules.
@Suite struct DispatcherTests {
    /// 2026-11-18 19:00 in Copenhagen: fourteen days before the first Wednesday hygge, when its
    /// invitation and its partner copy are due.
    static let invitationDue = Date(timeIntervalSince1970: 1_795_024_800)
    /// 2026-12-02 19:00 in Copenhagen: the first Wednesday hygge starts.
    static let hyggeStarts = invitationDue.addingTimeInterval(14 * 86_400)
    /// 2026-11-30 19:00 in Copenhagen, two days before: its reminder is due.
    static let reminderDue = hyggeStarts.addingTimeInterval(-2 * 86_400)

    static let invitation: MailingID = "invitation/wednesday-hygge/2026-12-02"
    static let partnerCopy: MailingID = "partner/wednesday-hygge/2026-12-02"
    static let reminder: MailingID = "reminder/wednesday-hygge/2026-12-02"

    /// A dispatcher over the network fixture, with the twins it records into and sends through.
    struct Setup {
        var dispatcher: Dispatcher
        let ledger: MemoryLedger
        let transport: MemoryTransport
    }

    /// - Parameters:
    ///   - members: The member list; by default the fixture's two members.
    ///   - events: The events file; by default the fixture's.
    ///   - partners: The partner list; by default the fixture's one company contact.
    ///   - ledger: The ledger to record into, for a script that looks at it.
    ///   - script: The server's answer to each envelope.
    static func setUp(
        members: String = NetworkFixture.members, events: String = NetworkFixture.events,
        partners: String = NetworkFixture.partners, batchSize: Int = 500, handOverGroup: Int = 2,
        ledger: MemoryLedger = MemoryLedger(), dkim: DKIMSigner? = nil,
        script: @escaping @Sendable (Envelope) -> MemoryTransport.Outcome = { _ in .delivered }
    ) throws -> Setup {
        let fixture = try NetworkFixture([
            "members.csv": members, "events.toml": events, "partners.csv": partners,
        ])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        var renderer = try RenderSetup.load(
            network.configuration, extraFields: network.members.extraFields, environment: [:]
        ).renderer
        renderer.dkim = dkim
        let transport = MemoryTransport(handOverGroup: handOverGroup, script: script)
        var dispatcher = Dispatcher(
            network: network, renderer: renderer, ledger: ledger, transport: transport)
        dispatcher.batchSize = batchSize
        return Setup(dispatcher: dispatcher, ledger: ledger, transport: transport)
    }

    /// `count` active members, `member01@example.org` onwards, in English.
    static func members(_ count: Int) -> String {
        let rows = (1...count).map { index in
            let number = index < 10 ? "0\(index)" : "\(index)"
            return "member\(number)@example.org,Member \(number),en,,,active"
        }
        return (["email,name,language,segments,organisation,status"] + rows).joined(separator: "\n") + "\n"
    }

    static func key(_ mailing: MailingID, _ recipient: AddressKey) -> DeliveryKey {
        DeliveryKey(mailing: mailing, recipient: recipient)
    }

    /// The id in an encoded message's `Message-ID` header, without its angle brackets: as the
    /// ledger keeps it.
    static func messageID(of envelope: Envelope) -> String? {
        let text = String(decoding: envelope.data, as: UTF8.self)
        let header = "Message-ID: <"
        guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix(header) }),
            line.hasSuffix(">")
        else { return nil }
        return String(line.dropFirst(header.count).dropLast())
    }

    // MARK: - Batches

    @Test func aBatchSmallerThanTheAudienceSendsEveryoneOnceInSeveralDeliveries() async throws {
        let setup = try Self.setUp(members: Self.members(7), batchSize: 3)
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.mailingsDue == [Self.invitation.description, Self.partnerCopy.description])
        #expect(summary.registered == 8)
        #expect(summary.sent == 8)
        #expect(summary.stopKind == nil)
        let members = (1...7).map { Self.key(Self.invitation, AddressKey("member0\($0)@example.org")) }
        let everyone = members + [Self.key(Self.partnerCopy, "hr@company.example.com")]
        // Three deliveries of at most three, in the ledger's order: the invitation, then the copy.
        #expect(
            setup.transport.deliveries == [
                Array(everyone[0..<3]), Array(everyone[3..<6]), Array(everyone[6...]),
            ])
        #expect(setup.transport.handedOver.map(\.key) == everyone)
        #expect(setup.transport.handedOver.map(\.recipient.address) == everyone.map(\.recipient.value))
        for key in everyone {
            let entry = try #require(try setup.ledger.entry(key))
            #expect(entry.state == .sent)
            #expect(entry.attempts == 1)
            #expect(entry.lastReply == "250 2.0.0 Ok: queued")
        }
        // The run closes the transport once, at its end.
        #expect(setup.transport.finishCount == 1)

        // A second run finds nothing left to send.
        let again = try await setup.dispatcher.run(now: Self.invitationDue.addingTimeInterval(600))
        #expect(again.registered == 0)
        #expect(again.sent == 0)
        #expect(setup.transport.handedOver.count == 8)
    }

    /// The run's last batch goes in halves, down to the smallest batch, so that the transport's
    /// last stretch, with nothing left to render or sign beside it, is short.
    @Test func theLastBatchGoesInHalves() async throws {
        var setup = try Self.setUp(members: Self.members(7), batchSize: 8)
        setup.dispatcher.smallestBatch = 2
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.sent == 8)
        #expect(setup.transport.deliveries.map(\.count) == [4, 2, 2])
        let members = (1...7).map { Self.key(Self.invitation, AddressKey("member0\($0)@example.org")) }
        #expect(
            setup.transport.handedOver.map(\.key) == members + [
                Self.key(Self.partnerCopy, "hr@company.example.com")
            ])

        // Full batches stay whole until the remainder fits in one.
        var more = try Self.setUp(members: Self.members(7), batchSize: 3)
        more.dispatcher.smallestBatch = 1
        _ = try await more.dispatcher.run(now: Self.invitationDue)
        #expect(more.transport.deliveries.map(\.count) == [3, 3, 1, 1])
    }

    @Test func everyEnvelopeIsMarkedSendingByTheGateBeforeItIsHandedOver() async throws {
        let states = Mutex<[DeliveryKey: DeliveryState]>([:])
        let ledger = MemoryLedger()
        let setup = try Self.setUp(members: Self.members(7), batchSize: 4, handOverGroup: 1, ledger: ledger) {
            envelope in
            // What a real connection would find in the ledger at the moment it takes the message.
            let state = try? ledger.entry(envelope.key)?.state
            states.withLock { $0[envelope.key] = state }
            return .delivered
        }
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.sent == 8)
        let handOvers = setup.transport.handOvers
        #expect(handOvers.count == 8)
        #expect(handOvers.map(\.position) == [0, 1, 2, 3, 0, 1, 2, 3])
        #expect(handOvers.allSatisfy { $0.position < $0.cleared })
        let seen = states.withLock { $0 }
        #expect(seen.count == 8)
        #expect(seen.values.allSatisfy { $0 == .sending })
        #expect(try handOvers.allSatisfy { try setup.ledger.entry($0.envelope.key)?.state == .sent })
    }

    // MARK: - Stopping

    /// A signed run renders two batches ahead and signs them on their own threads: every message
    /// still goes once, in the ledger's order, each batch whole, and each verifies.
    @Test func aSignedRunInSeveralBatchesSendsEveryMessageOnceAndSigned() async throws {
        let signer = DKIMSigner(
            domain: "example.org", selector: "inviter", key: try DKIMKey(generating: .rsa))
        let setup = try Self.setUp(members: Self.members(7), batchSize: 2, dkim: signer)
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.sent == 8)
        let members = (1...7).map { Self.key(Self.invitation, AddressKey("member0\($0)@example.org")) }
        let everyone = members + [Self.key(Self.partnerCopy, "hr@company.example.com")]
        #expect(
            setup.transport.deliveries == stride(from: 0, to: 8, by: 2).map { Array(everyone[$0..<$0 + 2]) })
        #expect(setup.transport.handedOver.map(\.key) == everyone)
        for envelope in setup.transport.handedOver {
            #expect(signer.verify(envelope.data).map(\.valid) == [true], "\(envelope.key)")
        }
    }

    /// The batches rendered (and signed) ahead of a refusal are never handed over: they wait, as
    /// pending, for the next run.
    @Test func aSignedRunStoppedForSecurityLeavesTheBatchesAheadPending() async throws {
        let signer = DKIMSigner(
            domain: "example.org", selector: "inviter", key: try DKIMKey(generating: .ed25519))
        let refused = TransportError.security("authentication rejected")
        let setup = try Self.setUp(members: Self.members(7), batchSize: 2, dkim: signer) { envelope in
            envelope.recipient.address == "member03@example.org" ? .stop(refused) : .delivered
        }
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.stopKind == .security)
        #expect(summary.sent == 2)
        #expect(setup.transport.deliveries.count == 2)
        // member04 shared the refused batch; the two batches after it were rendered and signed.
        let refusedWith = try #require(
            try setup.ledger.entry(Self.key(Self.invitation, "member04@example.org")))
        #expect(refusedWith.state == .pending)
        #expect(refusedWith.lastReply == "not attempted: refused for security: authentication rejected")
        let ahead =
            (5...7).map { Self.key(Self.invitation, AddressKey("member0\($0)@example.org")) }
            + [Self.key(Self.partnerCopy, "hr@company.example.com")]
        for key in ahead {
            let entry = try #require(try setup.ledger.entry(key))
            #expect(entry.state == .pending)
            #expect(entry.attempts == 0)
            #expect(entry.lastReply == nil)
        }
        #expect(try setup.ledger.recipients(of: Self.invitation, state: .sending).isEmpty)
    }

    @Test func aSecurityRefusalStopsTheRunAndPutsTheUnreportedBackToPending() async throws {
        let refused = TransportError.security("authentication rejected")
        let setup = try Self.setUp(members: Self.members(7), batchSize: 3) { envelope in
            envelope.recipient.address == "member02@example.org" ? .stop(refused) : .delivered
        }
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.stopKind == .security)
        #expect(summary.stoppedBecause == "refused for security: authentication rejected")
        #expect(summary.sent == 1)
        // The first batch was handed to the transport and stopped at its second envelope; the
        // second was rendered and never handed over.
        #expect(setup.transport.deliveries.count == 1)
        #expect(setup.transport.handedOver.map(\.recipient.address) == ["member01@example.org"])
        #expect(try setup.ledger.entry(Self.key(Self.invitation, "member01@example.org"))?.state == .sent)
        for address in ["member02@example.org", "member03@example.org"] {
            let entry = try #require(try setup.ledger.entry(Self.key(Self.invitation, AddressKey(address))))
            #expect(entry.state == .pending)
            #expect(entry.lastReply == "not attempted: refused for security: authentication rejected")
        }
        let untouched =
            (4...7).map { Self.key(Self.invitation, AddressKey("member0\($0)@example.org")) }
            + [Self.key(Self.partnerCopy, "hr@company.example.com")]
        for key in untouched {
            let entry = try #require(try setup.ledger.entry(key))
            #expect(entry.state == .pending)
            #expect(entry.attempts == 0)
            #expect(entry.lastReply == nil)
        }
        #expect(try setup.ledger.recipients(of: Self.invitation, state: .sending).isEmpty)
    }

    @Test func messagesNeverHandedOverWaitAsPendingForTheNextRun() async throws {
        let relayUp = Mutex(false)
        let setup = try Self.setUp { _ in
            relayUp.withLock { $0 } ? .delivered : .stop(.unreachable("could not connect to the relay"))
        }
        let first = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(first.stopKind == .unreachable)
        #expect(first.sent == 0)
        #expect(setup.transport.handedOver.isEmpty)
        let keys = [
            Self.key(Self.invitation, "mette@example.org"), Self.key(Self.invitation, "olena@example.org"),
            Self.key(Self.partnerCopy, "hr@company.example.com"),
        ]
        for key in keys {
            let entry = try #require(try setup.ledger.entry(key))
            #expect(entry.state == .pending)
            #expect(entry.lastReply == "not attempted: relay unreachable: could not connect to the relay")
        }

        // An hour later the relay answers: everything goes, once, under the Message-ID it was given.
        relayUp.withLock { $0 = true }
        let second = try await setup.dispatcher.run(now: Self.invitationDue.addingTimeInterval(3600))
        #expect(second.stopKind == nil)
        #expect(second.registered == 0)
        #expect(second.sent == 3)
        #expect(setup.transport.handedOver.map(\.key) == keys)
        for envelope in setup.transport.handedOver {
            let entry = try #require(try setup.ledger.entry(envelope.key))
            #expect(entry.state == .sent)
            #expect(Self.messageID(of: envelope) == entry.messageID)
        }
    }

    // MARK: - Outcomes

    @Test func aTemporaryFailureIsRetriedLaterAndGivenUpBeforeTheEvent() async throws {
        let greylisted = SMTPReply(code: 451, text: "4.7.1 Greylisted, try again later")
        let setup = try Self.setUp { envelope in
            envelope.recipient.address == "olena@example.org" ? .temporary(greylisted) : .delivered
        }
        let olena = Self.key(Self.invitation, "olena@example.org")
        let first = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(first.sent == 2)
        #expect(first.retrying == 1)
        let waiting = try #require(try setup.ledger.entry(olena))
        #expect(waiting.state == .retrying)
        #expect(waiting.nextAttemptAt == Self.invitationDue.addingTimeInterval(5 * 60))
        #expect(waiting.lastReply == "451 4.7.1 Greylisted, try again later")
        // Not again within the same run, though the ledger would have it ready in five minutes.
        #expect(setup.transport.handedOver.filter { $0.key == olena }.count == 1)

        // Three minutes before the event the second try fails too; the next would come after the
        // start, so it gives up now.
        let second = try await setup.dispatcher.run(now: Self.hyggeStarts.addingTimeInterval(-3 * 60))
        #expect(second.failed == 1)
        #expect(second.sent == 0)
        let failed = try #require(try setup.ledger.entry(olena))
        #expect(failed.state == .failed)
        #expect(failed.attempts == 2)
        #expect(failed.nextAttemptAt == nil)
        #expect(failed.lastReply == "gave up before the event: 451 4.7.1 Greylisted, try again later")
        #expect(setup.transport.handedOver.filter { $0.key == olena }.count == 2)
    }

    @Test func aNoSuchUserReplySuppressesTheAddress() async throws {
        let unknownUser = SMTPReply(
            code: 550, text: "5.1.1 <olena@example.org>: Recipient address rejected: User unknown")
        let spam = SMTPReply(code: 550, text: "5.7.1 Message rejected as spam")
        let setup = try Self.setUp { envelope in
            switch envelope.recipient.address {
            case "olena@example.org": .permanent(unknownUser)
            case "mette@example.org": .permanent(spam)
            default: .delivered
            }
        }
        let summary = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(summary.failed == 2)
        #expect(summary.sent == 1)
        #expect(try setup.ledger.isSuppressed("olena@example.org"))
        // A refusal of the message, not of the address, suppresses nothing.
        #expect(try !setup.ledger.isSuppressed("mette@example.org"))
        let suppressed = try setup.ledger.suppressed()
        #expect(suppressed.map(\.address) == ["olena@example.org"])
        #expect(
            suppressed.map(\.reason) == [
                "bounced: 550 5.1.1 <olena@example.org>: Recipient address rejected: User unknown"
            ])
        #expect(try setup.ledger.entry(Self.key(Self.invitation, "olena@example.org"))?.state == .failed)
        #expect(try setup.ledger.entry(Self.key(Self.invitation, "mette@example.org"))?.state == .failed)

        // The reminder two days before never goes to the suppressed address.
        _ = try await setup.dispatcher.run(now: Self.reminderDue)
        let reminder = try #require(try setup.ledger.entry(Self.key(Self.reminder, "olena@example.org")))
        #expect(reminder.state == .skipped)
        #expect(
            reminder.lastReply
                == "suppressed: bounced: 550 5.1.1 <olena@example.org>: Recipient address rejected: User unknown"
        )
        #expect(
            setup.transport.handedOver.filter { $0.key.mailing == Self.reminder }.map(\.recipient.address)
                == [
                    "mette@example.org"
                ])
    }

    @Test func anUnknownOutcomeWaitsForTheNextRun() async throws {
        let attempts = Mutex(0)
        let setup = try Self.setUp(batchSize: 1) { envelope in
            guard envelope.recipient.address == "mette@example.org" else { return .delivered }
            let attempt = attempts.withLock { attempt in
                attempt += 1
                return attempt
            }
            return attempt == 1 ? .unknown : .delivered
        }
        let mette = Self.key(Self.invitation, "mette@example.org")
        let first = try await setup.dispatcher.run(now: Self.invitationDue)

        #expect(first.unknown == 1)
        #expect(first.sent == 2)
        // The ledger has it ready again at once (unknown ones are resent by default), and the run
        // went on for two more batches without taking it again.
        #expect(setup.transport.deliveries.count == 3)
        #expect(setup.transport.handedOver.filter { $0.key == mette }.count == 1)
        let inDoubt = try #require(try setup.ledger.entry(mette))
        #expect(inDoubt.state == .unknown)
        #expect(inDoubt.attempts == 1)
        #expect(
            try setup.ledger.ready(now: Self.invitationDue, resendUnknown: true, limit: 10).map(\.key) == [
                mette
            ])

        // The next run sends it again, as the same message.
        let second = try await setup.dispatcher.run(now: Self.invitationDue.addingTimeInterval(600))
        #expect(second.sent == 1)
        let copies = setup.transport.handedOver.filter { $0.key == mette }
        #expect(copies.count == 2)
        let sent = try #require(try setup.ledger.entry(mette))
        #expect(sent.state == .sent)
        #expect(sent.attempts == 2)
        #expect(copies.map { Self.messageID(of: $0) } == [sent.messageID, sent.messageID])
    }
}
