import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Renders with the shipped templates and strings against a small test network.
struct RenderFixture {
    static let templates = TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent("Templates")
    /// 2026-11-18 18:00 UTC: the fixture's invitations for 2026-12-02 are due.
    static let now = Date(timeIntervalSince1970: 1_795_543_200)

    let network: LoadedNetwork
    let renderer: MessageRenderer

    /// - Parameter extra: More configuration (a `[web]` section, say), appended.
    init(
        unsubscribe: Bool = true, events: String = NetworkFixture.events, templates: URL? = nil,
        extra: String = ""
    ) throws {
        var config = NetworkFixture.config + extra
        if let templates {
            config = config.replacingOccurrences(of: Self.templates.path, with: templates.path)
        }
        if unsubscribe {
            config += """
                [unsubscribe]
                mailto = "unsubscribe@example.org"
                url = "https://example.org/unsubscribe/{token}"
                secret_env = "INVITER_TEST_SECRET"

                """
        }
        let fixture = try NetworkFixture(["inviter.toml": config, "events.toml": events])
        network = try NetworkLoader.load(configuration: fixture.configURL)
        renderer = try RenderSetup.load(
            network.configuration, environment: ["INVITER_TEST_SECRET": "test-secret"]
        ).renderer
    }

    /// The shipped templates in a temporary folder, for a test to change.
    static func copyOfTemplates() throws -> URL {
        let directory = try TestPaths.temporaryDirectory("templates")
        let manager = FileManager.default
        for item in try manager.contentsOfDirectory(atPath: templates.path) {
            try manager.copyItem(
                at: templates.appendingPathComponent(item), to: directory.appendingPathComponent(item))
        }
        return directory
    }

    func occurrence(_ id: OccurrenceID) throws -> Occurrence {
        let zone = network.configuration.network.timeZone
        let first = try #require(LocalDate(iso: "2026-11-01"))
        let last = try #require(LocalDate(iso: "2027-02-01"))
        let start = try #require(LocalDateTime(date: first, hour: 0, minute: 0))
        let end = try #require(LocalDateTime(date: last, hour: 0, minute: 0))
        let all = network.events.flatMap { $0.occurrences(from: start, through: end, in: zone) }
        return try #require(all.first { $0.id == id })
    }

    static func member(_ name: String, _ language: String?, address: String = "member@example.org") throws
        -> Member
    {
        Member(
            address: try MailAddress(address, displayName: name), name: name,
            language: try language.map { try LanguageCode($0) }, segments: ["newcomers"], organisation: nil,
            status: .active,
            fields: [:], sources: ["members.csv:2"])
    }

    /// A renderer like the fixture's that shares nothing with it: its cache starts empty, and it
    /// renders each message whole from the templates.
    func coldRenderer() -> MessageRenderer {
        var renderer = MessageRenderer(
            configuration: self.renderer.configuration, templates: self.renderer.templates,
            strings: self.renderer.strings, unsubscribeSecret: self.renderer.unsubscribeSecret)
        renderer.preparesMessages = false
        return renderer
    }

    func render(
        _ kind: MailingKind, _ occurrenceID: OccurrenceID, _ recipient: Recipient, seatsLeft: Int? = nil
    ) throws -> RenderedMessage {
        let occurrence = try occurrence(occurrenceID)
        // An update is rendered as a run sends the first change: `update/<occurrence>/1`, SEQUENCE 1.
        let sequence = kind.isUpdate ? 1 : 0
        var request = RenderRequest(
            kind: kind,
            mailingID: Mailing(kind: kind, occurrence: occurrence, dueAt: Self.now, sequence: sequence).id,
            occurrence: occurrence, recipient: recipient, sequence: sequence, now: Self.now)
        request.seatsLeft = seatsLeft
        return try renderer.render(request)
    }
}

@Suite struct MessageRendererTests {
    static let names = [
        "da": "Søren Ærø", "en": "Emily Carter", "de": "Lena Schmidt", "pl": "Łukasz Wójcik",
        "ro": "Ioana Ionescu", "uk": "Олена Коваленко", "ar": "ليلى حداد",
    ]

