import Foundation

/// The character between fields, taken from the header line.
///
/// Danish Excel writes `;` (the comma is the decimal separator there), other
/// spreadsheets and sign-up forms write `,`, and "Unicode text" exports use a tab.
public enum CSVDelimiter: UInt8, Sendable, CaseIterable {
    case comma = 0x2C
    case semicolon = 0x3B
    case tab = 0x09

    /// How a message names the delimiter.
    public var shown: String {
        switch self {
        case .comma: return "','"
        case .semicolon: return "';'"
        case .tab: return "tab"
        }
    }
}

/// One record of a CSV file: its values and where it starts.
public struct CSVRecord: Sendable, Hashable {
    /// The 1-based physical line where the record starts, even when an earlier
    /// field spans several lines; this is the line every message about the row names.
    public var line: Int
    /// The values in column order: `fields[i]` is column `i + 1`. For data records
    /// there are exactly as many as the header has columns (missing ones are empty).
    /// Values are as written, without the surrounding quotes and with `""` undoubled;
    /// they are not trimmed.
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    /// The value in a 0-based column, or `""` when the record has no such column.
    public subscript(index: Int) -> String { fields.indices.contains(index) ? fields[index] : "" }
}

/// A CSV file read into a header and records, with the rows that had to be left out.
public struct CSVTable: Sendable {
    /// The file's name as the user sees it, used in every problem.
    public var file: String
    /// The delimiter found in the header line.
    public var delimiter: CSVDelimiter
    /// The header record; its fields are the column names as written.
    public var header: CSVRecord
    /// The data records that could be read, in file order; blank lines are not records.
    public var records: [CSVRecord]
    /// One problem for each row that could not be read (a stray quote, too many
    /// fields); those rows are not in `records`.
    public var problems: [InputProblem]

    public init(
        file: String, delimiter: CSVDelimiter, header: CSVRecord, records: [CSVRecord],
        problems: [InputProblem]
    ) {
        self.file = file
        self.delimiter = delimiter
        self.header = header
        self.records = records
        self.problems = problems
    }

    /// Data rows read, including those left out.
    public var rowCount: Int { records.count + problems.count }

    /// The column names trimmed of white space, in order.
    public var columnNames: [String] { header.fields.map { $0.trimmingSpaceSeparators() } }

    /// The 0-based index of a column, matched trimmed and case-insensitively, or `nil`.
    public func columnIndex(named name: String) -> Int? {
        let wanted = name.lowercased()
        return columnNames.firstIndex { $0.lowercased() == wanted }
    }
}

/// Reads CSV files as RFC 4180 describes them, the way spreadsheets write them.
///
/// Written by hand because every message about a member list must name the line
/// where the row starts, and the CSV libraries at hand do not report it. It works
/// on bytes rather than `Character`s so that lists of 100 000 rows load in a
/// fraction of a second.
///
/// What it accepts:
/// - UTF-8 with or without a byte order mark; CRLF, LF or lone CR line ends.
/// - `,`, `;` or tab between fields, whichever the header line uses outside quotes.
/// - Quoted fields holding the delimiter, line breaks and doubled quotes (`""`);
///   spaces before an opening or after a closing quote are ignored, since people
///   who write CSV by hand put them after the comma.
/// - Blank lines, and rows whose fields are all empty (a spreadsheet writes empty
///   rows as `;;;;`), are skipped.
/// - A row with fewer fields than the header gets empty values.
///
/// What stops the whole file (thrown as ``InputProblems``): an empty file, bytes
/// that are not UTF-8, a quote that is never closed (it swallows the rest of the
/// file), and a header line that mixes delimiters or cannot be read.
///
/// What leaves out one row (in ``CSVTable/problems``): a quote inside an unquoted
/// field, text after a closing quote, more fields than the header has columns
/// (even empty ones: an unquoted delimiter in a name shifts every later value,
/// and a row read with shifted values would be worse than one left out), and a
/// row written with a different delimiter than the header.
public enum CSVReader {
    /// Reads a file from disk.
    ///
    /// - Parameters:
    ///   - url: Where the file is.
    ///   - file: The name to show in messages (relative to the working directory where possible).
    ///   - kind: Whether problems are data (member lists) or configuration problems.
    /// - Throws: ``InputProblems`` when the file is missing, unreadable or cannot be read as CSV.
    public static func read(contentsOf url: URL, file: String, kind: InputProblem.Kind = .data)
        throws(InputProblems) -> CSVTable
    {
        let bytes = try readBytes(url, file: file, kind: kind)
        return try read(bytes, file: file, kind: kind)
    }

