import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Cancellations and updates in the partner copy's form: partner contacts forward the invitation
/// to newcomers, so those who were sent the partner copy hear of a cancelled or moved evening too,
/// and nobody else does.
@Suite struct PartnerChangesTests {
    static let cancellation: MailingID = "cancellation/wednesday-hygge/2026-12-02"
    static let partnerCancellation: MailingID = "partner-cancellation/wednesday-hygge/2026-12-02"
    static let update: MailingID = "update/wednesday-hygge/2026-12-02/1"
    static let partnerUpdate: MailingID = "partner-update/wednesday-hygge/2026-12-02/1"
    /// Two days after the invitation went out, long past its grace.
    static let later = DispatcherTests.invitationDue.addingTimeInterval(2 * 86_400)

    /// The fixture's events with `lines` as the organizer's override of the 2 December evening.
    static func events(changing lines: String) -> String {
        NetworkFixture.events.replacingOccurrences(
            of: "[[event.override]]\ndate = 2026-12-16",
            with: "[[event.override]]\ndate = 2026-12-02\n\(lines)\n\n[[event.override]]\ndate = 2026-12-16")
    }

    /// The invitation and its partner copy sent with the fixture's lists, then the evening changed
    /// by `lines` and the lists as given, as the next run finds them.
    static func invitedThenChanged(
        _ lines: String, members: String = NetworkFixture.members, partners: String = NetworkFixture.partners,
        ledger: MemoryLedger = MemoryLedger()
    ) async throws -> DispatcherTests.Setup {
        let first = try DispatcherTests.setUp(ledger: ledger)
        let summary = try await first.dispatcher.run(now: DispatcherTests.invitationDue)
        #expect(summary.sent == 3, "two members and the partner contact")
        return try DispatcherTests.setUp(
            members: members, events: events(changing: lines), partners: partners, ledger: ledger)
    }

    static func sent(_ setup: DispatcherTests.Setup) -> Set<String> {
        Set(setup.transport.handedOver.map { "\($0.key.mailing) \($0.key.recipient.value)" })
    }

    @Test func aCancellationReachesThePartnerContactsWhoGotTheCopyAndNobodyElse() async throws {
        // Another company was added to the partner list after the invitation went out: it never got
        // the copy, so it has nothing to withdraw.
        let partners = NetworkFixture.partners + "hr@other.example.com,Other A/S,company,Per,en\n"
        let changed = try await Self.invitedThenChanged("cancelled = true", partners: partners)
        let plan = try RunPlan(network: changed.dispatcher.network, ledger: changed.ledger, now: Self.later)
        let item = try #require(plan.items.first { $0.mailing.id == Self.partnerCancellation })
        #expect(item.cause == .change)
        #expect(item.recipients.map(\.address.key.value) == ["hr@company.example.com"])
        #expect(
            DryRun.lines(plan, network: changed.dispatcher.network).contains(
                "partner-cancellation/wednesday-hygge/2026-12-02: 1 recipient (da 1), cancelled after the "
                    + "invitation: to the partner contacts who got the partner copy"))