    /// Every template kind in every shipped language, as golden files a reviewer can read.
    static var goldenCases: [String] {
        // "announcement" renders announcements/winter-programme.
        let kinds = MailingKind.allCases.filter { $0 != .join }.map(\.rawValue)
        let languages =
            ((try? FileManager.default.contentsOfDirectory(
                atPath: RenderFixture.templates.appendingPathComponent("invitation").path)) ?? [])
            .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(9)) }.sorted()
        return kinds.flatMap { kind in languages.map { "\(kind)-\($0)" } }
    }

    @Test(arguments: goldenCases)
    func matchesGoldenFile(_ name: String) throws {
        let fixture = try RenderFixture()
        // The language is the last part: kinds such as `partner-update` have a hyphen of their own.
        let split = try #require(name.lastIndex(of: "-"))
        let kind = try #require(MailingKind(rawValue: String(name[..<split])))
        let language = String(name[name.index(after: split)...])
        let recipient: Recipient
        if kind.isPartnerCopy {
            recipient = .partner(
                Partner(
                    address: try MailAddress("hr@company.example.com"), organisation: "Example A/S",
                    kind: .company,
                    contact: Self.names[language] ?? "Contact", language: try LanguageCode(language),
                    source: "partners.csv:2"))
        } else {
            recipient = .member(try RenderFixture.member(Self.names[language] ?? "Member", language))
        }
        let rendered: RenderedMessage
        switch kind {
        case .newsletter:
            let digest = try [
                "wednesday-hygge/2026-12-02", "christmas-lunch/2026-12-12", "wednesday-hygge/2026-12-16",
            ]
            .map(fixture.occurrence)
            let zone = fixture.network.configuration.network.timeZone
            let day = try #require(LocalDate(iso: "2026-12-01"))
            let nine = try #require(LocalDateTime(date: day, hour: 9, minute: 0))
            let mailing = Mailing(newsletterOn: day, digest: digest, dueAt: nine.instant(in: zone))
            rendered = try fixture.renderer.render(
                RenderRequest(mailing: mailing, recipient: recipient, now: RenderFixture.now))
        case .announcement:
            let mailing = Mailing(
                announcement: "winter-programme", segments: ["all"], dueAt: RenderFixture.now)
            rendered = try fixture.renderer.render(
                RenderRequest(mailing: mailing, recipient: recipient, now: RenderFixture.now))
        default:
            let occurrenceID: OccurrenceID =
                kind.isCancellation ? "wednesday-hygge/2026-12-30" : "wednesday-hygge/2026-12-16"
            rendered = try fixture.render(kind, occurrenceID, recipient)
        }
        #expect(rendered.language.identifier == language, "the \(language) template was used")
        let bytes = try MessageEncoder().encode(rendered.message)
        #expect(try rendered.encoded() == bytes, "the prepared bytes are the message's")
        // The calendar part comes last, as invitation programs put it; the HTML is still what shows.
        let decoded = try DecodedMessage.decode(bytes)
        #expect(decoded.shown == "text/html", "\(name) shows \(decoded.shown ?? "nothing")")
        if kind.isAboutOccurrence {
            #expect(decoded.structure.last == "text/calendar", "\(name): \(decoded.structure)")
        }
        let directory = TestPaths.golden.appendingPathComponent("rendered")
        let file = directory.appendingPathComponent("\(name).eml")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: file)
            try Data(rendered.html.utf8).write(to: directory.appendingPathComponent("\(name).html"))
        }
        let expected = try #require(
            FileManager.default.contents(atPath: file.path),
            "missing \(file.path); run with UPDATE_GOLDEN=1 and review")
        #expect(bytes == Array(expected), "\(name) differs from its golden file")
    }

    /// The entry travels with the forward: in English, for a Danish contact's copy too.
    @Test func aPartnerCopysCalendarEntryIsInEnglish() throws {
        let fixture = try RenderFixture()
        let partner = try #require(fixture.network.partners?.partners.first)
        #expect(partner.language?.identifier == "da")
        let copy = try fixture.render(.partner, "wednesday-hygge/2026-12-16", .partner(partner)).message
        let entry = String(decoding: try #require(copy.attachments.first).data, as: UTF8.self)
        #expect(entry.contains("SUMMARY:Wednesday hygge"), "\(entry)")
        let member = try RenderFixture.member("Søren Ærø", "da")
        let invitation = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member))
            .message
        let own = String(decoding: try #require(invitation.attachments.first).data, as: UTF8.self)
        #expect(own.contains("SUMMARY:Onsdagshygge"), "a member's entry is in their own language")
    }

    @Test func shippedTemplatesUseOnlyKnownNames() throws {
        let fixture = try RenderFixture()
        #expect(fixture.renderer.templateProblems().isEmpty, "\(fixture.renderer.templateProblems())")
    }

    @Test func aTemplateWithATypoFailsWithFileAndLine() throws {
        let directory = try RenderFixture.copyOfTemplates()
        let file = directory.appendingPathComponent("invitation/en.mustache")
        let original = try String(contentsOf: file, encoding: .utf8)
        try original.replacingOccurrences(of: "{{event.venue}}", with: "{{event.venu}}").write(
            to: file, atomically: true, encoding: .utf8)
        let fixture = try NetworkFixture([
            "inviter.toml": NetworkFixture.config.replacingOccurrences(
                of: RenderFixture.templates.path, with: directory.path)
        ])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        #expect {
            try RenderSetup.load(network.configuration)
        } throws: { error in
            let text = String(describing: error)
            let line = original.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
                $0.contains("{{event.venue}}")
            }
            return text.contains("invitation/en.mustache:\((line ?? -10) + 1): {{event.venu}}")
                && text.contains("did you mean \"event.venue\"")
        }
    }

    @Test func hostileValuesAreEscapedWhereverTheyLand() throws {
        let hostileEvents = NetworkFixture.events
            .replacingOccurrences(
                of: "{ en = \"Wednesday hygge\", da = \"Onsdagshygge\" }",
                with: "\"<script>alert('t')</script> {{t.when}}\""
            )
            .replacingOccurrences(
                of: "{ en = \"Meet at the pub.\", da = \"Vi mødes på pubben.\" }",
                with: "\"Meet <img src=x onerror=alert(1)> at the **pub**.\\n\\n<script>bad()</script>\"")
        let fixture = try RenderFixture(events: hostileEvents)
        let name =
            "<script>alert(1)</script> {{t.when}} *Bob* [win](http://evil.example) \u{202E}gnp.exe\r\nBcc: victim@example.com "
            + String(repeating: "Ø", count: 10_000)
        let member = try RenderFixture.member(name, "en", address: "hostile@example.org")
        let rendered = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member))
        let html = rendered.html
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("href=\"http://evil.example"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("<strong>pub</strong>"), "the organizer's own Markdown still works")
        #expect(rendered.message.text.contains("{{t.when}}"), "values are never rendered as templates")
        let decoded = try DecodedMessage.decode(try MessageEncoder().encode(rendered.message))
        #expect(decoded.defects.isEmpty)
        #expect(!decoded.headers.contains { $0.first?.lowercased() == "bcc" })
        #expect(decoded.values("Subject").first?.contains("\n") == false)
        let ics = try #require(decoded.parts.first { $0.type == "text/calendar" })
        if case .text(let text) = ics.content {
            #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 2, "one VEVENT, no injected ones")
        }
    }

    @Test func partnerCopiesCarryNoMemberDataAndTheirOwnOptOut() throws {
        let fixture = try RenderFixture()
        let partner = Partner(
            address: try MailAddress("hr@company.example.com"), organisation: "Example A/S", kind: .company,
            contact: "Hanne",
            language: try LanguageCode("da"), source: "partners.csv:2")
        let rendered = try fixture.render(.partner, "wednesday-hygge/2026-12-16", .partner(partner))
        let text = rendered.message.text
        #expect(text.contains("Example A/S"))
        #expect(
            text.contains("Wednesday hygge") && text.contains("Onsdagshygge"),
            "the invitation in English and Danish")
        for member in fixture.network.members.members {
            #expect(!text.contains(member.address.address) && !rendered.html.contains(member.address.address))
        }
        let link = try #require(rendered.message.listUnsubscribe.first { $0.hasPrefix("https://") })
        let token = String(link.dropFirst("https://example.org/unsubscribe/".count))
        let secret = Secret("test-secret")
        #expect(
            UnsubscribeToken.verify(token, network: "Test Network#partners", secret: secret)
                == "hr@company.example.com")
        #expect(UnsubscribeToken.verify(token, network: "Test Network#members", secret: secret) == nil)
        #expect(
            rendered.message.listUnsubscribe.first?.contains("unsubscribe%20partner%20hr@company.example.com")
                == true)
    }

    @Test func membersGetOneClickUnsubscribeOnlyWithASignedLink() throws {
        let member = try RenderFixture.member("Mette Sørensen", "da", address: "mette@example.org")
        let withLink = try RenderFixture().render(.invitation, "wednesday-hygge/2026-12-16", .member(member))
            .message
        #expect(withLink.oneClickUnsubscribe)
        let link = try #require(withLink.listUnsubscribe.last)
        let token = String(link.dropFirst("https://example.org/unsubscribe/".count))
        #expect(
            UnsubscribeToken.verify(token, network: "Test Network#members", secret: Secret("test-secret"))
                == "mette@example.org")
        #expect(withLink.text.contains(link), "the footer shows the link")

        let without = try RenderFixture(unsubscribe: false).render(
            .invitation, "wednesday-hygge/2026-12-16", .member(member)
        ).message
        #expect(!without.oneClickUnsubscribe)
        // Without [unsubscribe] the way out is a mail to the network's own address, never nothing.
        #expect(
            without.listUnsubscribe == ["mailto:events@example.org?subject=unsubscribe%20mette@example.org"])
        let footer = try #require(without.text.components(separatedBy: "\n-- \n").last)
        #expect(
            footer.contains("mailto:events@example.org?subject=unsubscribe%20mette@example.org"), "\(footer)")
    }

    @Test func invitationsCarryACalendarPartAndCancellationsCancelIt() throws {
        let fixture = try RenderFixture()
        let member = try RenderFixture.member("Mette Sørensen", "da", address: "mette@example.org")
        let invitation = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member))
            .message
        #expect(invitation.alternatives.first?.mediaType == "text/calendar")
        #expect(invitation.alternatives.first?.parameters["method"] == "PUBLISH")
        #expect(invitation.attachments.first?.filename == "invite.ics")
        let ics = invitation.alternatives.first?.text ?? ""
        #expect(ics.contains("UID:wednesday-hygge/2026-12-16@example.org"))
        #expect(ics.contains("DTSTART;TZID=Europe/Copenhagen:20261216T190000"))
        #expect(ics.contains("LOCATION:Café\\, Bredgade 1\\, 7400 Herning"))
        #expect(ics.contains("SUMMARY:Onsdagshygge"))

        let cancellation = try fixture.render(.cancellation, "wednesday-hygge/2026-12-30", .member(member))
            .message
        #expect(cancellation.alternatives.first?.parameters["method"] == "CANCEL")
        #expect(
            cancellation.alternatives.first?.text.contains("UID:wednesday-hygge/2026-12-30@example.org")
                == true)
        #expect(cancellation.alternatives.first?.text.contains("STATUS:CANCELLED") == true)
    }

    @Test func fallsBackAlongTheLanguageChain() throws {
        let fixture = try RenderFixture()
        let swedish = try RenderFixture.member("Sven Svensson", "sv", address: "sven@example.org")
        #expect(
            try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(swedish)).language
                == .english)
        let none = try RenderFixture.member("No Language", nil, address: "none@example.org")
        #expect(
            try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(none)).language == .english)
    }

    @Test func messageIDsAreStablePerMailingAndRecipient() throws {
        let fixture = try RenderFixture()
        let member = try RenderFixture.member("Mette Sørensen", "da", address: "mette@example.org")
        let first = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member)).message
        let again = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member)).message
        let reminder = try fixture.render(.reminder, "wednesday-hygge/2026-12-16", .member(member)).message
        #expect(first.messageID == again.messageID)
        #expect(first.messageID != reminder.messageID)
        #expect(
            first.extraHeaders.contains(Header("X-Inviter-Mailing", "invitation/wednesday-hygge/2026-12-16")))
    }
}

