import Foundation

/// How to reach the relay: the `[smtp]` section of the configuration, resolved.
public struct SMTPSettings: Sendable {
    /// How the connection is protected.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain connection upgraded with STARTTLS; refused when the server does not offer it.
        case starttls
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicit
        /// No encryption: only for a relay on the same host.
        case none
    }

    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    public var tls: TLSMode
    public var username: String?
    public var password: Secret?
    /// A PEM file of certificates to trust, for a relay with a private CA or a self-signed certificate.
    public var caFile: String?
    /// The name sent in EHLO; the machine's host name when `nil`.
    public var ehloName: String?
    /// Parallel connections to the relay.
    public var connections: Int
    /// Seconds to wait for a connection (and TLS and AUTH) to be set up.
    public var connectTimeout: Int
    /// Seconds one message may take, from its first command to the server's final reply.
    public var messageTimeout: Int
    /// Receives protocol lines for troubleshooting, with AUTH exchanges redacted.
    public var trace: (@Sendable (String) -> Void)?

    public init(
        url: String,
        tls: TLSMode = .starttls,
        username: String? = nil,
        password: Secret? = nil,
        caFile: String? = nil,
        ehloName: String? = nil,
        connections: Int = 1,
        connectTimeout: Int = 30,
        messageTimeout: Int = 120,
        trace: (@Sendable (String) -> Void)? = nil
    ) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.ehloName = ehloName
        self.connections = connections
        self.connectTimeout = connectTimeout
        self.messageTimeout = messageTimeout
        self.trace = trace
    }

    /// Checks the settings as a transport would before its first connection, without making one, so
    /// that the configuration can report a problem with its line.
    ///
    /// - Throws: `TransportError` as ``curlURL()`` does.
    public func validate() throws(TransportError) {
        _ = try curlURL()
    }

    /// The URL libcurl is given: the scheme the TLS mode needs, host, port and the EHLO name as the path.
    ///
    /// - Throws: `TransportError.configuration` for a URL or a combination of
    ///   settings that would not do what the user meant.
    func curlURL() throws(TransportError) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw .configuration("smtp url \(url.debugDescription) is not of the form smtp://host:port")
        }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw .configuration("smtp url \(url.debugDescription) must start with smtp:// or smtps://")
        }
        if components.user != nil || components.password != nil {
            throw .configuration(
                "smtp url must not contain a user or password; use username and password_env or password_file"
            )
        }
        if !components.path.isEmpty, components.path != "/" {
            throw .configuration("smtp url must not have a path; set the EHLO name with ehlo")
        }
        switch (tls, scheme) {
        case (.implicit, "smtp"):
            throw .configuration("tls = \"implicit\" needs an smtps:// url (usually port 465)")
        case (.starttls, "smtps"), (.none, "smtps"):
            throw .configuration("an smtps:// url is implicit TLS; set tls = \"implicit\"")
        default:
            break
        }
        if tls == .none, username != nil, !SMTPSettings.isLoopback(host) {
            throw .security(
                "AUTH over an unencrypted connection to \(host) would expose the password; use tls = \"starttls\" or \"implicit\""
            )
        }
        if username != nil, password == nil {
            throw .configuration("a username is set but no password: set password_env or password_file")
        }
        if let ehloName,
            ehloName.isEmpty
                || !ehloName.utf8.allSatisfy({ HeaderField.isAtext($0) || $0 == UInt8(ascii: ".") })
        {
            throw .configuration("ehlo name \(ehloName.debugDescription) must be a host name")
        }
        guard (1...64).contains(connections) else {
            throw .configuration("connections must be between 1 and 64, not \(connections)")
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart)\(port)/\(ehloName ?? "")"
    }

    /// Whether `host` is this machine, where an unencrypted connection exposes nothing.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
