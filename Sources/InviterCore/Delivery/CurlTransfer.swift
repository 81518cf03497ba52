import CCurl
import Foundation

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
    /// The protocol lines of the current message, read for its outcome and its trace.
    private var conversation = SMTPConversation()

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
        conversation.reset()
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
        set(
            CurlSecurity.apply(
                to: easy, tls: settings.tls, caFile: settings.caFile, username: settings.username,
                password: settings.password, connectTimeout: settings.connectTimeout,
                timeout: settings.messageTimeout))
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
            for line in bytes.split(whereSeparator: { $0 == 13 || $0 == 10 }) {
                emitTrace("< " + String(decoding: line, as: UTF8.self))
                conversation.received(line)
            }
        case CURLINFO_HEADER_OUT:
            for line in bytes.split(whereSeparator: { $0 == 13 || $0 == 10 }) {
                if let shown = conversation.sent(line, tracing: trace != nil) { emitTrace(shown) }
            }
        case CURLINFO_TEXT:
            guard trace != nil else { return }
            emitTrace(
                "* " + String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            break  // Message data and TLS records: too much for a trace, and the body may be personal.
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

    /// What libcurl's result `code` and the conversation mean for this message; the rules are
    /// ``OutcomeClassifier``'s.
    func classify(_ code: CURLcode) -> TransferVerdict {
        var responseCode = 0
        _ = inviter_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        let facts = TransferFacts(
            end: Self.end(of: code), curlText: String(cString: curl_easy_strerror(code)),
            reply: conversation.lastReply
                ?? (responseCode > 0 ? SMTPReply(code: responseCode, text: "") : nil),
            authReply: conversation.authReply, bodyComplete: bodyComplete)
        return OutcomeClassifier.verdict(facts, key: envelopeKey)
    }

    /// libcurl's result codes, in the classifier's terms.
    static func end(of code: CURLcode) -> TransferEnd {
        switch code {
        case CURLE_OK: .completed
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR: .authenticationRejected
        case CURLE_USE_SSL_FAILED: .noStartTLS
        case CURLE_PEER_FAILED_VERIFICATION: .certificateUnverified
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: .tlsFailed
        case CURLE_SSL_CACERT_BADFILE: .caFileUnreadable
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT: .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        default: .failed
        }
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

/// What every libcurl handle of Inviter's sets the same way, SMTP and IMAP alike: TLS required
/// and verified (or none, for a server on this host), the CA file, the login and the timeouts.
enum CurlSecurity {
    /// The first option libcurl refused, or `CURLE_OK`.
    static func apply(
        to easy: UnsafeMutableRawPointer, tls: SMTPSettings.TLSMode, caFile: String?, username: String?,
        password: Secret?, connectTimeout: Int, timeout: Int
    ) -> CURLcode {
        var failed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }
        set(inviter_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(inviter_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, connectTimeout))
        set(inviter_easy_setopt_long(easy, CURLOPT_TIMEOUT, timeout))
        switch tls {
        case .starttls, .implicit:
            // CURLUSESSL_ALL: without STARTTLS the transfer fails before the login, never falls back to clear text.
            set(inviter_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
            set(inviter_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
            set(inviter_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        case .none:
            set(inviter_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue)))
        }
        if let caFile { set(inviter_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        if let username, let password {
            set(inviter_easy_setopt_string(easy, CURLOPT_USERNAME, username))
            set(inviter_easy_setopt_string(easy, CURLOPT_PASSWORD, password.reveal()))
        }
        return failed
    }
}
