import Foundation
import InviterCore
import InviterTestSupport
import Testing

@Suite struct MailAddressTests {
    @Test(arguments: [
        "mette@example.org", "a.b+tag@mail.example.com", "o'brien@example.org", "  padded@example.org\t",
    ])
    func acceptsPlainAddresses(_ text: String) throws {
        let address = try MailAddress(text, source: "members.csv:2: email")
        #expect(address.address == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: [
        ("a@example.org\r\nRCPT TO:<x@example.com>", "line break"),
        ("a@example.org\nBcc: x@example.com", "line break"),
        ("a\0@example.org", "NUL"),
        ("a b@example.org", "white space"),
        ("<a@example.org>", "angle bracket"),
        ("a@b@example.org", "more than one '@'"),
        ("example.org", "no '@'"),
        ("@example.org", "before '@' is empty"),
        ("a@", "domain after '@' is empty"),
        ("a..b@example.org", "empty dot-separated piece"),
        ("a@example..org", "empty label"),
        ("\"ab\"@example.org", "character '\"'"),
        ("a,b@example.org", "character ','"),
        ("jørgen@example.org", "non-ASCII"),
        ("a@exa_mple.org", "character '_'"),
    ])
    func refusesUnsafeAddresses(_ text: String, _ reason: String) {
        #expect {
            try MailAddress(text, source: "members.csv:7: email")
        } throws: { error in
            let description = String(describing: error)
            return description.hasPrefix("members.csv:7: email: invalid address")
                && description.contains(reason)
        }
    }

    @Test func parsesNameAndAddress() throws {
        let address = try MailAddress(parsing: "International Society <events@example.org>")
        #expect(address.address == "events@example.org")
        #expect(address.displayName == "International Society")
        #expect(address.domain == "example.org")
        let quoted = try MailAddress(parsing: "\"Doe, Jane\" <jane@example.org>")
        #expect(quoted.displayName == "Doe, Jane")
        let bare = try MailAddress(parsing: "hello@example.org")
        #expect(bare.displayName == nil)
        #expect(throws: AddressError.self) { try MailAddress(parsing: "Name <a@example.org") }
    }

    /// Lists are merged and indexed by this key: capitals are folded, and an address without any
    /// is its own key.
    @Test func keysFoldCase() throws {
        #expect(try MailAddress("Amina.Hassan@Example.org").key == "amina.hassan@example.org")
        #expect(try MailAddress("anna@example.org").key == "anna@example.org")
        #expect(try MailAddress("  anna@example.org ").address == "anna@example.org")
    }
}

@Suite struct MailAddressParsingTests {
    @Test(arguments: [
        "a@example.org\r\nRCPT TO:<b@example.org>", "Eve\n <eve@example.org>", "Name <<a@example.org>",
        "x\0 <a@example.org>",
    ])
    func refusesForgedNameAndAddressText(_ text: String) {
        #expect(throws: AddressError.self) { try MailAddress(parsing: text, source: "--to") }
    }
}
