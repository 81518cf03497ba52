import InviterCore
import Testing

@Suite struct MailingIDTests {
    /// (Ids are parsed from `Substring`s here: a `String` literal would take the tests' own
    /// literal conformance instead of the parser.)
    /// Every form a run writes into `X-Inviter-Mailing` and the ledger reads back as itself.
    @Test(arguments: [
        "invitation/wednesday-hygge/2026-12-02", "reminder/wednesday-hygge/2026-12-02",
        "cancellation/board-games/2027-01-05", "partner/christmas-lunch/2026-12-12",
        "update/wednesday-hygge/2026-12-02/1", "update/wednesday-hygge/2026-12-02/12",
        "newsletter/2026-12-01",
        "announcement/citizens-meeting/2026-12-01", "announcement/citizens-meeting/2026-12-01/partners",
        "announcement/citizens-meeting", "send-test", "seat/christmas-lunch/2026-12-12",
    ])
    func roundTrips(_ text: String) throws {
        let id = try #require(MailingID(text))
        #expect(id.description == text)
        #expect(MailingID(id.description) == id)
    }

    @Test(arguments: [
        "", "invitation", "invitation/wednesday-hygge", "invitation/wednesday-hygge/2026-13-02",
        "invitation//2026-12-02", "update/wednesday-hygge/2026-12-02", "update/wednesday-hygge/2026-12-02/-1",
        "update/wednesday-hygge/2026-12-02/x", "newsletter/december", "newsletter/2026-12-01/x",
        "announcement/", "announcement/x/2026-12-01/members", "announcement/x/partners/2026-12-01",
        "lottery/wednesday-hygge/2026-12-02", "invitation/wednesday-hygge/2026-12-02/1", "send-test/x",
        "newsletter/wednesday-hygge/2026-12-02",
    ])
    func refusesWhatIsNotAnID(_ text: String) {
        #expect(MailingID(text) == nil)
    }

    @Test func namesItsParts() throws {
        let occurrence = try #require(OccurrenceID(Substring("wednesday-hygge/2026-12-02")))
        let update = try #require(MailingID(Substring("update/wednesday-hygge/2026-12-02/3")))
        #expect(update.kind == .update)
        #expect(update.occurrence == occurrence)
        #expect(update.sequence == 3)
        #expect(update.invitation == .of(.invitation, occurrence))
        #expect(!update.isForPartners)

        let partner = MailingID.of(.partner, occurrence)
        #expect(partner.isForPartners)
        #expect(partner.sequence == nil)

        let date = try #require(LocalDate(iso: "2026-12-01"))
        let announcement = MailingID.announcement("citizens-meeting", on: date)
        #expect(announcement.kind == .announcement)
        #expect(announcement.occurrence == nil)
        #expect(!announcement.isForPartners)
        #expect(announcement.partnerCopy.isForPartners)
        #expect(announcement.partnerCopy.description == "announcement/citizens-meeting/2026-12-01/partners")
        #expect(MailingID.newsletter(date).kind == .newsletter)
        #expect(MailingID.sendTest.kind == nil)
    }

    /// The Message-ID is made from the delivery alone: the same (mailing, recipient) always gets the
    /// same one, whatever the capitals of the address in the list.
    @Test func deliveryKeyFoldsTheAddressOnceAndGivesAStableMessageID() throws {
        let upper = try MailAddress("Amina@Example.ORG")
        let lower = try MailAddress("amina@example.org")
        #expect(upper.key == lower.key)
        #expect(upper.address == "Amina@Example.ORG", "the address itself keeps its capitals for RCPT TO")
        let id = try #require(MailingID(Substring("invitation/wednesday-hygge/2026-12-02")))
        let one = DeliveryKey(mailing: id, recipient: upper.key)
        let other = DeliveryKey(mailing: id, recipient: lower.key)
        #expect(one == other)
        #expect(one.text == "invitation/wednesday-hygge/2026-12-02 amina@example.org")
        #expect(one.messageID(domain: "example.org") == other.messageID(domain: "example.org"))
        #expect(one.messageID(domain: "example.org") == MessageID(stableKey: one.text, domain: "example.org"))
    }
}
