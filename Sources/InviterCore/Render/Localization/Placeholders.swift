/// `{name}`-style placeholders in the strings tables.
///
/// A placeholder is `{` + a letter or `_` + letters, digits or `_` + `}`; any
/// other brace is literal text, so translations may contain braces freely.
enum Placeholders {
    /// The placeholder names in `text`, in order of appearance.
    static func names(in text: String) -> [String] {
        var result: [String] = []
        scan(text) { piece in
            if case .placeholder(let name) = piece { result.append(name) }
        }
        return result
    }

    /// `text` with every `{name}` found in `values` replaced by its value.
    ///
    /// One pass: a value is never scanned again, so a member called
    /// `{link}` stays `{link}` instead of turning into the unsubscribe link.
    /// A placeholder without a value is left as it is, so that a missing value
    /// shows in a preview instead of silently vanishing. Nothing is escaped.
    static func substitute(_ text: String, _ values: [String: String]) -> String {
        guard !values.isEmpty, text.contains("{") else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        scan(text) { piece in
            switch piece {
            case .literal(let literal): result += literal
            case .placeholder(let name): result += values[name] ?? "{\(name)}"
            }
        }
        return result
    }

    private enum Piece {
        case literal(Substring)
        case placeholder(String)
    }

    private static func scan(_ text: String, _ visit: (Piece) -> Void) {
        var literalStart = text.startIndex
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "{") {
            let nameStart = text.index(after: open)
            let name = text[nameStart...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            let close = name.endIndex
            let valid =
                close < text.endIndex && text[close] == "}"
                && name.first.map { $0.isLetter || $0 == "_" } == true
            guard valid else {
                index = nameStart
                continue
            }
            if literalStart < open { visit(.literal(text[literalStart..<open])) }
            visit(.placeholder(String(name)))
            index = text.index(after: close)
            literalStart = index
        }
        if literalStart < text.endIndex { visit(.literal(text[literalStart...])) }
    }
}
