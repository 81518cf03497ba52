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

    /// The plain-text part: the template rendered with the values as they are.
    static func text(_ template: MustacheTemplate, context: [String: Any], library: MustacheLibrary? = nil)
        -> String
    {
        template.render(plain(context), library: library)
    }

    /// The HTML fragment of the body.
    static func html(_ template: MustacheTemplate, context: [String: Any], library: MustacheLibrary? = nil)
        -> String
    {
        var values: [String] = []
        var blocks: [String] = []
        let nonce = String(UInt32.random(in: 100_000...999_999))
        let placeholders = substitute(context) { value in
            let index = values.count
            switch value {
            case .text(let text):
                values.append(escapeHTML(text))
                blocks.append("<p>" + escapeHTML(text).replacingOccurrences(of: "\n", with: "<br>") + "</p>")
            case .markdown(let source):
                let block = markdownToHTML(source)
                blocks.append(block)
                values.append(escapeHTML(source))
            }
            return "IVPH\(nonce)x\(index)xHPVI"
        }
        var html = parser.html(from: template.render(placeholders, library: library))
        // Replace from the highest index down, so "…x1x…" never matches inside "…x12x…" (the x delimiters make that impossible anyway).
        for index in stride(from: values.count - 1, through: 0, by: -1) {
            let token = "IVPH\(nonce)x\(index)xHPVI"
            // A value alone in a paragraph is a block: a description's own paragraphs replace it whole.
            html = html.replacingOccurrences(of: "<p>\(token)</p>", with: blocks[index])
            html = html.replacingOccurrences(of: token, with: values[index])
        }
        return html
    }

    /// Markdown written by an organizer, as HTML, with any raw HTML shown as text.
    static func markdownToHTML(_ source: String) -> String {
        let escaped = source.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
        return parser.html(from: escaped)
    }

    static func escapeHTML(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// The context with every `Value` turned into its plain text.
    static func plain(_ context: [String: Any]) -> [String: Any] {
        substitute(context) { value in
            switch value {
            case .text(let text), .markdown(let text): text
            }
        }
    }

    /// Replaces every `Value` leaf of a context (nested dictionaries and arrays) through `transform`.
    private static func substitute(_ context: [String: Any], _ transform: (Value) -> String) -> [String: Any]
    {
        func walk(_ node: Any) -> Any {
            switch node {
            case let value as Value: return transform(value)
            case let dictionary as [String: Any]: return dictionary.mapValues(walk)
            case let array as [Any]: return array.map(walk)
            default: return node
            }
        }
        return context.mapValues(walk)
    }
}
