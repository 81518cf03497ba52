import Foundation
import InviterCore
import Testing

/// A temporary folder for list files, removed when the test is done.
///
/// Tests write their fixtures here rather than into the package, so that a
/// reader sees the exact bytes (BOM, CRLF, Latin-1) next to the expectation.
final class ListFixtures {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("inviter-lists-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Writes text as UTF-8 and returns the file in the form the loaders take.
    func write(_ name: String, _ text: String) throws -> (url: URL, displayName: String) {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes exact bytes, for encodings and line ends that a string literal would hide.
    func write(_ name: String, bytes: [UInt8]) throws -> (url: URL, displayName: String) {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return (url, name)
    }

    /// A file that is not there.
    func missing(_ name: String) -> (url: URL, displayName: String) {
        (folder.appendingPathComponent(name), name)
    }
}

/// The problems a throwing read reports, or `[]` when it does not throw.
func structuralProblems<T>(_ body: () throws(InputProblems) -> T) -> [String] {
    do {
        _ = try body()
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite struct CSVReaderTests {
    private func read(_ text: String, file: String = "list.csv") throws -> CSVTable {
        try CSVReader.read(Array(text.utf8), file: file)
    }

    @Test func readsCommaSeparatedFile() throws {
        let table = try read("email,name\nanna@example.org,Anna\nbo@example.org,Bo\n")
        #expect(table.delimiter == .comma)
        #expect(table.header == CSVRecord(line: 1, fields: ["email", "name"]))
        #expect(
            table.records == [
                CSVRecord(line: 2, fields: ["anna@example.org", "Anna"]),
                CSVRecord(line: 3, fields: ["bo@example.org", "Bo"]),
            ])
        #expect(table.problems.isEmpty)
        #expect(table.rowCount == 2)
    }

    @Test func readsDanishExcelExportWithBOMSemicolonsAndCRLF() throws {
        let bytes: [UInt8] =
            [0xEF, 0xBB, 0xBF]
            + Array("Email;Navn;Organisation\r\nsoeren@example.dk;Søren Ærø;Westwind, Lem\r\n".utf8)
        let table = try CSVReader.read(bytes, file: "medlemmer.csv")
        #expect(table.delimiter == .semicolon)
        #expect(table.columnNames == ["Email", "Navn", "Organisation"])
        #expect(table.columnIndex(named: "email") == 0)
        #expect(
            table.records == [
                CSVRecord(line: 2, fields: ["soeren@example.dk", "Søren Ærø", "Westwind, Lem"])
            ])
    }

    @Test func readsTabSeparatedFile() throws {
        let table = try read("email\tname\tsegments\nanna@example.org\tAnna\tnewcomers;families\n")
        #expect(table.delimiter == .tab)
        #expect(table.records[0].fields == ["anna@example.org", "Anna", "newcomers;families"])
    }

    @Test func readsQuotedFieldsWithDelimitersQuotesAndLineBreaks() throws {
        let text =
            "email,name,note\r\n"
            + "anna@example.org,\"Berg, Anna\",\"She said \"\"hej\"\"\"\r\n"
            + "bo@example.org,Bo,\"first line\r\nsecond line\nthird line\"\r\n"
            + "carl@example.org,Carl,\"\"\r\n"
        let table = try read(text)
        #expect(
            table.records == [
                CSVRecord(line: 2, fields: ["anna@example.org", "Berg, Anna", "She said \"hej\""]),
                CSVRecord(
                    line: 3, fields: ["bo@example.org", "Bo", "first line\r\nsecond line\nthird line"]),
                CSVRecord(line: 6, fields: ["carl@example.org", "Carl", ""]),
            ])
    }

    @Test func countsLinesForLoneCarriageReturns() throws {
        let table = try read("email,name\ra@example.org,\"A\rB\"\rb@example.org,B")
        #expect(table.records.map(\.line) == [2, 4])
        #expect(table.records[0].fields == ["a@example.org", "A\rB"])
    }

    @Test func skipsBlankLinesAndEmptySpreadsheetRows() throws {
        let table = try read("\n\nemail;name\n\na@example.org;A\n;;\n   \n\nb@example.org;B\n\n")
        #expect(table.header.line == 3)
        #expect(table.records.map(\.line) == [5, 9])
        #expect(table.rowCount == 2)
    }

    @Test func fillsMissingFieldsAndRefusesExtraOnes() throws {
        let table = try read("email,name,language\na@example.org\nb@example.org,B,da,\n")
        #expect(table.records == [CSVRecord(line: 2, fields: ["a@example.org", "", ""])])
        #expect(
            table.problems.map(\.description) == [
                "list.csv:3: the row has 4 fields but the header has 3 columns; a value that contains ',' "
                    + "must be in double quotes"
            ])
        #expect(table.problems.first?.column == 4)
    }

    @Test func ignoresSpacesAroundQuotedFields() throws {
        let table = try read("email, name\na@example.org, \"Berg, Anna\" \n")
        #expect(table.records[0].fields == ["a@example.org", "Berg, Anna"])
        #expect(table.columnIndex(named: "NAME") == 1)
    }

    @Test func readsOneMegabyteField() throws {
        let big = String(repeating: "æ\"", count: 350_000)
        let quoted = big.replacingOccurrences(of: "\"", with: "\"\"")
        let table = try read("email,note\na@example.org,\"\(quoted)\"\nb@example.org,short\n")
        #expect(table.records.count == 2)
        #expect(table.records[0].fields[1] == big)
        #expect(table.records[0].fields[1].utf8.count == 1_050_000)
        #expect(table.records[1].line == 3)
    }

