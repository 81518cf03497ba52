import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Rows and files that are broken in ways a spreadsheet or an old editor makes them: a cell that
/// swallowed the rest of the file, a configuration saved as Latin-1.
@Suite struct LongFieldsAndEncodingTests {
    @Test func aFieldTooLongIsABrokenRowWithItsColumn() throws {
        let long = String(repeating: "n", count: 201)
        let members =
            NetworkFixture.members
            + "long@example.org,\(long),en,newcomers,,active\n"
            + "org@example.org,Ok,en,newcomers,\(String(repeating: "o", count: 300)),active\n"
            + "segments@example.org,Ok,en,\(String(repeating: "s", count: 1001)),,active\n"
            + "fine@example.org,\(String(repeating: "n", count: 200)),en,newcomers,,active\n"
        let fixture = try NetworkFixture(["members.csv": members])
        let problems = fixture.problems().filter { $0.hasPrefix("members.csv") }
        #expect(problems.count == 3, "\(problems)")
        #expect(problems[0].hasPrefix("members.csv:4: name (column 2): 201 characters, more than the 200"))
        #expect(problems[1].hasPrefix("members.csv:5: organisation (column 5): 300 characters"))
        #expect(
            problems[2].hasPrefix("members.csv:6: segments (column 4): 1001 characters, more than the 1000"))
        #expect(problems.allSatisfy { $0.count < 400 }, "the value is shown shortened")
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let addresses = network.members.members.map(\.address.address)
        #expect(addresses.contains("fine@example.org"))
        #expect(!addresses.contains("long@example.org"), "a broken row is left out")
    }

    @Test func aPartnerContactTooLongIsRefusedToo() throws {
        let partners =
            NetworkFixture.partners + "p@example.com,Firm,company,\(String(repeating: "c", count: 250)),da\n"
        let fixture = try NetworkFixture(["partners.csv": partners])
        let problems = fixture.problems().filter { $0.hasPrefix("partners.csv") }
        #expect(problems.count == 1)
        #expect(
            problems.first?.hasPrefix("partners.csv:3: contact (column 4): 250 characters") ?? false,
            "\(problems)")
    }

    @Test func bytesThatAreNotUTF8AreNamedByLineAndColumn() throws {
        let fixture = try NetworkFixture()
        var bytes = Array(NetworkFixture.events.utf8)
        // "Onsdagshygge" → "Onsdagshygge" with a Latin-1 "ø" (0xF8) written into the description.
        let marker = Array("Vi m".utf8)
        let at = try #require(
            bytes.indices.first { Array(bytes[$0..<min($0 + marker.count, bytes.count)]) == marker })
        bytes.insert(0xF8, at: at + marker.count)
        try fixture.write("events.toml", bytes: bytes)
        let problems = fixture.problems()
        let line = String(decoding: bytes[..<at], as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).count
        let lastBreak = bytes[..<at].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = String(decoding: bytes[lastBreak..<at], as: UTF8.self).count + marker.count + 1
        #expect(
            problems.first
                == "events.toml:\(line): the file is not UTF-8 text from column \(column) (the byte 0xF8 there is not valid UTF-8; a Danish letter saved as Latin-1 looks like this); save it as UTF-8",
            "\(problems)")
    }
}
