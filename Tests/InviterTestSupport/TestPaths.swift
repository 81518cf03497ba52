import Foundation

/// Paths of the test fixtures, found from this file's location so tests run from any folder.
public enum TestPaths {
    /// The `Tests` folder, two levels above this file.
    public static let testsRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let support = testsRoot.appendingPathComponent("Support")
    public static let golden = testsRoot.appendingPathComponent("InviterCoreTests/Render/Golden")

    /// The Python with aiosmtpd that `make test` prepares.
    public static var python: String {
        if let configured = ProcessInfo.processInfo.environment["INVITER_TEST_PYTHON"] { return configured }
        let venv = testsRoot.deletingLastPathComponent().appendingPathComponent(".build-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// A fresh, empty folder that anyone can write to (smtp-sink writes as `nobody`).
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("inviter-tests-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: url.path)
        return url
    }
}
