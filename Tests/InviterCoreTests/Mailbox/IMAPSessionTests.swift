import Foundation
import InviterTestSupport
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
        let first = try #require(try reader.fetch(1, limit: 1 << 20))
        #expect(String(decoding: first, as: UTF8.self).contains("Subject: report 1"))
        #expect(try reader.fetch(2, limit: 1 << 20) != nil)
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
}
