/// The state of one pass over a file's bytes.
struct CSVParser {
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
    private var line = 1
    private var delimiter: UInt8 = CSVDelimiter.comma.rawValue
    /// Reused when a quoted field holds doubled quotes, to avoid an allocation per field.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, kind: InputProblem.Kind) {
        self.bytes = bytes
        self.file = file
        self.kind = kind
    }

    private func problem(line: Int, column: Int? = nil, field: String? = nil, _ message: String)
        -> InputProblem
    {
        InputProblem(file: file, line: line, column: column, field: field, message: message, kind: kind)
    }

    /// Reads the whole file: the encoding, the delimiter, the header, then every record.
    ///
    /// - Returns: The table, or the one problem that makes the file unreadable.
    mutating func parse() -> Result<CSVTable, InputProblem> {
        if bytes.count >= 2,
            (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            return .failure(
                problem(
                    line: 0,
                    "the file is UTF-16, not UTF-8; save it as \"CSV UTF-8\" (in Excel) or convert it "
                        + "to UTF-8"))
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        if index == bytes.count { return .failure(problem(line: 0, "the file is empty")) }
        skipBlankLines()
        if index == bytes.count {
            return .failure(problem(line: 0, "the file has only blank lines, no header row"))
        }
        switch detectDelimiter() {
        case .failure(let problem): return .failure(problem)
        case .success(let found): delimiter = found.rawValue
        }
        let delimiterKind = CSVDelimiter(rawValue: delimiter) ?? .comma

        let headerRecord: RawRecord
        switch nextRecord(columnNames: []) {
        case .failure(let problem): return .failure(problem)
        case .success(nil): return .failure(problem(line: 0, "the file has only blank lines, no header row"))
        case .success(let record?): headerRecord = record
        }
        if let (column, message) = headerRecord.problem {
            return .failure(problem(line: headerRecord.line, column: column + 1, field: "header", message))
        }
        let header = CSVRecord(line: headerRecord.line, fields: headerRecord.fields)
        let names = header.fields.map { $0.trimmingSpaceSeparators() }
        let width = names.count

        var records: [CSVRecord] = []
        var problems: [InputProblem] = []
        records.reserveCapacity(bytes.count / max(16, width * 8))
        while true {
            let raw: RawRecord
            switch nextRecord(columnNames: names) {
            case .failure(let problem): return .failure(problem)
            case .success(nil):
                return .success(
                    CSVTable(
                        file: file, delimiter: delimiterKind, header: header, records: records,
                        problems: problems))
            case .success(let record?): raw = record
            }
            if let (column, message) = raw.problem {
                let name = column < width && !names[column].isEmpty ? names[column] : nil
                problems.append(problem(line: raw.line, column: column + 1, field: name, message))
                continue
            }
            var fields = raw.fields
            if fields.count > width {
                problems.append(
                    problem(
                        line: raw.line, column: width + 1,
                        "the row has \(fields.count) fields but the header has \(width) "
                            + "column\(width == 1 ? "" : "s"); a value that contains "
                            + "\(delimiterKind.shown) must be in double quotes"))
                continue
            } else if fields.count == 1, width > 1, raw.sawOtherDelimiter,
                let other = Self.otherDelimiter(in: fields[0], than: delimiterKind)
            {
                problems.append(
                    problem(
                        line: raw.line, column: 1,
                        "the row has 1 field but the header has \(width) columns; it seems to use "
                            + "\(other.shown) between fields while the header uses \(delimiterKind.shown)"))
                continue
            }
            while fields.count < width { fields.append("") }
            records.append(CSVRecord(line: raw.line, fields: fields))
        }
    }

    /// Whether a value is empty or only spaces and tabs.
    private static func isBlank(_ value: String) -> Bool {
        value.utf8.allSatisfy(isBlankByte)
    }

    /// The candidate delimiter, other than the file's own, that splits a value into
    /// at least two non-blank pieces: the sign of a row written with another delimiter.
    private static func otherDelimiter(in value: String, than delimiter: CSVDelimiter) -> CSVDelimiter? {
        CSVDelimiter.allCases.first { candidate in
            candidate != delimiter
                && value.utf8.split(separator: candidate.rawValue).filter { !$0.allSatisfy(isBlankByte) }
                    .count >= 2
        }
    }

    private static func isBlankByte(_ byte: UInt8) -> Bool { byte == space || byte == tab }

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
    private mutating func skipBlankLines() {
        while index < bytes.count, bytes[index] == Self.cr || bytes[index] == Self.lf { consumeLineBreak() }
    }

    /// Looks at the header line (without consuming it) for `,`, `;` and tab outside quotes.
    ///
    /// A header that uses more than one of them is refused rather than guessed at:
    /// reading `email;name,status` with the wrong delimiter would silently lose the
    /// `status` column, and with it every unsubscribe.
    private func detectDelimiter() -> Result<CSVDelimiter, InputProblem> {
        var counts: [CSVDelimiter: Int] = [:]
        var position = index
        var inQuotes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == Self.quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == Self.cr || byte == Self.lf { break }
                if let candidate = CSVDelimiter(rawValue: byte) { counts[candidate, default: 0] += 1 }
            }
            position += 1
        }
        let found = CSVDelimiter.allCases.filter { counts[$0] != nil }
        guard found.count <= 1 else {
            let names = found.map(\.shown)
            let listed = names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
            return .failure(
                problem(
                    line: line,
                    "the header line has both \(listed) between column names; use one delimiter for "
                        + "the whole file (a column name that contains one must be in double quotes)"))
        }
        return .success(found.first ?? .comma)
    }

    /// Reads the record at `index`, skipping blank lines and all-empty rows first.
    ///
    /// - Returns: `nil` at the end of the file, or a problem that stops the whole file.
    private mutating func nextRecord(columnNames: [String]) -> Result<RawRecord?, InputProblem> {
        while true {
            skipBlankLines()
            guard index < bytes.count else { return .success(nil) }
            switch readRecord(columnNames: columnNames) {
            case .failure(let problem): return .failure(problem)
            case .success(let record):
                if record.problem == nil, record.fields.allSatisfy(Self.isBlank) { continue }
                return .success(record)
            }
        }
    }

    /// Reads one record: fields up to a line break outside quotes or the end of the file.
    private mutating func readRecord(columnNames: [String]) -> Result<RawRecord, InputProblem> {
        var record = RawRecord(line: line, fields: [], problem: nil, sawOtherDelimiter: false)
        if !columnNames.isEmpty { record.fields.reserveCapacity(columnNames.count) }
        while true {
            let column = record.fields.count
            let fieldStart = index
            let fieldLine = line
            var position = index
            while position < bytes.count, bytes[position] == Self.space || bytes[position] == Self.tab,
                bytes[position] != delimiter
            {
                position += 1
            }
            let outcome: Result<String, InputProblem>
            if position < bytes.count, bytes[position] == Self.quote {
                index = position
                outcome = readQuoted(fieldStart: fieldStart, column: column, record: &record)
            } else {
                outcome = readUnquoted(column: column, record: &record)
            }
            let value: String
            switch outcome {
            case .success(let text): value = text
            case .failure(var problem):
                // Name the column when the problem is on the line where the field starts.
                if column < columnNames.count, !columnNames[column].isEmpty, problem.line == fieldLine {
                    problem.field = columnNames[column]
                    problem.column = column + 1
                }
                return .failure(problem)
            }
            record.fields.append(value)
            if index < bytes.count, bytes[index] == delimiter {
                index += 1
                continue
            }
            consumeLineBreak()
            return .success(record)
        }
    }

    /// Reads an unquoted field; a quote inside it makes the row a problem but the
    /// field is still read to its end so the next row starts in the right place.
    private mutating func readUnquoted(column: Int, record: inout RawRecord) -> Result<String, InputProblem> {
        let start = index
        var strayQuote: Int?
        let fieldLine = line
        while index < bytes.count {
            let byte = bytes[index]
            if byte == delimiter || byte == Self.cr || byte == Self.lf { break }
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
        return decode(start..<index, line: fieldLine)
    }

    /// Reads a quoted field starting at the quote at `index`.
    private mutating func readQuoted(fieldStart: Int, column: Int, record: inout RawRecord)
        -> Result<String, InputProblem>
    {
        let openingLine = line
        index += 1
        let contentStart = index
        var doubled = false
        var closed = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                if index + 1 < bytes.count, bytes[index + 1] == Self.quote {
                    doubled = true
                    index += 2
                    continue
                }
                closed = true
                break
            }
            if byte == Self.cr || byte == Self.lf {
                consumeLineBreak()
            } else {
                index += 1
            }
        }
        guard closed else {
            return .failure(
                problem(
                    line: openingLine,
                    "the quoted field that starts on this line is never closed; a quote (\") that "
                        + "opens a field must be closed, and a quote inside a field must be doubled (\"\")"))
        }
        let contentEnd = index
        index += 1
        var text: String
        if doubled {
            scratch.removeAll(keepingCapacity: true)
            var position = contentStart
            while position < contentEnd {
                let byte = bytes[position]
                scratch.append(byte)
                position += byte == Self.quote ? 2 : 1
            }
            guard let decoded = String(validating: scratch, as: UTF8.self) else {
                return decode(contentStart..<contentEnd, line: openingLine)
            }
            text = decoded
        } else {
            switch decode(contentStart..<contentEnd, line: openingLine) {
            case .failure(let problem): return .failure(problem)
            case .success(let decoded): text = decoded
            }
        }
        while index < bytes.count, bytes[index] == Self.space || bytes[index] == Self.tab,
            bytes[index] != delimiter
        {
            index += 1
        }
        if index < bytes.count, bytes[index] != delimiter, bytes[index] != Self.cr, bytes[index] != Self.lf {
            let afterQuote = characterCount(from: fieldStart, to: index) + 1
            if record.problem == nil {
                record.problem = (
                    column,
                    "text after the closing quote at character \(afterQuote) of the field; put the whole "
                        + "field in double quotes and double the quotes inside it (\"\")"
                )
            }
            let restLine = line
            let restStart = index
            while index < bytes.count, bytes[index] != delimiter, bytes[index] != Self.cr,
                bytes[index] != Self.lf
            {
                index += 1
            }
            switch decode(restStart..<index, line: restLine) {
            case .failure(let problem): return .failure(problem)
            case .success(let rest): text += rest
            }
        }
        return .success(text)
    }

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

    /// Makes a string of a byte range, or the structural problem naming the line of
    /// the first byte that is not UTF-8 (a Latin-1 export writes `æ` as one byte).
    private func decode(_ range: Range<Int>, line startLine: Int) -> Result<String, InputProblem> {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        if let text = String(validating: slice, as: UTF8.self) { return .success(text) }
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
        return .failure(
            problem(
                line: badLine,
                "the file is not UTF-8 (the byte \(shown) here is not valid UTF-8; a Danish letter saved "
                    + "as Latin-1 looks like this); save the file as \"CSV UTF-8\" or convert it to UTF-8"))
    }
}
