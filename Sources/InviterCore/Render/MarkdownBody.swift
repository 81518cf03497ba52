import Foundation
import Ink
import Mustache

/// Renders a Markdown template into HTML without letting any value change the markup.
///
/// Ink passes raw HTML straight through, and a name like `*Anna*` or
/// `[click](http://evil.example)` would be read as Markdown. So values never
/// reach Ink: the template is rendered with inert placeholders instead, Ink
/// turns that into HTML, and only then is each placeholder replaced by its
/// value, HTML-escaped (or, for an event description, by HTML that was made
/// from the organizer's Markdown with raw HTML disabled).
struct MarkdownBody {
    /// A value as it goes into a template.
    enum Value {
        /// Plain text: escaped in HTML, as it is in the text part.
        case text(String)
        /// Organizer-written Markdown (an event description): as it is in the text part,
        /// rendered to HTML (raw HTML shown as text) in the HTML part.
        case markdown(String)
    }

    /// A fresh parser each time: `MarkdownParser` is a small value, but not `Sendable`, so it cannot be shared.
    private static var parser: MarkdownParser { MarkdownParser() }

    /// Marks a placeholder; random per process, so a template's own text cannot spell one by chance.
    private static let nonce = String(UInt32.random(in: 100_000...999_999))
    private static let tokenStart = Array("IVPH\(nonce)x".utf8)
    private static let tokenEnd = Array("xHPVI".utf8)

