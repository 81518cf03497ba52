import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `[mailbox]` and `[delivery] return_path`: what cannot work, or would expose the password, is a
/// `file:line` error before anything is read or sent.
@Suite struct MailboxConfigurationTests {
    static let mailbox = """
        [mailbox]
        url = "imap://mail.example.org/INBOX"
        username = "bounces@example.org"
        password_env = "INVITER_MAILBOX_PASSWORD"

        """
    static let web = """
        [web]
        base_url = "https://example.org/inviter"
        secret_env = "INVITER_SECRET"

        """

    @Test func aMailboxAndAReturnPathLoad() throws {
        let config =
            NetworkFixture.config.replacingOccurrences(
                of: "state = \"state\"",
                with: "state = \"state\"\nreturn_path = \"bounces+{token}@example.org\"")
            + Self.web + Self.mailbox
        let fixture = try NetworkFixture(["inviter.toml": config])
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        let configuration = try NetworkLoader.load(configuration: fixture.configURL).configuration
        let mailbox = try #require(configuration.mailbox)
        #expect(mailbox.server.base == "imap://mail.example.org")
        #expect(mailbox.server.folder == "INBOX")
        #expect(mailbox.tls == .starttls)
        #expect(mailbox.password == .environment("INVITER_MAILBOX_PASSWORD"))
        #expect(configuration.delivery.returnPath?.prefix == "bounces+")
        let summary = CheckSummary(try NetworkLoader.load(configuration: fixture.configURL), now: Date())
            .lines
        #expect(
            summary.contains(
                "Mailbox: imap://mail.example.org/INBOX as bounces@example.org, starttls; "
                    + "read by inviter mailbox and before each run"))
        #expect(summary.contains("Return path: bounces+{token}@example.org (a token per delivery)"))
    }

    static let broken: [(name: String, replace: String, with: String, words: [String])] = [
        (
            "clear text to another host", "username =", "tls = \"none\"\nusername =",
            ["mailbox.url", "clear text", "mail.example.org"]
        ),
        (
            "imaps with starttls", "imap://mail.example.org/INBOX", "imaps://mail.example.org/INBOX",
            ["mailbox.url", "implicit TLS"]
        ),
        ("not imap", "imap://mail.example.org/INBOX", "pop3://mail.example.org", ["mailbox.url", "imap://"]),
        (
            "a password in the url", "imap://mail.example.org/INBOX",
            "imap://bounces:pw@mail.example.org/INBOX",
            ["mailbox.url", "user or password"]
        ),
        (
            "a UID in the url", "imap://mail.example.org/INBOX", "imap://mail.example.org/INBOX;UID=3",
            ["mailbox.url", "folder only"]
        ),
        (
            "a password in the file", "password_env = \"INVITER_MAILBOX_PASSWORD\"", "password = \"hunter2\"",
            ["mailbox.password", "never goes in the configuration"]
        ),
        ("no username", "username = \"bounces@example.org\"\n", "", ["mailbox.username", "required"]),
    ]

    @Test(arguments: 0..<broken.count)
    func aMailboxThatCannotWorkIsRefusedWithItsLine(_ index: Int) throws {
        let broken = Self.broken[index]
        let config =
            NetworkFixture.config + Self.mailbox.replacingOccurrences(of: broken.replace, with: broken.with)
        let problems = try NetworkFixture(["inviter.toml": config]).problems()
        #expect(
            problems.contains { $0.hasPrefix("inviter.toml:") && broken.words.allSatisfy($0.contains) },
            "\(broken.name): \(problems)")
        #expect(!problems.joined().contains("hunter2"))
    }

    @Test(arguments: [
        ("bounces@example.org", "must contain {token} once"),
        ("bounces+{token}@", "is not an address"),
        ("a-very-long-prefix-that-leaves-no-room+{token}@example.org", "within 21 bytes"),
    ])
    func aReturnPathThatCannotWorkIsRefusedWithItsLine(_ value: String, _ words: String) throws {
        let config =
            NetworkFixture.config.replacingOccurrences(
                of: "state = \"state\"", with: "state = \"state\"\nreturn_path = \"\(value)\"") + Self.web
        let problems = try NetworkFixture(["inviter.toml": config]).problems()
        #expect(
            problems.contains {
                $0.hasPrefix("inviter.toml:") && $0.contains("delivery.return_path") && $0.contains(words)
            },
            "\(problems)")
    }

    @Test func aReturnPathNeedsTheLinkSecret() throws {
        let config = NetworkFixture.config.replacingOccurrences(
            of: "state = \"state\"", with: "state = \"state\"\nreturn_path = \"bounces+{token}@example.org\"")
        let problems = try NetworkFixture(["inviter.toml": config]).problems()
        #expect(problems.contains { $0.contains("return_path") && $0.contains("link secret") }, "\(problems)")
    }
}
