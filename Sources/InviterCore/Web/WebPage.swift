import Foundation

/// A page `inviter serve` answers with: its status and its HTML.
public struct WebResponse: Sendable, Equatable {
    public var status: Int
    public var html: String

    public init(status: Int, html: String) {
        self.status = status
        self.html = html
    }
}

/// The pages, written in the reader's language through the strings tables and laid out with the
/// network's mail layout, so that a page looks like the mail that led to it.
///
/// Every value that is not the page's own markup (an address, a name, a title, a token) goes
/// through ``MarkdownBody/escapeHTML(_:)`` where it lands. No page has a script: the forms work
/// without JavaScript, and the Content-Security-Policy forbids scripts anyway.
struct WebPage {
    let renderer: MessageRenderer
    let language: LanguageCode

    var network: Configuration.Network { renderer.configuration.network }

    /// The text of `key`, escaped for HTML, its placeholders filled (and escaped) from `values`.
    ///
    /// Each value is isolated (`<bdi>`), so an address or a Latin name inside Arabic keeps its own
    /// direction: without it the full stop after `amira@example.org` shows at its start.
    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        let escaped = values.mapValues { "<bdi>" + MarkdownBody.escapeHTML($0) + "</bdi>" }
        let raw =
            renderer.strings.text(key, language: language, fallback: network.languageFallback, values: [:])
            ?? key
        // The template's own text is escaped before the (already escaped) values go in, so a
        // translation with an `&` stays text and a value never becomes markup.
        return Placeholders.substitute(MarkdownBody.escapeHTML(raw), escaped)
    }

    /// The text of `key` as it is, for the document's title (which the layout escapes itself).
    func plain(_ key: String, _ values: [String: String] = [:]) -> String {
        renderer.strings.text(key, language: language, fallback: network.languageFallback, values: values)
            ?? key
    }

    /// A POST form with one button and its hidden fields (names and values are the page's own).
    func form(action: String, button: String, fields: [String: String] = [:]) -> String {
        var html = "<form method=\"post\" action=\"\(MarkdownBody.escapeHTML(action))\">"
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            html += "<input type=\"hidden\" name=\"\(name)\" value=\"\(MarkdownBody.escapeHTML(value))\">"
        }
        return html + "<p><button type=\"submit\">\(button)</button></p></form>"
    }

    /// The whole document: the network's layout around `body`.
    func document(title: String, body: String) -> String {
        renderer.layoutHTML(
            body: Self.style + body, subject: title, language: language, footer: "", unsubscribeURL: nil)
    }

    /// Form controls in the layout's look; the layout styles text, not inputs.
    static let style = """
        <style>
          form { margin: 16px 0; }
          label { display: block; margin: 12px 0 4px; font-weight: 600; }
          input[type=email], input[type=text], select { width: 100%; box-sizing: border-box; padding: 8px;
            font: inherit; border: 1px solid #c9c4b8; border-radius: 6px; }
          fieldset { border: 0; padding: 0; margin: 12px 0; }
          fieldset label { font-weight: 400; display: block; margin: 4px 0; }
          button { font: inherit; font-weight: 600; padding: 10px 20px; border: 0; border-radius: 6px;
            background: #1d5fa8; color: #fff; cursor: pointer; }
          .problem { color: #a32020; }
        </style>

        """
}
