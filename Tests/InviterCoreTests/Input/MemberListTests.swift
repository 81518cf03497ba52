import Foundation
import InviterCore
import Testing

@Suite struct MemberListTests {
    static let header = "email,name,language,segments,organisation,status\n"

    /// Loads one member list written from text.
    private func load(_ text: String, name: String = "members.csv") throws -> MemberListResult {
        let fixtures = try ListFixtures()
        return try MemberList.load([try fixtures.write(name, text)])
    }

    /// The three lists "Together" was made from: the same people with different
    /// spellings, statuses and languages, in three CSV dialects.
    @Test func mergesThreeOverlappingLists() throws {
        let fixtures = try ListFixtures()
        let herning = try fixtures.write(
            "herning.csv",
            """
            email,name,language,segments,organisation,status,city
            Mette@Example.org,Mette Hansen,da,newcomers,Westwind,active,Herning
            ole@example.org,Ole,en,sports,,active,
            ida@example.org,Ida,uk,,,unsubscribed,Ikast

            """)
        let ikast = try fixtures.write(
            "ikast.csv",
            bytes: [0xEF, 0xBB, 0xBF]
                + Array(
                    ("Email;Name;Language;Segments;Status;City\r\n"
                        + "mette@example.org;M. Hansen;en;\"Families; Newcomers\";;Ikast\r\n"
                        + "piotr@example.org;;pl;;Active;\r\n"
                        + "  OLE@example.org ;;;families;Unsubscribed;Brande\r\n").utf8))
        let together = try fixtures.write(
            "together.csv",
            "email\tname\tstatus\n"
                + "piotr@example.org\tPiotr Nowak\t\n"
                + "ida@example.org\t\tbounced\n"
                + "new@example.org\tNew Member\tactive\n"
                + "new@example.org\t\t\n")

        let result = try MemberList.load([herning, ikast, together])

        #expect(
            result.members.map(\.address.address) == [
                "Mette@Example.org", "ole@example.org", "ida@example.org", "piotr@example.org",
                "new@example.org",
            ])
        let mette = try #require(result.members.first)
        #expect(mette.name == "Mette Hansen")
        #expect(mette.address.displayName == "Mette Hansen")
        #expect(mette.language?.identifier == "da")
        #expect(mette.segments == ["families", "newcomers"])
        #expect(mette.organisation == "Westwind")
        #expect(mette.status == .active)
        #expect(mette.fields == ["city": "Herning"])
        #expect(mette.sources == ["herning.csv:2", "ikast.csv:2"])

        let ole = result.members[1]
        #expect(ole.status == .unsubscribed)
        #expect(ole.name == "Ole")
        #expect(ole.segments == ["families", "sports"])
        #expect(ole.fields == ["city": "Brande"])
        #expect(ole.sources == ["herning.csv:3", "ikast.csv:4"])

        let ida = result.members[2]
        #expect(ida.status == .bounced)
        #expect(ida.sources == ["herning.csv:4", "together.csv:3"])

        let piotr = result.members[3]
        #expect(piotr.name == "Piotr Nowak")
        #expect(piotr.address.description == "Piotr Nowak <piotr@example.org>")
        #expect(piotr.language?.identifier == "pl")
        #expect(piotr.fields == ["city": ""])

        let new = result.members[4]
        #expect(new.language == nil)
        #expect(new.sources == ["together.csv:4", "together.csv:5"])

