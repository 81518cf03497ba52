/// The cursor over a CSV file's bytes that cuts them into records and fields.
///
/// Only bytes are its business: where a field ends, what a quote means, which
/// line a byte is on and whether it is UTF-8. What a record means against the
/// header is ``CSVParser``'s. It scans an `UnsafeBufferPointer` and makes each
/// field's `String` straight from its bytes, with no allocation per byte, so
/// that lists of 100 000 rows load in a fraction of a second.
///
/// A problem that stops the whole file (bytes that are not UTF-8, a quote that
/// is never closed) is thrown as an ``InputProblem``; one that leaves out a row
/// is kept in ``RawRecord/problem`` for the parser to report.
struct CSVScanner {
    /// One record before it is checked against the header.
    struct RawRecord {
        var line: Int
        var fields: [String]
        /// The first thing wrong in the row: the 0-based column and the message.
        var problem: (column: Int, message: String)?
        /// Whether a candidate delimiter other than the file's appeared outside quotes.
        var sawOtherDelimiter: Bool
    }

    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let kind: InputProblem.Kind
    private var index = 0
    /// The 1-based line of the byte at the cursor.
    private(set) var line = 1
    /// The delimiter's byte, compared against every byte outside quotes.
    private var delimiter: UInt8 = CSVDelimiter.comma.rawValue
    /// Reused when a quoted field holds doubled quotes, to avoid an allocation per field.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, kind: InputProblem.Kind) {
        self.bytes = bytes
        self.file = file
        self.kind = kind
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { index >= bytes.count }

    private func problem(line: Int, _ message: String) -> InputProblem {
        InputProblem(file: file, line: line, message: message, kind: kind)
    }

