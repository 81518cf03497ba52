import Foundation

/// One delivery: a mailing and one recipient's address.
///
/// The same value names the delivery in the ledger, travels with its ``Envelope`` to the
/// transport and comes back with its ``DeliveryResult``; the Message-ID and the outbox file name
/// are made from it, so a delivery has one identity from registration to the server's reply.
public struct DeliveryKey: Sendable, Hashable, CustomStringConvertible {
    public let mailing: MailingID
    public let recipient: AddressKey

    public init(mailing: MailingID, recipient: AddressKey) {
        self.mailing = mailing
        self.recipient = recipient
    }

    /// For a person reading a log or an error.
    public var description: String { "\(mailing) → \(recipient)" }

    /// `<mailing> <recipient>`: what the Message-ID is derived from, and the outbox file's name.
    public var text: String { "\(mailing) \(recipient)" }

    /// The Message-ID of this delivery: the same in every attempt and every run, so the ledger can
    /// record it before sending and a message sent again is recognisable as the same one.
    ///
    /// - Parameter domain: The sender's domain, which makes the id globally unique.
    public func messageID(domain: some StringProtocol) -> MessageID {
        MessageID(stableKey: text, domain: domain)
    }
}