    /// Reads CSV from bytes already in memory.
    ///
    /// - Parameters:
    ///   - bytes: The file's content.
    ///   - file: The name to show in messages.
    ///   - kind: Whether problems are data (member lists) or configuration problems.
    /// - Throws: ``InputProblems`` with one problem when the file as a whole cannot be read.
    public static func read(_ bytes: [UInt8], file: String, kind: InputProblem.Kind = .data)
        throws(InputProblems) -> CSVTable
    {
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(InputProblem) in
                var parser = CSVParser(bytes: buffer, file: file, kind: kind)
                return try parser.parse()
            }
        } catch {
            throw InputProblems([error])
        }
    }

    /// Loads a file's bytes, turning the file system's errors into a message for a person.
    static func readBytes(_ url: URL, file: String, kind: InputProblem.Kind) throws(InputProblems) -> [UInt8]
    {
        let path = url.path(percentEncoded: false)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputProblems([
                InputProblem(file: file, line: 0, message: "the file does not exist (\(path))", kind: kind)
            ])
        }
        guard !isDirectory.boolValue else {
            throw InputProblems([
                InputProblem(
                    file: file, line: 0, message: "this is a folder, not a file (\(path))", kind: kind)
            ])
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw InputProblems([
                InputProblem(
                    file: file, line: 0, message: "the file cannot be read: \(error.localizedDescription)",
                    kind: kind)
            ])
        }
    }
}

// MARK: - Trimming

extension String {
    /// Trims spaces, tabs and the other Unicode space separators (the no-break space
    /// that web forms and Excel leave behind), but not line breaks: those must reach
    /// validation so that it can refuse them.
    ///
    /// Written on scalars because Foundation's `trimmingCharacters(in:)` goes through
    /// `NSString` on Linux and was most of the time spent loading a large list.
    func trimmingSpaceSeparators() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
            first.isSpaceSeparator || last.isSpaceSeparator
        else { return self }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].isSpaceSeparator { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].isSpaceSeparator {
            end = scalars.index(before: end)
        }
        return String(scalars[start..<end])
    }
}

extension Unicode.Scalar {
    /// A tab or a space separator (category Zs), as in `CharacterSet.whitespaces`.
    fileprivate var isSpaceSeparator: Bool {
        self == " " || self == "\t" || (value >= 0x80 && properties.generalCategory == .spaceSeparator)
    }
}

// MARK: - Columns

extension CSVTable {
    /// Finds the named columns, or explains which are missing or doubled.
    ///
    /// - Parameters:
    ///   - required: Columns the list cannot do without.
    ///   - optional: Columns with a meaning of their own; any other column is an extra one.
    /// - Returns: The 0-based index of every required and optional column that is present.
    /// - Throws: ``InputProblems`` naming the header line and the columns found, so the
    ///   organizer can see at once that, say, the column is called `E-mail`.
    func locateColumns(required: [String], optional: [String], kind: InputProblem.Kind) throws(InputProblems)
        -> [String: Int]
    {
        var problems: [InputProblem] = []
        var firstSeen: [String: Int] = [:]
        for (index, name) in columnNames.enumerated() where !name.isEmpty {
            let key = name.lowercased()
            if let earlier = firstSeen[key] {
                problems.append(
                    InputProblem(
                        file: file, line: header.line, column: index + 1, field: name,
                        message: "the column \(name.debugDescription) appears twice in the header "
                            + "(columns \(earlier + 1) and \(index + 1))",
                        kind: kind))
            } else {
                firstSeen[key] = index
            }
        }
        let missing = required.filter { firstSeen[$0] == nil }
        if !missing.isEmpty {
            let names = missing.map(\.debugDescription)
            let wanted =
                names.count == 1
                ? "the required column \(names[0])"
                : "the required columns \(names.dropLast().joined(separator: ", ")) and "
                    + "\(names[names.count - 1])"
            let found = columnNames.map(\.debugDescription).joined(separator: ", ")
            let delimiterNote =
                columnNames.count == 1 ? " (read with \(delimiter.shown) between columns)" : ""
            problems.append(
                InputProblem(
                    file: file, line: header.line,
                    message: "missing \(wanted); the header has \(found)\(delimiterNote)", kind: kind))
        }
        if !problems.isEmpty { throw InputProblems(problems) }
        var located: [String: Int] = [:]
        for name in required + optional { located[name] = firstSeen[name] }
        return located
    }
}
