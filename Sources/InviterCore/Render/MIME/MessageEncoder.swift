import Foundation

/// Turns a ``Message`` into the exact bytes handed to SMTP: RFC 5322 headers,
/// MIME structure, CRLF line ends and lines within limits.
///
/// The output is not dot-stuffed: libcurl does that on the wire when it is
/// given CRLF text, and stuffing here as well would corrupt lines starting
/// with a dot.
public struct MessageEncoder: Sendable {
    /// Where the header fields already encoded are kept; nil to encode every field afresh.
    let cache: RenderCache?

    /// An encoder that writes every message from its values alone; with a `cache`, the header
    /// fields that are the same in every message of a mailing (all but To, Message-ID and
    /// List-Unsubscribe) are encoded once and looked up after that. Both write the same bytes.
    public init(cache: RenderCache? = nil) {
        self.cache = cache
    }

    /// Encodes `message`.
    ///
    /// - Throws: ``MessageEncodingError`` for a value that cannot be written
    ///   safely (an extra header with a reserved name, a List-Unsubscribe target
    ///   with spaces, an invalid List-Id).
    public func encode(_ message: Message) throws(MessageEncodingError) -> [UInt8] {
        var body = [Part.text(BodyPart(mediaType: "text/plain", text: message.text))]
        if let html = message.html { body.append(.text(BodyPart(mediaType: "text/html", text: html))) }
        body += message.alternatives.map(Part.text)
        return try encode(message, body: body, attachments: message.attachments.map(Part.attachment))
    }

    /// A part of a message's body as ``encode(_:body:attachments:)`` writes it: from a plain
    /// value, as ``encode(_:)`` does, or from what a ``PreparedMessage`` wrote ahead.
    enum Part: Sendable {
        /// A text part, encoded from its text.
        case text(BodyPart)
        /// An attachment, encoded from its data.
        case attachment(MessageAttachment)
        /// A prepared text body with one recipient's values: only its lines with values are
        /// encoded here (see ``LineLayout``).
        case filled(mediaType: String, lines: LineLayout, slots: [String])
        /// A part written ahead by ``encodedAhead(_:)``, its headers and body byte for byte.
        case encoded([UInt8])
    }

    /// Encodes the headers of `message` and the parts given, in place of the message's own text,
    /// HTML, alternatives and attachments: `body` in the order RFC 2046 5.1.4 asks for, simplest
    /// first: text, HTML, then the calendar, as the programs that create invitations order them
    /// (a mail program shows the HTML and offers the calendar entry beside it).
    func encode(_ message: Message, body: [Part], attachments: [Part]) throws(MessageEncodingError)
        -> [UInt8]
    {
        var out: [UInt8] = []
        out.reserveCapacity(message.text.utf8.count * 3 + (message.html?.utf8.count ?? 0) * 2 + 2048)
        try appendHeaders(message, to: &out)
        let seed = message.messageID.value
        if attachments.isEmpty {
            try Self.appendAlternative(body, boundarySeed: seed, to: &out)
        } else {
            let boundary = Self.boundary("mix", seed)
            out.append(contentsOf: "Content-Type: multipart/mixed;\r\n boundary=\"\(boundary)\"\r\n\r\n".utf8)
            out.append(contentsOf: "--\(boundary)\r\n".utf8)
            try Self.appendAlternative(body, boundarySeed: seed, to: &out)
            for attachment in attachments {
                out.append(contentsOf: "\r\n--\(boundary)\r\n".utf8)
                try Self.append(attachment, to: &out)
            }
            out.append(contentsOf: "\r\n--\(boundary)--\r\n".utf8)
        }
        return out
    }

