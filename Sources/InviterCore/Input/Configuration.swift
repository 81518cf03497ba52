import Foundation

/// `Config/inviter.toml`, read and checked: the network, where its files
/// live, when mail goes out, and how it is delivered.
///
/// Paths are resolved against the configuration file's folder, so a network
/// can be moved as a whole. The SMTP password is never part of it: only the
/// name of the variable or file that holds it.
public struct Configuration: Sendable {
    public var file: URL
    public var network: Network
    public var sources: Sources
    public var schedule: Schedule
    public var delivery: Delivery
    public var smtp: SMTP?
    public var unsubscribe: Unsubscribe?
    /// `inviter serve`: where it is reached and listens, and what signs its links.
    public var web: Web?
    /// The public sign-up form, when the network offers one.
    public var signup: Signup?
    /// DKIM signing of every message, when set.
    public var dkim: DKIM?
    /// Where bounces and unsubscribe mails arrive, when `inviter mailbox` reads them over IMAP.
    public var mailbox: Mailbox?
    /// Warnings for the demo's example values still in the file (an address at example.org, a
    /// `.invalid` host): `check` prints them; a run does not repeat them every five minutes.
    public var exampleValues: [InputProblem] = []

    public struct Network: Sendable {
        public var name: String
        public var timeZone: TimeZone
        public var defaultLanguage: LanguageCode
        public var from: MailAddress
        public var replyTo: MailAddress?
        /// The languages a reader gets before the default when the network has no text in
        /// theirs: a Danish network's newcomers read English sooner than Danish.
        public var fallbackLanguages: [LanguageCode] = []

        /// Where every text falls back to: ``fallbackLanguages``, then ``defaultLanguage``, then English.
        public var languageFallback: LanguageFallback {
            LanguageFallback(default: defaultLanguage, preferred: fallbackLanguages)
        }
    }

    public struct Sources: Sendable {
        public var events: URL
        public var members: [URL]
        public var partners: URL?
        public var templates: URL
    }

    public struct Schedule: Sendable {
        /// How long before an occurrence's start the invitation goes out.
        public var invitation: SendOffset
        /// How long before the start the reminder goes out; `nil` for no reminder.
        public var reminder: SendOffset?
        /// How late a missed send may still go out.
        public var grace: SendOffset
        /// The newsletter digest's own schedule, when there is one.
        public var newsletter: RecurrenceRule?
    }

    public struct Delivery: Sendable {
        public enum TransportKind: String, Sendable, CaseIterable { case outbox, smtp }
        public var transport: TransportKind
        public var outbox: URL
        public var state: URL
        public var connections: Int
        public var rate: RateLimit?
        /// What to do with a message whose outcome is unknown: send it again (the default) or hold it for a person.
        public var resendUnknown: Bool
        /// The envelope sender with each delivery's token (VERP); the From address when nil.
        public var returnPath: ReturnPath? = nil
    }

    public struct SMTP: Sendable {
        public var url: String
        public var tls: SMTPSettings.TLSMode
        public var username: String?
        public var password: Secret.Source?
        public var caFile: URL?
        public var ehlo: String?
        public var timeout: Int
    }

    public struct Unsubscribe: Sendable {
        public var mailto: MailAddress
        /// An https URL with `{token}`, for one-click unsubscribe.
        public var url: String?
        /// The environment variable with the secret that signs unsubscribe tokens.
        public var secretEnv: String?
    }

    public struct Web: Sendable {
        /// The public address of `inviter serve`, without a trailing slash: links are made under it.
        public var baseURL: String
        /// The path part of `baseURL` (`/inviter`, or empty), under which `serve` answers.
        public var basePath: String
        /// Where `serve` listens, behind the site's HTTPS proxy.
        public var host: String
        public var port: Int
        /// What signs every link: `secret_env`, `secret_file`, else `[unsubscribe] secret_env`.
        public var secret: Secret.Source?
    }

    public struct Signup: Sendable {
        /// The segments a newcomer may choose, lowercased, in the order given.
        public var segments: [String]
    }

    /// The configuration path from `--config`, else `INVITER_CONFIG`, else `Config/inviter.toml`.
    public static func defaultPath(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        explicit ?? environment["INVITER_CONFIG"] ?? "Config/inviter.toml"
    }