        _ = try await changed.dispatcher.run(now: Self.later)
        #expect(
            Self.sent(changed) == [
                "\(Self.cancellation) mette@example.org", "\(Self.cancellation) olena@example.org",
                "\(Self.partnerCancellation) hr@company.example.com",
            ])
        let again = try await changed.dispatcher.run(now: Self.later.addingTimeInterval(900))
        #expect(again.sent == 0, "a cancellation goes once, to partners too")
    }

    /// The partner's message is the partner copy's form: the note to the contact in their own
    /// language, the forwardable part in English and Danish, the contact's own opt-out, and a
    /// calendar CANCEL that removes the entry the partner copy brought.
    @Test func thePartnersCancellationIsInThePartnerCopysForm() async throws {
        let changed = try await Self.invitedThenChanged("cancelled = true")
        _ = try await changed.dispatcher.run(now: Self.later)
        let envelope = try #require(
            changed.transport.handedOver.first { $0.key.mailing == Self.partnerCancellation })
        let decoded = try DecodedMessage.decode(envelope.data)
        #expect(decoded.values("X-Inviter-Mailing") == [Self.partnerCancellation.description])
        #expect(decoded.values("List-Unsubscribe").first?.contains("unsubscribe%20partner%20hr") == true)
        let text = try #require(
            decoded.parts.compactMap { part -> String? in
                guard part.type == "text/plain", case .text(let text) = part.content else { return nil }
                return text
            }.first)
        #expect(text.hasPrefix("Kære Hanne"), "\(text)")
        #expect(text.contains("som kontaktperson hos Example A/S"))
        #expect(text.contains("\nCancelled: Wednesday hygge\n\nThis event has been cancelled"))
        #expect(text.contains("\nAflyst: Onsdagshygge\n\nArrangementet er aflyst"))
        let calendar = try #require(decoded.parts.first { $0.type == "text/calendar" })
        guard case .text(let ics) = calendar.content else {
            Issue.record("no calendar text")
            return
        }
        #expect(ics.contains("METHOD:CANCEL"))
        #expect(ics.contains("UID:wednesday-hygge/2026-12-02@example.org"))
    }

    @Test func aMovedEveningReachesThePartnerContactsWithTheNewPlace() async throws {
        let changed = try await Self.invitedThenChanged("venue = \"Town Hall, Torvet 1\"")
        let plan = try RunPlan(network: changed.dispatcher.network, ledger: changed.ledger, now: Self.later)
        let item = try #require(plan.items.first { $0.mailing.id == Self.partnerUpdate })
        #expect(item.sequence == 1)
        _ = try await changed.dispatcher.run(now: Self.later)
        #expect(
            Self.sent(changed) == [
                "\(Self.update) mette@example.org", "\(Self.update) olena@example.org",
                "\(Self.partnerUpdate) hr@company.example.com",
            ])
        let envelope = try #require(
            changed.transport.handedOver.first { $0.key.mailing == Self.partnerUpdate })
        let decoded = try DecodedMessage.decode(envelope.data)
        let text = decoded.parts.compactMap { part -> String? in
            guard part.type == "text/plain", case .text(let text) = part.content else { return nil }
            return text
        }.joined()
        #expect(text.contains("Where: Town Hall, Torvet 1"), "\(text)")
        #expect(text.contains("Hvor: Town Hall, Torvet 1"))
        let calendar = decoded.parts.first { $0.type == "text/calendar" }
        guard case .text(let ics)? = calendar?.content else {
            Issue.record("no calendar text")
            return
        }
        #expect(ics.contains("METHOD:PUBLISH") && ics.contains("SEQUENCE:1"), "it replaces the copy's entry")
        let again = try await changed.dispatcher.run(now: Self.later.addingTimeInterval(900))
        #expect(again.sent == 0, "an update goes once")
    }

    /// A contact who unsubscribed from the partner copies gets no cancellation either; a contact
    /// who unsubscribed from the members' mail still does, since that is another list.
    @Test func aPartnerUnsubscribeHoldsItBackAndAMembersOneDoesNot() async throws {
        let ledger = MemoryLedger()
        let changed = try await Self.invitedThenChanged("cancelled = true", ledger: ledger)
        try ledger.suppress(
            "hr@company.example.com", scope: .list(.partners), reason: "unsubscribed", now: Self.later)
        let plan = try RunPlan(network: changed.dispatcher.network, ledger: ledger, now: Self.later)
        let item = try #require(plan.items.first { $0.mailing.id == Self.partnerCancellation })
        #expect(item.recipients.isEmpty)
        #expect(item.skipped == ["suppressed: unsubscribed": 1])
        _ = try await changed.dispatcher.run(now: Self.later)
        #expect(!Self.sent(changed).contains("\(Self.partnerCancellation) hr@company.example.com"))

        let other = MemoryLedger()
        let again = try await Self.invitedThenChanged("cancelled = true", ledger: other)
        try other.suppress(
            "hr@company.example.com", scope: .list(.members), reason: "unsubscribed", now: Self.later)
        _ = try await again.dispatcher.run(now: Self.later)
        #expect(Self.sent(again).contains("\(Self.partnerCancellation) hr@company.example.com"))
    }

    /// Someone who is both a member and a partner contact got both the invitation and the partner
    /// copy, and hears of the cancellation in both forms.
    @Test func aMemberWhoIsAlsoAPartnerContactGetsBothCancellations() async throws {
        let partners =
            "email,organisation,kind,contact,language\nmette@example.org,Example A/S,company,Mette,da\n"
        let ledger = MemoryLedger()
        let first = try DispatcherTests.setUp(partners: partners, ledger: ledger)
        _ = try await first.dispatcher.run(now: DispatcherTests.invitationDue)
        let changed = try DispatcherTests.setUp(
            events: Self.events(changing: "cancelled = true"), partners: partners, ledger: ledger)
        _ = try await changed.dispatcher.run(now: Self.later)
        let sent = Self.sent(changed)
        #expect(sent.contains("\(Self.cancellation) mette@example.org"))
        #expect(sent.contains("\(Self.partnerCancellation) mette@example.org"))
    }

    /// A partner's cancellation refused for now waits in the ledger like any delivery; the next
    /// run's plan finds its mailing again and sends it.
    @Test func aPartnersCancellationRefusedForNowIsRetried() async throws {
        let ledger = MemoryLedger()
        _ = try await Self.invitedThenChanged("cancelled = true", ledger: ledger)
        let events = Self.events(changing: "cancelled = true")
        let refusing = try DispatcherTests.setUp(events: events, ledger: ledger) { envelope in
            envelope.key.mailing == Self.partnerCancellation
                ? .temporary(SMTPReply(code: 451, text: "4.3.0 try later")) : .delivered
        }
        let first = try await refusing.dispatcher.run(now: Self.later)
        #expect(first.retrying == 1)
        let retry = Self.later.addingTimeInterval(3600)
        let next = try DispatcherTests.setUp(events: events, ledger: ledger)
        let plan = try RunPlan(network: next.dispatcher.network, ledger: ledger, now: retry)
        let item = try #require(plan.items.first { $0.mailing.id == Self.partnerCancellation })
        #expect(item.cause == .waiting)
        #expect(item.recipients.map(\.address.key.value) == ["hr@company.example.com"])
        _ = try await next.dispatcher.run(now: retry)
        #expect(Self.sent(next) == ["\(Self.partnerCancellation) hr@company.example.com"])
    }

    @Test func theIDsReadBackAsTheyArePrinted() throws {
        let update = try #require(MailingID(Self.partnerUpdate.description))
        #expect(update.kind == .partnerUpdate && update.sequence == 1 && update.isForPartners)
        #expect(update.list == .partners)
        #expect(update.invitation == "partner/wednesday-hygge/2026-12-02")
        let cancellation = try #require(MailingID(Self.partnerCancellation.description))
        #expect(cancellation.kind == .partnerCancellation && cancellation.isForPartners)
        let unnumbered = "partner-update/wednesday-hygge/2026-12-02"
        #expect(MailingID(unnumbered) == nil, "an update has its number")
        #expect(
            Self.update.isForPartners == false
                && Self.update.invitation == "invitation/wednesday-hygge/2026-12-02")
    }
}
