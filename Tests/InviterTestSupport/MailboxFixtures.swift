import Foundation
import InviterCore

/// The received messages of `Tests/Fixtures/Mailbox` (bounces in the shapes of Postfix, Exim,
/// Exchange, Gmail and qmail, auto-replies, mailto unsubscribes, broken MIME), with their
/// `{{PLACEHOLDERS}}` filled in for one delivery.
public enum MailboxFixtures {
    public static let directory = TestPaths.testsRoot.appendingPathComponent("Fixtures/Mailbox")

    /// Every fixture's name, without `.eml`.
    public static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".eml") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The values of one delivery the fixtures speak of.
    public struct Values: Sendable {
        public var verpAddress: String
        public var fromAddress: String
        public var recipient: String
        public var messageID: String
        public var mailing: String
        public var unsubscribeAddress: String
        public var unsubscribeSubject: String
        public var date = "Wed, 09 Dec 2026 09:00:15 +0100"

        public init(
            verpAddress: String, fromAddress: String, recipient: String, messageID: String, mailing: String,
            unsubscribeAddress: String, unsubscribeSubject: String
        ) {
            self.verpAddress = verpAddress
            self.fromAddress = fromAddress
            self.recipient = recipient
            self.messageID = messageID
            self.mailing = mailing
            self.unsubscribeAddress = unsubscribeAddress
            self.unsubscribeSubject = unsubscribeSubject
        }
    }

    /// The fixture's bytes with the values in, substituted byte by byte (one fixture is not UTF-8 on purpose).
    public static func message(_ name: String, _ values: Values) throws -> [UInt8] {
        var bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name + ".eml")))
        let replacements = [
            ("{{VERP_ADDRESS}}", values.verpAddress), ("{{FROM_ADDRESS}}", values.fromAddress),
            ("{{RECIPIENT}}", values.recipient), ("{{MESSAGE_ID}}", values.messageID),
            ("{{MAILING}}", values.mailing), ("{{UNSUBSCRIBE_ADDRESS}}", values.unsubscribeAddress),
            ("{{UNSUBSCRIBE_SUBJECT}}", values.unsubscribeSubject), ("{{DATE}}", values.date),
        ]
        for (placeholder, value) in replacements {
            bytes = replace(Array(placeholder.utf8), with: Array(value.utf8), in: bytes)
        }
        return bytes
    }

    private static func replace(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + pattern.count <= bytes.count,
                bytes[index..<index + pattern.count].elementsEqual(pattern)
            {
                output += replacement
                index += pattern.count
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}
