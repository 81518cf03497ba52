import CCurl
import Foundation
import Synchronization

/// Drives libcurl's multi interface on one thread: K easy handles, each with
/// its own connection, each reused for message after message.
///
/// Not `Sendable`: the handles belong to the thread that runs `run`, and only
/// that thread touches them. `SMTPTransport` creates one per delivery.
final class CurlSMTPSession {
    private let settings: SMTPSettings
    private let url: String
    private let multi: UnsafeMutableRawPointer
    private var transfers: [CurlTransfer] = []
    private let redactor: TraceRedactor

    init(settings: SMTPSettings, url: String) throws(TransportError) {
        CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            throw .configuration("libcurl could not create a multi handle")
        }
        self.settings = settings
        self.url = url
        self.multi = multi
        self.redactor = TraceRedactor(username: settings.username, password: settings.password)
        let connections = settings.connections
        _ = inviter_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections)
        _ = inviter_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, connections)
        for index in 0..<connections {
            guard let easy = curl_easy_init() else {
                throw .configuration("libcurl could not create a handle")
            }
            transfers.append(
                CurlTransfer(easy: easy, index: index + 1, trace: settings.trace, redactor: redactor))
        }
    }

    deinit {
        for transfer in transfers {
            if transfer.isActive { curl_multi_remove_handle(multi, transfer.easy) }
            curl_easy_cleanup(transfer.easy)
        }
        curl_multi_cleanup(multi)
    }

    /// Sends every envelope unless stopped, reporting each outcome.
    ///
    /// - Parameters:
    ///   - shouldStop: Polled between messages; when it turns true no new message is started.
    /// - Throws: `TransportError.security` or `.unreachable` after the
    ///   messages in flight have finished, when going on would be pointless.
    func run(
        _ envelopes: [Envelope],
        shouldStop: () -> Bool,
        gate: any HandOverGate,
        report: (DeliveryResult) -> Void
    ) throws(TransportError) {
        var next = 0
        // The gate clears the next envelopes on a thread of its own while the current ones are
        // being sent, and wakes the poll when it has; the connections never wait for the ledger.
        let wakeup = MultiWakeup(multi: multi)
        gate.whenCleared { wakeup() }
        defer { gate.finish() }
        var active = 0
        var stopError: TransportError?
        var anyDelivered = false

        while true {
            var marked = next
            if stopError == nil {
                do {
                    marked = min(try gate.cleared(toward: next), envelopes.count)
                } catch {
                    stopError = .configuration("cannot record the message as being sent: \(error)")
                }
            }
            while stopError == nil, next < marked, !shouldStop(),
                let free = transfers.first(where: { !$0.isActive })
            {
                try start(free, with: envelopes[next])
                next += 1
                active += 1
            }
            if active == 0 {
                if stopError != nil || next >= envelopes.count || shouldStop() { break }
                // Waiting for the next envelopes to be cleared: the gate wakes the poll when they are.
                var ready: Int32 = 0
                _ = curl_multi_poll(multi, nil, 0, 100, &ready)
                continue
            }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else {
                throw .configuration(
                    "libcurl multi error \(performed.rawValue): \(String(cString: curl_multi_strerror(performed)))"
                )
            }
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE,
                    let transfer = transfers.first(where: { $0.easy == message.pointee.easy_handle })
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.isActive = false
                active -= 1
                let verdict = transfer.classify(code)
                switch verdict {
                case .result(let result):
                    if result.outcome == .delivered { anyDelivered = true }
                    report(result)
                case .stop(let error, let result):
                    // Report what happened to this message, then let the others in flight finish.
                    if let result { report(result) }
                    if case .unreachable = error, anyDelivered {
                        // The relay worked a moment ago: treat it as a broken connection, not a dead relay.
                        break
                    }
                    stopError = stopError ?? error
                }
            }
            if active > 0, running > 0 {
                var ready: Int32 = 0
                _ = curl_multi_poll(multi, nil, 0, 200, &ready)
            }
        }
        if let stopError { throw stopError }
    }

    private func start(_ transfer: CurlTransfer, with envelope: Envelope) throws(TransportError) {
        try transfer.prepare(envelope: envelope, settings: settings, url: url)
        let added = curl_multi_add_handle(multi, transfer.easy)
        guard added == CURLM_OK else {
            throw .configuration(
                "libcurl could not start a transfer: \(String(cString: curl_multi_strerror(added)))")
        }
        transfer.isActive = true
    }
}

/// Interrupts the session's `curl_multi_poll` from another thread.
///
/// `@unchecked Sendable` for the raw multi handle: `curl_multi_wakeup` is the one call libcurl
/// documents as safe from any thread, and the session outlives every delivery's gate (the
/// dispatcher waits for its marks before the delivery is over).
private struct MultiWakeup: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer

    func callAsFunction() {
        _ = curl_multi_wakeup(multi)
    }
}

/// libcurl's process-wide set-up, done once before the first handle.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initialize() {
        _ = done
    }
}

/// What a finished transfer means for the run.
enum TransferVerdict {
    case result(DeliveryResult)
    /// Stop starting new messages; the result, when present, is this message's own outcome.
    case stop(TransportError, DeliveryResult?)
}

