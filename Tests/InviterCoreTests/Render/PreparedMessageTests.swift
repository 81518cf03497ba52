import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Messages filled in from one rendering per mailing and language must be, byte for byte, the
/// messages rendered whole for each recipient.
@Suite struct PreparedMessageTests {
    /// Recipients of every shape: each language, names with characters that escaping treats
    /// specially, no name, an organisation, extra columns, a line break, and partner contacts.
    static func recipients() throws -> [Recipient] {
        var recipients: [Recipient] = []
        for (language, name) in MessageRendererTests.names.sorted(by: { $0.key < $1.key }) {
            recipients.append(
                .member(try RenderFixture.member(name, language, address: "\(language)@example.org")))
        }
        let hostile =
            "<script>alert(1)</script> & \"Bob\" O'Hara {name} {{t.when}} *x* [win](http://evil.example) IVRV1s0sVRVI"
        recipients.append(.member(try RenderFixture.member(hostile, "en", address: "o'hara&co@example.org")))
        recipients.append(.member(try RenderFixture.member("Anna Berg", "da", address: "anna@example.org")))
        var nameless = try RenderFixture.member("x", "de", address: "nameless@example.org")
        nameless.name = nil
        recipients.append(.member(nameless))
        var employed = try RenderFixture.member("Piotr Nowak", "pl", address: "piotr@example.org")
        employed.organisation = "Vestas <Wind> & Co"
        employed.fields = ["team": "Blades & <Hubs>", "shift": ""]
        recipients.append(.member(employed))
        recipients.append(
            .member(try RenderFixture.member("Line\nBreak", "en", address: "linebreak@example.org")))
        recipients.append(
            .member(try RenderFixture.member("Ærø Øst", nil, address: "default-language@example.org")))
        for (index, contact) in ["Mette <HR> & Co", nil, "Олена"].enumerated() {
            recipients.append(
                .partner(
                    Partner(
                        address: try MailAddress("partner\(index)@company.example.com"),
                        organisation: "Example \"A/S\" & Søn", kind: .company, contact: contact,
                        language: try LanguageCode(["en", "da", "uk"][index]),
                        source: "partners.csv:\(index + 2)"
                    )))
        }
        return recipients
    }

    static func requests(_ fixture: RenderFixture, recipient: Recipient) throws -> [RenderRequest] {
        var requests: [RenderRequest] = []
        let occurrence = try fixture.occurrence("wednesday-hygge/2026-12-16")
        let kinds: [MailingKind] =
            if case .partner = recipient { [.partner] } else {
                [.invitation, .reminder, .update, .cancellation]
            }
        for kind in kinds {
            requests.append(
                RenderRequest(
                    kind: kind,
                    mailingID: Mailing(
                        kind: kind, occurrence: occurrence, dueAt: RenderFixture.now, sequence: 1
                    ).id,
                    occurrence: occurrence, recipient: recipient, sequence: kind == .update ? 1 : 0,
                    now: RenderFixture.now))
        }
        guard case .member = recipient else { return requests }
        let digest = try [
            "wednesday-hygge/2026-12-02", "christmas-lunch/2026-12-12", "wednesday-hygge/2026-12-16",
        ]
        .map(fixture.occurrence)
        let day = try #require(LocalDate(iso: "2026-12-01"))
        requests.append(
            RenderRequest(
                mailing: Mailing(newsletterOn: day, digest: digest, dueAt: RenderFixture.now),
                recipient: recipient,
                now: RenderFixture.now))
        requests.append(
            RenderRequest(
                mailing: Mailing(
                    announcement: "winter-programme", segments: ["all"], dueAt: RenderFixture.now),
                recipient: recipient, now: RenderFixture.now))
        return requests
    }

