import Foundation

/// A received message, parsed as far as reading bounces, unsubscribes and auto-replies needs.
///
/// Anybody can write to the bounce address, so the parser expects the worst: it works on bytes,
/// never on the assumption of valid UTF-8, tolerates a header line without a colon, a multipart
/// without its boundary or its closing line, and broken base64, and refuses only what would
/// cost without limit: a message over ``maximumSize`` or with more than ``maximumParts`` parts.
public struct InboundPart: Sendable {
    /// Header fields in order: the name in lower case, the value unfolded and decoded (RFC 2047).
    public var headers: [(name: String, value: String)] = []
    /// `type/subtype` in lower case; `text/plain` when the part gives none (RFC 2045).
    public var mediaType = "text/plain"
    /// The Content-Type parameters, names in lower case.
    public var parameters: [String: String] = [:]
    /// The body as it came, still in its transfer encoding.
    public var rawBody: ArraySlice<UInt8> = []
    /// The parts of a multipart, or the one message inside a `message/rfc822` (or the header
    /// block of a `text/rfc822-headers`).
    public var parts: [InboundPart] = []

    /// The first field called `name` (in any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// Every field called `name`.
    public func headers(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name == lowered }.map(\.value)
    }

    /// The body without its transfer encoding (base64, quoted-printable), as bytes.
    public var body: [UInt8] {
        switch header("content-transfer-encoding")?.lowercased().trimmingASCIISpaces() {
        case "base64":
            return Data(base64Encoded: Data(rawBody), options: .ignoreUnknownCharacters).map(Array.init) ?? []
        case "quoted-printable":
            return InboundMIME.decodeQuotedPrintable(rawBody)
        default:
            return Array(rawBody)
        }
    }

    /// The body as text: UTF-8 where it is, each invalid byte replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// This part and every part inside it, depth first.
    public var allParts: [InboundPart] { [self] + parts.flatMap(\.allParts) }
}

/// Why a received message was not read.
public struct InboundProblem: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The parser of ``InboundPart``s.
public enum InboundMIME {
    /// Bigger than any bounce or unsubscribe mail; a message over it is left for a person.
    public static let maximumSize = 10 * 1024 * 1024
    /// A delivery report has three parts, a human reply a handful; a thousand is an attack.
    public static let maximumParts = 200
    /// Parts nested deeper than this are kept as they are, not parsed.
    static let maximumDepth = 8

    public static func parse(_ bytes: [UInt8]) throws(InboundProblem) -> InboundPart {
        guard bytes.count <= maximumSize else {
            throw InboundProblem(
                description:
                    "the message is \(bytes.count / 1_048_576) MB, over the \(maximumSize / 1_048_576) MB "
                    + "a bounce or an unsubscribe mail can be")
        }
        var count = 0
        return try parse(bytes[...], depth: 0, count: &count)
    }

    private static func parse(_ bytes: ArraySlice<UInt8>, depth: Int, count: inout Int) throws(InboundProblem)
        -> InboundPart
    {
        count += 1
        guard count <= maximumParts else {
            throw InboundProblem(description: "the message has more than \(maximumParts) MIME parts")
        }
        var part = InboundPart()
        let (headerBytes, body) = splitHeader(bytes)
        part.headers = fields(headerBytes)
        part.rawBody = body
        if let contentType = part.header("content-type") {
            let (type, parameters) = parseContentType(contentType)
            if !type.isEmpty { part.mediaType = type }
            part.parameters = parameters
        }
        guard depth < maximumDepth else { return part }
        switch part.mediaType {
        case let type where type.hasPrefix("multipart/"):
            if let boundary = part.parameters["boundary"], !boundary.isEmpty {
                for piece in split(body, boundary: Array(boundary.utf8)) {
                    part.parts.append(try parse(piece, depth: depth + 1, count: &count))
                }
            }
        case "message/rfc822", "message/global":
            part.parts = [try parse(ArraySlice(part.body), depth: depth + 1, count: &count)]
        case "text/rfc822-headers", "message/global-headers":
            var headers = InboundPart()
            headers.headers = fields(ArraySlice(part.body))
            part.parts = [headers]
        default:
            break
        }
        return part
    }

    /// The header block and the body, at the first empty line (CRLF or bare LF).
    static func splitHeader(_ bytes: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var lineStart = index
        while index < bytes.endIndex {
            if bytes[index] == 10 {
                let line = bytes[lineStart..<index]
                if line.isEmpty || line == [13] {
                    return (bytes[bytes.startIndex..<lineStart], bytes[(index + 1)...])
                }
                lineStart = index + 1
            }
            index += 1
        }
        return (bytes, [])
    }

