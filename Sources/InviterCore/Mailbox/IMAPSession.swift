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

/// What a fetch of one UID found.
enum FetchResult: Equatable {
    case message([UInt8])
    /// Larger than the limit: the transfer was cut off.
    case tooLarge
    /// No longer in the folder: another client moved or deleted it after it was searched.
    case gone
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
    /// The tag of libcurl's SELECT while its reply is awaited, and the server's refusal of it.
    private var selectTag: Substring?
    private var selectRefusal: String?
    /// The folder as an IMAP string, for a session that EXAMINEs it (see ``readOnly(settings:password:trace:)``).
    private var examined: String?
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
    func search(_ criteria: String) throws(MailboxError) -> [UInt64] {
        Self.searchedUIDs(in: try perform(url: folderURL, command: "UID SEARCH " + criteria))
    }

    /// The numbers of the `* SEARCH` lines of a reply, sorted and each once.
    ///
    /// The reply also carries what the server tells every session of a shared folder: `* 7 EXISTS`
    /// when mail arrives, `* 2 FETCH (FLAGS (\\Deleted))` when another client changes a flag,
    /// `* 3 EXPUNGE`. Their numbers are sequence numbers, not UIDs, and counted as UIDs they
    /// would read a message twice, or one a person has already read. libcurl hands a long line
    /// on in pieces, each ending a line of the body: a piece that does not start with `*` goes
    /// on with the line before it.
    static func searchedUIDs(in body: [UInt8]) -> [UInt64] {
        var uids = Set<UInt64>()
        var inSearch = false
        for line in body.split(separator: 10) {
            var words = line.split(whereSeparator: { $0 == 32 || $0 == 13 })[...]
            if words.first?.elementsEqual("*".utf8) == true {
                inSearch = words.dropFirst().first.map { Self.isWord($0, "SEARCH") } ?? false
                words = words.dropFirst(2)
            }
            guard inSearch else { continue }
            for word in words {
                if let uid = UInt64(String(decoding: word, as: UTF8.self)) { uids.insert(uid) }
            }
        }
        return uids.sorted()
    }

    private static func isWord(_ bytes: ArraySlice<UInt8>, _ word: String) -> Bool {
        bytes.count == word.utf8.count && zip(bytes, word.utf8).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }

    /// The whole message `uid`.
    ///
    /// A message another client expunged after the search is answered with `* n FETCH (UID n
    /// BODY[] NIL)`, which libcurl cannot parse (it closes the connection), or, once the session
    /// knows, with no FETCH at all. Either way the UID is searched for again: a message no longer
    /// there is gone, one still there is fetched once more (on a new connection).
    func fetch(_ uid: UInt64, limit: Int) throws(MailboxError) -> FetchResult {
        bodyLimit = limit
        defer { bodyLimit = .max }
        let url = folderURL + ";UID=\(uid)"
        var code = try transfer(url: url, command: nil)
        if overLimit { return .tooLarge }
        if code == CURLE_WEIRD_SERVER_REPLY || code == CURLE_REMOTE_FILE_NOT_FOUND {
            reexamine()
            guard try search("UID \(uid)").contains(uid) else { return .gone }
            code = try transfer(url: url, command: nil)
            if overLimit { return .tooLarge }
        }
        guard code == CURLE_OK else { throw failure(code, command: nil) }
        return .message(body)
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
            session.examined = name
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

    /// After a failed fetch libcurl may have opened a new connection, SELECTing the folder:
    /// EXAMINE it again, so that the fetches go on leaving the flags alone. If that fails, they
    /// mark messages read, which the reader allows for.
    private func reexamine() {
        guard let examined else { return }
        do {
            _ = try perform(url: folderURL, command: "EXAMINE " + examined)
        } catch {
            self.examined = nil
            emitTrace("* EXAMINE refused (\(error)): fetching on a connection that marks messages read")
        }
    }

    private func perform(url: String, command: String?) throws(MailboxError) -> [UInt8] {
        let code = try transfer(url: url, command: command)
        guard code == CURLE_OK else { throw failure(code, command: command) }
        return body
    }

    /// One command (or, without one, the fetch the URL names), its reply's body in `body`.
    private func transfer(url: String, command: String?) throws(MailboxError) -> CURLcode {
        body = []
        overLimit = false
        selectTag = nil
        selectRefusal = nil
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
        return curl_easy_perform(easy)
    }

    /// Why `command` failed with `code`, for the operator.
    private func failure(_ code: CURLcode, command: String?) -> MailboxError {
        let reason = String(cString: curl_easy_strerror(code))
        let what = command.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } ?? "FETCH"
        // libcurl reports a refused SELECT as a refused login (CURLE_LOGIN_DENIED).
        if let selectRefusal {
            return .configuration(
                "the server would not open the folder \(settings.server.folder): \(selectRefusal)")
        }
        switch code {
        case CURLE_USE_SSL_FAILED:
            return .security("the server did not offer STARTTLS, so the password was not sent")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .security(
                "the server's certificate does not verify (\(reason)); set ca_file for a private CA")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            return .security("TLS failed: \(reason)")
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .security("the server refused the login of \(settings.username)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT:
            return .unreachable("\(settings.server.host): \(reason)")
        case CURLE_REMOTE_FILE_NOT_FOUND:
            return .configuration(
                "the server has no folder \(settings.server.folder) (\(what)): \(reason)")
        default:
            return .unreachable("\(what) failed: \(reason)")
        }
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
        // The tagged reply (not `*`, not a `+` continuation) ends the login, whatever the tag: a
        // new connection's tags start again at another letter.
        if authenticating, let first = text.first, first != "*", first != "+" { authenticating = false }
        if let tag = selectTag, text.hasPrefix(tag + " ") {
            let status = text.dropFirst(tag.count + 1)
            if !status.uppercased().hasPrefix("OK") { selectRefusal = String(status) }
            selectTag = nil
        }
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
                let words = text.split(separator: " ", maxSplits: 2)
                if words.count == 3, words[1].uppercased() == "SELECT" { selectTag = words[0] }
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