    /// The header fields up to and including `MIME-Version`.
    private func appendHeaders(_ message: Message, to out: inout [UInt8]) throws(MessageEncodingError) {
        func line(_ text: String) {
            out.append(contentsOf: text.utf8)
            out.append(13)
            out.append(10)
        }
        func header(_ field: HeaderField) { line(field.text) }
        // A field that is the same in every message of a mailing, looked up by `key` when there is
        // a cache; the key is only made then.
        func shared(_ key: @autoclosure () -> String, _ make: () throws(MessageEncodingError) -> HeaderField)
            throws(MessageEncodingError)
        {
            guard let cache else { return line(try make().text) }
            line(try cache.field(key()) { () throws(MessageEncodingError) in try make().text })
        }
        try shared("Date\u{0}\(message.date.timeIntervalSince1970)\u{0}\(message.timeZone.identifier)") {
            var date = HeaderField(name: "Date")
            date.append(token: MessageEncoder.rfc5322Date(message.date, in: message.timeZone))
            return date
        }
        try shared("From\u{0}" + MessageEncoder.key(message.from)) {
            var from = HeaderField(name: "From")
            from.append(mailbox: message.from)
            return from
        }
        if let replyTo = message.replyTo {
            try shared("Reply-To\u{0}" + MessageEncoder.key(replyTo)) {
                var field = HeaderField(name: "Reply-To")
                field.append(mailbox: replyTo)
                return field
            }
        }
        var to = HeaderField(name: "To")
        to.append(mailbox: message.to)
        header(to)
        try shared("Subject\u{0}" + message.subject) {
            var subject = HeaderField(name: "Subject")
            subject.append(unstructured: message.subject)
            return subject
        }
        var messageID = HeaderField(name: "Message-ID")
        messageID.append(token: message.messageID.description)
        header(messageID)
        if let listID = message.listID {
            try shared("List-Id\u{0}\(listID.name)\u{0}\(listID.id)") { () throws(MessageEncodingError) in
                try MessageEncoder.listIDField(listID)
            }
        }
        if !message.listUnsubscribe.isEmpty {
            try header(MessageEncoder.listUnsubscribeField(message.listUnsubscribe))
            if message.oneClickUnsubscribe {
                var post = HeaderField(name: "List-Unsubscribe-Post")
                post.append(token: "List-Unsubscribe=One-Click")
                header(post)
            }
        }
        for extra in message.extraHeaders {
            try MessageEncoder.checkExtraHeaderName(extra.name)
            try shared(extra.name + "\u{0}" + extra.value) {
                var field = HeaderField(name: extra.name)
                field.append(unstructured: extra.value)
                return field
            }
        }
        var version = HeaderField(name: "MIME-Version")
        version.append(token: "1.0")
        header(version)
    }

    /// A mailbox as a cache key: the name (or a mark for none) and the address, apart.
    private static func key(_ mailbox: MailAddress) -> String {
        (mailbox.displayName.map { "n" + $0 } ?? "-") + "\u{0}" + mailbox.address
    }

    // MARK: - Body

    /// `part` as bytes, so that a part that is the same in many messages (a calendar part) is
    /// encoded once; unchanged when it cannot be encoded, so that encoding the message reports why.
    static func encodedAhead(_ part: Part) -> Part {
        var bytes: [UInt8] = []
        guard (try? append(part, to: &bytes)) != nil else { return part }
        return .encoded(bytes)
    }

