import CCurl
import Foundation

/// Why the mailbox could not be read.
public enum MailboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// STARTTLS missing, a certificate that does not verify, the login refused (EX_NOPERM, 77).
    case security(String)
    /// The server could not be reached or broke off (EX_TEMPFAIL, 75).
    case unreachable(String)
    /// The settings cannot work (EX_CONFIG, 78).
    case configuration(String)

    public var description: String {
        switch self {
        case .security(let reason): "mailbox refused for security: \(reason)"
        case .unreachable(let reason): "mailbox unreachable: \(reason)"
        case .configuration(let reason): "mailbox configuration: \(reason)"
        }
    }
}

/// One IMAP connection through libcurl's easy interface, reused from command to command.
///
/// libcurl SELECTs the folder named in the URL before the first command and keeps it selected;
/// the commands are `UID SEARCH` and `UID STORE` as custom requests, whose untagged replies
/// arrive as the body, and fetches in libcurl's URL form (`;UID=n`), because a custom FETCH
/// hands its literal to the header callback (curl #3398). The UIDVALIDITY is read from the
/// SELECT's reply as it passes the debug callback. Not `Sendable`: one thread owns it.
final class IMAPSession {
    private let easy: UnsafeMutableRawPointer
    private let settings: Configuration.Mailbox
    private let password: Secret
    private let folderURL: String
    private let trace: (@Sendable (String) -> Void)?
    private let redactor: TraceRedactor
    private var body: [UInt8] = []
    private var bodyLimit = Int.max
    private var overLimit = false
    /// The start of a server line whose end has not come yet.
    private var incoming: [UInt8] = []
    /// While the login is under way every line the client sends is hidden from the trace.
    private var authenticating = false
    /// The folder's UIDVALIDITY and UIDNEXT, once the server has said them (in its SELECT reply).
    private(set) var uidValidity: UInt64?
    private(set) var uidNext: UInt64?

    init(settings: Configuration.Mailbox, password: Secret, trace: (@Sendable (String) -> Void)?)
        throws(MailboxError)
    {
        CurlGlobal.initialize()
        guard let easy = curl_easy_init() else { throw .configuration("libcurl could not create a handle") }
        self.easy = easy
        self.settings = settings
        self.password = password
        self.trace = trace
        redactor = TraceRedactor(username: settings.username, password: password)
        let server = settings.server
        folderURL = server.base + "/" + server.folder
    }

    deinit { curl_easy_cleanup(easy) }

    /// `UID SEARCH <criteria>`: the UIDs, in ascending order.
    ///
    /// The reply is one untagged line (`* SEARCH 1 2 …`) that grows with the folder; libcurl hands
    /// a long one on in pieces, so every number in the body counts, not only those of a line that
    /// starts with `* SEARCH`.
    func search(_ criteria: String) throws(MailboxError) -> [UInt64] {
        let body = try perform(url: folderURL, command: "UID SEARCH " + criteria)
        var uids: [UInt64] = []
        for word in body.split(whereSeparator: { $0 == 32 || $0 == 13 || $0 == 10 }) {
            if let uid = UInt64(String(decoding: word, as: UTF8.self)) { uids.append(uid) }
        }
        return uids.sorted()
    }

    /// The whole message `uid`, or nil when it is larger than `limit` bytes (the transfer is cut off).
    func fetch(_ uid: UInt64, limit: Int) throws(MailboxError) -> [UInt8]? {
        bodyLimit = limit
        defer { bodyLimit = .max }
        do {
            return try perform(url: folderURL + ";UID=\(uid)", command: nil)
        } catch {
            if overLimit { return nil }
            throw error
        }
    }

    /// `UID STORE <uids> <change>`, the change as `+FLAGS.SILENT (\\Seen)`; nothing for no UIDs.
    func store(_ uids: [UInt64], _ change: String) throws(MailboxError) {
        guard !uids.isEmpty else { return }
        _ = try perform(
            url: folderURL, command: "UID STORE \(uids.map(String.init).joined(separator: ",")) \(change)")
    }

    /// `NOOP`: the first command SELECTs the folder, whose reply gives UIDVALIDITY and UIDNEXT.
    func open() throws(MailboxError) {
        _ = try perform(url: folderURL, command: "NOOP")
    }

    /// A session whose fetches leave the messages' flags alone: the folder SELECTed (libcurl
    /// does that first and then takes it as selected), then EXAMINEd, read-only, so that the
    /// server does not set `\Seen` on each `BODY[]` libcurl fetches. Dovecot with a Maildir
    /// renames a message's file for each flag it sets and rescans the folder when another
    /// session did; 10,000 bounces fetched that way took it 13 s of CPU, against under 5 s with
    /// the flags set 50 at a time by ``store(_:_:)`` alone.
    ///
    /// Without it (a folder name an IMAP string cannot carry, a server that refuses EXAMINE) the
    /// fetches mark messages read as before, which the reader allows for.
    static func readOnly(
        settings: Configuration.Mailbox, password: Secret, trace: (@Sendable (String) -> Void)?
    )
        throws(MailboxError) -> IMAPSession
    {
        let session = try IMAPSession(settings: settings, password: password, trace: trace)
        guard let name = quotedFolder(settings.server.folder) else { return session }
        do {
            _ = try session.perform(url: session.folderURL, command: "EXAMINE " + name)
            return session
        } catch {
            // A refused EXAMINE leaves no folder selected while libcurl takes INBOX as still
            // selected: the next fetch would fail, so a fresh connection takes over.
            session.emitTrace(
                "* EXAMINE refused (\(error)): fetching on a connection that marks messages read")
            return try IMAPSession(settings: settings, password: password, trace: trace)
        }
    }