/// One easy handle and the state of the message it is sending.
///
/// libcurl calls back into this object (body reads, protocol lines) through
/// an unmanaged pointer; the session keeps it alive for as long as the handle is.
final class CurlTransfer {
    let easy: UnsafeMutableRawPointer
    let index: Int
    var isActive = false

    private let trace: (@Sendable (String) -> Void)?
    private let redactor: TraceRedactor
    /// The delivery being sent; a placeholder until the first `prepare`, never reported.
    private var envelopeKey = DeliveryKey(mailing: .sendTest, recipient: AddressKey(""))
    private var recipients: UnsafeMutablePointer<curl_slist>?
    private var body: [UInt8] = []
    private var offset = 0
    /// Set when libcurl has read the whole body: from then on the server may have the message.
    private var bodyComplete = false
    /// The last complete reply of the current message, and the lines of one being received.
    private var lastReply: SMTPReply?
    private var pendingReplyLines: [String] = []
    /// The verb of the last command sent; replies to QUIT and RSET say nothing about the message.
    private var lastVerb = ""
    /// True between an AUTH command and its final reply: every line sent then carries credentials.
    private var inAuthExchange = false
    /// The reason a reply was refused during AUTH, for a clear error.
    private var authReply: SMTPReply?

    init(
        easy: UnsafeMutableRawPointer, index: Int, trace: (@Sendable (String) -> Void)?,
        redactor: TraceRedactor
    ) {
        self.easy = easy
        self.index = index
        self.trace = trace
        self.redactor = redactor
    }

    deinit {
        if let recipients { curl_slist_free_all(recipients) }
    }