    /// Writes one part, or a `multipart/alternative` when there are several,
    /// starting with its Content-Type header (the caller has written the headers before it).
    private static func appendAlternative(_ parts: [Part], boundarySeed: String, to out: inout [UInt8])
        throws(MessageEncodingError)
    {
        guard parts.count > 1 else {
            if let part = parts.first { try append(part, to: &out) }
            return
        }
        let boundary = boundary("alt", boundarySeed)
        out.append(
            contentsOf: "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n\r\n".utf8)
        for part in parts {
            out.append(contentsOf: "--\(boundary)\r\n".utf8)
            try append(part, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "--\(boundary)--\r\n".utf8)
    }

    /// Writes a part's headers, a blank line and its body, ending in CRLF; the CRLF that follows
    /// belongs to the next boundary.
    private static func append(_ part: Part, to out: inout [UInt8]) throws(MessageEncodingError) {
        switch part {
        case .text(let part): appendTextPart(part, to: &out)
        case .attachment(let attachment): try appendAttachment(attachment, to: &out)
        case .filled(let mediaType, let lines, let slots):
            appendContentType(mediaType, parameters: [:], to: &out)
            lines.append(slots: slots, to: &out)
        case .encoded(let bytes): out.append(contentsOf: bytes)
        }
    }

    /// Writes a text part, choosing 7bit, quoted-printable or base64, whichever is valid and shortest.
    private static func appendTextPart(_ part: BodyPart, to out: inout [UInt8]) {
        appendContentType(part.mediaType, parameters: part.parameters, to: &out)
        let bytes = Array(part.text.utf8)
        let lines = splitLines(bytes)
        var stats = LineStats()
        for line in lines { stats.add(line) }
        appendBody(byteCount: bytes.count, lineCount: lines.count, stats: stats, to: &out) { quoted, out in
            if quoted {
                QuotedPrintable.append(lines: lines, to: &out)
            } else {
                for line in lines {
                    out.append(contentsOf: line)
                    out.append(contentsOf: [13, 10])
                }
            }
        }
    }

    /// A text part's `Content-Type` with the charset and `parameters`.
    private static func appendContentType(
        _ mediaType: String, parameters: [String: String], to out: inout [UInt8]
    ) {
        var contentType = "Content-Type: \(mediaType); charset=utf-8"
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            contentType += ";\r\n \(parameter(name, value))"
        }
        out.append(contentsOf: contentType.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    /// `Content-Transfer-Encoding`, a blank line and the body, in the encoding `stats` call for.
    ///
    /// - Parameters:
    ///   - byteCount: The body's length with its own line ends, as the choice counts it.
    ///   - writeLines: Writes the body's lines, each ending in CRLF: as they are, or (when its
    ///     first argument is true) in quoted-printable. Base64 encodes what it writes as they are.
    static func appendBody(
        byteCount: Int, lineCount: Int, stats: LineStats, to out: inout [UInt8],
        writeLines: (_ quotedPrintable: Bool, _ out: inout [UInt8]) -> Void
    ) {
        switch transferEncoding(byteCount: byteCount, lineCount: lineCount, stats: stats) {
        case .sevenBit:
            out.append(contentsOf: "Content-Transfer-Encoding: 7bit\r\n\r\n".utf8)
            writeLines(false, &out)
        case .quotedPrintable:
            out.append(contentsOf: "Content-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
            writeLines(true, &out)
        case .base64:
            out.append(contentsOf: "Content-Transfer-Encoding: base64\r\n\r\n".utf8)
            var normalized: [UInt8] = []
            normalized.reserveCapacity(byteCount + lineCount)
            writeLines(false, &normalized)
            Base64.append(normalized, to: &out, lineLength: 76)
        }
    }

    private static func appendAttachment(_ attachment: MessageAttachment, to out: inout [UInt8])
        throws(MessageEncodingError)
    {
        guard isMediaType(attachment.mediaType) else {
            throw MessageEncodingError(
                field: "attachment", reason: "invalid media type \(attachment.mediaType.debugDescription)")
        }
        var contentType = "Content-Type: \(attachment.mediaType)"
        for (name, value) in attachment.parameters.sorted(by: { $0.key < $1.key }) {
            contentType += ";\r\n \(parameter(name, value))"
        }
        contentType += ";\r\n \(parameter("name", attachment.filename))"
        out.append(contentsOf: contentType.utf8)
        out.append(
            contentsOf:
                "\r\nContent-Disposition: attachment;\r\n \(parameter("filename", attachment.filename))\r\n"
                .utf8)
        out.append(contentsOf: "Content-Transfer-Encoding: base64\r\n\r\n".utf8)
        Base64.append(attachment.data, to: &out, lineLength: 76)
    }

    enum TransferEncoding { case sevenBit, quotedPrintable, base64 }

    /// What the choice of a transfer encoding reads of a body's lines; sums over lines, so a
    /// prepared body counts its fixed lines once.
    struct LineStats: Sendable {
        /// Bytes quoted-printable must write as `=XX`.
        var needsQuoting = 0
        /// Whether every line could go as 7bit so far.
        var isPlain = true

        mutating func add(_ line: some Collection<UInt8>) {
            if line.count > QuotedPrintable.lineLimit { isPlain = false }
            var previous: UInt8 = 0
            for byte in line {
                let printable = (byte >= 0x20 && byte <= 0x7E) || byte == 0x09
                if !printable { isPlain = false }
                if !printable || byte == UInt8(ascii: "=") { needsQuoting += 1 }
                if previous == UInt8(ascii: "="), byte == UInt8(ascii: "_") { isPlain = false }
                previous = byte
            }
            if previous == 0x20 || previous == 0x09 { isPlain = false }
        }

        mutating func add(_ other: LineStats) {
            needsQuoting += other.needsQuoting
            isPlain = isPlain && other.isPlain
        }
    }

    /// 7bit only for short ASCII lines without `=_` (which could collide with a
    /// boundary); otherwise the shorter of quoted-printable and base64, so
    /// Latin text stays readable in the source and Cyrillic or Arabic text does not triple in size.
    static func transferEncoding(byteCount: Int, lineCount: Int, stats: LineStats) -> TransferEncoding {
        if stats.isPlain { return .sevenBit }
        let qpLength = byteCount + 2 * stats.needsQuoting + byteCount / 25
        let base64Length = (byteCount + lineCount + 2) / 3 * 4
        return qpLength <= base64Length ? .quotedPrintable : .base64
    }

    /// Splits text at LF, CRLF or a lone CR; a final line end does not start another line.
    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 10 || byte == 13 {
                lines.append(bytes[start..<index])
                if byte == 13, index + 1 < bytes.count, bytes[index + 1] == 10 { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count { lines.append(bytes[start..<bytes.count]) }
        return lines
    }

    // MARK: - Header helpers

    /// A MIME boundary that cannot occur in any body we write: `=_` never
    /// appears in quoted-printable or base64 output, and 7bit is only chosen
    /// for text without it.
    static func boundary(_ kind: String, _ seed: String) -> String {
        "=_\(kind)_" + StableHash.hex(StableHash.fnv1a64(kind + seed))
    }

    /// A Content-Type or Content-Disposition parameter: a token as it is, ASCII
    /// text quoted, anything else as an RFC 2231 extended value.
    static func parameter(_ name: String, _ value: String) -> String {
        let clean = HeaderField.clean(value)
        let tspecials = "()<>@,;:\\\"/[]?= "
        if !clean.isEmpty,
            clean.unicodeScalars.allSatisfy({ $0.isASCII && !tspecials.unicodeScalars.contains($0) })
        {
            return "\(name)=\(clean)"
        }
        if clean.unicodeScalars.allSatisfy(\.isASCII), clean.utf8.count < 60 {
            let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            return "\(name)=\"\(escaped)\""
        }
        // RFC 2231: percent-encoded UTF-8, cut into numbered sections that keep
        // each header line short and never split a %XX triplet.
        var sections: [String] = []
        var current = "utf-8''"
        for byte in clean.utf8 {
            let piece: String
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A)
                || "!#$&+-.^_`|~".utf8.contains(byte)
            {
                piece = String(Unicode.Scalar(byte))
            } else {
                piece =
                    "%" + String(HeaderField.hexDigits[Int(byte >> 4)])
                    + String(HeaderField.hexDigits[Int(byte & 0x0F)])
            }
            if current.utf8.count + piece.utf8.count > 60 {
                sections.append(current)
                current = ""
            }
            current += piece
        }
        sections.append(current)
        if sections.count == 1 { return "\(name)*=\(current)" }
        return sections.enumerated().map { "\(name)*\($0.offset)*=\($0.element)" }.joined(separator: ";\r\n ")
    }

    static func isMediaType(_ value: String) -> Bool {
        let pieces = value.split(separator: "/", omittingEmptySubsequences: false)
        return pieces.count == 2
            && pieces.allSatisfy { piece in
                !piece.isEmpty && piece.utf8.allSatisfy { HeaderField.isAtext($0) || $0 == UInt8(ascii: ".") }
            }
    }

    static func listIDField(_ listID: ListID) throws(MessageEncodingError) -> HeaderField {
        let labels = listID.id.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(HeaderField.isAtext) })
        else {
            throw MessageEncodingError(
                field: "List-Id",
                reason:
                    "\(listID.id.debugDescription) is not a dot-separated identifier such as events.example.org"
            )
        }
        var field = HeaderField(name: "List-Id")
        field.append(phrase: listID.name)
        field.append(token: "<\(listID.id)>")
        return field
    }

    static func listUnsubscribeField(_ targets: [String]) throws(MessageEncodingError) -> HeaderField {
        var field = HeaderField(name: "List-Unsubscribe")
        for (index, target) in targets.enumerated() {
            guard target.contains(":"),
                target.unicodeScalars.allSatisfy({
                    $0.value > 0x20 && $0.value < 0x7F && !"<>\"".unicodeScalars.contains($0)
                })
            else {
                throw MessageEncodingError(
                    field: "List-Unsubscribe",
                    reason:
                        "\(target.debugDescription) is not a URI (spaces, angle brackets, quotes and non-ASCII must be percent-encoded)"
                )
            }
            field.append(token: "<\(target)>")
            if index < targets.count - 1 { field.appendTight(",") }
        }
        return field
    }

    /// Headers the encoder writes itself, or that would change who gets the
    /// message, can never be given as extra headers.
    static func checkExtraHeaderName(_ name: String) throws(MessageEncodingError) {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") })
        else {
            throw MessageEncodingError(
                field: name.debugDescription, reason: "a header name is printable ASCII without spaces or ':'"
            )
        }
        let lower = name.lowercased()
        let allowed = ["auto-submitted", "precedence", "organization", "feedback-id"]
        guard lower.hasPrefix("x-") || allowed.contains(lower) else {
            throw MessageEncodingError(
                field: name,
                reason: "only X- headers and \(allowed.joined(separator: ", ")) may be added to a message")
        }
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `Tue, 01 Dec 2026 19:00:00 +0100` (RFC 5322 3.3) in `timeZone`, independent of the machine's locale.
    public static func rfc5322Date(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let offset = timeZone.secondsFromGMT(for: date) / 60
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let sign = offset < 0 ? "-" : "+"
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        return
            "\(weekday), \(two(parts.day)) \(month) \(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) "
            + "\(sign)\(two(abs(offset) / 60))\(two(abs(offset) % 60))"
    }
}

/// A message value that cannot be written safely.
public struct MessageEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public var description: String { "cannot encode message: \(field): \(reason)" }
}
