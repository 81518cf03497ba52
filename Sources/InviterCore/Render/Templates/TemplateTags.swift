import Foundation

/// The tags of a template as an organizer typed them, each with its line: what the name check
/// resolves and the syntax check balances.
///
/// One scan for both, so that both read a tag the same way: `{{name}}`, `{{{name}}}`, `{{&name}}`,
/// `{{#name}}`, `{{^name}}`, `{{/name}}`, and the rest (`{{! comment }}`, partials) as `other`.
enum TemplateTags {
    /// A tag found in template source.
    struct Tag {
        enum Kind { case variable, sectionOpen, invertedOpen, sectionClose, other }
        let kind: Kind
        let name: String
        let line: Int
        /// The tag as written, such as `{{#rsvp}}`: what a problem names.
        let text: String
    }

    /// A `{{` that no `}}` closes where it should: on its own line, before the next `{{`.
    struct Unclosed {
        let line: Int
        /// The tag as far as it goes on its line, such as `{{event.title`.
        let text: String
    }

    /// Every tag up to the first unclosed one, or up to a delimiter change (`{{=<% %>=}}`), after
    /// which `{{` no longer opens a tag.
    struct Scan {
        var tags: [Tag] = []
        var unclosed: Unclosed?
    }

    /// The tags of `source`, whose first line is line `firstLine` of its file.
    static func scan(_ source: String, firstLine: Int) -> Scan {
        var scan = Scan()
        var line = firstLine
        var index = source.startIndex
        while index < source.endIndex {
            if source[index] == "\n" {
                line += 1
                index = source.index(after: index)
                continue
            }
            guard source[index...].hasPrefix("{{") else {
                index = source.index(after: index)
                continue
            }
            let triple = source[index...].hasPrefix("{{{")
            let contentStart = source.index(index, offsetBy: triple ? 3 : 2)
            let closing = triple ? "}}}" : "}}"
            let close = source[contentStart...].range(of: closing)
            let content = source[contentStart..<(close?.lowerBound ?? source.endIndex)]
            let isComment = content.trimmingCharacters(in: .whitespaces).hasPrefix("!")
            // A comment may run over several lines; any other tag ends on the line it starts, and
            // a `{{` inside one means the tag before it was never closed.
            guard let close, isComment || (!content.contains("\n") && !content.contains("{{")) else {
                let rest = source[index...]
                let firstLineOfTag = rest.prefix { $0 != "\n" }
                let nextOpen = firstLineOfTag.dropFirst(2).range(of: "{{")?.lowerBound
                scan.unclosed = Unclosed(
                    line: line, text: String(firstLineOfTag[..<(nextOpen ?? firstLineOfTag.endIndex)]))
                return scan
            }
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            let sigil = triple ? nil : trimmed.first
            let name = String(trimmed.dropFirst(sigil.map { "#^/&>!%=<$".contains($0) } == true ? 1 : 0))
                .trimmingCharacters(in: .whitespaces)
            let kind: Tag.Kind
            switch sigil {
            case "#": kind = .sectionOpen
            case "^": kind = .invertedOpen
            case "/": kind = .sectionClose
            case ">", "!", "%", "=", "<", "$": kind = .other
            default: kind = .variable
            }
            scan.tags.append(
                Tag(kind: kind, name: name, line: line, text: String(source[index..<close.upperBound])))
            if sigil == "=" { return scan }
            line += content.filter { $0 == "\n" }.count
            index = close.upperBound
        }
        return scan
    }
}
