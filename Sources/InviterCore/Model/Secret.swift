import Foundation

/// A password that is never printed.
///
/// `description` and `debugDescription` are fixed text, so a `Secret` in a log
/// line, an error or a `dump` shows nothing. Only `reveal()` gives the value,
/// and only the SMTP session calls it.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    /// No children, so `dump` and debuggers show nothing either.
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Where a password comes from: never the config file itself.
    public enum Source: Sendable, Equatable {
        /// The name of an environment variable.
        case environment(String)
        /// A file holding the password (a trailing line end is dropped).
        case file(String)
    }

    /// Reads the password from `source`.
    ///
    /// - Parameter environment: The process environment, injectable for tests.
    /// - Throws: `TransportError.configuration` naming the variable or file,
    ///   never the value; a file that others can read is refused.
    ///   - what: What the secret is, for the errors ("SMTP password", "link secret").
    public static func load(
        from source: Source, what: String = "SMTP password",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TransportError) -> Secret {
        switch source {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw .configuration("the \(what) variable \(name) is not set")
            }
            return Secret(value)
        case .file(let path):
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try FileManager.default.attributesOfItem(atPath: path)
            } catch {
                throw .configuration(
                    "cannot read the \(what) file \(path): it does not exist or is not accessible")
            }
            if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                throw .configuration(
                    "the \(what) file \(path) can be read by other users (mode \(String(mode, radix: 8))); "
                        + "make it private with: chmod 600 \(path)")
            }
            guard let data = FileManager.default.contents(atPath: path),
                var text = String(data: data, encoding: .utf8)
            else {
                throw .configuration("cannot read the \(what) file \(path) as UTF-8 text")
            }
            while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text.removeLast() }
            guard !text.isEmpty else { throw .configuration("the \(what) file \(path) is empty") }
            return Secret(text)
        }
    }
}
