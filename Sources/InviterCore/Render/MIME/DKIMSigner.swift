import Crypto
import Foundation

/// Signs a message with DKIM (RFC 6376), relaxed/relaxed, once per key (RSA first, so a verifier
/// that stops at the first signature it understands finds the one every provider checks).
///
/// The signature covers the fields that identify the sender and the list, the two one-click
/// fields RFC 8058 requires to be signed, and never uses `l=`, so nothing can be appended.
public struct DKIMSigner: Sendable {
    /// One key and the selector its public key is published under.
    public struct Entry: Sendable {
        public var selector: String
        public var key: DKIMKey

        public init(selector: String, key: DKIMKey) {
            self.selector = selector
            self.key = key
        }
    }

    public let domain: String
    public let keys: [Entry]

    public init(domain: String, keys: [Entry]) {
        self.domain = domain
        // Stable: two RSA keys (a rotation) keep their order.
        self.keys =
            keys.filter { $0.key.algorithm == .rsa } + keys.filter { $0.key.algorithm != .rsa }
    }

    /// One key under one selector.
    public init(domain: String, selector: String, key: DKIMKey) {
        self.init(domain: domain, keys: [Entry(selector: selector, key: key)])
    }

    /// The header fields signed when present, in this order.
    static let signedFields = [
        "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "List-Id",
        "List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To", "Auto-Submitted", "X-Inviter-Mailing",
    ]

    /// `signedFields` in lower case, as bytes: what each field's name is compared with.
    private static let signedNames = signedFields.map { Array($0.lowercased().utf8) }

    /// `message` (CRLF line ends, as the encoder writes it) with a `DKIM-Signature` field per key
    /// in front, signed at `time`.
    ///
    /// Works on the message's bytes throughout: this runs for every message sent, and beside the
    /// signature itself it should cost next to nothing.
    public func sign(_ message: [UInt8], at time: Date) throws -> [UInt8] {
        let split = Self.headerEnd(message) ?? message.count
        let body = message[min(split + 2, message.count)...]
        let bodyHash = Data(SHA256.hash(data: Self.relaxedBody(body))).base64EncodedString()
        let fields = Self.fields(message[..<split])
        var names: [String] = []
        var signedData: [UInt8] = []
        signedData.reserveCapacity(split)
        for (name, lowercased) in zip(Self.signedFields, Self.signedNames) {
            guard let field = fields.last(where: { $0.name == lowercased }) else { continue }
            names.append(name.lowercased())
            Self.appendRelaxed(field.name, field.value, to: &signedData)
            signedData += [13, 10]
        }
        var added: [UInt8] = []
        for entry in keys {
            let value =
                "v=1; a=\(entry.key.algorithm.tag); c=relaxed/relaxed;\r\n d=\(domain); s=\(entry.selector);"
                + " t=\(Int(time.timeIntervalSince1970));\r\n h=\(Self.folded(names));\r\n bh=\(bodyHash);\r\n b="
            var data = signedData
            Self.appendRelaxed(Self.signatureName, value.utf8, to: &data)
            let signature = Data(try entry.key.sign(data)).base64EncodedString()
            added += Array("DKIM-Signature: \(value)\(Self.folded(signature: signature))\r\n".utf8)
        }
        return added + message
    }

    /// `dkim-signature`, as the field's name is canonicalized.
    private static let signatureName = Array("dkim-signature".utf8)

