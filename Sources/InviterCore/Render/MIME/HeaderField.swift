/// Writes header fields as RFC 5322 lines: folded, RFC 2047-encoded where
/// needed, and never able to start a second header.
///
/// Every value is first cleaned of CR, LF and other control characters, so a
/// member's name or an event title with a line break stays inside its header.
struct HeaderField {
    /// The soft line limit (RFC 5322 2.1.1); folding keeps lines within it wherever a break is allowed.
    static let lineLimit = 78
    /// The longest an encoded-word may be (RFC 2047 section 2).
    static let encodedWordLimit = 75

    private(set) var lines: [String]
    private let name: String
    /// The first line as it starts, `Name:`, to tell whether anything follows the name yet.
    private let opening: String

    init(name: String) {
        self.name = name
        self.opening = name + ":"
        self.lines = [opening]
    }

    /// The finished field, lines joined with CRLF, without a trailing CRLF.
    var text: String { lines.joined(separator: "\r\n") }

    /// Appends a token that must not be split, preceded by a space, folding before it when the line is full.
    mutating func append(token: String) {
        appendPiece(" " + token)
    }

    /// Appends text that follows the previous token without a space (such as `,`).
    mutating func appendTight(_ token: String) {
        let last = lines.count - 1
        lines[last] += token
    }

    /// Appends free text (a Subject or an `X-` header value).
    ///
    /// Plain ASCII stays readable and is folded at spaces; anything else, or
    /// a word too long to fold, or text that looks like an encoded-word, is
    /// written as encoded-words so that it decodes to exactly the cleaned text.
    mutating func append(unstructured value: String) {
        let clean = HeaderField.clean(value)
        guard !clean.isEmpty else { return }
        if HeaderField.needsEncoding(clean, isPhrase: false) {
            appendEncodedWords(clean, isPhrase: false)
        } else {
            for word in clean.split(separator: " ") { append(token: String(word)) }
        }
    }

