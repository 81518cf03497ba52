/// What became of one message.
public enum DeliveryOutcome: String, Sendable, Equatable, CaseIterable {
    /// The server answered 250 after the message body: it took responsibility.
    case delivered
    /// A 4xx reply, or the connection failed before the body was complete:
    /// the server cannot have accepted it, so it is safe to try again later.
    case temporary
    /// A 5xx reply: trying again will not help.
    case permanent
    /// The body went out but no final reply came (the connection broke or timed
    /// out): the server may or may not have accepted it.
    case unknown
}

/// A server's reply: the three-digit code and its text.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// The reply text without the code, lines of a multi-line reply joined with a space.
    public let text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public var description: String { text.isEmpty ? "\(code)" : "\(code) \(text)" }
}

/// The outcome of one envelope, with the evidence for it.
public struct DeliveryResult: Sendable, Equatable, CustomStringConvertible {
    /// The delivery this result belongs to: its ``Envelope/key``.
    public let key: DeliveryKey
    public let outcome: DeliveryOutcome
    /// The server's last reply, when there was one.
    public let reply: SMTPReply?
    /// A short explanation for a person reading the log or `inviter status`.
    public let detail: String

    public init(key: DeliveryKey, outcome: DeliveryOutcome, reply: SMTPReply?, detail: String) {
        self.key = key
        self.outcome = outcome
        self.reply = reply
        self.detail = detail
    }

    public var description: String {
        var text = "\(outcome.rawValue): \(detail)"
        if let reply { text += " (server said: \(reply))" }
        return text
    }
}

/// Why a transport could not go on at all.
///
/// None of these is about one recipient: they stop the run, and the messages
/// not yet reported stay waiting for the next one.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TLS or authentication refused: a setting or the server must change
    /// before anything can be sent (EX_NOPERM, 77).
    case security(String)
    /// The relay could not be reached at all (EX_TEMPFAIL, 75).
    case unreachable(String)
    /// The transport's settings are unusable (EX_CONFIG, 78).
    case configuration(String)

    public var description: String {
        switch self {
        case .security(let reason): "refused for security: \(reason)"
        case .unreachable(let reason): "relay unreachable: \(reason)"
        case .configuration(let reason): "delivery configuration: \(reason)"
        }
    }
}
