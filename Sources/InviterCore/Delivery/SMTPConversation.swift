/// One message's SMTP conversation, read from the protocol lines libcurl shows: the server's last
/// reply (what the outcome is judged by), the reply that refused AUTH, and which lines carry
/// credentials and must never reach a trace.
///
/// Works on the bytes of each line, and makes strings only of what it keeps: it sees every line
/// of every message.
struct SMTPConversation {
    /// The last complete reply to a command about the message (replies to QUIT and RSET say
    /// nothing about it).
    private(set) var lastReply: SMTPReply?
    /// The reply that refused AUTH, for a clear error.
    private(set) var authReply: SMTPReply?
    /// The lines of a multi-line reply being received.
    private var pendingLines: [String] = []
    /// The verb of the last command sent.
    private var lastVerb = ""
    /// True between an AUTH command and its final reply: every line sent then carries credentials.
    private var inAuthExchange = false

    /// Forgets the last message's conversation, for the next message on the same connection.
    mutating func reset() {
        lastReply = nil
        authReply = nil
        pendingLines.removeAll(keepingCapacity: true)
        lastVerb = ""
        inAuthExchange = false
    }

    /// Reads a line the client sent (without its line end).
    ///
    /// - Returns: the line as a trace may show it, AUTH exchanges redacted; nil unless `tracing`.
    mutating func sent<Line: Collection<UInt8>>(_ line: Line, tracing: Bool) -> String? {
        // Only the verb is read, upper-cased: the whole line only for AUTH and a trace.
        let verb = String(decoding: line.prefix { $0 != 0x20 }, as: UTF8.self).uppercased()
        if !inAuthExchange { lastVerb = verb }
        if verb == "AUTH", line.contains(0x20) {
            inAuthExchange = true
            guard tracing else { return nil }
            let mechanism = line.split(separator: 0x20).dropFirst().first.map {
                String(decoding: $0, as: UTF8.self)
            }
            return "> AUTH \(mechanism ?? "") [credentials redacted]"
        }
        guard tracing else { return nil }
        return inAuthExchange ? "> [credentials redacted]" : "> " + String(decoding: line, as: UTF8.self)
    }

    /// Reads a line the server sent (without its line end): `250 OK`, or one line of a
    /// multi-line reply (`250-…`); anything else is ignored.
    mutating func received<Line: Collection<UInt8>>(_ line: Line) {
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return }
        let code = bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        pendingLines.append(text)
        let isLast = bytes.count == 3 || bytes[3] == UInt8(ascii: " ")
        guard isLast else { return }
        let reply = SMTPReply(
            code: code, text: pendingLines.count == 1 ? text : pendingLines.joined(separator: " "))
        pendingLines.removeAll(keepingCapacity: true)
        if lastVerb != "QUIT", lastVerb != "RSET" { lastReply = reply }
        if inAuthExchange, code != 334 {
            inAuthExchange = false
            if code >= 400 { authReply = reply }
        }
    }
}
