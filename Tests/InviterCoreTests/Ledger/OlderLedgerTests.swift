import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// A ledger an older inviter wrote, read by a dry run, a preview or `status` before any run has
/// migrated it: the reading sees the current schema, and the file stays exactly as it was.
@Suite struct OlderLedgerTests {
    /// Turns a current ledger into one of schema v6: what the mailbox added (v7) is taken out again.
    static func downgrade(_ file: URL) throws {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executescript('''
                DROP INDEX delivery_message;
                ALTER TABLE delivery DROP COLUMN bounce;
                DROP TABLE inbound; DROP TABLE bounce; DROP TABLE mailboxPosition;
                DELETE FROM grdb_migrations WHERE identifier = 'v7';
            ''')
            db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            db.close()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments = ["-c", script, file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func aLedgerOfAnOlderVersionIsReadAsItWillBeAndLeftAsItIs() throws {
        let directory = try TestPaths.temporaryDirectory("older-ledger")
        let id = MailingID.of(.invitation, "hygge/2026-12-09")
        do {
            let ledger = try SQLiteLedger(directory: directory)
            _ = try ledger.register(
                MailingRecord(id: id, kind: .invitation, dueAt: Date(), deadline: nil),
                recipients: [("anna@example.com", "0123.inviter@example.org")], now: Date())
        }
        let file = directory.appendingPathComponent("ledger.sqlite")
        try Self.downgrade(file)
        let before = try Data(contentsOf: file)

        let reading = try #require(try SQLiteLedger.reading(directory: directory))
        #expect(try reading.entries(of: id).map(\.key.recipient) == ["anna@example.com"])
        #expect(try reading.status(mailing: id).first?.bounced == 0)
        #expect(try reading.inboundCounts(since: .distantPast).isEmpty)
        #expect(try Data(contentsOf: file) == before, "reading changes nothing in the file")

        // The next run migrates the file itself.
        let writing = try SQLiteLedger(directory: directory)
        #expect(try writing.entries(of: id).first?.bounce == nil)
        #expect(try writing.mailboxPosition("m") == nil)
    }
}