    /// Ink's HTML for `markdown`; with `escapingHTML`, raw HTML in it is shown as text.
    ///
    /// For one mailing and language the placeholder Markdown is the same for every recipient
    /// (placeholders are numbered in the sorted order of their names), and an event description
    /// is the same for everyone, so a `cache` converts each once, not per message.
    private static func convert(_ markdown: String, escapingHTML: Bool = false, cache: RenderCache?)
        -> String
    {
        func make() -> String {
            let source =
                escapingHTML
                ? markdown.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
                    of: ">", with: "&gt;")
                : markdown
            return directed(parser.html(from: source))
        }
        guard let cache else { return make() }
        return cache.html((escapingHTML ? "e" : "r") + markdown, make)
    }

    /// A paragraph's opening tag: `dir="auto"` on every block, so an English description inside
    /// an Arabic page (or an Arabic name's paragraph in a Danish one) is laid out in its own
    /// direction, its full stop at its end, while the page keeps its own.
    static let paragraphOpen = "<p dir=\"auto\">"

    /// Ink's HTML with `dir="auto"` on each paragraph, list item, heading and quotation.
    private static func directed(_ html: String) -> String {
        var result = html.replacingOccurrences(of: "<p>", with: paragraphOpen)
        for tag in ["li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"] {
            result = result.replacingOccurrences(of: "<\(tag)>", with: "<\(tag) dir=\"auto\">")
        }
        return result
    }

    /// The HTML fragment of the body.
    ///
    /// - Parameter cache: Where a run keeps Ink's HTML; without one every conversion is made afresh.
    static func html(
        _ template: MustacheTemplate, context: [String: Any], library: MustacheLibrary? = nil,
        cache: RenderCache?
    ) -> String {
        // Number the values by the sorted names of their places in the context, so the same template
        // and context shape give the same placeholder Markdown, whatever order dictionaries iterate in.
        let paths = leafPaths(context).sorted()
        let indexes = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
        var values = [Value](repeating: .text(""), count: paths.count)
        let placeholders = walk(context, path: "") { path, value in
            let index = indexes[path] ?? 0
            values[index] = value
            return "IVPH\(nonce)x\(index)xHPVI"
        }
        let html = convert(template.render(placeholders, library: library), cache: cache)
        return fill(html, values: values, cache: cache)
    }

    /// A value where it stands inside a paragraph: escaped text (a description as its escaped source).
    private static func inline(_ value: Value) -> String {
        switch value {
        case .text(let text), .markdown(let text): escapeHTML(text)
        }
    }

    /// A value alone in its paragraph: text as one paragraph with its line breaks, a description as
    /// the HTML of its own paragraphs.
    private static func block(_ value: Value, cache: RenderCache?) -> String {
        switch value {
        case .text(let text):
            paragraphOpen + escapeHTML(text).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        case .markdown(let source): markdownToHTML(source, cache: cache)
        }
    }

    /// Replaces each placeholder in Ink's output by its value, in one pass over the bytes: a value
    /// alone in a paragraph (`<p>token</p>`) by its block (a description's own paragraphs), any other
    /// by its escaped text. What is put in is never scanned again, so no value can smuggle in a token.
    /// Only the values the template uses are escaped or converted: a context has a hundred names
    /// (every string of the strings table), a template uses a dozen.
    static func fill(_ html: String, values: [Value], cache: RenderCache?) -> String {
        let bytes = Array(html.utf8)
        let start = tokenStart
        let end = tokenEnd
        let open = Array(paragraphOpen.utf8)
        let close = Array("</p>".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var position = 0
        while position < bytes.count {
            if bytes[position] == start[0],
                let (index, after) = bytes.numberedToken(at: position, start: start, end: end),
                index < values.count
            {
                if position >= open.count, Array(bytes[(position - open.count)..<position]) == open,
                    bytes.matches(close, at: after)
                {
                    output.removeLast(open.count)
                    output += block(values[index], cache: cache).utf8
                    position = after + close.count
                } else {
                    output += inline(values[index]).utf8
                    position = after
                }
                continue
            }
            output.append(bytes[position])
            position += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Markdown written by an organizer, as HTML, with any raw HTML shown as text.
    static func markdownToHTML(_ source: String, cache: RenderCache?) -> String {
        convert(source, escapingHTML: true, cache: cache)
    }

    static func escapeHTML(_ text: String) -> String {
        // Byte by byte: the five characters are ASCII, and UTF-8 never uses ASCII bytes inside another character.
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else {
            return text
        }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 0x26: result += Array("&amp;".utf8)
            case 0x3C: result += Array("&lt;".utf8)
            case 0x3E: result += Array("&gt;".utf8)
            case 0x22: result += Array("&quot;".utf8)
            case 0x27: result += Array("&#39;".utf8)
            default: result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The context with every `Value` turned into its plain text.
    static func plain(_ context: [String: Any]) -> [String: Any] {
        walk(context, path: "") { _, value in
            switch value {
            case .text(let text), .markdown(let text): text
            }
        }
    }

    /// The sorted places of every `Value` leaf: how placeholders are numbered, in both parts.
    static func leafPathsSorted(_ context: [String: Any]) -> [String] { leafPaths(context).sorted() }

    /// `walk` from the top of a context.
    static func walkValues(_ context: [String: Any], _ transform: (String, Value) -> String) -> [String: Any]
    {
        walk(context, path: "", transform)
    }

    /// A placeholder's text, and its marks for `numberedToken`.
    static func placeholder(_ index: Int) -> String { "IVPH\(nonce)x\(index)xHPVI" }
    static var placeholderMarks: ([UInt8], [UInt8]) { (tokenStart, tokenEnd) }

    /// The places of every `Value` leaf, named as `walk` names them; read without copying the context.
    private static func leafPaths(_ context: [String: Any]) -> [String] {
        var paths: [String] = []
        func visit(_ node: Any, _ path: String) {
            switch node {
            case is Value: paths.append(path)
            case let dictionary as [String: Any]:
                for (key, child) in dictionary { visit(child, path + "." + key) }
            case let array as [Any]:
                for (index, child) in array.enumerated() { visit(child, path + "." + String(index)) }
            default: break
            }
        }
        for (key, child) in context { visit(child, key) }
        return paths
    }

    /// Replaces every `Value` leaf of a context (nested dictionaries and arrays) through `transform`,
    /// which also gets the leaf's place (`event.title`, `occurrences.2.venue`).
    private static func walk(
        _ context: [String: Any], path: String, _ transform: (String, Value) -> String
    ) -> [String: Any] {
        func visit(_ node: Any, _ path: String) -> Any {
            switch node {
            case let value as Value: return transform(path, value)
            case let dictionary as [String: Any]:
                var result: [String: Any] = [:]
                for (key, child) in dictionary { result[key] = visit(child, path + "." + key) }
                return result
            case let array as [Any]: return array.enumerated().map { visit($1, path + "." + String($0)) }
            default: return node
            }
        }
        var result: [String: Any] = [:]
        for (key, child) in context { result[key] = visit(child, path + key) }
        return result
    }
}

extension [UInt8] {
    /// Whether `pattern` stands at `offset`.
    func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + pattern.count <= count else { return false }
        for index in pattern.indices where self[offset + index] != pattern[index] { return false }
        return true
    }

    /// The number of a placeholder `start` + decimal digits + `end` at `offset`, and where it ends;
    /// nil when there is none there.
    func numberedToken(at offset: Int, start: [UInt8], end: [UInt8]) -> (index: Int, after: Int)? {
        guard matches(start, at: offset) else { return nil }
        var cursor = offset + start.count
        var index = 0
        var digits = 0
        while cursor < count, (0x30...0x39).contains(self[cursor]), digits < 9 {
            index = index * 10 + Int(self[cursor] - 0x30)
            cursor += 1
            digits += 1
        }
        guard digits > 0, matches(end, at: cursor) else { return nil }
        return (index, cursor + end.count)
    }
}
