import Foundation
import InviterCore
import Testing

@Suite struct PartnerListTests {
    static let header = "email,organisation,kind,contact,language\n"

    private func load(_ text: String, name: String = "partners.csv") throws -> PartnerListResult {
        let fixtures = try ListFixtures()
        return try PartnerList.load(try fixtures.write(name, text))
    }

    @Test func loadsEveryKind() throws {
        let result = try load(
            "Email;Organisation;Kind;Contact;Language\r\n"
                + "hr@westwind.example;Westwind;Company;Kirsten Holm;da\r\n"
                + "io@via.example;Campus Nord University College;SCHOOL;;en\r\n"
                + "herning@laerdansk.example;Lærdansk Herning;lærdansk;;\r\n"
                + "holstebro@laerdansk.example;Lærdansk Holstebro; Laerdansk ;;\r\n"
                + "bibliotek@herning.example;Herning Bibliotekerne;other;\"Jens \"\"JJ\"\" Juhl\";\r\n")
        #expect(result.problems.isEmpty)
        #expect(result.partners.map(\.kind) == [.company, .school, .laerdansk, .laerdansk, .other])
        let westwind = try #require(result.partners.first)
        #expect(westwind.address.description == "Kirsten Holm <hr@westwind.example>")
        #expect(westwind.organisation == "Westwind")
        #expect(westwind.contact == "Kirsten Holm")
        #expect(westwind.language?.identifier == "da")
        #expect(westwind.source == "partners.csv:2")
        #expect(result.partners[2].language == nil)
        #expect(result.partners[4].contact == "Jens \"JJ\" Juhl")
        #expect(
            result.stats
                == PartnerListStats(
                    rows: 5, invalidRows: 0, partners: 5,
                    byKind: [.company: 1, .school: 1, .laerdansk: 2, .other: 1]))
    }

    @Test func countsEveryKindEvenWhenAbsent() throws {
        let result = try load("email,organisation,kind\nhr@westwind.example,Westwind,company\n")
        #expect(result.stats.byKind == [.company: 1, .school: 0, .laerdansk: 0, .other: 0])
    }

    @Test func leavesOutADuplicateAddressNamingTheEarlierLine() throws {
        let result = try load(
            Self.header
                + "hr@westwind.example,Westwind,company,,\n"
                + "io@via.example,Campus Nord,school,,\n"
                + "HR@Westwind.example,Westwind Wind,company,,\n")
        #expect(result.partners.map(\.organisation) == ["Westwind", "Campus Nord"])
        #expect(
            result.problems.map(\.description) == [
                "partners.csv:4: email (column 1): the address \"HR@Westwind.example\" is already listed on "
                    + "line 2; "
                    + "each partner address may appear once"
            ])
        #expect(
            result.stats
                == PartnerListStats(
                    rows: 3, invalidRows: 1, partners: 2,
                    byKind: [.company: 1, .school: 1, .laerdansk: 0, .other: 0]))
    }

    /// Rows that are left out, with the exact message the organizer sees.
    @Test(arguments: [
        (
            "a firm", "hr@westwind.example,Westwind,firm,,",
            "partners.csv:2: kind (column 3): \"firm\" is not a partner kind; did you mean \"company\"? "
                + "(use company, school, laerdansk or other)"
        ),
        (
            "Danish word", "hr@westwind.example,Westwind,Virksomhed,,",
            "partners.csv:2: kind (column 3): \"Virksomhed\" is not a partner kind; did you mean "
                + "\"company\"? "
                + "(use company, school, laerdansk or other)"
        ),
        (
            "typo", "io@via.example,Campus Nord,shcool,,",
            "partners.csv:2: kind (column 3): \"shcool\" is not a partner kind; did you mean \"school\"? "
                + "(use company, school, laerdansk or other)"
        ),
        (
            "empty kind", "io@via.example,Campus Nord,,,",
            "partners.csv:2: kind (column 3): the kind is empty (use company, school, laerdansk or other)"
        ),
        (
            "empty organisation", "io@via.example,,school,,",
            "partners.csv:2: organisation (column 2): the organisation is empty"
        ),
        (
            "two @", "a@b@c,Westwind,company,,",
            "partners.csv:2: email (column 1): invalid address \"a@b@c\": the address has more than one '@'"
        ),
        (
            "line break in the contact",
            "hr@westwind.example,Westwind,company,\"Kirsten\r\nBcc: eve@example.org\",",
            "partners.csv:2: contact (column 4): the contact contains a line break; a name goes into the "
                + "mail "
                + "header, so it must be one line"
        ),
        (
            "country code", "hr@westwind.example,Westwind,company,,dk",
            "partners.csv:2: language (column 5): \"dk\" is not an ISO 639 language code; did you mean "
                + "\"da\" "
                + "(Danish)?"
        ),
    ])
    func leavesOutInvalidRow(_ name: String, _ row: String, _ expected: String) throws {
        let result = try load(Self.header + row + "\nok@example.org,OK,other,,\n")
        #expect(result.problems.map(\.description) == [expected], "\(name)")
        #expect(result.partners.map(\.address.address) == ["ok@example.org"])
        #expect(result.stats.rows == 2)
        #expect(result.stats.invalidRows == 1)
    }

    @Test func refusesAListWithoutTheRequiredColumns() throws {
        let fixtures = try ListFixtures()
        let file = try fixtures.write(
            "partners.csv", "email,organisation,contact\nhr@westwind.example,Westwind,\n")
        #expect(
            structuralProblems { () throws(InputProblems) in try PartnerList.load(file) } == [
                "partners.csv:1: missing the required column \"kind\"; the header has \"email\", "
                    + "\"organisation\", "
                    + "\"contact\""
            ])
        let bare = try fixtures.write("bare.csv", "email\nhr@westwind.example\n")
        #expect(
            structuralProblems { () throws(InputProblems) in try PartnerList.load(bare) } == [
                "bare.csv:1: missing the required columns \"organisation\" and \"kind\"; the header has "
                    + "\"email\""
                    + " (read with ',' between columns)"
            ])
    }

    @Test func refusesAMissingOrEmptyFile() throws {
        let fixtures = try ListFixtures()
        let missing = fixtures.missing("partners.csv")
        let path = missing.url.path(percentEncoded: false)
        #expect(
            structuralProblems { () throws(InputProblems) in try PartnerList.load(missing) } == [
                "partners.csv: the file does not exist (\(path))"
            ])
        let empty = try fixtures.write("empty.csv", "")
        #expect(
            structuralProblems { () throws(InputProblems) in try PartnerList.load(empty) } == [
                "empty.csv: the file is empty"
            ])
    }

    @Test func warnsAboutAListWithoutRows() throws {
        let result = try load(Self.header + "\n,,,,\n")
        #expect(result.partners.isEmpty)
        #expect(
            result.problems.map(\.description) == [
                "partners.csv:1: warning: the list has a header but no rows"
            ])
    }
}