    /// Sets the handle up for `envelope`. Options that stay the same are set
    /// again too; it is cheap, and it keeps each message independent of the last.
    func prepare(envelope: Envelope, settings: SMTPSettings, url: String) throws(TransportError) {
        envelopeKey = envelope.key
        body = envelope.data
        offset = 0
        bodyComplete = false
        lastReply = nil
        pendingReplyLines = []
        lastVerb = ""
        inAuthExchange = false
        authReply = nil
        if let recipients { curl_slist_free_all(recipients) }
        // The address was validated when the MailAddress was made; libcurl would
        // otherwise pass CR/LF straight to the wire.
        recipients = curl_slist_append(nil, "<\(envelope.recipient.address)>")

        let context = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        set(inviter_easy_setopt_string(easy, CURLOPT_URL, url))
        set(inviter_easy_setopt_string(easy, CURLOPT_MAIL_FROM, "<\(envelope.sender.address)>"))
        set(inviter_easy_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipients))
        set(inviter_easy_setopt_long(easy, CURLOPT_UPLOAD, 1))
        set(inviter_easy_setopt_offset(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count)))
        set(inviter_easy_setopt_read_function(easy, curlReadBody))
        set(inviter_easy_setopt_pointer(easy, CURLOPT_READDATA, context))
        // Verbose output goes only to the debug callback, which reads replies and redacts AUTH.
        set(inviter_easy_setopt_long(easy, CURLOPT_VERBOSE, 1))
        set(inviter_easy_setopt_debug_function(easy, curlDebug))
        set(inviter_easy_setopt_pointer(easy, CURLOPT_DEBUGDATA, context))
        set(inviter_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(inviter_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout))
        set(inviter_easy_setopt_long(easy, CURLOPT_TIMEOUT, settings.messageTimeout))
        switch settings.tls {
        case .starttls, .implicit:
            // CURLUSESSL_ALL: without STARTTLS the transfer fails before AUTH, never falls back to clear text.
            set(inviter_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
            set(inviter_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
            set(inviter_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        case .none:
            set(inviter_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue)))
        }
        if let caFile = settings.caFile { set(inviter_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        if let username = settings.username, let password = settings.password {
            set(inviter_easy_setopt_string(easy, CURLOPT_USERNAME, username))
            set(inviter_easy_setopt_string(easy, CURLOPT_PASSWORD, password.reveal()))
        }
        if failed != CURLE_OK {
            throw .configuration("libcurl refused an option: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    // MARK: - Callbacks

    fileprivate func readBody(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, body.count - offset)
        if count > 0 {
            body.withUnsafeBytes { source in
                if let base = source.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
                }
            }
            offset += count
        }
        if offset == body.count { bodyComplete = true }
        return count
    }

    /// Reads the protocol lines libcurl shows: replies for classification, commands for the verb.
    /// Lines are split on bytes; strings are made only of what is kept or traced.
    fileprivate func debug(type: curl_infotype, bytes: UnsafeRawBufferPointer) {
        switch type {
        case CURLINFO_HEADER_IN:
            for line in bytes.split(whereSeparator: { $0 == 13 || $0 == 10 }) { receivedLine(line) }
        case CURLINFO_HEADER_OUT:
            for line in bytes.split(whereSeparator: { $0 == 13 || $0 == 10 }) {
                // Only the verb is read, upper-cased: the whole line only for AUTH and a trace.
                let verb = String(decoding: line.prefix { $0 != 0x20 }, as: UTF8.self).uppercased()
                if !inAuthExchange { lastVerb = verb }
                if verb == "AUTH", line.contains(0x20) {
                    inAuthExchange = true
                    let mechanism = line.split(separator: 0x20).dropFirst().first.map {
                        String(decoding: $0, as: UTF8.self)
                    }
                    emitTrace("> AUTH \(mechanism ?? "") [credentials redacted]")
                } else if inAuthExchange {
                    emitTrace("> [credentials redacted]")
                } else {
                    emitTrace("> " + String(decoding: line, as: UTF8.self))
                }
            }
        case CURLINFO_TEXT:
            guard trace != nil else { return }
            emitTrace(
                "* " + String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            break  // Message data and TLS records: too much for a trace, and the body may be personal.
        }
    }

    private func receivedLine(_ line: Slice<UnsafeRawBufferPointer>) {
        emitTrace("< " + String(decoding: line, as: UTF8.self))
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return }
        let code = bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        pendingReplyLines.append(text)
        let isLast = bytes.count == 3 || bytes[3] == UInt8(ascii: " ")
        guard isLast else { return }
        let reply = SMTPReply(
            code: code, text: pendingReplyLines.count == 1 ? text : pendingReplyLines.joined(separator: " "))
        pendingReplyLines.removeAll(keepingCapacity: true)
        if lastVerb != "QUIT", lastVerb != "RSET" { lastReply = reply }
        if inAuthExchange, code != 334 {
            inAuthExchange = false
            if code >= 400 { authReply = reply }
        }
    }

    /// Builds the line only when tracing: on every protocol line of every message otherwise.
    private func emitTrace(_ line: @autoclosure () -> String) {
        guard let trace else { return }
        trace("[\(index)] " + redactor.scrub(line()))
    }

    /// Whether the debug callback needs `type` at all: libcurl's own remarks only for a trace.
    func wants(_ type: curl_infotype) -> Bool {
        type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT || (type == CURLINFO_TEXT && trace != nil)
    }

    // MARK: - Classification

    /// Maps libcurl's result and the last server reply to one of the four outcomes.
    ///
    /// The reply code decides where there is one, not the curl code alone (the
    /// same curl code 56 means "safe to retry" after `DATA` was refused and
    /// "outcome unknown" after the body went out).
    func classify(_ code: CURLcode) -> TransferVerdict {
        var responseCode = 0
        _ = inviter_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        let reply = lastReply ?? (responseCode > 0 ? SMTPReply(code: responseCode, text: "") : nil)
        let curlText = String(cString: curl_easy_strerror(code))
        func result(_ outcome: DeliveryOutcome, _ detail: String) -> DeliveryResult {
            DeliveryResult(key: envelopeKey, outcome: outcome, reply: reply, detail: detail)
        }

        switch code {
        case CURLE_OK:
            return .result(result(.delivered, "accepted by the server"))
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            let said = (authReply ?? reply).map { " (server said: \($0))" } ?? ""
            return .stop(
                .security(
                    "authentication rejected: the relay did not accept the username and password\(said)"), nil
            )
        case CURLE_USE_SSL_FAILED:
            return .stop(
                .security(
                    "the server does not offer STARTTLS, which tls = \"starttls\" requires; nothing was sent, not even AUTH"
                ), nil)
        case CURLE_PEER_FAILED_VERIFICATION:
            return .stop(
                .security(
                    "the server's TLS certificate could not be verified (\(curlText)); set ca_file for a private relay"
                ), nil)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            return .stop(.security("the TLS handshake failed (\(curlText))"), nil)
        case CURLE_SSL_CACERT_BADFILE:
            return .stop(.configuration("ca_file could not be read as PEM certificates (\(curlText))"), nil)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
            let detail = "could not connect to the relay (\(curlText))"
            return .stop(.unreachable(detail), result(.temporary, detail))
        default:
            break
        }

        if let reply, reply.code >= 500 {
            let stage = bodyComplete ? "refused after the message body" : "refused before the message body"
            return .result(result(.permanent, stage))
        }
        if let reply, reply.code >= 400 {
            let stage = bodyComplete ? "deferred after the message body" : "deferred before the message body"
            return .result(result(.temporary, stage))
        }
        if reply?.code == 354, bodyComplete {
            let what = code == CURLE_OPERATION_TIMEDOUT ? "timed out" : "lost the connection (\(curlText))"
            return .result(
                result(.unknown, "\(what) after the message body was sent, before the server's final reply"))
        }
        if reply == nil, code == CURLE_OPERATION_TIMEDOUT {
            let detail = "no answer from the relay (\(curlText))"
            return .stop(.unreachable(detail), result(.temporary, detail))
        }
        return .result(
            result(.temporary, "the connection failed before the message body was complete (\(curlText))"))
    }
}

/// libcurl's read callback: copies the next piece of the body.
private func curlReadBody(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.readBody(into: buffer, capacity: size * count)
}

/// libcurl's debug callback: protocol lines for reply tracking and the redacted trace.
private func curlDebug(
    _ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    guard transfer.wants(type) else { return 0 }
    transfer.debug(type: type, bytes: UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