    /// Whether a byte is a space or a tab, the blanks that make a value empty.
    static func isBlankByte(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Whether a value is empty or only blanks; a spreadsheet writes empty rows as `;;;;`.
    private static func isBlank(_ value: String) -> Bool { value.utf8.allSatisfy(isBlankByte) }

    // MARK: Start of file

    /// Refuses UTF-16 and moves past a UTF-8 byte order mark, which Excel writes
    /// in front of "CSV UTF-8" files.
    mutating func skipByteOrderMark() throws(InputProblem) {
        if bytes.count >= 2,
            (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            throw problem(
                line: 0,
                "the file is UTF-16, not UTF-8; save it as \"CSV UTF-8\" (in Excel) or convert it "
                    + "to UTF-8")
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    /// The candidates among `,`, `;` and tab that appear outside quotes on the line
    /// at the cursor, in ``CSVDelimiter`` order; the cursor does not move.
    func delimitersOnLine() -> [CSVDelimiter] {
        var found: Set<CSVDelimiter> = []
        var position = index
        var inQuotes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == Self.quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == Self.cr || byte == Self.lf { break }
                if let candidate = CSVDelimiter(rawValue: byte) { found.insert(candidate) }
            }
            position += 1
        }
        return CSVDelimiter.allCases.filter(found.contains)
    }

    /// Makes `delimiter` the byte between fields from here on.
    mutating func use(_ delimiter: CSVDelimiter) { self.delimiter = delimiter.rawValue }

    // MARK: Records

    /// Moves past a line break at `index`, counting it; CRLF is one break.
    private mutating func consumeLineBreak() {
        guard index < bytes.count else { return }
        if bytes[index] == Self.cr {
            index += 1
            if index < bytes.count, bytes[index] == Self.lf { index += 1 }
            line += 1
        } else if bytes[index] == Self.lf {
            index += 1
            line += 1
        }
    }

    /// Skips empty lines, so that a record starts on the line of its first byte.
    mutating func skipBlankLines() {
        while index < bytes.count, bytes[index] == Self.cr || bytes[index] == Self.lf { consumeLineBreak() }
    }

    /// The first position from `start` on that is not a space or tab, stopping at a
    /// tab that is the delimiter: the spaces people type around a quoted field.
    private func skippingBlanks(from start: Int) -> Int {
        var position = start
        while position < bytes.count, bytes[position] == Self.space || bytes[position] == Self.tab,
            bytes[position] != delimiter
        {
            position += 1
        }
        return position
    }

    /// Whether `position` is past the field: at the delimiter, a line break or the end of the file.
    private func isFieldEnd(_ position: Int) -> Bool {
        guard position < bytes.count else { return true }
        let byte = bytes[position]
        return byte == delimiter || byte == Self.cr || byte == Self.lf
    }

    /// Reads the record at `index`, skipping blank lines and all-empty rows first.
    ///
    /// - Parameter columnNames: The header's trimmed names, which a problem that
    ///   stops the file names and which size the record; empty for the header itself.
    /// - Returns: The record, or `nil` at the end of the file.
    mutating func nextRecord(columnNames: [String]) throws(InputProblem) -> RawRecord? {
        while true {
            skipBlankLines()
            guard index < bytes.count else { return nil }
            let record = try readRecord(columnNames: columnNames)
            if record.problem != nil || !record.fields.allSatisfy(Self.isBlank) {
                return record
            }
        }
    }

    /// Reads one record: fields up to a line break outside quotes or the end of the file.
    ///
    /// - Throws: A problem that stops the file, naming the column when the problem
    ///   is on the line where the field starts (a person looks for it there).
    private mutating func readRecord(columnNames: [String]) throws(InputProblem) -> RawRecord {
        var record = RawRecord(line: line, fields: [], problem: nil, sawOtherDelimiter: false)
        if !columnNames.isEmpty { record.fields.reserveCapacity(columnNames.count) }
        while true {
            let column = record.fields.count
            let fieldLine = line
            let value: String
            do {
                value = try readField(column: column, record: &record)
            } catch var problem {
                if column < columnNames.count, !columnNames[column].isEmpty, problem.line == fieldLine {
                    problem.field = columnNames[column]
                    problem.column = column + 1
                }
                throw problem
            }
            record.fields.append(value)
            guard index < bytes.count, bytes[index] == delimiter else {
                consumeLineBreak()
                return record
            }
            index += 1
        }
    }

    // MARK: Fields

    /// Reads the field at `index`, quoted or not, and leaves `index` at the
    /// delimiter, line break or end of file after it.
    private mutating func readField(column: Int, record: inout RawRecord) throws(InputProblem) -> String {
        let fieldStart = index
        let position = skippingBlanks(from: index)
        guard position < bytes.count, bytes[position] == Self.quote else {
            return try readUnquoted(column: column, record: &record)
        }
        index = position
        return try readQuoted(fieldStart: fieldStart, column: column, record: &record)
    }

    /// Reads an unquoted field; a quote inside it makes the row a problem but the
    /// field is still read to its end so the next row starts in the right place.
    private mutating func readUnquoted(column: Int, record: inout RawRecord) throws(InputProblem) -> String {
        let start = index
        var strayQuote: Int?
        let fieldLine = line
        while !isFieldEnd(index) {
            let byte = bytes[index]
            if byte == Self.quote {
                if strayQuote == nil { strayQuote = index }
            } else if byte == 0x2C || byte == 0x3B || byte == 0x09 {
                record.sawOtherDelimiter = true
            }
            index += 1
        }
        if let strayQuote, record.problem == nil {
            let character = characterCount(from: start, to: strayQuote) + 1
            record.problem = (
                column,
                "a quote (\") at character \(character) of a field that does not start with one; "
                    + "put the whole field in double quotes and double the quote inside it (\"\")"
            )
        }
        return try decode(start..<index, line: fieldLine)
    }

    /// Reads a quoted field starting at the quote at `index`.
    ///
    /// Text between the closing quote and the next delimiter makes the row a
    /// problem; it is kept in the value and read to its end, as in an unquoted field.
    private mutating func readQuoted(fieldStart: Int, column: Int, record: inout RawRecord)
        throws(InputProblem) -> String
    {
        let openingLine = line
        index += 1
        let contentStart = index
        let doubled = try findClosingQuote(openingLine: openingLine)
        let content = contentStart..<index
        index += 1
        var text = try doubled ? undoubled(content, line: openingLine) : decode(content, line: openingLine)
        index = skippingBlanks(from: index)
        guard !isFieldEnd(index) else { return text }

        if record.problem == nil {
            let afterQuote = characterCount(from: fieldStart, to: index) + 1
            record.problem = (
                column,
                "text after the closing quote at character \(afterQuote) of the field; put the whole "
                    + "field in double quotes and double the quotes inside it (\"\")"
            )
        }
        let restLine = line
        let restStart = index
        while !isFieldEnd(index) { index += 1 }
        text += try decode(restStart..<index, line: restLine)
        return text
    }

    /// Moves `index` to the quote that closes the field, counting the line breaks inside it.
    ///
    /// - Parameter openingLine: The line of the opening quote, which the problem names.
    /// - Returns: Whether the field holds doubled quotes that must be undoubled.
    /// - Throws: The problem that stops the file when no quote closes the field,
    ///   since the field has then swallowed every later row.
    private mutating func findClosingQuote(openingLine: Int) throws(InputProblem) -> Bool {
        var doubled = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                guard index + 1 < bytes.count, bytes[index + 1] == Self.quote else { return doubled }
                doubled = true
                index += 2
            } else if byte == Self.cr || byte == Self.lf {
                consumeLineBreak()
            } else {
                index += 1
            }
        }
        throw problem(
            line: openingLine,
            "the quoted field that starts on this line is never closed; a quote (\") that "
                + "opens a field must be closed, and a quote inside a field must be doubled (\"\")")
    }

    // MARK: Text

    /// Counts Unicode scalars in a byte range, for a position a person can find in the cell.
    private func characterCount(from start: Int, to end: Int) -> Int {
        var count = 0
        var position = start
        while position < end {
            if bytes[position] & 0xC0 != 0x80 { count += 1 }
            position += 1
        }
        return count
    }

    /// Makes a string of a quoted field's content with every `""` made one quote,
    /// through a buffer that is reused from field to field.
    private mutating func undoubled(_ range: Range<Int>, line startLine: Int) throws(InputProblem) -> String {
        scratch.removeAll(keepingCapacity: true)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = bytes[position]
            scratch.append(byte)
            position += byte == Self.quote ? 2 : 1
        }
        if let text = String(validating: scratch, as: UTF8.self) { return text }
        // Undoubling removes only quotes, so the bad byte is in the file's range
        // too, where its line can be counted.
        throw notUTF8(range, line: startLine)
    }

    /// Makes a string of a byte range.
    private func decode(_ range: Range<Int>, line startLine: Int) throws(InputProblem) -> String {
        if let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) {
            return text
        }
        throw notUTF8(range, line: startLine)
    }

    /// The problem that stops a file that is not UTF-8, naming the line of the first
    /// bad byte in a range and showing it (a Latin-1 export writes `æ` as one byte).
    ///
    /// - Parameters:
    ///   - range: Bytes that `String(validating:as:)` refused.
    ///   - startLine: The line of the range's first byte.
    private func notUTF8(_ range: Range<Int>, line startLine: Int) -> InputProblem {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = slice.makeIterator()
        var offset = 0
        var badLength = 1
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error(let length):
                badLength = length
                break parsing
            case .emptyInput: break parsing
            }
        }
        var badLine = startLine
        var position = range.lowerBound
        let badPosition = range.lowerBound + offset
        while position < badPosition {
            if bytes[position] == Self.lf {
                badLine += 1
            } else if bytes[position] == Self.cr,
                position + 1 >= bytes.count || bytes[position + 1] != Self.lf
            {
                badLine += 1
            }
            position += 1
        }
        let shown = (badPosition..<min(badPosition + max(1, badLength), range.upperBound))
            .map { position in
                let hex = String(bytes[position], radix: 16, uppercase: true)
                return "0x" + (hex.count == 1 ? "0" + hex : hex)
            }
            .joined(separator: " ")
        return problem(
            line: badLine,
            "the file is not UTF-8 (the byte \(shown) here is not valid UTF-8; a Danish letter saved "
                + "as Latin-1 looks like this); save the file as \"CSV UTF-8\" or convert it to UTF-8")
    }
}
