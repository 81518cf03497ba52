import Foundation

/// Errors from starting the tests' servers.
public struct ServerStartError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Asks the kernel for a free loopback port: bind to port 0, read the port, close.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ServerStartError(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw ServerStartError(description: "bind() to a free port failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts connections on 127.0.0.1:`port`.
public func isListening(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// A server process started by a test and stopped by it.
public final class ServerProcess: @unchecked Sendable {
    // Only the test that started the server touches it, from one task; unchecked because Process is not Sendable.
    public let process = Process()
    public let port: Int
    private let errorLog: URL

    public init(executable: String, arguments: [String], port: Int, logDirectory: URL) throws {
        self.port = port
        errorLog = logDirectory.appendingPathComponent("server-\(port).err")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while !isListening(port) {
            guard process.isRunning, Date() < deadline else {
                stop()
                let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
                throw ServerStartError(description: "\(executable) did not start on port \(port): \(log)")
            }
            usleep(20_000)
        }
    }

    /// Kills the server: smtp-sink ignores SIGTERM.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Postfix's `smtp-sink` on a free loopback port, capturing each message with `-d`.
public final class SMTPSink: @unchecked Sendable {
    // Immutable after init apart from the process, which ServerProcess guards the same way.
    public let server: ServerProcess
    public let captureDirectory: URL
    public var url: String { "smtp://127.0.0.1:\(server.port)" }

    /// - Parameter faults: smtp-sink's fault options, such as `["-r", "RCPT"]`.
    public init(faults: [String] = []) throws {
        captureDirectory = try TestPaths.temporaryDirectory("sink")
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            do {
                server = try ServerProcess(
                    executable: "/usr/sbin/smtp-sink",
                    arguments: ["-u", "nobody", "-d", captureDirectory.path + "/%M."] + faults + [
                        "127.0.0.1:\(port)", "100",
                    ],
                    port: port, logDirectory: captureDirectory)
                return
            } catch {
                lastError = error  // The port was taken between the probe and the start: try another.
            }
        }
        throw lastError ?? ServerStartError(description: "smtp-sink did not start")
    }

    /// The captured messages: envelope recipients, EHLO argument and the message text (LF line ends, as smtp-sink writes them).
    ///
    /// smtp-sink writes its dump files with buffered I/O after it has replied, so
    /// this waits until the files stop growing before reading them.
    public func messages() throws -> [(recipients: [String], helo: String, text: String)] {
        let files = try settle()
        return try files.map { name in
            let raw = try String(contentsOf: captureDirectory.appendingPathComponent(name), encoding: .utf8)
            var lines = raw.split(separator: "\n", omittingEmptySubsequences: false)[...]
            var recipients: [String] = []
            var helo = ""
            while let line = lines.first, line.hasPrefix("X-") {
                if line.hasPrefix("X-Rcpt-Args: ") { recipients.append(String(line.dropFirst(13))) }
                if line.hasPrefix("X-Helo-Args: ") { helo = String(line.dropFirst(13)) }
                lines = lines.dropFirst()
            }
            if let line = lines.first, line.hasPrefix("Received:") {
                lines = lines.dropFirst()
                while let next = lines.first, next.hasPrefix("\t") { lines = lines.dropFirst() }
            }
            // smtp-sink ends each dump with one empty line of its own.
            var text = lines.joined(separator: "\n")
            if text.hasSuffix("\n\n") { text.removeLast() }
            return (recipients, helo, text)
        }
    }

    /// Each captured message's envelope sender (`MAIL FROM`, without brackets) and recipients, in
    /// file order: what a VERP return path is seen in.
    public func envelopes() throws -> [(file: String, sender: String, recipients: [String])] {
        try settle().map { name in
            let raw = try String(contentsOf: captureDirectory.appendingPathComponent(name), encoding: .utf8)
            var sender = ""
            var recipients: [String] = []
            for line in raw.split(separator: "\n").prefix(while: { $0.hasPrefix("X-") }) {
                let bare = { (text: Substring) in
                    String(text.dropFirst(13)).trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
                }
                if line.hasPrefix("X-Mail-Args: ") {
                    sender = bare(line).split(separator: " ").first.map(String.init) ?? ""
                }
                if line.hasPrefix("X-Rcpt-Args: ") { recipients.append(bare(line)) }
            }
            return (name, sender, recipients)
        }
    }

    /// The names of the capture files, once none of them is growing any more.
    @discardableResult
    public func settle() throws -> [String] {
        func snapshot() throws -> [String: Int] {
            var sizes: [String: Int] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: captureDirectory.path)
            where !name.hasSuffix(".err") {
                let attributes = try FileManager.default.attributesOfItem(
                    atPath: captureDirectory.appendingPathComponent(name).path)
                sizes[name] = (attributes[.size] as? NSNumber)?.intValue ?? 0
            }
            return sizes
        }
        var previous = try snapshot()
        for _ in 0..<50 {
            usleep(100_000)
            let current = try snapshot()
            if current == previous { break }
            previous = current
        }
        return previous.keys.sorted()
    }

    public func stop() { server.stop() }
}

/// The aiosmtpd server from `Tests/Support/smtp_server.py`: STARTTLS or implicit TLS, and AUTH.
public final class TLSServer: @unchecked Sendable {
    public let server: ServerProcess
    public let captureDirectory: URL
    public let logFile: URL

    public init(
        mode: String, certificate: Certificate?, password: String, user: String = "events@example.org"
    )
        throws
    {
        captureDirectory = try TestPaths.temporaryDirectory("tls")
        logFile = captureDirectory.appendingPathComponent("commands.log")
        let port = try freeLoopbackPort()
        var arguments = [
            TestPaths.support.appendingPathComponent("smtp_server.py").path, "--port", "\(port)", "--mode",
            mode,
            "--user", user, "--password", password, "--capture-dir", captureDirectory.path, "--log",
            logFile.path,
        ]
        if let certificate {
            arguments += ["--cert", certificate.certificate.path, "--key", certificate.key.path]
        }
        server = try ServerProcess(
            executable: TestPaths.python, arguments: arguments, port: port, logDirectory: captureDirectory)
    }

    public var port: Int { server.port }

    /// Every command the server received from a client, in order (aiosmtpd logs them as `>> b'...'`).
    public var commands: [String] {
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: ">> b'") else { return nil }
            return String(line[range.upperBound...].dropLast())
        }
    }

    /// The raw bytes of each accepted message, exactly as received (CRLF, un-stuffed).
    public func messages() throws -> [[UInt8]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: captureDirectory.path)
            .filter { $0.hasSuffix(".eml") }
            .sorted { (Int($0.dropLast(4)) ?? 0) < (Int($1.dropLast(4)) ?? 0) }
        return try files.map { Array(try Data(contentsOf: captureDirectory.appendingPathComponent($0))) }
    }

    public func stop() { server.stop() }
}

/// A self-signed certificate and key made with openssl for a test.
public struct Certificate {
    public let certificate: URL
    public let key: URL

    /// - Parameter subjectAltName: e.g. `IP:127.0.0.1` or `DNS:wrong.example.invalid`.
    public static func make(subjectAltName: String, in directory: URL) throws -> Certificate {
        let name = subjectAltName.replacingOccurrences(of: ":", with: "-")
        let certificate = directory.appendingPathComponent("\(name).crt")
        let key = directory.appendingPathComponent("\(name).key")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=inviter-test",
            "-addext", "subjectAltName=\(subjectAltName)", "-keyout", key.path, "-out", certificate.path,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw ServerStartError(description: "openssl could not make a certificate")
        }
        return Certificate(certificate: certificate, key: key)
    }
}
