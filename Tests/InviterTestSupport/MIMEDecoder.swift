import Foundation

/// A message as Python's `email` package (policy.default) decodes it: an
/// independent reading of what Inviter wrote.
public struct DecodedMessage: Decodable {
    public struct Part: Decodable {
        public let type: String
        public let params: [String: String]
        public let filename: String?
        public let content: Content
    }

    public enum Content: Decodable, Equatable {
        case text(String)
        case bytes([UInt8])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                struct Raw: Decodable { let bytes: [UInt8] }
                self = .bytes(try container.decode(Raw.self).bytes)
            }
        }
    }

    public let headers: [[String]]
    public let parts: [Part]
    public let defects: [String]
    public let structure: [String]
    /// The part a mail program shows (Python's `get_body`, HTML preferred).
    public let shown: String?

    /// The decoded values of every header called `name`.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.first?.lowercased() == name.lowercased() }.compactMap { $0.last }
    }

    public static func decode(_ bytes: [UInt8]) throws -> DecodedMessage {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments = [TestPaths.support.appendingPathComponent("mime_decode.py").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(DecodedMessage.self, from: data)
    }
}
