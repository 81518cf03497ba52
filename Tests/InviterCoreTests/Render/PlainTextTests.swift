import Foundation
import InviterTestSupport
import Testing

@testable import InviterCore

/// The text part as plain text: the Markdown of the templates and descriptions converted, the
/// recipients' and events' values untouched.
@Suite struct PlainTextTests {
    @Test(arguments: [
        ("# Onsdagshygge", "Onsdagshygge"),
        ("## Wednesday hygge", "Wednesday hygge"),
        ("**Hvornår:** onsdag  ", "Hvornår: onsdag"),
        ("*Also on: 09/12/2026*", "Also on: 09/12/2026"),
        ("---", "--------"),
        (
            "[Ja, jeg kommer](https://example.org/rsvp/2.x?answer=yes) · [Nej](https://example.org/n)",
            "Ja, jeg kommer <https://example.org/rsvp/2.x?answer=yes> · Nej <https://example.org/n>"
        ),
        ("> **Note:** Room 2", "> Note: Room 2"),
        ("2 * 3 * 4 and first_name_here", "2 * 3 * 4 and first_name_here"),
        ("\\*not emphasis\\* C:\\temp", "*not emphasis* C:\\temp"),
        ("#hashtag is no heading", "#hashtag is no heading"),
    ])
    func converts(_ markdown: String, _ text: String) {
        #expect(PlainText.convert(markdown) == text)
    }

    /// A name with Markdown in it keeps it: values never pass through the conversion.
    @Test func valuesArePutInAsTheyAre() throws {
        let fixture = try RenderFixture()
        let member = try RenderFixture.member("*Anna* [x](https://evil.example) **Bo**", "en")
        let text = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", .member(member)).message.text
        #expect(text.hasPrefix("Dear *Anna*,"), "\(text.prefix(80))")
        #expect(!text.contains("<https://evil.example>"), "a link in a name stays as typed")
        #expect(text.contains("When: Wednesday, 16 December 2026"))
    }
}
