import Foundation

extension Configuration {
    /// `[mailbox]`: where bounces and unsubscribe mails arrive, read over IMAP.
    public struct Mailbox: Sendable {
        /// `imap://host[:port]/FOLDER` or `imaps://…`; the folder defaults to INBOX.
        public var url: String
        public var tls: SMTPSettings.TLSMode
        public var username: String
        public var password: Secret.Source
        public var caFile: URL?
        /// Seconds a connection and each command may take.
        public var timeout: Int

        /// The server part of `url` (`imap://host:port`) and the folder, as the IMAP client needs them.
        public var server: (base: String, folder: String, host: String) {
            let components = URLComponents(string: url)
            let path = components?.percentEncodedPath ?? ""
            let folder = path.split(separator: "/").first.map(String.init) ?? "INBOX"
            let host = components?.host ?? ""
            let port = components?.port.map { ":\($0)" } ?? ""
            let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            return ("\(components?.scheme?.lowercased() ?? "imap")://\(hostPart)\(port)", folder, host)
        }
    }

    /// Reads `[mailbox]`, refusing what would expose the password: clear text to another host, a
    /// scheme that contradicts `tls`, a password in the file.
    static func readMailbox(_ table: TableReader?, path: (String) -> URL) -> Mailbox? {
        guard let table else { return nil }
        defer { table.finish() }
        let url = table.string("url", required: true)
        let (tls, password, caFile) = readConnection(table, path: path, what: "mailbox password")
        let username = table.string("username", required: true)
        if password == nil, !table.has("password_env"), !table.has("password_file") {
            table.problem("password_env", "the mailbox needs password_env or password_file")
        }
        let timeout = table.integer("timeout", range: 5...3600) ?? 60
        guard let url else { return nil }
        if let problem = Self.mailboxURLProblem(url, tls: tls) { table.problem("url", problem) }
        guard let username, let password else { return nil }
        return Mailbox(
            url: url, tls: tls, username: username, password: password, caFile: caFile, timeout: timeout)
    }

    /// What is wrong with a mailbox `url` under `tls`, or nil.
    static func mailboxURLProblem(_ url: String, tls: SMTPSettings.TLSMode) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return "\(url.debugDescription) is not of the form imap://host/INBOX" }
        guard scheme == "imap" || scheme == "imaps" else {
            return "\(url.debugDescription) must start with imap:// or imaps://"
        }
        if components.user != nil || components.password != nil {
            return
                "the url must not contain a user or password; use username and password_env or password_file"
        }
        if components.percentEncodedPath.split(separator: "/").count > 1 || components.query != nil
            || url.contains(";")
        {
            return "give the folder only (imap://host/INBOX): inviter picks the messages itself"
        }
        switch (tls, scheme) {
        case (.implicit, "imap"): return "tls = \"implicit\" needs an imaps:// url (usually port 993)"
        case (.starttls, "imaps"), (.none, "imaps"):
            return "an imaps:// url is implicit TLS; set tls = \"implicit\""
        default: break
        }
        if tls == .none, !SMTPSettings.isLoopback(host) {
            return
                "tls = \"none\" would send the mailbox password to \(host) in clear text; it is for a server "
                + "on this machine only: use \"starttls\" or \"implicit\""
        }
        return nil
    }
}

extension Configuration {
    /// The secret the links and VERP tokens are signed with, from where ``RenderSetup`` reads it
    /// (`[web]`, or `[unsubscribe] secret_env` beside an own `url`); nil when none is configured.
    public func loadLinkSecret(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(TransportError) -> Secret?
    {
        if let unsubscribe, unsubscribe.url != nil {
            return try unsubscribe.secretEnv.map { name throws(TransportError) in
                try Secret.load(from: .environment(name), what: "link secret", environment: environment)
            }
        }
        guard let source = web?.secret else { return nil }
        return try Secret.load(from: source, what: "link secret", environment: environment)
    }
}
