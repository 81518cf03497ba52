import Foundation
import InviterTestSupport
import Synchronization
import Testing

@testable import InviterCore

/// The IMAP session against a real Dovecot: what its fetches do to the messages' flags.
@Suite(.serialized) struct IMAPSessionTests {
    static func settings(_ dovecot: DovecotServer, folder: String) -> Configuration.Mailbox {
        Configuration.Mailbox(
            url: "imap://127.0.0.1:\(dovecot.port)/\(folder)", tls: .starttls, username: dovecot.user,
            password: .environment("UNUSED"), caFile: dovecot.certificate?.certificate, timeout: 20)
    }

    static func message(_ number: Int) -> [UInt8] {
        Array(
            "From: mailer-daemon@example.com\r\nTo: bounces@example.org\r\nSubject: report \(number)\r\n\r\nbody \(number)\r\n"
                .utf8)
    }

    /// The fetching connections read without marking read, so that only the reader decides what is
    /// read (50 at a time); a plain session's fetch marks it read, which is what the reader avoids.
    @Test(arguments: ["INBOX", "Inviter \"bounces\""])
    func aReadOnlySessionFetchesWithoutMarkingRead(folder: String) throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        let inbox = folder == "INBOX"
        try dovecot.deliver((1...3).map(Self.message), into: inbox ? nil : folder)
        let encoded = folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder
        let settings = Self.settings(dovecot, folder: encoded)
        let password = Secret(dovecot.password)

        let reader = try IMAPSession.readOnly(settings: settings, password: password, trace: nil)
        #expect(try reader.fetch(1, limit: 1 << 20).text?.contains("Subject: report 1") == true)
        #expect(try reader.fetch(2, limit: 1 << 20).text != nil)
        #expect(try dovecot.messages(in: inbox ? nil : folder).allSatisfy { !$0.seen })

        let session = try IMAPSession(settings: settings, password: password, trace: nil)
        try session.open()
        #expect(try session.search("UNSEEN UID 1:*") == [1, 2, 3])
        _ = try session.fetch(3, limit: 1 << 20)
        #expect(try session.search("UNSEEN UID 1:*") == [1, 2])
        try session.store([1], "+FLAGS.SILENT (\\Seen)")
        #expect(try dovecot.messages(in: inbox ? nil : folder).map(\.seen) == [true, false, true])
    }

    @Test func aFolderIsQuotedAsAnIMAPStringOrNotExamined() {
        #expect(IMAPSession.quotedFolder("INBOX") == "\"INBOX\"")
        #expect(IMAPSession.quotedFolder("Inviter%20%22bounces%22%5C") == #""Inviter \"bounces\"\\""#)
        // A line break would end the command early; 8-bit names need modified UTF-7.
        #expect(IMAPSession.quotedFolder("a%0D%0ANOOP") == nil)
        #expect(IMAPSession.quotedFolder("Bounces%C3%A6") == nil)
        #expect(IMAPSession.quotedFolder("bad%zz") == nil)
    }

    /// Another client (a person's mail program, a clean-up on the server) removes a message after
    /// the search: its fetch says it is gone, and the session goes on, still read-only.
    @Test func aMessageRemovedAfterTheSearchIsGoneAndTheSessionGoesOn() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.deliver((1...3).map(Self.message))
        let settings = Self.settings(dovecot, folder: "INBOX")
        let password = Secret(dovecot.password)
        let lines = TraceLines()
        let reader = try IMAPSession.readOnly(settings: settings, password: password, trace: lines.add)
        let session = try IMAPSession(settings: settings, password: password, trace: nil)
        try session.open()
        #expect(try session.search("UID 1:*") == [1, 2, 3])

        try dovecot.remove(try dovecot.messages()[1].name)
        #expect(try reader.fetch(2, limit: 1 << 20) == .gone)
        #expect(try reader.fetch(3, limit: 1 << 20).text?.contains("Subject: report 3") == true)
        #expect(
            try dovecot.messages().map(\.seen) == [false, false], "the new connection was EXAMINEd again")
        // The commands of the new connection are traced like the first one's; the password never.
        #expect(lines.all.contains { $0.contains("> B") && $0.contains("UID SEARCH UID 2") }, "\(lines.all)")
        #expect(!lines.all.contains { $0.contains(dovecot.password) })

        #expect(try session.fetch(2, limit: 1 << 20) == .gone)
        try session.store([1, 2, 3], "+FLAGS.SILENT (\\Seen)")
        #expect(try session.search("UNSEEN UID 1:*") == [])
        #expect(try session.search("UID 1:*") == [1, 3])
    }

    /// A mistyped folder is the configuration's fault, with the server's words; libcurl itself
    /// reports a refused SELECT as a refused login.
    @Test func aFolderTheServerDoesNotHaveIsAConfigurationError() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        let settings = Self.settings(dovecot, folder: "Bounce")
        let session = try IMAPSession(settings: settings, password: Secret(dovecot.password), trace: nil)
        #expect {
            try session.open()
        } throws: { error in
            guard case .configuration(let reason) = error as? MailboxError else { return false }
            return reason.contains("would not open the folder Bounce") && reason.contains("doesn't exist")
        }
    }

    /// Only the `* SEARCH` lines give UIDs: the other untagged lines of the same reply carry
    /// sequence numbers.
    @Test func theSearchReadsOnlyItsOwnLines() {
        func uids(_ text: String) -> [UInt64] { IMAPSession.searchedUIDs(in: Array(text.utf8)) }
        let announced = "* 2 FETCH (FLAGS (\\Deleted))\r\n* 7 EXISTS\r\n* 1 RECENT\r\n"
        #expect(uids("* SEARCH 1 2 3\r\n" + announced) == [1, 2, 3])
        #expect(uids("* 9 EXPUNGE\r\n* SEARCH 14 12\r\n13 15\r\n* 3 EXPUNGE\r\n") == [12, 13, 14, 15])
        #expect(uids("* search 4 4\r\n") == [4])
        #expect(uids("* SEARCH\r\n* 5 EXISTS\r\n") == [])
    }
}

extension FetchResult {
    /// The message as text, or nil when it was not fetched.
    var text: String? {
        guard case .message(let bytes) = self else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The lines a session traced, from whichever thread traced them.
final class TraceLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    @Sendable func add(_ line: String) { lines.withLock { $0.append(line) } }
}