    @Test func readsManyRows() throws {
        var text = "email,name,language,segments,organisation,status\n"
        for number in 0..<20_000 {
            text +=
                "member\(number)@example.org,Member \(number),da,\"newcomers;families\",Example A/S,active\n"
        }
        // Speed is measured by the benchmarks; here only that every row arrives with its line.
        let table = try read(text)
        #expect(table.records.count == 20_000)
        #expect(table.records.last?.line == 20_001)
    }

    @Test func readsFromDisk() throws {
        let fixtures = try ListFixtures()
        let file = try fixtures.write("list.csv", "email\na@example.org\n")
        let table = try CSVReader.read(contentsOf: file.url, file: file.displayName)
        #expect(table.records == [CSVRecord(line: 2, fields: ["a@example.org"])])
        #expect(
            structuralProblems { () throws(InputProblems) in
                try CSVReader.read(contentsOf: fixtures.folder, file: "folder")
            } == ["folder: this is a folder, not a file (\(fixtures.folder.path(percentEncoded: false)))"])
    }

    /// Inputs that stop the whole file, with the exact message a person sees.
    @Test(
        arguments: [
            ("empty", [], "list.csv: the file is empty"),
            ("BOM only", [0xEF, 0xBB, 0xBF], "list.csv: the file is empty"),
            (
                "blank lines only", Array("\r\n\n  \n".utf8),
                "list.csv: the file has only blank lines, no header row"
            ),
            (
                "UTF-16", [0xFF, 0xFE, 0x65, 0x00],
                "list.csv: the file is UTF-16, not UTF-8; save it as \"CSV UTF-8\" (in Excel) or convert it "
                    + "to UTF-8"
            ),
            (
                "Latin-1",
                Array("email,name\na@example.org,A\nb@example.org,S".utf8) + [0xF8] + Array("ren\n".utf8),
                "list.csv:3: name (column 2): the file is not UTF-8 (the byte 0xF8 here is not valid UTF-8; "
                    + "a Danish letter saved as Latin-1 looks like this); save the file as \"CSV UTF-8\" "
                    + "or convert it to UTF-8"
            ),
            (
                "Latin-1 in a later line of a quoted field",
                Array("email,note\na@example.org,\"one\ntw".utf8) + [0xE5, 0x22, 0x0A],
                "list.csv:3: the file is not UTF-8 (the byte 0xE5 here is not valid UTF-8; "
                    + "a Danish letter saved as Latin-1 looks like this); save the file as \"CSV UTF-8\" "
                    + "or convert it to UTF-8"
            ),
            (
                "unterminated quote",
                Array("email,name\na@example.org,A\nb@example.org,\"Bo\nc@example.org,C\n".utf8),
                "list.csv:3: name (column 2): the quoted field that starts on this line is never closed; "
                    + "a quote (\") that opens a field must be closed, and a quote inside a field must be "
                    + "doubled (\"\")"
            ),
            (
                "mixed delimiters in the header", Array("email;name,status\na@example.org;A;active\n".utf8),
                "list.csv:1: the header line has both ',' and ';' between column names; use one delimiter "
                    + "for "
                    + "the whole file (a column name that contains one must be in double quotes)"
            ),
            (
                "stray quote in the header", Array("email,na\"me\n".utf8),
                "list.csv:1: header (column 2): a quote (\") at character 3 of a field that does not start "
                    + "with one; put the whole field in double quotes and double the quote inside it (\"\")"
            ),
        ] as [(String, [UInt8], String)])
    func refusesFile(_ name: String, _ bytes: [UInt8], _ expected: String) {
        let problems = structuralProblems { () throws(InputProblems) in
            try CSVReader.read(bytes, file: "list.csv")
        }
        #expect(problems == [expected], "\(name)")
    }

    /// Rows that are left out while the rest of the file loads.
    @Test(arguments: [
        (
            "stray quote", "email,name\na@example.org,Anna \"Bee\" Berg\nb@example.org,B\n",
            "list.csv:2: name (column 2): a quote (\") at character 6 of a field that does not start "
                + "with one; put the whole field in double quotes and double the quote inside it (\"\")"
        ),
        (
            "text after a closing quote", "email,name\n\"x\"@example.org,X\nb@example.org,B\n",
            "list.csv:2: email (column 1): text after the closing quote at character 4 of the field; put the "
                + "whole field in double quotes and double the quotes inside it (\"\")"
        ),
        (
            "too many fields", "email,name\na@example.org,Berg, Anna\nb@example.org,B\n",
            "list.csv:2: the row has 3 fields but the header has 2 columns; a value that contains ',' "
                + "must be in double quotes"
        ),
        (
            "a row with another delimiter",
            "email,name,language\na@example.org;Anna;da\nb@example.org,B,da\n",
            "list.csv:2: the row has 1 field but the header has 3 columns; it seems to use ';' between "
                + "fields while the header uses ','"
        ),
    ])
    func leavesOutRow(_ name: String, _ text: String, _ expected: String) throws {
        let table = try read(text)
        #expect(table.problems.map(\.description) == [expected], "\(name)")
        #expect(table.records.map(\.fields.first) == ["b@example.org"])
        #expect(table.rowCount == 2)
    }

    @Test func reportsTheRowAfterAMultiLineField() throws {
        let table = try read("email,note\na@example.org,\"one\ntwo\nthree\"\nb@example.org,x\"y\n")
        #expect(table.records.map(\.line) == [2])
        #expect(table.problems.map(\.line) == [5])
        #expect(table.problems.first?.column == 2)
        #expect(table.problems.first?.field == "note")
    }
}
