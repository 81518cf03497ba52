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
        for line in lines {
            var column = 0
            let last = line.endIndex - 1
            for index in line.indices {
                let byte = line[index]
                let isTrailingSpace = index == last && (byte == 0x20 || byte == 0x09)
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isTrailingSpace)
                let width = literal ? 1 : 3
                // Leave room for the soft-break '=' unless this is the line's last token.
                let room = index == last ? lineLimit : lineLimit - 1
                if column + width > room {
                    out.append(UInt8(ascii: "="))
                    out.append(13)
                    out.append(10)
                    column = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
                column += width
            }
            out.append(13)
            out.append(10)
        }
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
}