    /// The folder of the URL (percent-encoded, as libcurl decodes it for its SELECT) as an IMAP
    /// quoted string, or nil when it holds what a quoted string cannot: a control character, a
    /// byte above 127 (which would need modified UTF-7), or a malformed escape.
    static func quotedFolder(_ encoded: String) -> String? {
        guard let name = encoded.removingPercentEncoding, !name.isEmpty,
            name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else { return nil }
        return "\""
            + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    private func perform(url: String, command: String?) throws(MailboxError) -> [UInt8] {
        body = []
        overLimit = false
        let context = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }
        set(inviter_easy_setopt_string(easy, CURLOPT_URL, url))
        if let command {
            set(inviter_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, command))
        } else {
            set(inviter_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, nil))
        }
        set(inviter_easy_setopt_write_function(easy, imapWrite))
        set(inviter_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        set(inviter_easy_setopt_long(easy, CURLOPT_VERBOSE, 1))
        set(inviter_easy_setopt_debug_function(easy, imapDebug))
        set(inviter_easy_setopt_pointer(easy, CURLOPT_DEBUGDATA, context))
        set(
            CurlSecurity.apply(
                to: easy, tls: settings.tls, caFile: settings.caFile?.path, username: settings.username,
                password: password, connectTimeout: settings.timeout, timeout: settings.timeout))
        if failed != CURLE_OK {
            throw .configuration("libcurl refused an option: \(String(cString: curl_easy_strerror(failed)))")
        }
        let code = curl_easy_perform(easy)
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            let what = command.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } ?? "FETCH"
            switch code {
            case CURLE_USE_SSL_FAILED:
                throw .security("the server did not offer STARTTLS, so the password was not sent")
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
                throw .security(
                    "the server's certificate does not verify (\(reason)); set ca_file for a private CA")
            case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
                throw .security("TLS failed: \(reason)")
            case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
                throw .security("the server refused the login of \(settings.username)")
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT:
                throw .unreachable("\(settings.server.host): \(reason)")
            case CURLE_REMOTE_FILE_NOT_FOUND:
                throw .configuration(
                    "the server has no folder \(settings.server.folder) (\(what)): \(reason)")
            default:
                throw .unreachable("\(what) failed: \(reason)")
            }
        }
        return body
    }

    // MARK: - Callbacks

    fileprivate func write(_ data: UnsafeRawBufferPointer) -> Int {
        guard body.count + data.count <= bodyLimit else {
            overLimit = true
            return 0
        }
        body += data
        return data.count
    }

    /// One whole line from the server: the folder's numbers are read from it, and it is traced.
    private func received(_ text: String) {
        if uidValidity == nil, let range = text.range(of: "[UIDVALIDITY ", options: .caseInsensitive) {
            uidValidity = UInt64(text[range.upperBound...].prefix { $0.isNumber })
        }
        if uidNext == nil, let range = text.range(of: "[UIDNEXT ", options: .caseInsensitive) {
            uidNext = UInt64(text[range.upperBound...].prefix { $0.isNumber })
        }
        if authenticating, text.hasPrefix("A") { authenticating = false }
        emitTrace("< " + text)
    }

    fileprivate func debug(type: curl_infotype, bytes: UnsafeRawBufferPointer) {
        switch type {
        case CURLINFO_HEADER_IN:
            // libcurl hands the server's lines on in pieces that need not end at a line's end.
            incoming += bytes
            while let end = incoming.firstIndex(of: 10) {
                var line = incoming[..<end]
                if line.last == 13 { line = line.dropLast() }
                received(String(decoding: line, as: UTF8.self))
                incoming.removeSubrange(...end)
            }
        case CURLINFO_HEADER_OUT:
            for line in bytes.split(whereSeparator: { $0 == 13 || $0 == 10 }) {
                let text = String(decoding: line, as: UTF8.self)
                let upper = text.uppercased()
                if upper.contains(" LOGIN ") || upper.contains(" AUTHENTICATE ") {
                    authenticating = true
                    emitTrace(
                        "> " + (text.split(separator: " ").prefix(2).joined(separator: " ")) + " [redacted]")
                } else if authenticating {
                    emitTrace("> [redacted]")
                } else {
                    emitTrace("> " + text)
                }
            }
        case CURLINFO_TEXT:
            emitTrace(
                "* " + String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            break  // The messages themselves: too much for a trace, and personal.
        }
    }

    private func emitTrace(_ line: @autoclosure () -> String) {
        guard let trace else { return }
        trace(redactor.scrub(line()))
    }
}

private func imapWrite(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let session = Unmanaged<IMAPSession>.fromOpaque(context).takeUnretainedValue()
    return session.write(UnsafeRawBufferPointer(start: data, count: size * count))
}

private func imapDebug(
    _ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let context else { return 0 }
    let session = Unmanaged<IMAPSession>.fromOpaque(context).takeUnretainedValue()
    session.debug(type: type, bytes: UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
