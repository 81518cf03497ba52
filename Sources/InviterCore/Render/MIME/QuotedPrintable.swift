/// Quoted-printable (RFC 2045 6.7) for text bodies that are mostly ASCII.
enum QuotedPrintable {
    /// The longest encoded line, soft-break `=` included (RFC 2045 6.7 rule 5).
    static let lineLimit = 76

    /// Appends the encoding of `lines` (a body already split at its line ends)
    /// to `out`, each hard line ending in CRLF.
    ///
    /// Trailing spaces and tabs are encoded so that no relay can strip them;
    /// `=` is always encoded, which also keeps `=_` boundaries out of the body.
    /// A line consisting of `.` is left alone: libcurl dot-stuffs on the wire.
    static func append(lines: [ArraySlice<UInt8>], to out: inout [UInt8]) {
        // Written through a buffer of the largest size it can take (each byte at most three, a soft
        // break at most every 24 bytes, CRLF per line): appending byte by byte to an array
        // checked its capacity and uniqueness for every byte of every message.
        let total = lines.reduce(0) { $0 + $1.count }
        let encoded = [UInt8](unsafeUninitializedCapacity: total * 4 + lines.count * 2 + 8) {
            buffer, written in
            var at = 0
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            for line in lines {
                line.withUnsafeBufferPointer { line in
                    var column = 0
                    let last = line.count - 1
                    for index in 0..<line.count {
                        let byte = line[index]
                        let isTrailingSpace = index == last && (byte == 0x20 || byte == 0x09)
                        let literal =
                            (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                            || ((byte == 0x20 || byte == 0x09) && !isTrailingSpace)
                        let width = literal ? 1 : 3
                        // Leave room for the soft-break '=' unless this is the line's last token.
                        let room = index == last ? lineLimit : lineLimit - 1
                        if column + width > room {
                            put(UInt8(ascii: "="))
                            put(13)
                            put(10)
                            column = 0
                        }
                        if literal {
                            put(byte)
                        } else {
                            put(UInt8(ascii: "="))
                            put(HeaderField.hexDigit(byte >> 4))
                            put(HeaderField.hexDigit(byte & 0x0F))
                        }
                        column += width
                    }
                }
                put(13)
                put(10)
            }
            written = at
        }
        out.append(contentsOf: encoded)
    }
}
