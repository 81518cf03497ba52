/// Collects RFC 5545 content lines and folds each one as it is added.
///
/// Values reach this type already encoded (see `ICalendarValue`); its job is
/// only the line structure: `NAME;PARAM=value:value`, folded at 75 octets with
/// CRLF and one space, never inside a UTF-8 sequence, each line ended by CRLF.
struct ContentLines {
    /// RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break.
    static let octetLimit = 75

    private(set) var text = ""

    /// A parameter already encoded for the line, such as `("TZID", "Europe/Copenhagen")`.
    typealias Parameter = (name: String, value: String)

    /// Appends one property; `value` must already be encoded for its value type.
    mutating func append(_ name: String, _ value: String, parameters: [Parameter] = []) {
        var line = name
        for parameter in parameters { line += ";" + parameter.name + "=" + parameter.value }
        line += ":" + value
        ContentLines.fold(line, into: &text)
    }

    /// Appends `BEGIN:name`, the lines `body` adds, and `END:name`.
    mutating func component(_ name: String, _ body: (inout ContentLines) -> Void) {
        append("BEGIN", name)
        body(&self)
        append("END", name)
    }

    /// Writes `line` folded and ended with CRLF.
    ///
    /// Counting octets rather than characters matters for Danish, Arabic and
    /// emoji text: a 75-character line of `æ` is 150 octets. Breaking only
    /// between Unicode scalars keeps each continuation line valid UTF-8, which
    /// strict parsers check line by line before they unfold.
    static func fold(_ line: String, into output: inout String) {
        var octets = 0
        for scalar in line.unicodeScalars {
            let width = UTF8.width(scalar)
            if octets + width > octetLimit {
                output += "\r\n "
                octets = 1  // The leading space counts towards the next line's 75 octets.
            }
            output.unicodeScalars.append(scalar)
            octets += width
        }
        output += "\r\n"
    }
}
