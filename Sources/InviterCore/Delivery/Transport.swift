/// Where rendered messages go: an SMTP relay or a folder.
///
/// The dispatcher sees only this protocol, so a run can be pointed at the
/// outbox for a demo or a dry run without changing anything else.
public protocol Transport: Sendable {
    /// Delivers each envelope once and reports its outcome as soon as it is known.
    ///
    /// An envelope may be left unreported when the transport stops early (a
    /// security refusal, an unreachable relay, cancellation); it was then
    /// never handed to a server and may be sent later.
    ///
    /// - Parameters:
    ///   - envelopes: The messages, each with its one recipient.
    ///   - willSend: Called with the ids of the next few envelopes (two per connection)
    ///     before any of them is handed over, from any thread but one call at a time; the ledger
    ///     marks them `sending` here, in one commit, so that only a handful of messages are in
    ///     doubt when the process dies. When it throws, the transport stops starting messages.
    ///   - report: Called once per attempted envelope, from any thread.
    /// - Throws: `TransportError` when the transport cannot go on at all.
    func deliver(
        _ envelopes: [Envelope], willSend: @escaping @Sendable ([String]) throws -> Void,
        report: @escaping @Sendable (DeliveryResult) -> Void
    ) async throws

    /// Ends what the transport keeps open between deliveries (an SMTP session's connections), at
    /// the end of a run.
    func finish()
}

extension Transport {
    public func finish() {}

    /// Delivers without a hook before each hand-over.
    public func deliver(_ envelopes: [Envelope], report: @escaping @Sendable (DeliveryResult) -> Void)
        async throws
    {
        try await deliver(envelopes, willSend: { _ in }, report: report)
    }

    /// Delivers `envelopes` and returns the outcomes in the order they became known.
    public func deliver(_ envelopes: [Envelope]) async throws -> [DeliveryResult] {
        let collected = ResultCollector()
        try await deliver(envelopes) { collected.append($0) }
        return collected.results
    }
}

/// A message ready to hand to a server: who it is from and to (the SMTP
/// envelope) and its encoded bytes.
public struct Envelope: Sendable {
    /// A stable identity for (mailing, recipient); results and outbox file names use it.
    public let id: String
    public let sender: MailAddress
    public let recipient: MailAddress
    /// The message as `MessageEncoder` wrote it: CRLF line ends, not dot-stuffed.
    public let data: [UInt8]

    public init(id: String, sender: MailAddress, recipient: MailAddress, data: [UInt8]) {
        self.id = id
        self.sender = sender
        self.recipient = recipient
        self.data = data
    }

    /// Encodes `message` for its own `From` and `To`, identified by its Message-ID.
    public init(message: Message, encoder: MessageEncoder = MessageEncoder()) throws(MessageEncodingError) {
        self.init(
            id: message.messageID.value, sender: message.from, recipient: message.to,
            data: try encoder.encode(message))
    }
}
