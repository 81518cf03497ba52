import Foundation
import Mustache

/// Broken tags, reported in plain words at the line where the organizer typed them.
///
/// swift-mustache reports a broken tag where its parser gave up, often lines further down, in the
/// words of its source code (`unfinishedName`, `overflow`), and a `{{` left open at the very end
/// of a text it drops without a word: a subject `Hi {{` went out as `Hi`. This check balances
/// the tags first and names the one at fault; what it does not catch, swift-mustache's parser
/// still refuses, and ``describe(_:)`` says what that means.
enum TemplateSyntax {
    /// The problems of `source`, which starts at line `firstLine` of `file`: the first unclosed
    /// tag, then every section closed out of turn or never closed.
    static func problems(in source: String, file: String, firstLine: Int) -> [InputProblem] {
        func problem(_ line: Int, _ tag: String, _ message: String) -> InputProblem {
            InputProblem(file: file, line: line, field: tag, message: message, kind: .configuration)
        }
        let scan = TemplateTags.scan(source, firstLine: firstLine)
        var problems: [InputProblem] = []
        if let unclosed = scan.unclosed {
            let closing = unclosed.text.hasPrefix("{{{") ? "}}}" : "}}"
            problems.append(
                problem(
                    unclosed.line, unclosed.text,
                    "the tag is not closed: it needs \(closing) on the line where it starts"))
        }
        var open: [TemplateTags.Tag] = []
        for tag in scan.tags {
            if tag.name.isEmpty, tag.kind != .other {
                problems.append(
                    problem(tag.line, tag.text, "the tag is empty: put a name between the braces"))
                continue
            }
            switch tag.kind {
            case .sectionOpen, .invertedOpen:
                open.append(tag)
            case .sectionClose:
                guard let innermost = open.last else {
                    problems.append(
                        problem(
                            tag.line, tag.text,
                            "closes a section that is not open: no {{#\(tag.name)}} or {{^\(tag.name)}} before it"
                        ))
                    continue
                }
                if innermost.name == tag.name {
                    open.removeLast()
                } else if let outer = open.lastIndex(where: { $0.name == tag.name }) {
                    problems.append(
                        problem(
                            tag.line, tag.text,
                            "closes \(open[outer].text) of line \(open[outer].line) while \(innermost.text) of line \(innermost.line) is still open: close the innermost section first"
                        ))
                    open.removeSubrange(outer...)
                } else {
                    problems.append(
                        problem(
                            tag.line, tag.text,
                            "closes a section that is not open: the open one is \(innermost.text) of line \(innermost.line)"
                        ))
                }
            case .variable, .other:
                break
            }
        }
        // An unclosed tag hides the rest of the text: the sections after it may well be closed.
        if scan.unclosed == nil {
            for tag in open {
                problems.append(
                    problem(tag.line, tag.text, "the section is never closed: end it with {{/\(tag.name)}}"))
            }
        }
        return problems
    }

    /// What swift-mustache's parser error means, for a template that passed the check above.
    static func describe(_ error: any Error) -> String {
        switch error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect:
            return "a section is closed with another name than it was opened with"
        case MustacheTemplate.Error.unfinishedName:
            return "a tag is not finished: each {{ needs its }} on the same line"
        case MustacheTemplate.Error.expectedSectionEnd:
            return "a section is never closed: each {{#name}} and {{^name}} needs its {{/name}}"
        case MustacheTemplate.Error.invalidSetDelimiter:
            return "the delimiter change is malformed: it is written {{=<% %>=}}"
        case MustacheTemplate.Error.invalidConfigVariableSyntax,
            MustacheTemplate.Error.unrecognisedConfigVariable:
            return "a {{% …}} tag that Mustache does not know"
        case MustacheTemplate.Error.transformAppliedToInheritanceSection,
            MustacheTemplate.Error.illegalTokenInsideInheritSection,
            MustacheTemplate.Error.textInsideInheritSection:
            return "a {{<partial}} section holds something other than {{$block}} sections"
        default:
            // The reader's one error: it ran out of text inside a tag.
            return "the text ends inside a tag: a {{ is never closed with }}"
        }
    }
}