    /// Reads and checks the configuration file.
    ///
    /// - Returns: the configuration and any warnings.
    /// - Throws: `InputProblems` with every error found (all of kind `.configuration`).
    public static func load(_ url: URL) throws(InputProblems) -> (Configuration, [InputProblem]) {
        let display = InputFiles.displayName(url)
        let document = try TOMLDocument.load(url, displayName: display, kind: .configuration)
        let log = ProblemLog()
        let root = TableReader(
            document: document, path: TOMLPath(), table: document.root, log: log, kind: .configuration)
        let base = url.deletingLastPathComponent()
        func path(_ text: String) -> URL {
            text.hasPrefix("/")
                ? URL(fileURLWithPath: text) : base.appendingPathComponent(text).standardizedFileURL
        }

        let network = readNetwork(root.table("network", required: true))
        let sources = readSources(root.table("sources", required: true), path: path)
        let schedule = readSchedule(root.table("schedule", required: true))
        let delivery = readDelivery(root.table("delivery"), path: path)
        let smtp = readSMTP(root.table("smtp"), path: path)
        let unsubscribe = readUnsubscribe(root.table("unsubscribe"))
        let web = readWeb(root.table("web"), unsubscribe: unsubscribe, path: path)
        let signup = readSignup(root.table("signup"))
        let dkim = readDKIM(root.table("dkim"), from: network?.from, path: path)
        let mailbox = readMailbox(root.table("mailbox"), path: path)
        root.finish()
        // The secret the links are signed with (``RenderSetup`` loads the same one).
        let hasLinkSecret = unsubscribe?.url == nil ? web?.secret != nil : unsubscribe?.secretEnv != nil
        if delivery?.returnPath != nil, !hasLinkSecret {
            root.problem(
                "delivery",
                "return_path signs each delivery's token with the link secret: set up [web] with secret_env or secret_file"
            )
        }
        if signup != nil, web == nil, !root.has("web") {
            root.problem("signup", "the sign-up form needs a [web] section: inviter serve answers it")
        }

        if delivery?.transport == .smtp, smtp == nil, !root.has("smtp") {
            root.problem("delivery", "transport = \"smtp\" needs an [smtp] section with the relay's url")
        }
        let problems = log.problems
        guard !log.hasErrors, let network, let sources, let schedule, let delivery else {
            throw InputProblems(
                problems.filter { $0.severity == .error } + problems.filter { $0.severity == .warning })
        }
        var configuration = Configuration(
            file: url, network: network, sources: sources, schedule: schedule, delivery: delivery, smtp: smtp,
            unsubscribe: unsubscribe, web: web, signup: signup, dkim: dkim)
        configuration.mailbox = mailbox
        configuration.exampleValues = configuration.leftoverExamples(in: document)
        return (configuration, problems)
    }

    /// The settings that still hold an example value: a copy of the demo whose sender is
    /// `events@example.org` sends mail that no relay delivers and no reader can answer.
    private func leftoverExamples(in document: TOMLDocument) -> [InputProblem] {
        func host(ofURL text: String?) -> String? { text.flatMap { URLComponents(string: $0)?.host } }
        func host(ofAddress text: String?) -> String? {
            guard let text, let at = text.lastIndex(of: "@") else { return nil }
            return String(text[text.index(after: at)...])
        }
        let settings: [(section: String, key: String, value: String?, host: String?)] = [
            ("network", "from", network.from.address, String(network.from.domain)),
            ("network", "reply_to", network.replyTo?.address, network.replyTo.map { String($0.domain) }),
            (
                "unsubscribe", "mailto", unsubscribe?.mailto.address,
                unsubscribe.map { String($0.mailto.domain) }
            ),
            ("unsubscribe", "url", unsubscribe?.url, host(ofURL: unsubscribe?.url)),
            ("web", "base_url", web?.baseURL, host(ofURL: web?.baseURL)),
            ("smtp", "url", smtp?.url, host(ofURL: smtp?.url)),
            ("smtp", "username", smtp?.username, host(ofAddress: smtp?.username)),
        ]
        return settings.compactMap { setting in
            guard let value = setting.value, let host = setting.host, ExampleDomains.contains(host) else {
                return nil
            }
            let path = TOMLPath().appending(setting.section).appending(setting.key)
            return InputProblem(
                file: document.file, line: document.line(path), field: path.description,
                message: "\(value.debugDescription) is the demo's example value (\(host) reaches nobody): "
                    + "put the network's own here before real mail goes out",
                severity: .warning, kind: .configuration)
        }
        .sorted { $0.line < $1.line }
    }

