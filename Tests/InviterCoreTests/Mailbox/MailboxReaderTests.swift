import Foundation
import InviterTestSupport
import Synchronization
import Testing

@testable import InviterCore

/// The reader against a real Dovecot while another client changes the folder.
@Suite(.serialized) struct MailboxReaderTests {
    /// A message removed after the search, while the reader is busy with the chunks before it, is
    /// counted as gone and the run goes on; what is left is read once, and not again next time.
    @Test func aMessageRemovedWhileTheReaderRunsIsGoneAndTheRestIsRead() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.deliver((1...250).map(IMAPSessionTests.message))
        let reader = MailboxReader(
            settings: IMAPSessionTests.settings(dovecot, folder: "INBOX"),
            handler: InboundHandler(
                ledger: MemoryLedger(), returnPath: nil, network: "Test network", secret: nil))
        // Chunks of 50, two fetched ahead: when the first is recorded, the fifth is not fetched yet.
        let removed = try dovecot.messages()[229].name
        var removal: String?
        var lines: [String] = []
        let summary = try reader.read(
            password: Secret(dovecot.password), now: Date(),
            progress: { line in
                lines.append(line)
                if removal == nil {
                    do {
                        try dovecot.remove(removed)
                        removal = "removed"
                    } catch {
                        removal = "\(error)"
                    }
                }
            })
        #expect(removal == "removed")
        #expect(summary.gone == 1)
        #expect(lines.contains("UID 230: gone: another client moved or deleted it before it was read"))
        #expect(summary.counts[.person] == 249)
        #expect(lines.filter { $0.hasPrefix("UID ") }.count == 250)

        let again = try reader.read(password: Secret(dovecot.password), now: Date())
        #expect(again.total == 0)
    }
}
