import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// What the way back in writes to the ledger, played against both ledgers: suppressions of one
/// list, sign-up requests with their daily cap, and the members they make.
@Suite struct ScopedSuppressionAndSignupTests {
    typealias Kind = MemoryLedgerConformanceTests.Kind
    static let t0 = MemoryLedgerConformanceTests.t0
    static let invitation: MailingID = "invitation/hygge/2026-12-02"
    static let partnerCopy: MailingID = "partner/hygge/2026-12-02"

    static func register(_ ledger: any Ledger, _ mailing: MailingID, _ addresses: [String]) throws {
        _ = try ledger.register(
            MailingRecord(id: mailing, kind: mailing.kind ?? .invitation, dueAt: t0, deadline: nil),
            recipients: MemoryLedgerConformanceTests.recipients(addresses, tag: mailing.description), now: t0)
    }

    @Test(arguments: Kind.allCases)
    func anUnsubscribeFromOneListHoldsBackThatListOnly(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            try ledger.suppress("both@x.org", scope: .list(.partners), reason: "one-click", now: Self.t0)
            try Self.register(ledger, Self.invitation, ["both@x.org", "other@x.org"])
            try Self.register(ledger, Self.partnerCopy, ["both@x.org"])
            #expect(
                try ledger.entry(.init(mailing: Self.invitation, recipient: "both@x.org"))?.state == .pending)
            #expect(
                try ledger.entry(.init(mailing: Self.partnerCopy, recipient: "both@x.org"))?.state == .skipped
            )
            #expect(try ledger.isSuppressed("both@x.org", from: .partners))
            #expect(try !ledger.isSuppressed("both@x.org", from: .members))
            #expect(try !ledger.isSuppressed("both@x.org"), "not suppressed for every list")

            // Unsubscribed from the members' list after registering: `waiting` and `ready` leave it out.
            try ledger.suppress("other@x.org", scope: .list(.members), reason: "page", now: Self.t0)
            let waiting = try ledger.waiting(now: Self.t0, resendUnknown: true).map(\.key.recipient)
            #expect(waiting == ["both@x.org"])
            let ready = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10).map(\.key.recipient)
            #expect(ready == ["both@x.org"])
            let skipped = try ledger.entry(.init(mailing: Self.invitation, recipient: "other@x.org"))
            #expect(skipped?.state == .skipped)
            #expect(skipped?.lastReply == "suppressed: page")

            // Each scope is its own entry; lifting one leaves the others.
            try ledger.suppress("both@x.org", scope: .all, reason: "bounced", now: Self.t0)
            #expect(try ledger.suppressed().map(\.scope) == [.all, .list(.partners), .list(.members)])
            #expect(try ledger.unsuppress("both@x.org", scope: .list(.partners)))
            #expect(try !ledger.unsuppress("both@x.org", scope: .list(.partners)))
            #expect(try ledger.isSuppressed("both@x.org", from: .partners), "the bounce still holds")
            #expect(try ledger.unsuppress("both@x.org"))
            #expect(try ledger.suppressed().map(\.address) == ["other@x.org"])
        }
    }

    /// Registering looks up a whole chunk's suppressions at once: the suppression of every list
    /// gives the reason where a list's own exists too, and an address that needs quoting in the
    /// lookup (a quote, a backslash) is found like any other.
    @Test(arguments: Kind.allCases)
    func registeringFindsEachSuppressionOfTheChunkWithEveryListsReasonFirst(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let odd = #""odd\"name"@x.org"#
            try ledger.suppress("both@x.org", scope: .list(.members), reason: "page", now: Self.t0)
            try ledger.suppress("both@x.org", scope: .all, reason: "bounced", now: Self.t0)
            try ledger.suppress(AddressKey(odd), scope: .list(.members), reason: "one-click", now: Self.t0)
            try ledger.suppress("partner@x.org", scope: .list(.partners), reason: "one-click", now: Self.t0)
            try Self.register(ledger, Self.invitation, ["both@x.org", odd, "partner@x.org", "fine@x.org"])
            let reply = { (address: String) in
                try ledger.entry(.init(mailing: Self.invitation, recipient: AddressKey(address)))?.lastReply
            }
            #expect(try reply("both@x.org") == "suppressed: bounced")
            #expect(try reply(odd) == "suppressed: one-click")
            #expect(try reply("partner@x.org") == nil, "a partner-list unsubscribe holds back no member mail")
            #expect(try reply("fine@x.org") == nil)
        }
    }

    /// An unsubscribe that comes while a run sends: the deliveries already taken for the batch
    /// are withheld when they come to be marked, and never handed over. A batch of two lists'
    /// mailings holds back each by its own list's suppressions, and the suppression of every list
    /// gives the reason where a list's own exists too.
    @Test(arguments: Kind.allCases)
    func anAddressUnsubscribedMidRunIsWithheldWhenItComesToBeMarked(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            try Self.register(ledger, Self.invitation, ["a@x.org", "b@x.org", "c@x.org", "d@x.org"])
            try Self.register(ledger, Self.partnerCopy, ["b@x.org"])
            let taken = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10).map(\.key)
            #expect(taken.count == 5)
            try ledger.suppress("b@x.org", scope: .list(.members), reason: "one-click", now: Self.t0)
            try ledger.suppress("c@x.org", scope: .list(.members), reason: "page", now: Self.t0)
            try ledger.suppress("c@x.org", scope: .all, reason: "bounced", now: Self.t0)
            let withheld = try ledger.settle([], marking: taken, now: Self.t0)
            #expect(
                withheld == [
                    .init(mailing: Self.invitation, recipient: "b@x.org"),
                    .init(mailing: Self.invitation, recipient: "c@x.org"),
                ])
            let entry = { (mailing: MailingID, address: String) in
                try ledger.entry(.init(mailing: mailing, recipient: AddressKey(address)))
            }
            #expect(try entry(Self.invitation, "b@x.org")?.state == .skipped)
            #expect(try entry(Self.invitation, "b@x.org")?.lastReply == "suppressed: one-click")
            #expect(try entry(Self.invitation, "c@x.org")?.lastReply == "suppressed: bounced")
            #expect(try entry(Self.partnerCopy, "b@x.org")?.state == .sending)
            #expect(try entry(Self.invitation, "d@x.org")?.state == .sending)
        }
    }

    static func request(_ address: String, at time: Date, language: String = "da") throws -> SignupRequest {
        SignupRequest(
            address: try MailAddress(address), name: "Nadia Haddad", language: try LanguageCode(language),
            segments: ["Newcomers", "families", "newcomers"], occurrence: OccurrenceID("hygge/2026-12-02"),
            requestedAt: time)
    }

    @Test(arguments: Kind.allCases)
    func signUpsAreCappedConfirmedOnceAndListed(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let day = try #require(LocalDate(iso: "2026-12-01"))
            let first = try ledger.requestSignup(
                Self.request("Nadia@Example.com", at: Self.t0), day: day, messageDomain: "example.org")
            #expect(first == .queued("join/2026-12-01/1"))
            // The same form sent again a moment later is the same wish.
            let twice = try ledger.requestSignup(
                Self.request("nadia@example.com", at: Self.t0.addingTimeInterval(30)), day: day,
                messageDomain: "example.org")
            #expect(twice == .repeated)
            var admissions: [SignupAdmission] = []
            for hour in 1...3 {
                admissions.append(
                    try ledger.requestSignup(
                        Self.request(
                            "nadia@example.com", at: Self.t0.addingTimeInterval(Double(hour) * 3600)),
                        day: day, messageDomain: "example.org"))
            }
            #expect(admissions == [.queued("join/2026-12-01/2"), .queued("join/2026-12-01/3"), .limited])
            let waiting = try ledger.waiting(now: Self.t0.addingTimeInterval(4 * 3600), resendUnknown: true)
            #expect(
                waiting.map(\.key.mailing.description) == [
                    "join/2026-12-01/1", "join/2026-12-01/2", "join/2026-12-01/3",
                ])
            #expect(Set(waiting.map(\.key.recipient)) == ["nadia@example.com"])

            let key = DeliveryKey(mailing: "join/2026-12-01/1", recipient: "nadia@example.com")
            let request = try #require(try ledger.signupRequest(key))
            #expect(request.segments == ["families", "newcomers"])
            #expect(request.occurrence == OccurrenceID("hygge/2026-12-02"))
            #expect(request.requestedAt == Self.t0)
            #expect(try ledger.joinedMembers().isEmpty, "asking makes nobody a member")

            // Confirming lifts an earlier unsubscribe from the members' list, never a bounce.
            try ledger.suppress("nadia@example.com", scope: .list(.members), reason: "page", now: Self.t0)
            let joined = try #require(try ledger.confirmSignup(key, now: Self.t0.addingTimeInterval(100)))
            #expect(joined.joinedAt == Self.t0.addingTimeInterval(100))
            #expect(try ledger.suppressed().isEmpty)
            let again = try ledger.confirmSignup(key, now: Self.t0.addingTimeInterval(200))
            #expect(again?.joinedAt == Self.t0.addingTimeInterval(100), "the first confirmation's time stays")
            #expect(try ledger.joinedMembers().map(\.request.address.address) == ["Nadia@Example.com"])
            #expect(try ledger.joinedMembers().first?.member.language == LanguageCode("da"))
            #expect(
                try ledger.confirmSignup(
                    .init(mailing: "join/2026-12-01/9", recipient: "x@x.org"), now: Self.t0) == nil)

            // A bounced address gets no confirmation, whatever the form said.
            try ledger.suppress("dead@example.com", reason: "bounced", now: Self.t0)
            #expect(
                try ledger.requestSignup(
                    Self.request("dead@example.com", at: Self.t0), day: day, messageDomain: "x")
                    == .queued("join/2026-12-01/1"))
            #expect(
                try ledger.entry(.init(mailing: "join/2026-12-01/1", recipient: "dead@example.com"))?.state
                    == .skipped)

            // A reset forgets the requests and keeps the members.
            _ = try ledger.forgetDeliveries()
            #expect(try ledger.signupRequest(key) == nil)
            #expect(try ledger.joinedMembers().count == 1)
        }
    }
}
