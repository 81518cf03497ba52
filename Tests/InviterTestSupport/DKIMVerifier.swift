import Foundation

/// dkimpy's verdict on each DKIM signature of a message (`Tests/Support/dkim_verify.py`), the
/// public keys passed in instead of DNS.
public struct DKIMVerdict: Decodable, Sendable {
    public let ok: Bool
    public let error: String
    public let algorithm: String
    public let selector: String
    public let fields: [String]
    public let length: String

    /// Verifies `message` against `records` (selector → TXT record text).
    public static func check(_ message: [UInt8], records: [String: String]) throws -> [DKIMVerdict] {
        let file = try TestPaths.temporaryDirectory("dkim").appendingPathComponent("message.eml")
        try Data(message).write(to: file)
        return try check(files: [file], records: records)[file.path] ?? []
    }

    /// Verifies each file in one run of the verifier; the verdicts by path.
    public static func check(files: [URL], records: [String: String]) throws -> [String: [DKIMVerdict]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments =
            [TestPaths.support.appendingPathComponent("dkim_verify.py").path] + files.map(\.path)
            + records.flatMap { ["--record", "\($0.key)=\($0.value)"] }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode([String: [DKIMVerdict]].self, from: data)
    }
}