    private static func readNetwork(_ table: TableReader?) -> Network? {
        guard let table else { return nil }
        defer { table.finish() }
        let name = table.string("name", required: true)
        var zone: TimeZone?
        if let text = table.string("time_zone", required: true) {
            zone = TimeZone(identifier: text)
            if zone == nil {
                let hint = Suggestion.didYouMean(text, among: TimeZone.knownTimeZoneIdentifiers)
                table.problem(
                    "time_zone",
                    "\(text.debugDescription) is not a time zone such as \"Europe/Copenhagen\"\(hint)")
            }
        }
        var language: LanguageCode?
        if let text = table.string("default_language", required: true) {
            do { language = try LanguageCode(text) } catch {
                table.problem("default_language", error.description)
            }
        }
        var fallbacks: [LanguageCode] = []
        for text in table.strings("fallback_languages") ?? [] {
            do {
                let code = try LanguageCode(text)
                if !fallbacks.contains(code) { fallbacks.append(code) }
            } catch {
                table.problem("fallback_languages", error.description)
            }
        }
        let from = address(table, "from", required: true)
        let replyTo = address(table, "reply_to", required: false)
        guard let name, let zone, let language, let from else { return nil }
        return Network(
            name: name, timeZone: zone, defaultLanguage: language, from: from, replyTo: replyTo,
            fallbackLanguages: fallbacks)
    }

    private static func address(_ table: TableReader, _ key: String, required: Bool) -> MailAddress? {
        guard let text = table.string(key, required: required) else { return nil }
        do {
            return try MailAddress(parsing: text, source: key)
        } catch {
            table.problem(key, "invalid address \(text.debugDescription): \(error.reason)")
            return nil
        }
    }

    private static func readSources(_ table: TableReader?, path: (String) -> URL) -> Sources? {
        guard let table else { return nil }
        defer { table.finish() }
        let events = table.string("events", required: true)
        let members = table.strings("members", required: true)
        if members?.isEmpty == true { table.problem("members", "name at least one member list") }
        let partners = table.string("partners")
        let templates = table.string("templates") ?? "../Templates"
        guard let events, let members, !members.isEmpty else { return nil }
        return Sources(
            events: path(events), members: members.map(path), partners: partners.map(path),
            templates: path(templates))
    }

    private static func readSchedule(_ table: TableReader?) -> Schedule? {
        guard let table else { return nil }
        defer { table.finish() }
        func offset(_ key: String, required: Bool) -> SendOffset? {
            guard let text = table.string(key, required: required) else { return nil }
            do { return try SendOffset(parsing: text) } catch {
                table.problem(key, error.description)
                return nil
            }
        }
        let invitation = offset("invitation", required: true)
        let reminder = offset("reminder", required: false)
        let grace = offset("grace", required: false) ?? SendOffset(seconds: 6 * 3600)
        if let invitation, let reminder,
            reminder.days * 86_400 + reminder.seconds >= invitation.days * 86_400 + invitation.seconds
        {
            table.problem(
                "reminder",
                "the reminder (\(reminder)) must come after the invitation (\(invitation)), closer to the event"
            )
        }
        var newsletter: RecurrenceRule?
        if let text = table.string("newsletter") {
            do { newsletter = try RecurrenceRule(parsing: text) } catch {
                table.problem("newsletter", error.description)
            }
        }
        guard let invitation else { return nil }
        return Schedule(invitation: invitation, reminder: reminder, grace: grace, newsletter: newsletter)
    }

