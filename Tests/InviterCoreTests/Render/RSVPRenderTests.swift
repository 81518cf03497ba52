import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Invitations of an RSVP event: each member's own yes and no links, and the seats left.
@Suite struct RSVPRenderTests {
    static let web = """
        [web]
        base_url = "https://example.org/inviter"
        secret_env = "INVITER_TEST_SECRET"

        """
    static let events = NetworkFixture.events.replacingOccurrences(
        of: "capacity = 120", with: "capacity = 120\nrsvp = true")
    static let lunch: OccurrenceID = "christmas-lunch/2026-12-12"
    static let secret = Secret("test-secret")

    static func fixture(web: Bool = true) throws -> RenderFixture {
        try RenderFixture(unsubscribe: false, events: events, extra: web ? Self.web : "")
    }

    static var goldenCases: [String] {
        let languages = ["ar", "da", "de", "en", "pl", "ro", "uk"]
        return languages.flatMap { ["rsvp-invitation-\($0)", "rsvp-seat-\($0)"] } + [
            "rsvp-full-da", "rsvp-full-ar", "rsvp-reminder-en",
        ]
    }

    /// The invitation with 12 seats left, the seat notice, a full invitation and a reminder, as
    /// golden files a reviewer can read.
    @Test(arguments: goldenCases)
    func matchesGoldenFile(_ name: String) throws {
        let fixture = try Self.fixture()
        let parts = name.split(separator: "-").map(String.init)
        let language = parts[2]
        let member = Recipient.member(
            try RenderFixture.member(MessageRendererTests.names[language] ?? "Member", language))
        let (kind, seatsLeft): (MailingKind, Int?) =
            switch parts[1] {
            case "seat": (.seat, nil)
            case "full": (.invitation, 0)
            case "reminder": (.reminder, 3)
            default: (.invitation, 12)
            }
        let rendered = try fixture.render(kind, Self.lunch, member, seatsLeft: seatsLeft)
        #expect(rendered.language.identifier == language)
        let bytes = try MessageEncoder().encode(rendered.message)
        #expect(try rendered.encoded() == bytes, "the prepared bytes are the message's")
        var whole = RenderRequest(
            kind: kind, mailingID: .of(kind, Self.lunch), occurrence: try fixture.occurrence(Self.lunch),
            recipient: member, now: RenderFixture.now)
        whole.seatsLeft = seatsLeft
        #expect(try fixture.coldRenderer().render(whole).encoded() == bytes, "rendered whole, the same bytes")
        let directory = TestPaths.golden.appendingPathComponent("rendered")
        let file = directory.appendingPathComponent("\(name).eml")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(bytes).write(to: file)
            try Data(rendered.html.utf8).write(to: directory.appendingPathComponent("\(name).html"))
        }
        let expected = try #require(
            FileManager.default.contents(atPath: file.path),
            "missing \(file.path); run with UPDATE_GOLDEN=1 and review")
        #expect(bytes == Array(expected), "\(name) differs from its golden file")
    }

    @Test func eachMemberGetsLinksThatNameThemAndTheOccurrence() throws {
        let fixture = try Self.fixture()
        let anne = Recipient.member(try RenderFixture.member("Anne Holm", "da", address: "anne@example.org"))
        let rendered = try fixture.render(.invitation, Self.lunch, anne, seatsLeft: 12)
        let text = rendered.message.text
        #expect(text.contains("12 pladser tilbage."))
        #expect(!text.contains("Svar på denne mail for at tilmelde dig"), "no reply-to-sign-up with RSVP")
        let links = text.components(separatedBy: "https://example.org/inviter/rsvp/").dropFirst()
            .map { String($0.prefix { $0 != ">" }) }
        #expect(links.count == 2)
        #expect(links.first?.hasSuffix("?answer=yes") == true)
        #expect(links.last?.hasSuffix("?answer=no") == true)
        let token = String(try #require(links.first?.split(separator: "?").first))
        let read = try #require(RSVPLink.read(token, network: "Test Network", secret: Self.secret))
        #expect(read.occurrence == Self.lunch)
        #expect(read.address == "anne@example.org")
        #expect(RSVPLink.read(token, network: "Other Network", secret: Self.secret) == nil)
        #expect(UnsubscribeLink.read(token, network: "Test Network", secret: Self.secret) == nil)
        #expect(rendered.html.contains("href=\"https://example.org/inviter/rsvp/\(token)?answer=yes\""))

        // Full: no count, the waitlist said instead.
        let full = try fixture.render(.invitation, Self.lunch, anne, seatsLeft: 0).message.text
        #expect(full.contains("Alle pladser er taget"))
        #expect(!full.contains("pladser tilbage"))
    }

    @Test func partnerCopiesAndCancellationsCarryNoAnswerLinksAndRSVPNeedsWeb() throws {
        let fixture = try Self.fixture()
        let partner = Recipient.partner(
            Partner(
                address: try MailAddress("hr@company.example.com"), organisation: "Example A/S",
                kind: .company,
                contact: "Hanne", language: try LanguageCode("da"), source: "partners.csv:2"))
        #expect(!(try fixture.render(.partner, Self.lunch, partner).message.text.contains("/rsvp/")))
        #expect(
            !(try fixture.render(
                .cancellation, "wednesday-hygge/2026-12-30",
                .member(
                    try RenderFixture.member("Anne Holm", "da"))
            ).message.text.contains("/rsvp/")))
        // Without `[web]` nobody could answer: the network does not load, and nothing is sent.
        let problems: [InputProblem]
        do {
            _ = try Self.fixture(web: false)
            problems = []
        } catch let error as InputProblems {
            problems = error.problems
        }
        #expect(
            problems.contains { $0.field == "rsvp" && $0.message.contains("[web] base_url") }, "\(problems)")
        #expect(problems.first?.line == 21, "the line of the RSVP event's [[event]]")
    }

    @Test func theNewsletterSaysTheSeatsLeftOfAnRSVPEvent() throws {
        let fixture = try Self.fixture()
        let digest = try ["wednesday-hygge/2026-12-02", "christmas-lunch/2026-12-12"].map(fixture.occurrence)
        let mailing = Mailing(newsletterOn: digest[0].date, digest: digest, dueAt: RenderFixture.now)
        let reader = Recipient.member(try RenderFixture.member("Emily Carter", "en"))
        var request = RenderRequest(mailing: mailing, recipient: reader, now: RenderFixture.now)
        request.digestSeatsLeft = [Self.lunch: 7]
        let text = try fixture.renderer.render(request).message.text
        #expect(text.contains("7 seats left."))
        request.digestSeatsLeft = [Self.lunch: 0]
        let full = try fixture.renderer.render(request).message.text
        #expect(full.contains("The event is fully booked."), "\(full)")
        #expect(try fixture.coldRenderer().render(request).message.text == full)
    }

    /// An English description in an Arabic message keeps its own direction: each block is `dir="auto"`.
    @Test func blocksOfAnotherDirectionKeepTheirOwn() throws {
        let fixture = try Self.fixture()
        let reader = Recipient.member(try RenderFixture.member("ليلى حداد", "ar"))
        let html = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", reader).html
        #expect(html.contains("dir=\"rtl\""), "the page is right to left")
        #expect(html.contains("<p dir=\"auto\">Meet at the pub.</p>"), "\(html)")
        #expect(!html.contains("<p>Meet"), "the description's paragraph has its own direction")
    }
}