    /// Appends a display name (an RFC 5322 `phrase`): atoms as they are, a
    /// quoted-string when it has specials, encoded-words when it is not ASCII.
    mutating func append(phrase value: String) {
        let clean = HeaderField.clean(value)
        guard !clean.isEmpty else { return }
        if HeaderField.needsEncoding(clean, isPhrase: true) {
            appendEncodedWords(clean, isPhrase: true)
        } else if clean.utf8.allSatisfy({ HeaderField.isAtext($0) || $0 == UInt8(ascii: " ") }) {
            for word in clean.split(separator: " ") { append(token: String(word)) }
        } else {
            var quoted = "\""
            for character in clean {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            quoted.append("\"")
            append(token: quoted)
        }
    }

    /// Appends `Name <local@domain>` or just the address.
    mutating func append(mailbox: MailAddress) {
        if let name = mailbox.displayName { append(phrase: name) }
        append(token: mailbox.displayName == nil ? mailbox.address : "<\(mailbox.address)>")
    }

    private mutating func appendPiece(_ piece: String) {
        let last = lines.count - 1
        if lines[last].utf8.count + piece.utf8.count > HeaderField.lineLimit, lines[last] != opening {
            lines.append(piece)
        } else {
            lines[last] += piece
        }
    }

    /// Splits `text` into encoded-words that each fit on a line of their own,
    /// never splitting a character (nor, where it fits, a grapheme cluster).
    private mutating func appendEncodedWords(_ text: String, isPhrase: Bool) {
        let useQ = HeaderField.qLength(text.utf8, isPhrase: isPhrase) <= HeaderField.bLength(text.utf8.count)
        let prefix = useQ ? "=?utf-8?Q?" : "=?utf-8?B?"
        var chunk: [UInt8] = []
        /// The encoded length of `chunk`, kept as it grows rather than counted again per character.
        var chunkLength = 0

        /// Room for the payload of the next word: lines holding encoded-words stay
        /// within 76 characters, and the first word shares its line with the name.
        func budget() -> Int {
            let onLine = lines.count == 1 && lines[0] == opening ? name.utf8.count + 2 : 1
            return min(HeaderField.encodedWordLimit, 76 - onLine) - prefix.utf8.count - 2
        }

        func flush() {
            guard !chunk.isEmpty else { return }
            let payload = useQ ? HeaderField.qEncode(chunk, isPhrase: isPhrase) : HeaderField.bEncode(chunk)
            append(token: prefix + payload + "?=")
            chunk.removeAll(keepingCapacity: true)
            chunkLength = 0
        }

        func encodedLength(_ bytes: [UInt8]) -> Int {
            useQ ? HeaderField.qLength(bytes, isPhrase: isPhrase) : HeaderField.bLength(bytes.count)
        }

        for character in text {
            var pieces = [Array(character.utf8)]
            if encodedLength(pieces[0]) > budget() {
                // A very long grapheme cluster: fall back to whole Unicode scalars.
                pieces = character.unicodeScalars.map { Array(String($0).utf8) }
            }
            for piece in pieces {
                let combined =
                    useQ
                    ? chunkLength + HeaderField.qLength(piece, isPhrase: isPhrase)
                    : HeaderField.bLength(chunk.count + piece.count)
                if !chunk.isEmpty, combined > budget() {
                    flush()
                    chunk = piece
                    chunkLength = encodedLength(piece)
                } else {
                    chunk += piece
                    chunkLength = combined
                }
            }
        }
        flush()
    }

    // MARK: - Cleaning and classification

    /// Replaces line breaks, tabs and other control characters with spaces and
    /// collapses runs of white space, so no value can end the header line.
    static func clean(_ value: String) -> String {
        if isClean(value) { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            let isSpace =
                scalar.value < 0x20 || scalar.value == 0x7F || scalar == " "
                || (0x80..<0xA0).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
            if isSpace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.unicodeScalars.append(" ")
                pendingSpace = false
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// Whether `clean` would leave `value` as it is: no control character, line or paragraph
    /// separator, and single spaces only between words. Most values are; they skip the copy.
    private static func isClean(_ value: String) -> Bool {
        var previous: UInt8 = 0x20
        var lead: UInt8 = 0
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x7F || (byte == 0x20 && previous == 0x20) { return false }
            // C1 controls are U+0080–U+009F (C2 80–C2 9F); U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            if previous == 0xC2, byte < 0xA0, byte >= 0x80 { return false }
            if lead == 0xE2, previous == 0x80, byte == 0xA8 || byte == 0xA9 { return false }
            lead = previous
            previous = byte
        }
        return previous != 0x20
    }

    /// Whether cleaned text must be written as encoded-words.
    static func needsEncoding(_ clean: String, isPhrase: Bool) -> Bool {
        var previous: UInt8 = 0
        for byte in clean.utf8 {
            if byte >= 0x80 { return true }
            // Text that a reader would mistake for an encoded-word must itself be encoded.
            if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return true }
            previous = byte
        }
        // A word too long for a folded line cannot be folded; encoded-words can be split.
        let prefixLength = isPhrase ? 2 : 0  // room for quotes
        return clean.split(separator: " ").contains { $0.utf8.count + prefixLength > lineLimit - 10 }
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    // MARK: - RFC 2047 encodings

    /// Characters that may stand for themselves in a Q-encoded word; the
    /// restricted set of RFC 2047 5(3), safe in phrases and in free text alike.
    private static func isQSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    static func qLength(_ bytes: some Sequence<UInt8>, isPhrase: Bool) -> Int {
        bytes.reduce(0) { $0 + (isQSafe($1) || $1 == UInt8(ascii: " ") ? 1 : 3) }
    }

    static func bLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    static func qEncode(_ bytes: [UInt8], isPhrase: Bool) -> String {
        var out = ""
        for byte in bytes {
            if byte == UInt8(ascii: " ") {
                out.append("_")
            } else if isQSafe(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.append("=")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    static func bEncode(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes)
    }

    static let hexDigits: [Character] = Array("0123456789ABCDEF")

    /// The capital hex digit of a value below 16, as a byte.
    @inline(__always) static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 55 + value }
}
