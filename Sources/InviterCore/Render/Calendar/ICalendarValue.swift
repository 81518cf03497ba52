import Foundation

/// Encodings of the RFC 5545 value types Inviter writes.
///
/// Every text that reaches a calendar part comes from an event file or a
/// member list, so each encoder first removes whatever could end a content
/// line or a parameter: a value can then never start a property of its own
/// (`\r\nEND:VEVENT`) or change the structure around it.
enum ICalendarValue {
    /// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`.
    ///
    /// CRLF, a lone CR, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR all count as
    /// line breaks: some parsers split content lines on any of them, so none may
    /// stay raw, and turning them into `\n` keeps the reader's paragraphs.
    /// Other control characters carry no meaning in a title or a description
    /// and are dropped; a tab stays, as RFC 5545 allows it in TEXT.
    static func text(_ value: String) -> String {
        var output = ""
        output.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        var afterCR = false
        for scalar in value.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\n":
                if !afterCR { output += "\\n" }
            case "\r", "\u{85}", "\u{2028}", "\u{2029}":
                output += "\\n"
            case "\\":
                output += "\\\\"
            case ";":
                output += "\\;"
            case ",":
                output += "\\,"
            case "\t":
                output.unicodeScalars.append(scalar)
            default:
                if !isControl(scalar) { output.unicodeScalars.append(scalar) }
            }
        }
        return output
    }

    /// A parameter value written bare when it only has SAFE-CHARs (as TZID is by
    /// custom), quoted when it contains `:`, `;` or `,`.
    static func parameter(_ value: String) -> String {
        let clean = parameterText(value)
        return clean.unicodeScalars.contains { $0 == ":" || $0 == ";" || $0 == "," }
            ? "\"" + clean + "\"" : clean
    }

    /// The text of a parameter value, ready to be put between quotes (RFC 5545 3.2).
    ///
    /// A quoted-string cannot hold a DQUOTE or any control character and has no
    /// escape mechanism, so `"` is removed and line breaks and tabs become spaces
    /// (a name stays readable); other control characters are dropped.
    static func parameterText(_ value: String) -> String {
        var output = ""
        var afterCR = false
        for scalar in value.unicodeScalars where scalar != "\"" {
            defer { afterCR = scalar == "\r" }
            if scalar == "\n" && afterCR { continue }  // CRLF is one line break, so one space.
            if isLineBreak(scalar) || scalar == "\t" {
                output += " "
            } else if !isControl(scalar) {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// A URI value (RFC 5545 3.3.13): control characters dropped, and octets that a
    /// URI cannot hold (space, non-ASCII, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`)
    /// percent-encoded, so that a URL with a space from a spreadsheet still works.
    static func uri(_ value: String) -> String {
        var output = ""
        for scalar in value.unicodeScalars where !isControl(scalar) && !isLineBreak(scalar) {
            for byte in String(scalar).utf8 {
                if isURICharacter(byte) {
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    output += percentEncoded(byte)
                }
            }
        }
        return output
    }

    /// A `mailto:` URI for `address` (RFC 6068).
    ///
    /// `MailAddress` already allows only dot-atom ASCII, but dot-atom includes
    /// `%`, `/`, `?`, `#` and friends, which have a meaning in a URI and must be
    /// percent-encoded in the local part.
    static func mailto(_ address: MailAddress) -> String {
        var output = "mailto:"
        for byte in address.address.utf8 {
            if isMailtoCharacter(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += percentEncoded(byte)
            }
        }
        return output
    }

    /// A local DATE-TIME (`20261202T190000`), "floating" until a TZID parameter anchors it.
    static func dateTime(_ time: LocalDateTime) -> String {
        let date = time.date
        return pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2) + "T" + pad(time.hour, 2)
            + pad(time.minute, 2) + pad(time.second, 2)
    }

    /// A UTC DATE-TIME (`20261202T180000Z`), for DTSTAMP and for events in UTC.
    static func utcDateTime(_ instant: Date) -> String {
        dateTime(LocalDateTime(instant, in: .gmt)) + "Z"
    }

    /// A UTC-OFFSET (`+0100`, `-0430`, `+053328` when the offset has seconds).
    static func offset(_ seconds: Int) -> String {
        let magnitude = abs(seconds)
        var output = (seconds < 0 ? "-" : "+") + pad(magnitude / 3600, 2) + pad(magnitude % 3600 / 60, 2)
        if magnitude % 60 != 0 { output += pad(magnitude % 60, 2) }
        return output
    }

    /// C0 controls, DEL and C1 controls: never meaningful in calendar text.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}": return true
        default: return false
        }
    }

    /// Unreserved and reserved characters of RFC 3986, and `%` for escapes already in the URL.
    private static func isURICharacter(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        return "%:/?#[]@!$&'()*+,;=".utf8.contains(byte)
    }

    /// RFC 6068 `addr-spec` characters that need no escape: unreserved and `some-delims`.
    private static func isMailtoCharacter(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        return "!$'()*+,;:@".utf8.contains(byte)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func percentEncoded(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        var output = "%"
        output.unicodeScalars.append(digits[Int(byte >> 4)])
        output.unicodeScalars.append(digits[Int(byte & 0x0F)])
        return output
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
