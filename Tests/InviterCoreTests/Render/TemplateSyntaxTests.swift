import Foundation
import InviterTestSupport
import Testing

@testable import InviterCore

/// A broken tag is an error at the line where it was typed, in words an organizer understands,
/// and nothing is sent: Mustache's own parser reported many of these lines further down, in the
/// names of its source code, and dropped a `{{` left open at the end of a subject without a word.
struct TemplateSyntaxTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var line: Int
        var field: String
        var says: String
        var testDescription: String { field }
    }

    static let cases: [Case] = [
        Case(
            text: "subject: Hi {{\n---\nHello\n", line: 1, field: "{{",
            says: "the tag is not closed: it needs }} on the line where it starts"),
        Case(
            text: "subject: Hi {{event.title\n---\nHello\n", line: 1, field: "{{event.title",
            says: "not closed"),
        // The parser gave up at line 5, where the next `}}` stands.
        Case(
            text: "subject: Hi\n---\n{{t.greeting}} and {{event.title\n\n# {{event.title}}\n", line: 3,
            field: "{{event.title", says: "not closed"),
        Case(
            text: "subject: Hi\n---\nA {{event.title and {{event.venue}}\n", line: 3,
            field: "{{event.title and ", says: "not closed"),
        Case(
            text: "subject: Hi\n---\n{{{event.title}} here\n", line: 3, field: "{{{event.title}} here",
            says: "it needs }}} on the line"),
        Case(
            text: "subject: Hi\n---\n{{#rsvp}}\nCome!\n\nBye\n", line: 3, field: "{{#rsvp}}",
            says: "the section is never closed: end it with {{/rsvp}}"),
        Case(
            text: "subject: Hi\n---\nHello\n{{/rsvp}}\n", line: 4, field: "{{/rsvp}}",
            says: "closes a section that is not open: no {{#rsvp}} or {{^rsvp}} before it"),
        Case(
            text: "subject: Hi\n---\n{{#rsvp}}\n{{^event.map_url}}\nx\n{{/rsvp}}\n{{/event.map_url}}\n",
            line: 6, field: "{{/rsvp}}",
            says: "closes {{#rsvp}} of line 3 while {{^event.map_url}} of line 4 is still open"),
        Case(
            text: "subject: Hi\n---\n{{#rsvp}}\nx\n{{/rvsp}}\n", line: 5, field: "{{/rvsp}}",
            says: "closes a section that is not open: the open one is {{#rsvp}} of line 3"),
        Case(text: "subject: Hi {{ }}\n---\nHello\n", line: 1, field: "{{ }}", says: "the tag is empty"),
    ]

    @Test(arguments: cases)
    func aBrokenTagIsReportedWhereItWasTyped(_ example: Case) throws {
        let log = ProblemLog()
        let template = TemplateSet.parseBodyFile(example.text, file: "invitation/en.mustache", log: log)
        #expect(template == nil)
        let problem = try #require(log.problems.first)
        #expect(problem.file == "invitation/en.mustache")
        #expect(problem.line == example.line)
        #expect(problem.field == example.field)
        #expect(problem.message.contains(example.says), "\(problem.message)")
        #expect(problem.severity == .error)
    }

    /// What the parser still refuses after the check is said in words, with its line.
    @Test func theParsersOwnRefusalIsSaidInWords() throws {
        let log = ProblemLog()
        let template = TemplateSet.parseBodyFile(
            "subject: Hi\n---\nHello\n{{=<% =}}\n", file: "invitation/en.mustache", log: log)
        #expect(template == nil)
        let problem = try #require(log.problems.first)
        #expect(problem.line == 4)
        #expect(
            problem.message == "template syntax: the delimiter change is malformed: it is written {{=<% %>=}}"
        )
    }

    /// A comment is the one tag that may run over several lines; the tags after it keep their lines.
    @Test func aCommentMayRunOverSeveralLines() throws {
        let source = "{{! a note\n  for the next organizer }}Hello {{#x}}\n{{/x}}\n"
        let log = ProblemLog()
        #expect(
            TemplateSet.parseBodyFile("subject: Hi\n---\n" + source, file: "invitation/en.mustache", log: log)
                != nil)
        #expect(log.problems.isEmpty)
        let scan = TemplateTags.scan(source, firstLine: 3)
        #expect(scan.unclosed == nil)
        #expect(scan.tags.map(\.text) == ["{{! a note\n  for the next organizer }}", "{{#x}}", "{{/x}}"])
        #expect(scan.tags.map(\.line) == [3, 4, 5])
    }

    /// The layout goes through the same check, and `inviter check` would print the problem.
    @Test func aBrokenLayoutIsReportedWithItsLine() throws {
        let folder = try TemplateSetTests.copyOfShippedTemplates()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try TemplateSetTests.write(
            "<html>\n<body>\n{{{body}}\n</body>\n</html>\n", to: "layout.html.mustache", in: folder)
        #expect {
            try TemplateSet.load(directory: folder)
        } throws: { error in
            (error as? InputProblems)?.problems.map(\.description)
                == [
                    "\(InputFiles.displayName(folder.appendingPathComponent("layout.html.mustache"))):3: {{{body}}: the tag is not closed: it needs }}} on the line where it starts"
                ]
        }
    }
}