@Suite struct DigestAndAnnouncementTests {
    @Test func aNewsletterListsARepeatingEventOnceWithItsOtherDates() throws {
        let fixture = try RenderFixture()
        let digest = try [
            "wednesday-hygge/2026-12-02", "wednesday-hygge/2026-12-09", "christmas-lunch/2026-12-12",
        ]
        .map(fixture.occurrence)
        let mailing = Mailing(
            newsletterOn: try #require(LocalDate(iso: "2026-12-01")), digest: digest, dueAt: RenderFixture.now
        )
        let member = Member(
            address: try MailAddress("olena@example.org"), name: "Olena", language: .english,
            segments: ["newcomers"],
            organisation: nil, status: .active, fields: [:], sources: [])
        let rendered = try fixture.renderer.render(
            RenderRequest(mailing: mailing, recipient: .member(member), now: RenderFixture.now))
        let text = rendered.message.text
        #expect(text.components(separatedBy: "\nWednesday hygge\n").count == 2, "listed once, a heading line")
        #expect(text.contains("\nAlso on: 09/12/2026\n"))
        #expect(text.contains("\nChristmas lunch\n"))
        #expect(!text.contains("#") && !text.contains("**"), "plain text, not Markdown")
        #expect(
            rendered.message.alternatives.isEmpty && rendered.message.attachments.isEmpty,
            "no calendar part in a digest")
        #expect(rendered.message.extraHeaders.contains(Header("X-Inviter-Mailing", "newsletter/2026-12-01")))
    }

    /// An information evening names its interpreter languages in each reader's own language, in the
    /// member's mail and in both forwardable copies of the partner's, which also carry the note.
    @Test func interpreterLanguagesAreNamedInTheReadersLanguage() throws {
        let events = """
            [[event]]
            id = "tax-evening"
            title = { en = "Tax evening", da = "Skatteaften" }
            start = 2026-12-02T18:30:00
            end = 2026-12-02T20:30:00
            venue = "Town Hall"
            interpreters = ["ro", "pl", "uk", "ro"]
            partners = ["company"]

            [[event.override]]
            date = 2026-12-02
            note = { en = "Room 2 this time.", da = "Lokale 2 denne gang." }

            """
        let fixture = try RenderFixture(events: events)
        let expected = [
            ("da", "Der kan være tolk på disse sprog: rumænsk, polsk og ukrainsk."),
            ("en", "An interpreter is offered in these languages: Romanian, Polish and Ukrainian."),
            ("ro", "Se oferă interpret în limbile: română, poloneză și ucraineană."),
            ("pl", "Tłumacz jest dostępny w językach: rumuński, polski i ukraiński."),
        ]
        for (language, sentence) in expected {
            let member = try RenderFixture.member("Reader", language)
            for kind in [MailingKind.invitation, .reminder] {
                let text = try fixture.render(kind, "tax-evening/2026-12-02", .member(member)).message.text
                #expect(text.contains(sentence), "\(kind) in \(language): \(text)")
            }
        }
        let partner = try #require(fixture.network.partners?.partners.first)
        let copy = try fixture.render(.partner, "tax-evening/2026-12-02", .partner(partner)).message.text
        #expect(
            copy.contains("Romanian, Polish and Ukrainian") && copy.contains("rumænsk, polsk og ukrainsk"))
        #expect(
            copy.contains("> Note: Room 2 this time.")
                && copy.contains("> Bemærk: Lokale 2 denne gang."))
        // A reply to a forward reaches the partner contact, so the copy names the network's address.
        #expect(copy.contains("Write to events@example.org to book one."), "\(copy)")
        #expect(copy.contains("Skriv til events@example.org for at bestille en tolk."))
        #expect(!copy.contains("Reply to this email"))

        let plain = try RenderFixture()
        let invitation = try plain.render(
            .invitation, "wednesday-hygge/2026-12-02", .member(try RenderFixture.member("Reader", "en")))
        #expect(!invitation.message.text.contains("interpreter"), "no sentence without interpreters")
    }

    @Test func anAnnouncementNeedsNoEvent() throws {
        let fixture = try RenderFixture()
        let mailing = Mailing(announcement: "winter-programme", segments: ["danes"], dueAt: RenderFixture.now)
        let recipients = Planner.recipients(
            of: mailing, members: fixture.network.members.members, partners: [])
        #expect(recipients.map(\.address.address) == ["mette@example.org"])
        let rendered = try fixture.renderer.render(
            RenderRequest(mailing: mailing, recipient: recipients[0], now: RenderFixture.now))
        #expect(rendered.language.identifier == "da")
        #expect(rendered.message.subject == "Vores vinterprogram er klar")
        #expect(rendered.html.contains("<li dir=\"auto\">"), "Markdown lists become HTML lists")
        #expect(rendered.message.alternatives.isEmpty)
    }
}