    private static func readDelivery(_ table: TableReader?, path: (String) -> URL) -> Delivery? {
        guard let table else {
            return Delivery(
                transport: .outbox, outbox: path("../var/outbox"), state: path("../var"), connections: 4,
                rate: nil,
                resendUnknown: true)
        }
        defer { table.finish() }
        var transport = Delivery.TransportKind.outbox
        if let text = table.string("transport") {
            if let kind = Delivery.TransportKind(rawValue: text.lowercased()) {
                transport = kind
            } else {
                table.problem(
                    "transport",
                    "\(text.debugDescription) is not a transport; use \"outbox\" or \"smtp\"\(Suggestion.didYouMean(text, among: ["outbox", "smtp"]))"
                )
            }
        }
        let outbox = table.string("outbox") ?? "../var/outbox"
        let state = table.string("state") ?? "../var"
        let connections = table.integer("connections", range: 1...64) ?? 4
        var rate: RateLimit?
        if let text = table.string("rate") {
            do { rate = try RateLimit(parsing: text) } catch { table.problem("rate", error.description) }
        }
        var resendUnknown = true
        if let text = table.string("unknown") {
            switch text.lowercased() {
            case "resend": resendUnknown = true
            case "hold": resendUnknown = false
            default: table.problem("unknown", "\(text.debugDescription) must be \"resend\" or \"hold\"")
            }
        }
        var returnPath: ReturnPath?
        if let text = table.string("return_path") {
            do { returnPath = try ReturnPath(parsing: text) } catch {
                table.problem("return_path", error.description)
            }
        }
        return Delivery(
            transport: transport, outbox: path(outbox), state: path(state), connections: connections,
            rate: rate, resendUnknown: resendUnknown, returnPath: returnPath)
    }

    private static func readSMTP(_ table: TableReader?, path: (String) -> URL) -> SMTP? {
        guard let table else { return nil }
        defer { table.finish() }
        let url = table.string("url", required: true)
        let (tls, password, caFile) = readConnection(table, path: path, what: "SMTP password")
        let username = table.string("username")
        if password == nil, username != nil, !table.has("password_env"), !table.has("password_file") {
            table.problem("username", "a username needs password_env or password_file")
        }
        let ehlo = table.string("ehlo")
        let timeout = table.integer("timeout", range: 5...3600) ?? 120
        guard let url else { return nil }
        let smtp = SMTP(
            url: url, tls: tls, username: username, password: password, caFile: caFile, ehlo: ehlo,
            timeout: timeout)
        // The settings' own checks (scheme against TLS mode, AUTH in clear text), reported here with a
        // line. The password itself is not read for that: whether one is configured was checked above.
        do {
            try smtp.settings(password: password.map { _ in Secret("unread") }, connections: 1).validate()
        } catch {
            table.problem("url", error.reasonText)
        }
        return smtp
    }

    /// What `[smtp]` and `[mailbox]` both read the same way: the TLS mode, where the password
    /// comes from (a `password` key is refused, a file others can read too), and a CA file.
    static func readConnection(_ table: TableReader, path: (String) -> URL, what: String) -> (
        tls: SMTPSettings.TLSMode, password: Secret.Source?, caFile: URL?
    ) {
        if table.value("password") != nil {
            table.problem(
                "password",
                "the password never goes in the configuration file; put it in an environment variable (password_env) "
                    + "or a private file (password_file)")
        }
        var tls = SMTPSettings.TLSMode.starttls
        if let text = table.string("tls") {
            if let mode = SMTPSettings.TLSMode(rawValue: text.lowercased()) {
                tls = mode
            } else {
                table.problem(
                    "tls", "\(text.debugDescription) must be \"starttls\", \"implicit\" or \"none\"")
            }
        }
        var password: Secret.Source?
        switch (table.string("password_env"), table.string("password_file")) {
        case (let name?, nil):
            password = .environment(name)
        case (nil, let file?):
            let fileURL = path(file)
            password = .file(fileURL.path)
            // Refuse a readable-by-all file now, not at the first connection.
            do { _ = try Secret.load(from: .file(fileURL.path), what: what) } catch {
                table.problem("password_file", error.reasonText)
            }
        case (_?, _?):
            table.problem("password_file", "give either password_env or password_file, not both")
        case (nil, nil):
            break
        }
        let caFile = table.string("ca_file").map(path)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile.path) {
            table.problem("ca_file", "cannot read \(caFile.path)")
        }
        return (tls, password, caFile)
    }

    private static func readUnsubscribe(_ table: TableReader?) -> Unsubscribe? {
        guard let table else { return nil }
        defer { table.finish() }
        let mailto = address(table, "mailto", required: true)
        let url = table.string("url")
        if let url {
            if !url.lowercased().hasPrefix("https://") {
                table.problem(
                    "url",
                    "must start with https:// (mail programs only offer one-click unsubscribe over https)")
            }
            if !url.contains("{token}") {
                table.problem("url", "must contain {token}, where each member's signed token goes")
            }
        }
        let secretEnv = table.string("secret_env")
        if url != nil, secretEnv == nil {
            table.problem(
                "secret_env",
                "is required with url: the variable that holds the secret signing unsubscribe tokens")
        }
        guard let mailto else { return nil }
        return Unsubscribe(mailto: mailto, url: url, secretEnv: secretEnv)
    }
}

