import Foundation

/// One email to one recipient, before it is encoded.
///
/// Inviter never puts two recipients in one message: each member gets their own
/// language, their own unsubscribe link and their own ledger entry. The fields
/// are plain text; `MessageEncoder` does all escaping and encoding, so no value
/// placed here can add a header or break the MIME structure.
public struct Message: Sendable {
    public var from: MailAddress
    public var to: MailAddress
    public var replyTo: MailAddress?
    public var subject: String
    public var date: Date
    /// The time zone the `Date` header is written in (the network's zone).
    public var timeZone: TimeZone
    public var messageID: MessageID
    /// `List-Id` (RFC 2919): lets mail programs group and filter the network's mail.
    public var listID: ListID?
    /// `List-Unsubscribe` targets (RFC 2369), such as `mailto:` and `https:` URIs.
    public var listUnsubscribe: [String]
    /// Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058); only
    /// meaningful when an https target is present.
    public var oneClickUnsubscribe: Bool
    /// Further headers such as `X-Inviter-Mailing`; names are checked, values encoded.
    public var extraHeaders: [Header]
    /// The plain-text body; always present, so every mail program can show something.
    public var text: String
    /// The HTML body, sent as the last (preferred) alternative.
    public var html: String?
    /// Further alternatives placed between the text and the HTML, such as a calendar part.
    public var alternatives: [BodyPart]
    /// Files attached after the body, such as `invite.ics`.
    public var attachments: [MessageAttachment]

    public init(
        from: MailAddress,
        to: MailAddress,
        replyTo: MailAddress? = nil,
        subject: String,
        date: Date,
        timeZone: TimeZone,
        messageID: MessageID,
        listID: ListID? = nil,
        listUnsubscribe: [String] = [],
        oneClickUnsubscribe: Bool = false,
        extraHeaders: [Header] = [],
        text: String,
        html: String? = nil,
        alternatives: [BodyPart] = [],
        attachments: [MessageAttachment] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.timeZone = timeZone
        self.messageID = messageID
        self.listID = listID
        self.listUnsubscribe = listUnsubscribe
        self.oneClickUnsubscribe = oneClickUnsubscribe
        self.extraHeaders = extraHeaders
        self.text = text
        self.html = html
        self.alternatives = alternatives
        self.attachments = attachments
    }
}

/// An extra header. The name is checked when the message is encoded; the value
/// is treated as unstructured text.
public struct Header: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A text body part with its own media type, such as `text/calendar; method=PUBLISH`.
public struct BodyPart: Sendable, Hashable {
    /// The media type without charset, e.g. `text/calendar`.
    public var mediaType: String
    /// Extra Content-Type parameters, e.g. `["method": "PUBLISH"]`; written in order of name.
    public var parameters: [String: String]
    public var text: String

    public init(mediaType: String, parameters: [String: String] = [:], text: String) {
        self.mediaType = mediaType
        self.parameters = parameters
        self.text = text
    }
}

/// A file attached to the message, always sent in base64.
public struct MessageAttachment: Sendable, Hashable {
    public var filename: String
    public var mediaType: String
    public var parameters: [String: String]
    public var data: [UInt8]

    public init(filename: String, mediaType: String, parameters: [String: String] = [:], data: [UInt8]) {
        self.filename = filename
        self.mediaType = mediaType
        self.parameters = parameters
        self.data = data
    }
}

/// A `List-Id` value (RFC 2919): a phrase and a dot-atom identifier.
public struct ListID: Sendable, Hashable {
    public var name: String
    /// A dot-atom such as `events.example.org`.
    public var id: String

    public init(name: String, id: String) {
        self.name = name
        self.id = id
    }
}

/// The `id-left@id-right` inside a Message-ID's angle brackets.
///
/// Stable IDs let a recipient's mail program recognise a message sent again
/// after an unknown outcome as the same message.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Checks that `value` is a `dot-atom@dot-atom` without brackets.
    public init(_ value: String) throws(AddressError) {
        if let reason = MailAddress.problem(in: value) {
            throw AddressError(value: value, source: "Message-ID", reason: reason)
        }
        self.value = value
    }

    /// A Message-ID derived from a stable key, so the same (mailing, recipient)
    /// always gets the same ID.
    ///
    /// - Parameters:
    ///   - key: Any text identifying the message, e.g. `invitation/hygge/2026-12-02 a@example.org`.
    ///   - domain: The sender's domain, which makes the ID globally unique.
    public init(stableKey key: String, domain: some StringProtocol) {
        let hash = StableHash.hex128(key)
        // The domain has been validated as part of a MailAddress, so this is a valid dot-atom.
        self.value = "\(hash).inviter@\(domain)"
    }

    public var description: String { "<\(value)>" }
}
