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
    ///   - gate: Asked before each hand-over how many envelopes, from the first, may go; the
    ///     transport starts none beyond that, and stops starting any when the gate throws.
    ///   - report: Called once per attempted envelope, from any thread.
    /// - Throws: `TransportError` when the transport cannot go on at all.
    func deliver(
        _ envelopes: [Envelope], gate: any HandOverGate, report: @escaping @Sendable (DeliveryResult) -> Void
    ) async throws

    /// How many envelopes a gate should clear at a time: enough to keep every connection busy
    /// while the next group is cleared.
    var handOverGroup: Int { get }

    /// Ends what the transport keeps open between deliveries (an SMTP session's connections), at
    /// the end of a run.
    func finish()
}

extension Transport {
    public func finish() {}

    /// Delivers with nothing to record before each hand-over.
    public func deliver(_ envelopes: [Envelope], report: @escaping @Sendable (DeliveryResult) -> Void)
        async throws
    {
        try await deliver(envelopes, gate: OpenGate(), report: report)
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
    /// The delivery this is: its result comes back under the same key, and an outbox names its file after it.
    public let key: DeliveryKey
    public let sender: MailAddress
    public let recipient: MailAddress
    /// The message as `MessageEncoder` wrote it: CRLF line ends, not dot-stuffed.
    public let data: [UInt8]

    public init(key: DeliveryKey, sender: MailAddress, recipient: MailAddress, data: [UInt8]) {
        self.key = key
        self.sender = sender
        self.recipient = recipient
        self.data = data
    }

    /// Encodes `message` for its own `From` and `To`, as the delivery of `mailing` to its `To`: for
    /// a single message outside the ledger (`send-test`, a test copy of an announcement).
    public init(message: Message, mailing: MailingID = .sendTest, encoder: MessageEncoder = MessageEncoder())
        throws(MessageEncodingError)
    {
        self.init(message: message, mailing: mailing, data: try encoder.encode(message))
    }

    /// `message`'s envelope with its bytes already made (encoded and signed).
    public init(message: Message, mailing: MailingID, data: [UInt8]) {
        self.init(
            key: DeliveryKey(mailing: mailing, recipient: message.to.key), sender: message.from,
            recipient: message.to, data: data)
    }
}