extension Configuration {
    private static func readWeb(
        _ table: TableReader?, unsubscribe: Unsubscribe?, path: (String) -> URL
    ) -> Web? {
        guard let table else { return nil }
        defer { table.finish() }
        var base = table.string("base_url", required: true)
        while base?.hasSuffix("/") ?? false { base?.removeLast() }
        var basePath = ""
        if let text = base {
            if let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
                let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
            {
                let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
                if scheme != "https", !(scheme == "http" && loopback) {
                    table.problem(
                        "base_url",
                        "must start with https:// (mail programs offer one-click unsubscribe over https only; "
                            + "http:// is for a loopback host)")
                }
                basePath = url.percentEncodedPath
            } else {
                table.problem(
                    "base_url",
                    "\(text.debugDescription) is not a URL such as \"https://example.org/inviter\"")
            }
        }
        var host = "127.0.0.1"
        var port = 8080
        if let listen = table.string("listen") {
            if let parsed = Self.listenAddress(listen) {
                (host, port) = parsed
            } else {
                table.problem(
                    "listen", "\(listen.debugDescription) is not HOST:PORT such as \"127.0.0.1:8080\"")
            }
        }
        var secret: Secret.Source?
        if let name = table.string("secret_env") {
            secret = .environment(name)
        } else if let file = table.string("secret_file") {
            secret = .file(path(file).path)
        } else if let name = unsubscribe?.secretEnv {
            secret = .environment(name)
        } else {
            table.problem(
                "secret_env",
                "is required (or secret_file, or [unsubscribe] secret_env): the secret that signs every link")
        }
        guard let base else { return nil }
        return Web(baseURL: base, basePath: basePath, host: host, port: port, secret: secret)
    }

    /// `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces); nil when it is none of them. Port 0
    /// (a free port, chosen when `serve` starts) is for tests and `--listen`.
    public static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (host, port)
    }

    private static func readSignup(_ table: TableReader?) -> Signup? {
        guard let table else { return nil }
        defer { table.finish() }
        var segments: [String] = []
        for segment in table.strings("segments", required: true) ?? [] {
            let name = segment.trimmingCharacters(in: .whitespaces).lowercased()
            if name.isEmpty || name.contains(where: { $0 == "," || $0.isNewline }) {
                table.problem("segments", "\(segment.debugDescription) is not a segment name")
            } else if !segments.contains(name) {
                segments.append(name)
            }
        }
        return Signup(segments: segments)
    }
}

extension Configuration.SMTP {
    /// The transport settings, with the password loaded by the caller.
    public func settings(password: Secret?, connections: Int) -> SMTPSettings {
        SMTPSettings(
            url: url, tls: tls, username: username, password: password, caFile: caFile?.path, ehloName: ehlo,
            connections: connections, messageTimeout: timeout)
    }
}

extension TransportError {
    /// The reason without the category prefix, for a `file:line: field: reason` report.
    var reasonText: String {
        switch self {
        case .security(let reason), .unreachable(let reason), .configuration(let reason): reason
        }
    }
}

/// How files are named in messages.
enum InputFiles {
    /// The path relative to the working directory when the file is below it, else the full path.
    static func displayName(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let current = FileManager.default.currentDirectoryPath
        if path.hasPrefix(current + "/") { return String(path.dropFirst(current.count + 1)) }
        return path
    }
}