    /// Renders every request for every recipient both ways, the prepared renderer going through
    /// the recipients in turn, so each shape is prepared once and filled for the others.
    ///
    /// The reference runs cold: each of its messages comes from a new renderer of its own, with an
    /// empty cache and rendering whole, and is encoded by an encoder without a cache, so nothing
    /// the prepared renderer worked out or remembered can reach the bytes it is compared with.
    static func expectSameMail(_ fixture: RenderFixture) throws {
        var compared = 0
        for recipient in try recipients() {
            for request in try requests(fixture, recipient: recipient) {
                let prepared = try fixture.renderer.render(request)
                let expected = try fixture.coldRenderer().render(request)
                let label = "\(request.mailingID) for \(recipient.address.address)"
                #expect(prepared.html == expected.html, "HTML of \(label)")
                #expect(prepared.message.text == expected.message.text, "text of \(label)")
                #expect(prepared.message.subject == expected.message.subject, "subject of \(label)")
                let bytes = try MessageEncoder().encode(expected.message)
                #expect(try MessageEncoder().encode(prepared.message) == bytes, "bytes of \(label)")
                #expect(try prepared.encoded() == bytes, "prepared bytes of \(label)")
                compared += 1
            }
        }
        #expect(compared > 80)
    }

    @Test func preparedMessagesAreTheMessagesRenderedWhole() throws {
        let fixture = try RenderFixture()
        try Self.expectSameMail(fixture)
        let shapes = fixture.renderer.preparedShapes
        #expect(shapes.prepared > 20, "the shipped templates can all be prepared")
        #expect(shapes.renderedWhole == 0)
    }

    @Test func withoutUnsubscribeSettingsToo() throws {
        try Self.expectSameMail(try RenderFixture(unsubscribe: false))
    }

    @Test func eachRecipientGetsTheirOwnValues() throws {
        let fixture = try RenderFixture()
        let occurrence = try fixture.occurrence("wednesday-hygge/2026-12-16")
        var texts: [String] = []
        for name in ["Anna Berg", "Bo Lund", "Carla Diaz"] {
            let member = try RenderFixture.member(
                name, "en", address: "\(name.prefix(2).lowercased())@example.org")
            let rendered = try fixture.renderer.render(
                RenderRequest(
                    kind: .invitation, mailingID: .of(.invitation, occurrence.id), occurrence: occurrence,
                    recipient: .member(member), now: RenderFixture.now))
            let first = String(name.split(separator: " ")[0])
            #expect(rendered.message.text.contains("Dear \(first)"))
            #expect(rendered.html.contains("Dear \(first)"))
            #expect(rendered.message.to.address == member.address.address)
            texts.append(rendered.message.text)
        }
        #expect(Set(texts).count == 3)
    }

    /// A layout that writes a value without escaping it cannot be filled in safely: the probe
    /// rendered at preparation shows the difference, and those messages are rendered whole.
    @Test func aLayoutThatDoesNotEscapeIsRenderedWhole() throws {
        let directory = try RenderFixture.copyOfTemplates()
        let layout = directory.appendingPathComponent("layout.html.mustache")
        let original = try String(contentsOf: layout, encoding: .utf8)
        #expect(original.contains("<p>{{footer}}</p>"))
        try original.replacingOccurrences(of: "<p>{{footer}}</p>", with: "<p>{{{footer}}}</p>").write(
            to: layout, atomically: true, encoding: .utf8)
        let fixture = try RenderFixture(templates: directory)
        try Self.expectSameMail(fixture)
        #expect(fixture.renderer.preparedShapes.renderedWhole > 0, "the probe caught the unescaped footer")
        let member = try RenderFixture.member("Anna <b>Berg</b>", "en", address: "anna@example.org")
        let rendered = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member))
        #expect(rendered.html.contains("Dear Anna"))
    }
}

extension PreparedMessageTests {
    /// Line ends of every kind, trailing spaces, `=_`, lines longer than quoted-printable allows
    /// and a value at a line's end: the lines a prepared message encodes once must come out as
    /// the whole message's encoder writes them.
    @Test func oddLinesEncodeAsTheWholeMessageDoes() throws {
        let directory = try RenderFixture.copyOfTemplates()
        let template = directory.appendingPathComponent("invitation/en.mustache")
        let original = try String(contentsOf: template, encoding: .utf8)
        let odd =
            original.replacingOccurrences(
                of: "{{t.greeting}}\n", with: "{{t.greeting}}\r\n\r\nTrailing space \r\n")
            + "\rA lone CR line, a=_b, and a value at the end: {{recipient.name}}\r\n"
            + String(repeating: "long line without a break ", count: 8) + "{{recipient.email}}\n"
        try odd.write(to: template, atomically: true, encoding: .utf8)
        let fixture = try RenderFixture(templates: directory)
        try Self.expectSameMail(fixture)
        #expect(fixture.renderer.preparedShapes.prepared > 0)
    }
}