    /// The fields of a header block, unfolded; a line that is neither a field nor a continuation is skipped.
    ///
    /// Byte by byte up to the last step: Foundation's trimming of Strings was most of reading a bounce.
    static func fields(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var raw: [(name: String, value: [UInt8])] = []
        for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
            var line = line
            if line.last == 13 { line = line.dropLast() }
            guard let first = line.first else { continue }
            if first == 32 || first == 9 {
                guard !raw.isEmpty else { continue }
                raw[raw.count - 1].value.append(32)
                raw[raw.count - 1].value += trimmed(line)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
            else { continue }
            let name = String(
                decoding: line[..<colon].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
            raw.append((name, Array(trimmed(line[(colon + 1)...]))))
        }
        return raw.map { name, value in
            let text = String(decoding: trimmed(value[...]), as: UTF8.self)
            return (name, value.contains(UInt8(ascii: "?")) ? decodeWords(text) : text)
        }
    }

    /// `bytes` without the spaces and tabs at either end.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The pieces of a multipart body between `--boundary` lines; a missing closing line ends the
    /// last piece at the end of the body.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        let delimiter = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var pieces: [ArraySlice<UInt8>] = []
        var pieceStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: 10) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
                if closing || rest.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                    if let start = pieceStart {
                        // The line break before a delimiter belongs to the delimiter (RFC 2046).
                        var end = lineStart
                        if end > start, body[end - 1] == 10 { end -= 1 }
                        if end > start, body[end - 1] == 13 { end -= 1 }
                        pieces.append(body[start..<max(start, end)])
                    }
                    if closing { return pieces }
                    pieceStart = min(lineEnd + 1, body.endIndex)
                }
            }
            lineStart = lineEnd + 1
        }
        if let start = pieceStart, start < body.endIndex { pieces.append(body[start...]) }
        return pieces
    }

    /// `type/subtype` in lower case and the parameters (quoted strings unquoted).
    static func parseContentType(_ value: String) -> (String, [String: String]) {
        // On the UTF-8 bytes: every character that matters here is ASCII, and a String walked
        // Character by Character cost a tenth of reading a bounce.
        var items = splitParameters(Array(value.utf8)[...])
        let type = items.isEmpty ? "" : lowercased(items.removeFirst())
        var parameters: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = lowercased(trimmed(item[..<equals]))
            let value = trimmed(item[(equals + 1)...])
            let quote = UInt8(ascii: "\"")
            if value.count >= 2, value.first == quote, value.last == quote {
                parameters[name] = String(
                    decoding: unescapingQuotes(value.dropFirst().dropLast()), as: UTF8.self)
            } else {
                parameters[name] = String(decoding: value, as: UTF8.self)
            }
        }
        return (type.contains("/") ? type : "", parameters)
    }

    /// `;`-separated items, trimmed, the empty ones left out; a `;` inside quotes kept.
    private static func splitParameters(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var items: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var quoted = false
        var escaped = false
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") && quoted {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ";") && !quoted {
                items.append(trimmed(bytes[start..<index]))
                start = index + 1
            }
        }
        items.append(trimmed(bytes[start...]))
        return items.filter { !$0.isEmpty }
    }

    /// ASCII letters in lower case, as text.
    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// A quoted string's content with each `\"` back to `"`.
    private static func unescapingQuotes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.endIndex,
                bytes[index + 1] == UInt8(ascii: "\"")
            {
                index += 1
            }
            output.append(bytes[index])
            index += 1
        }
        return output
    }

    static func decodeQuotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                let next = index + 1
                if next < bytes.endIndex, bytes[next] == 10 {
                    index += 2
                    continue
                }
                if next + 1 < bytes.endIndex, bytes[next] == 13, bytes[next + 1] == 10 {
                    index += 3
                    continue
                }
                if next + 1 < bytes.endIndex, let high = hex(bytes[next]), let low = hex(bytes[next + 1]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) decoded; a word in a
    /// charset Foundation does not know stays as it is.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            guard let firstMark = afterStart.firstIndex(of: "?"),
                afterStart.index(after: firstMark) < afterStart.endIndex
            else { break }
            let charset = afterStart[..<firstMark]
            let encodingChar = afterStart[afterStart.index(after: firstMark)]
            let textStart = afterStart.index(firstMark, offsetBy: 2, limitedBy: afterStart.endIndex)
            guard let textStart, textStart < afterStart.endIndex, afterStart[textStart] == "?",
                let end = afterStart[afterStart.index(after: textStart)...].range(of: "?=")
            else { break }
            let encoded = afterStart[afterStart.index(after: textStart)..<end.lowerBound]
            // Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2).
            if !(lastWasWord && before.allSatisfy(\.isWhitespace)) { result += before }
            if let decoded = decodeWord(
                charset: String(charset), encoding: encodingChar, text: String(encoded))
            {
                result += decoded
                lastWasWord = true
            } else {
                result += rest[start.lowerBound..<end.upperBound]
                lastWasWord = false
            }
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    private static func decodeWord(charset: String, encoding: Character, text: String) -> String? {
        let name = charset.split(separator: "*").first.map { $0.lowercased() } ?? ""
        let encodings: [String: String.Encoding] = [
            "utf-8": .utf8, "us-ascii": .ascii, "iso-8859-1": .isoLatin1, "latin1": .isoLatin1,
            "windows-1252": .windowsCP1252, "iso-8859-2": .isoLatin2, "windows-1250": .windowsCP1250,
            "windows-1251": .windowsCP1251, "utf-16": .utf16,
        ]
        guard let stringEncoding = encodings[name] else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B", "b":
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else { return nil }
            bytes = Array(data)
        case "Q", "q":
            bytes = decodeQuotedPrintable(
                ArraySlice(Array(text.replacingOccurrences(of: "_", with: " ").utf8)))
        default:
            return nil
        }
        if stringEncoding == .utf8 { return String(decoding: bytes, as: UTF8.self) }
        return String(bytes: bytes, encoding: stringEncoding)
    }
}
