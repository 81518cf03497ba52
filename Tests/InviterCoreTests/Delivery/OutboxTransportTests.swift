import Foundation
import InviterCore
import InviterTestSupport
import Testing

@Suite struct OutboxTransportTests {
    @Test func writesOneFilePerMessageAndOverwritesOnResend() async throws {
        let directory = try TestPaths.temporaryDirectory("outbox").appendingPathComponent("nested/outbox")
        let transport = OutboxTransport(directory: directory)
        let envelopes = try SMTPSinkTests.envelopes(3)
        let results = try await transport.deliver(envelopes)
        #expect(results.map(\.outcome) == [.delivered, .delivered, .delivered])
        for envelope in envelopes {
            let file = directory.appendingPathComponent(OutboxTransport.fileName(for: envelope.key.text))
            #expect(FileManager.default.contents(atPath: file.path).map(Array.init) == envelope.data)
        }
        // The same message again lands in the same file; nothing half-written is left behind.
        _ = try await transport.deliver([envelopes[0]])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.count == 3)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") })
    }

    @Test func makesSafeFileNames() {
        #expect(
            OutboxTransport.fileName(for: "invitation/hygge/2026-12-02 a@example.org")
                == "invitation_hygge_2026-12-02_a@example.org.eml")
        #expect(OutboxTransport.fileName(for: "../../etc/passwd") == "_._.._etc_passwd.eml")
    }
}