    /// Checks each `DKIM-Signature` of `message` made under one of this signer's selectors, as a
    /// receiver would with the published records: for `send-test`, which reports whether what
    /// it sent verifies. Returns each selector found with its verdict, in header order.
    public func verify(_ message: [UInt8]) -> [(selector: String, valid: Bool)] {
        let split = Self.headerEnd(message) ?? message.count
        let bodyHash = Data(SHA256.hash(data: Self.relaxedBody(message[min(split + 2, message.count)...])))
            .base64EncodedString()
        let fields = Self.fields(message[..<split])
        var results: [(selector: String, valid: Bool)] = []
        for field in fields where field.name == Self.signatureName {
            let text = String(decoding: field.value, as: UTF8.self)
            var tags: [String: String] = [:]
            for part in text.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map {
                    $0.filter { !$0.isWhitespace }
                }
                if pair.count == 2 { tags[pair[0]] = pair[1] }
            }
            guard let selector = tags["s"], let entry = keys.first(where: { $0.selector == selector }) else {
                continue
            }
            var data: [UInt8] = []
            for name in (tags["h"] ?? "").split(separator: ":") {
                let wanted = Array(name.lowercased().utf8)
                if let signed = fields.last(where: { $0.name == wanted }) {
                    Self.appendRelaxed(signed.name, signed.value, to: &data)
                    data += [13, 10]
                }
            }
            // The field itself with the value of `b=` (not `bh=`) taken out.
            var unsigned = text
            if let range = unsigned.range(of: #"(^|;)\s*b=[^;]*"#, options: .regularExpression) {
                let tag = unsigned[range]
                let keep = tag.prefix { $0 != "b" } + "b="
                unsigned.replaceSubrange(range, with: keep)
            }
            Self.appendRelaxed(Self.signatureName, unsigned.utf8, to: &data)
            let signature = Data(base64Encoded: tags["b"] ?? "").map(Array.init) ?? []
            results.append((selector, tags["bh"] == bodyHash && entry.key.isValid(signature, for: data)))
        }
        return results
    }

    /// The `h=` names, folded so no line passes 78 characters.
    static func folded(_ names: [String]) -> String {
        var text = ""
        var line = 3
        for (index, name) in names.enumerated() {
            let piece = index == 0 ? name : ":" + name
            if line + piece.count > 76 {
                text += "\r\n "
                line = 1
            }
            text += piece
            line += piece.count
        }
        return text
    }

    /// The signature in lines of 72, each continued with a space (ignored by every verifier).
    static func folded(signature: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(signature)
        var width = 70
        while !rest.isEmpty {
            lines.append(rest.prefix(width))
            rest = rest.dropFirst(width)
            width = 72
        }
        return lines.joined(separator: "\r\n ")
    }

    /// Where the header ends: the index of the CRLF that closes its last line, before the empty line.
    static func headerEnd(_ message: [UInt8]) -> Int? {
        guard message.count >= 4 else { return nil }
        for index in 0...(message.count - 4)
        where message[index] == 13 && message[index + 1] == 10 && message[index + 2] == 13
            && message[index + 3] == 10
        {
            return index + 2
        }
        return nil
    }

    /// One header field: its name in lower case and its value as it stands in the message, from
    /// after the colon to the end of its last line, folding included.
    struct Field {
        var name: [UInt8]
        var value: ArraySlice<UInt8>
    }

    /// The header's fields. A line that starts with a space or a tab continues the field before it.
    static func fields(_ head: ArraySlice<UInt8>) -> [Field] {
        var fields: [Field] = []
        var start = head.startIndex
        while start < head.endIndex {
            let lineEnd = head[start...].firstIndex(of: 10) ?? head.endIndex
            let first = head[start]
            if first == 32 || first == 9 {
                if let last = fields.indices.last {
                    fields[last].value = head[fields[last].value.startIndex..<lineEnd]
                }
            } else if let colon = head[start..<lineEnd].firstIndex(of: 58) {
                var name = Array(head[start..<colon])
                while let end = name.last, end == 32 || end == 9 { name.removeLast() }
                for index in name.indices where name[index] >= 65 && name[index] <= 90 { name[index] += 32 }
                fields.append(Field(name: name, value: head[(colon + 1)..<lineEnd]))
            }
            start = lineEnd < head.endIndex ? lineEnd + 1 : lineEnd
        }
        return fields
    }

    /// RFC 6376 3.4.2 onto `out`: the name (already in lower case) and a colon, then the value
    /// unfolded, runs of whitespace one space, none after the colon or at the end; no CRLF.
    static func appendRelaxed(
        _ name: [UInt8], _ value: some Sequence<UInt8>, to out: inout [UInt8]
    ) {
        out += name
        out.append(58)
        var pendingSpace = false
        var started = false
        for byte in value {
            switch byte {
            case 13, 10: continue
            case 32, 9: pendingSpace = true
            default:
                if pendingSpace, started { out.append(32) }
                pendingSpace = false
                started = true
                out.append(byte)
            }
        }
    }

    /// RFC 6376 3.4.4: runs of whitespace one space, none at line ends, no empty lines at the end.
    ///
    /// One pass over the bytes into one buffer, empty lines held back until a line with text
    /// follows: a message's body is most of its bytes, and this runs for every message signed.
    /// Most bytes are neither whitespace nor a line end (a word, a base64 line), and each run of
    /// them is copied at once: byte by byte into a growing array this cost twice as much.
    static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        body.withUnsafeBufferPointer { input in
            // Never longer than the body and the CRLF a last line without one gets.
            [UInt8](unsafeUninitializedCapacity: input.count + 2) { out, initialized in
                initialized = 0
                guard let from = input.baseAddress, let to = out.baseAddress else { return }
                var written = 0
                var pendingSpace = false
                var lineHasText = false
                var emptyLines = 0
                var index = 0
                let count = input.count
                func lineEnd() {
                    to[written] = 13
                    to[written + 1] = 10
                    written += 2
                }
                /// Before text: the empty lines held back, and one space for the whitespace before it.
                func beforeText() {
                    if !lineHasText {
                        for _ in 0..<emptyLines { lineEnd() }
                        emptyLines = 0
                        lineHasText = true
                    }
                    if pendingSpace {
                        to[written] = 32
                        written += 1
                        pendingSpace = false
                    }
                }
                while index < count {
                    let byte = from[index]
                    // Space, tab, CR and LF are all below 33.
                    if byte > 32 {
                        beforeText()
                        var end = index + 1
                        while end < count, from[end] > 32 { end += 1 }
                        (to + written).update(from: from + index, count: end - index)
                        written += end - index
                        index = end
                    } else if byte == 13, index + 1 < count, from[index + 1] == 10 {
                        if lineHasText { lineEnd() } else { emptyLines += 1 }
                        lineHasText = false
                        pendingSpace = false
                        index += 2
                    } else if byte == 32 || byte == 9 {
                        pendingSpace = true
                        index += 1
                    } else {
                        // A control character, or a CR or LF alone: text like any other.
                        beforeText()
                        to[written] = byte
                        written += 1
                        index += 1
                    }
                }
                if lineHasText { lineEnd() }
                initialized = written
            }
        }
    }
}
