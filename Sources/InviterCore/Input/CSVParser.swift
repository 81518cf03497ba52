/// Makes a ``CSVTable`` of a CSV file: finds the delimiter, reads the header and
/// judges every record against it.
///
/// Kept apart from ``CSVReader`` so that the public types read as the reader's
/// manual and this file as its mechanism, and from ``CSVScanner`` so that the
/// rules about rows stay out of the byte loop.
///
/// Problems travel two ways. One that stops the whole file is thrown as an
/// ``InputProblem``, here or by the scanner, and ``CSVReader`` wraps it in
/// ``InputProblems``; one that leaves out a row is collected in
/// ``CSVTable/problems``, so the rest of the file still loads.
struct CSVParser {
    /// Said both when the file has nothing but line breaks and when its only rows are empty.
    private static let noHeaderRow = "the file has only blank lines, no header row"

    let file: String
    let kind: InputProblem.Kind
    private var scanner: CSVScanner

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, kind: InputProblem.Kind) {
        self.file = file
        self.kind = kind
        scanner = CSVScanner(bytes: bytes, file: file, kind: kind)
    }

    private func problem(line: Int, column: Int? = nil, field: String? = nil, _ message: String)
        -> InputProblem
    {
        InputProblem(file: file, line: line, column: column, field: field, message: message, kind: kind)
    }

    /// Reads the whole file: the encoding, the delimiter, the header, then every record.
    ///
    /// - Throws: The one ``InputProblem`` that makes the file unreadable.
    mutating func parse() throws(InputProblem) -> CSVTable {
        try scanner.skipByteOrderMark()
        guard !scanner.isAtEnd else { throw problem(line: 0, "the file is empty") }
        scanner.skipBlankLines()
        guard !scanner.isAtEnd else { throw problem(line: 0, Self.noHeaderRow) }
        let delimiter = try headerDelimiter()
        scanner.use(delimiter)
        let header = try readHeader()
        let names = header.fields.map { $0.trimmingSpaceSeparators() }

        var records: [CSVRecord] = []
        var problems: [InputProblem] = []
        records.reserveCapacity(scanner.bytes.count / max(16, names.count * 8))
        while var raw = try scanner.nextRecord(columnNames: names) {
            if let problem = reasonToLeaveOut(raw, columnNames: names, delimiter: delimiter) {
                problems.append(problem)
                continue
            }
            while raw.fields.count < names.count { raw.fields.append("") }
            records.append(CSVRecord(line: raw.line, fields: raw.fields))
        }
        return CSVTable(
            file: file, delimiter: delimiter, header: header, records: records, problems: problems)
    }

    /// The one delimiter that the header line uses outside quotes, or `,` when it has none.
    ///
    /// A header that uses more than one is refused rather than guessed at:
    /// reading `email;name,status` with the wrong delimiter would silently lose the
    /// `status` column, and with it every unsubscribe.
    private func headerDelimiter() throws(InputProblem) -> CSVDelimiter {
        let found = scanner.delimitersOnLine()
        guard found.count <= 1 else {
            let names = found.map(\.shown)
            let listed = names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
            throw problem(
                line: scanner.line,
                "the header line has both \(listed) between column names; use one delimiter for "
                    + "the whole file (a column name that contains one must be in double quotes)")
        }
        return found.first ?? .comma
    }

    /// Reads the header record; a problem in it stops the file, since every later
    /// row is read by the header's column names.
    private mutating func readHeader() throws(InputProblem) -> CSVRecord {
        guard let record = try scanner.nextRecord(columnNames: []) else {
            throw problem(line: 0, Self.noHeaderRow)
        }
        if let (column, message) = record.problem {
            throw problem(line: record.line, column: column + 1, field: "header", message)
        }
        return CSVRecord(line: record.line, fields: record.fields)
    }

    /// The problem that leaves a data record out, or `nil` when the record can be used.
    ///
    /// Too many fields and a row written with another delimiter are judged here
    /// rather than while scanning, because only the header says how many columns
    /// a row should have.
    private func reasonToLeaveOut(
        _ raw: CSVScanner.RawRecord, columnNames names: [String], delimiter: CSVDelimiter
    ) -> InputProblem? {
        let width = names.count
        if let (column, message) = raw.problem {
            let name = column < width && !names[column].isEmpty ? names[column] : nil
            return problem(line: raw.line, column: column + 1, field: name, message)
        }
        if raw.fields.count > width {
            return problem(
                line: raw.line, column: width + 1,
                "the row has \(raw.fields.count) fields but the header has \(width) "
                    + "column\(width == 1 ? "" : "s"); a value that contains "
                    + "\(delimiter.shown) must be in double quotes")
        }
        if raw.fields.count == 1, width > 1, raw.sawOtherDelimiter,
            let other = Self.otherDelimiter(in: raw.fields[0], than: delimiter)
        {
            return problem(
                line: raw.line, column: 1,
                "the row has 1 field but the header has \(width) columns; it seems to use "
                    + "\(other.shown) between fields while the header uses \(delimiter.shown)")
        }
        return nil
    }

    /// The candidate delimiter, other than the file's own, that splits a value into
    /// at least two non-blank pieces: the sign of a row written with another delimiter.
    private static func otherDelimiter(in value: String, than delimiter: CSVDelimiter) -> CSVDelimiter? {
        CSVDelimiter.allCases.first { candidate in
            candidate != delimiter
                && value.utf8.split(separator: candidate.rawValue)
                    .filter { !$0.allSatisfy(CSVScanner.isBlankByte) }.count >= 2
        }
    }
}
