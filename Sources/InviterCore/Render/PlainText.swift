import Foundation
import Mustache

/// The text part of a message from the same Markdown as its HTML part, written as plain text:
/// what a reader of a text-only mail program (or a screen reader reading it) should see.
///
/// A heading is a line of its own, emphasis and labels lose their asterisks, a link is
/// `text <url>`, a rule is a line of dashes, and the two spaces Markdown uses to break a line
/// are dropped. Like the HTML part, values never pass through the conversion: the template is
/// converted with placeholders, and each value then goes in as it is (a name like `*Anna*`
/// keeps its asterisks), an event description converted on its own.
extension MarkdownBody {
    static func text(_ template: MustacheTemplate, context: [String: Any]) -> String {
        let paths = leafPathsSorted(context)
        let indexes = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
        var values = [Value](repeating: .text(""), count: paths.count)
        let placeholders = walkValues(context) { path, value in
            let index = indexes[path] ?? 0
            values[index] = value
            return placeholder(index)
        }
        let converted = PlainText.convert(template.render(placeholders))
        return fillText(converted, values: values)
    }

    /// Each placeholder replaced by its value: text as it is, a description as plain text.
    private static func fillText(_ text: String, values: [Value]) -> String {
        let bytes = Array(text.utf8)
        let (start, end) = placeholderMarks
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var position = 0
        while position < bytes.count {
            if bytes[position] == start[0],
                let (index, after) = bytes.numberedToken(at: position, start: start, end: end),
                index < values.count
            {
                switch values[index] {
                case .text(let value): output += value.utf8
                case .markdown(let source): output += PlainText.convert(source).utf8
                }
                position = after
                continue
            }
            output.append(bytes[position])
            position += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Markdown to plain text, line by line, for the few constructs templates and event
/// descriptions use.
enum PlainText {
    static func convert(_ markdown: String) -> String {
        var lines: [String] = []
        for raw in markdown.components(separatedBy: "\n") {
            var line = raw
            // Markdown's hard break (two trailing spaces) and any other trailing blanks.
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.count >= 3, Set(trimmed).count == 1, let mark = trimmed.first, "-*_".contains(mark) {
                lines.append("--------")
                continue
            }
            if let hashes = heading(trimmed) {
                line = String(trimmed.dropFirst(hashes)).trimmingCharacters(in: .whitespaces)
            }
            lines.append(inline(line))
        }
        return lines.joined(separator: "\n")
    }

    /// The number of `#` of an ATX heading (`# Title`), nil for any other line.
    private static func heading(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        return rest.isEmpty || rest.first == " " ? hashes : nil
    }

    /// Emphasis markers dropped, links as `text <url>`, backslash escapes undone.
    static func inline(_ line: String) -> String {
        // An escaped asterisk is text: kept out of the emphasis rules below, put back at the end.
        let asterisk = "\u{E000}"
        var text = line.replacingOccurrences(of: "\\*", with: asterisk)
            .replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
        // `[text](url)` → `text <url>`.
        while let open = text.range(of: "]("), let start = text[..<open.lowerBound].lastIndex(of: "["),
            let close = text[open.upperBound...].firstIndex(of: ")")
        {
            let label = text[text.index(after: start)..<open.lowerBound]
            let url = text[open.upperBound..<close]
            text.replaceSubrange(start...close, with: "\(label) <\(url)>")
        }
        // `*text*` (emphasis): the markers go where they hug their text, as Markdown's do. An
        // underscore is left alone: in `first_name` or an address it is no emphasis.
        let parts = text.components(separatedBy: "*")
        if parts.count >= 3 {
            var rebuilt = parts[0]
            var index = 1
            while index < parts.count {
                let part = parts[index]
                let closes = index + 1 < parts.count
                if closes, let first = part.first, let last = part.last, !first.isWhitespace,
                    !last.isWhitespace
                {
                    rebuilt += part + parts[index + 1]
                    index += 2
                } else {
                    rebuilt += "*" + part
                    index += 1
                }
            }
            text = rebuilt
        }
        return unescaped(text).replacingOccurrences(of: asterisk, with: "*")
    }

    /// Markdown's backslash escapes of punctuation (`\*`) undone; any other backslash kept.
    private static func unescaped(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var output = ""
        var pending = false
        for character in text {
            if pending {
                if !(character.isASCII && character.isPunctuation || character.isSymbol && character.isASCII)
                {
                    output.append("\\")
                }
                output.append(character)
                pending = false
            } else if character == "\\" {
                pending = true
            } else {
                output.append(character)
            }
        }
        if pending { output.append("\\") }
        return output
    }
}
