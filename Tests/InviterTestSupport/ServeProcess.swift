import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `inviter serve` started by a test on a free loopback port, and stopped by it.
public final class ServeProcess: @unchecked Sendable {
    // Only the test that started it touches it, from one task; unchecked because Process is not Sendable.
    public let process = Process()
    /// Where it listens, without the base path: `http://127.0.0.1:PORT`.
    public let baseURL: String
    /// The first line it printed: `Listening on http://127.0.0.1:PORT for <base_url>`.
    public let readyLine: String
    private let errorLog: URL

    /// Starts `executable serve --config config --listen 127.0.0.1:0` with `environment` added to
    /// this process's, and waits (at most `timeout` seconds) for its `Listening on` line.
    public init(
        executable: URL, config: URL, environment: [String: String], logDirectory: URL? = nil,
        arguments: [String] = [], timeout: TimeInterval = 20
    ) throws {
        let directory = try logDirectory ?? TestPaths.temporaryDirectory("serve")
        errorLog = directory.appendingPathComponent("serve-\(UUID().uuidString.prefix(8)).err")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.executableURL = executable
        process.arguments = ["serve", "--config", config.path, "--listen", "127.0.0.1:0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        let printed = Mutex<[UInt8]>([])
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLock { $0 += Array(data) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var line: String?
        while line == nil {
            let text = printed.withLock { String(decoding: $0, as: UTF8.self) }
            if let found = text.split(separator: "\n").first(where: { $0.hasPrefix("Listening on http://") })
            {
                line = String(found)
                break
            }
            guard process.isRunning, Date() < deadline else { break }
            usleep(20_000)
        }
        guard let line,
            let address = line.dropFirst("Listening on ".count).split(separator: " ").first
        else {
            output.fileHandleForReading.readabilityHandler = nil
            Self.terminate(process)
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw ServerStartError(description: "inviter serve did not start: \(log)")
        }
        readyLine = line
        baseURL = String(address)
        // Anything printed later is not read; leaving the handler would keep the pipe busy.
        output.fileHandleForReading.readabilityHandler = nil
    }

    /// What it wrote to standard error so far: warnings and one log line per request.
    public var standardError: String {
        (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
    }

    /// The lines of the request log: `GET /path 200 1.7 ms`, without the logger's prefix.
    public var requestLog: [String] {
        standardError.split(separator: "\n").compactMap { line in
            guard line.hasSuffix(" ms"),
                let range = line.range(
                    of: #"(GET|POST|HEAD|PUT|DELETE) \S+ \d{3} [0-9.]+ ms$"#, options: .regularExpression)
            else { return nil }
            return String(line[range])
        }
    }

    /// Sends SIGTERM and waits for it to end (SIGKILL after 10 seconds).
    public func stop() { Self.terminate(process) }

    /// The exit status, once stopped.
    public var terminationStatus: Int32 { process.isRunning ? -1 : process.terminationStatus }

    private static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A small blocking HTTP client for tests: it never follows a redirect, so a test sees exactly
/// what the server answered.
public enum BlockingHTTP {
    public struct Response: Sendable {
        public let status: Int
        /// Header names as the server sent them; use ``header(_:)`` to look one up.
        public let headers: [String: String]
        public let body: String
        public let bytes: [UInt8]

        /// The value of header `name`, whatever its case.
        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public static func get(_ url: String, headers: [String: String] = [:], timeout: TimeInterval = 15)
        throws -> Response
    {
        try send("GET", url, headers: headers, body: nil, timeout: timeout)
    }

    /// A POST of `body` with `contentType` (none when nil).
    public static func post(
        _ url: String, contentType: String?, body: [UInt8], headers: [String: String] = [:],
        timeout: TimeInterval = 15
    ) throws -> Response {
        var all = headers
        if let contentType { all["Content-Type"] = contentType }
        return try send("POST", url, headers: all, body: body, timeout: timeout)
    }

    /// A POST of urlencoded `fields`, in order (a name may repeat).
    public static func postForm(
        _ url: String, _ fields: [(String, String)], headers: [String: String] = [:],
        timeout: TimeInterval = 15
    ) throws -> Response {
        try post(
            url, contentType: "application/x-www-form-urlencoded", body: Array(formEncoded(fields).utf8),
            headers: headers, timeout: timeout)
    }

    /// `application/x-www-form-urlencoded`, as a browser writes it.
    public static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        func encode(_ text: String) -> String {
            (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
                .replacingOccurrences(of: "%20", with: "+")
        }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    private static func send(
        _ method: String, _ url: String, headers: [String: String], body: [UInt8]?, timeout: TimeInterval
    ) throws -> Response {
        guard let address = URL(string: url) else { throw Failure(description: "not a URL: \(url)") }
        var request = URLRequest(
            url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let outcome = Mutex<Result<Response, Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            let result: Result<Response, Failure>
            if let http = response as? HTTPURLResponse {
                var fields: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    if let name = name as? String, let value = value as? String { fields[name] = value }
                }
                let bytes = Array(data ?? Data())
                result = .success(
                    Response(
                        status: http.statusCode, headers: fields,
                        body: String(decoding: bytes, as: UTF8.self),
                        bytes: bytes))
            } else {
                result = .failure(
                    Failure(description: "\(method) \(url): \(error.map { "\($0)" } ?? "no response")"))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            throw Failure(description: "\(method) \(url): no answer within \(timeout) s")
        }
        guard let result = outcome.withLock({ $0 }) else {
            throw Failure(description: "\(method) \(url): lost")
        }
        return try result.get()
    }
}