        #expect(
            result.problems.map(\.description) == [
                "ikast.csv:2: warning: language (column 3): \"en\" differs from \"da\" given for the same "
                    + "address at herning.csv:2; keeping \"da\""
            ])
        #expect(result.problems.first?.severity == .warning)
        #expect(
            result.stats
                == MemberListStats(
                    files: 3, rows: 10, invalidRows: 0, duplicatesMerged: 5, members: 5, active: 3,
                    unsubscribed: 1, bounced: 1, byLanguage: ["da": 1, "pl": 1, "": 1]))
    }

    @Test func readsStatusCaseInsensitivelyAndDefaultsToActive() throws {
        let result = try load(
            "EMAIL , Status\na@example.org, Unsubscribed \nb@example.org,BOUNCED\nc@example.org,\n")
        #expect(result.members.map(\.status) == [.unsubscribed, .bounced, .active])
        let noStatus = try load("email\na@example.org\n")
        #expect(noStatus.members.map(\.status) == [.active])
        #expect(noStatus.members.first?.fields == [:])
    }

    @Test func normalisesSegments() throws {
        let result = try load(Self.header + "a@example.org,A,,\" Sports ;newcomers;;SPORTS, Families\",,\n")
        #expect(result.members.first?.segments == ["families", "newcomers", "sports"])
    }

    @Test func keepsAnOptOutFromAnInvalidRow() throws {
        let result = try load(
            Self.header + "anna@example.org,Anna,da,,,active\nANNA@example.org,Anna,dk,,,unsubscribed\n")
        #expect(result.members.map(\.status) == [.unsubscribed])
        #expect(result.stats.invalidRows == 1)
        #expect(result.stats.unsubscribed == 1)
        #expect(result.problems.map(\.line) == [3])
    }

    @Test func reportsEveryProblemOfARowInColumnOrder() throws {
        let result = try load(Self.header + "a@b@c,\"A\nB\",dk,,,activ\nok@example.org,OK,,,,\n")
        #expect(result.problems.map(\.field) == ["email", "name", "language", "status"])
        #expect(result.problems.map(\.line) == [2, 2, 2, 2])
        #expect(result.stats.invalidRows == 1)
        #expect(result.stats.rows == 2)
        #expect(result.members.map(\.address.address) == ["ok@example.org"])
    }

    @Test func ordersReaderAndRowProblemsByLine() throws {
        let result = try load(
            Self.header
                + "a@b@c,A,,,,\nb@example.org,B \"x\",,,,\nc@example.org,C,dk,,,\nd@example.org,D,,,,\n")
        #expect(result.problems.map(\.line) == [2, 3, 4])
        #expect(
            result.stats
                == MemberListStats(
                    files: 1, rows: 4, invalidRows: 3, members: 1, active: 1, byLanguage: ["": 1]))
    }

    @Test func loadsALargeList() throws {
        var text = Self.header
        for number in 0..<20_000 {
            let language = ["da", "en", "pl", "uk"][number % 4]
            text +=
                "member\(number % 18_000)@example.org,Member \(number),\(language),newcomers,Example A/S,active\n"
        }
        // Speed is measured by the benchmarks; here only that merging stays right at size.
        let result = try load(text)
        #expect(result.stats.rows == 20_000)
        #expect(result.stats.members == 18_000)
        #expect(result.stats.duplicatesMerged == 2_000)
    }

    /// A cell of a megabyte is a quote left open, not a note: the row is left out, the rest read.
    @Test func refusesAOneMegabyteExtraField() throws {
        let note = String(repeating: "ø", count: 1_048_576)
        let result = try load("email,note\na@example.org,\(note)\nb@example.org,short\n")
        #expect(result.members.map(\.address.address) == ["b@example.org"])
        #expect(
            result.problems.first?.description.hasPrefix("members.csv:2: note (column 2): 1048576 characters")
                ?? false)
    }

    /// A list header with no rows loads, but says so: it is usually the wrong file.
    @Test func warnsAboutAListWithoutRows() throws {
        let result = try load(Self.header)
        #expect(result.members.isEmpty)
        #expect(
            result.problems.map(\.description) == [
                "members.csv:1: warning: the list has a header but no rows"
            ])
    }

    /// Rows that are left out, with the exact message the organizer sees.
    @Test(arguments: [
        (
            "two @", "a@b@c,A,,,,",
            "members.csv:2: email (column 1): invalid address \"a@b@c\": the address has more than one '@'"
        ),
        (
            "quoted local part", "\"\"\"x\"\"@y\",X,,,,",
            "members.csv:2: email (column 1): invalid address \"\\\"x\\\"@y\": the part before '@' contains "
                + "the character '\"'"
        ),
        (
            "line break in the address", "\"anna@example.org\r\nBcc: eve@example.org\",Anna,,,,",
            "members.csv:2: email (column 1): invalid address \"anna@example.org\\r\\nBcc: "
                + "eve@example.org\": "
                + "the address contains a line break"
        ),
        ("empty address", ",Anna,da,,,", "members.csv:2: email (column 1): the email address is empty"),
        (
            "long address", String(repeating: "x", count: 1_048_576) + "@example.org,X,,,,",
            "members.csv:2: email (column 1): invalid address \"\(String(repeating: "x", count: 60))\"… "
                + "(1048588 characters): the part before '@' is longer than 64 characters"
        ),
        (
            "line break in the name", "anna@example.org,\"Anna\nBerg\",,,,",
            "members.csv:2: name (column 2): the name contains a line break; a name goes into the mail "
                + "header, "
                + "so it must be one line"
        ),
        (
            "control character in the name", "anna@example.org,Anna\u{7}Berg,,,,",
            "members.csv:2: name (column 2): the name contains the control character U+0007; a name goes "
                + "into "
                + "the mail header, so it must be plain text"
        ),
        (
            "country code for Danish", "anna@example.org,Anna,dk,,,",
            "members.csv:2: language (column 3): \"dk\" is not an ISO 639 language code; did you mean \"da\" "
                + "(Danish)?"
        ),
        (
            "country code for Ukrainian", "olha@example.org,Olha,ua,,,",
            "members.csv:2: language (column 3): \"ua\" is not an ISO 639 language code; did you mean \"uk\" "
                + "(Ukrainian)?"
        ),
        (
            "misspelt status", "anna@example.org,Anna,,,,activ",
            "members.csv:2: status (column 6): \"activ\" is not a status; did you mean \"active\"? "
                + "(use active, unsubscribed or bounced)"
        ),
        (
            "shortened status", "anna@example.org,Anna,,,,unsub",
            "members.csv:2: status (column 6): \"unsub\" is not a status; did you mean \"unsubscribed\"? "
                + "(use active, unsubscribed or bounced)"
        ),
        (
            "Danish status", "anna@example.org,Anna,,,,Afmeldt",
            "members.csv:2: status (column 6): \"Afmeldt\" is not a status; did you mean \"unsubscribed\"? "
                + "(use active, unsubscribed or bounced)"
        ),
        (
            "unknown status", "anna@example.org,Anna,,,,vip",
            "members.csv:2: status (column 6): \"vip\" is not a status (use active, unsubscribed or bounced)"
        ),
        (
            "too many fields", "anna@example.org,Berg, Anna,da,,,",
            "members.csv:2: the row has 7 fields but the header has 6 columns; a value that contains ',' "
                + "must be in double quotes"
        ),
        (
            "stray quote", "anna@example.org,Anna \"Bee\",da,,,",
            "members.csv:2: name (column 2): a quote (\") at character 6 of a field that does not start with "
                + "one; put the whole field in double quotes and double the quote inside it (\"\")"
        ),
        (
            "semicolons in a comma file", "anna@example.org;Anna;da;;;",
            "members.csv:2: the row has 1 field but the header has 6 columns; it seems to use ';' between "
                + "fields while the header uses ','"
        ),
    ])
    func leavesOutInvalidRow(_ name: String, _ row: String, _ expected: String) throws {
        let result = try load(Self.header + row + "\nok@example.org,OK,da,,,\n")
        #expect(result.problems.map(\.description) == [expected], "\(name)")
        #expect(result.problems.allSatisfy { $0.kind == .data && $0.severity == .error })
        #expect(result.members.map(\.address.address) == ["ok@example.org"])
        #expect(result.stats.rows == 2)
        #expect(result.stats.invalidRows == 1)
    }

    /// Problems that stop the lists from loading, all reported in one go.
    @Test func reportsEveryStructuralProblemAtOnce() throws {
        let fixtures = try ListFixtures()
        let files = [
            try fixtures.write("good.csv", Self.header + "a@example.org,A,da,,,\n"),
            try fixtures.write("nomail.csv", "E-mail;Navn;Sprog\nb@example.org;B;da\n"),
            fixtures.missing("gone.csv"),
            try fixtures.write(
                "latin1.csv", bytes: Array("email,name\nc@example.org,S".utf8) + [0xF8, 0x0A]),
            try fixtures.write("empty.csv", ""),
            try fixtures.write("unclosed.csv", "email,name\n\"d@example.org,D\n"),
            try fixtures.write("twice.csv", "email,Email\ne@example.org,e@example.org\n"),
        ]
        let gone = fixtures.folder.appendingPathComponent("gone.csv").path(percentEncoded: false)
        let problems = structuralProblems { () throws(InputProblems) in try MemberList.load(files) }
        #expect(
            problems == [
                "nomail.csv:1: missing the required column \"email\"; the header has \"E-mail\", \"Navn\", "
                    + "\"Sprog\"",
                "gone.csv: the file does not exist (\(gone))",
                "latin1.csv:2: name (column 2): the file is not UTF-8 (the byte 0xF8 here is not valid "
                    + "UTF-8; "
                    + "a Danish letter saved as Latin-1 looks like this); save the file as \"CSV UTF-8\" "
                    + "or convert it to UTF-8",
                "empty.csv: the file is empty",
                "unclosed.csv:2: email (column 1): the quoted field that starts on this line is never "
                    + "closed; "
                    + "a quote (\") that opens a field must be closed, and a quote inside a field must be "
                    + "doubled (\"\")",
                "twice.csv:1: Email (column 2): the column \"Email\" appears twice in the header (columns 1 "
                    + "and 2)",
            ])
    }

    @Test func namesTheDelimiterWhenTheHeaderHasOneColumn() throws {
        let fixtures = try ListFixtures()
        let file = try fixtures.write("one.csv", "mail|name\na@example.org|A\n")
        #expect(
            structuralProblems { () throws(InputProblems) in try MemberList.load([file]) } == [
                "one.csv:1: missing the required column \"email\"; the header has \"mail|name\" "
                    + "(read with ',' between columns)"
            ])
    }
}
