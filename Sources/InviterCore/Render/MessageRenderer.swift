import Foundation
import Mustache

/// One message to render: which mailing, which occurrence, for whom.
public struct RenderRequest: Sendable {
    public var kind: MailingKind
    /// The mailing's identity, such as `invitation/wednesday-hygge/2026-12-02`.
    public var mailingID: MailingID
    /// The occurrence an invitation, reminder, cancellation or partner copy is about.
    public var occurrence: Occurrence?
    /// The occurrences a newsletter lists (narrowed to the recipient's segments when rendered).
    public var digest: [Occurrence]
    /// The template name of an announcement.
    public var announcement: String?
    public var recipient: Recipient
    /// The calendar SEQUENCE: 0 when first announced, higher after each change.
    public var sequence: Int
    /// The moment of sending, for the Date header and DTSTAMP.
    public var now: Date
    /// Seats left of an RSVP occurrence with a capacity, when the message is rendered; nil for
    /// no limit (or no RSVP).
    public var seatsLeft: Int?
    /// The same for each RSVP occurrence a newsletter lists.
    public var digestSeatsLeft: [OccurrenceID: Int] = [:]

    public init(
        kind: MailingKind, mailingID: MailingID, occurrence: Occurrence, recipient: Recipient,
        sequence: Int = 0,
        now: Date
    ) {
        self.kind = kind
        self.mailingID = mailingID
        self.occurrence = occurrence
        self.digest = []
        self.announcement = nil
        self.recipient = recipient
        self.sequence = sequence
        self.now = now
    }

    /// The message of `mailing` for `recipient`.
    public init(mailing: Mailing, recipient: Recipient, sequence: Int = 0, now: Date) {
        self.kind = mailing.kind
        self.mailingID = mailing.id
        self.occurrence = mailing.occurrence
        self.digest = mailing.digest
        self.announcement = mailing.announcement
        self.recipient = recipient
        self.sequence = sequence
        self.now = now
    }

    /// The template's key in the template set: the kind, or `announcements/<name>`.
    var templateKey: String {
        if kind == .announcement, let announcement { return "announcements/\(announcement)" }
        return kind.rawValue
    }
}

/// What a rendered message is, besides its bytes: for previews and logs.
public struct RenderedMessage: Sendable {
    /// The message as plain values. Read-only, because ``encoded()`` may write a prepared
    /// message's body from its own lines, which say what this says only while it is unchanged:
    /// to send a changed copy (a test copy to another address), copy it out and encode the copy
    /// with ``MessageEncoder``.
    public let message: Message
    /// The language the template was in (after fallback).
    public var language: LanguageCode
    /// The HTML part alone, for a browser preview.
    public var html: String
    /// The prepared message `message` was filled from, and the recipient's values; nil when it
    /// was rendered whole.
    let filled: (prepared: PreparedMessage, slots: [String])?
    /// The renderer's encoder, which looks up shared header fields in its cache.
    let encoder: MessageEncoder
    /// Signs the bytes, when the network signs its mail.
    var signer: DKIMSigner? = nil

    /// The message's bytes, as ``MessageEncoder/encode(_:)`` writes them for `message`.
    ///
    /// A prepared message's bytes come from what it encoded once for every recipient (the lines
    /// without values, the calendar part); only the lines holding this recipient's values are
    /// encoded here.
    ///
    /// - Throws: ``MessageEncodingError`` for a value that cannot be written safely.
    public func encoded() throws(MessageEncodingError) -> [UInt8] {
        let bytes: [UInt8]
        if let filled {
            let parts = filled.prepared.body(filled.slots)
            bytes = try encoder.encode(message, body: parts.body, attachments: parts.attachments)
        } else {
            bytes = try encoder.encode(message)
        }
        return try MessageRenderer.sign(bytes, at: message.date, with: signer)
    }
}

/// Why a message could not be rendered.
public struct RenderError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Renders invitations, reminders, cancellations and partner copies from the
/// network's templates, in each recipient's language.
public struct MessageRenderer: Sendable {
    public internal(set) var configuration: Configuration
    public let templates: TemplateSet
    public let strings: StringsTable
    /// The secret that signs links (one-click unsubscribes, sign-up confirmations), when `[web]` or
    /// `[unsubscribe] url` is set.
    public let unsubscribeSecret: Secret?
    /// Messages rendered once per mailing, language and shape, shared by every copy of this renderer.
    let preparedMessages = PreparedMessages()
    /// The calendar entries, Markdown, dates and header fields this renderer and its copies have
    /// already worked out: they live as long as the renderer, so a new renderer starts cold.
    let cache = RenderCache()
    /// Whether messages are filled in from one rendering per mailing, language and shape (the
    /// default), or each is rendered whole from the templates. Both give the same bytes; whole
    /// rendering is several times slower and is there to check that they do.
    public var preparesMessages = true
    /// Announcement templates with problems (see ``RenderSetup/brokenAnnouncements``): those
    /// announcements are refused; the invitations and everything else go as usual.
    public var brokenAnnouncements: Set<String> = []
    /// Signs every message this renderer's messages are encoded into (`[dkim]`), nil for none.
    public var dkim: DKIMSigner?

    /// How many (mailing, language, shape) combinations have been prepared so far, and how many are
    /// rendered whole because their templates put a value where filling it in would not give the
    /// same message (a value written unescaped, say).
    public var preparedShapes: (prepared: Int, renderedWhole: Int) { preparedMessages.counts }

    public init(
        configuration: Configuration, templates: TemplateSet, strings: StringsTable,
        unsubscribeSecret: Secret?
    ) {
        self.configuration = configuration
        self.templates = templates
        self.strings = strings
        self.unsubscribeSecret = unsubscribeSecret
    }

    var network: Configuration.Network { configuration.network }

    /// The Message-ID of (mailing, recipient): the same in every attempt and every run, so the ledger
    /// can record it before sending and a resent message is recognisable.
    public func messageID(mailingID: MailingID, recipient: AddressKey) -> MessageID {
        DeliveryKey(mailing: mailingID, recipient: recipient).messageID(domain: network.from.domain)
    }

    /// The recipient's language, else the network's default: where the chain every text follows
    /// (``Configuration/Network/languageFallback``) starts.
    func language(for recipient: Recipient) -> LanguageCode {
        recipient.language ?? network.defaultLanguage
    }

    public func render(_ request: RenderRequest) throws(RenderError) -> RenderedMessage {
        let wanted = language(for: request.recipient)
        guard
            let (template, language) = templates.template(
                request.templateKey, language: wanted, fallback: network.languageFallback)
        else {
            throw RenderError(
                description:
                    "no \(request.templateKey) template in \(wanted), \(network.defaultLanguage) or en")
        }
        let unsubscribe = unsubscribeTargets(for: request.recipient)
        let values = RecipientValues(
            recipient: request.recipient, link: unsubscribe.link, mailto: unsubscribe.mailto,
            rsvp: rsvpLinks(for: request))
        let texts: RenderedTexts
        var calendar: (alternatives: [BodyPart], attachments: [MessageAttachment])
        var filled: (prepared: PreparedMessage, slots: [String])?
        let slots = values.slots
        if preparesMessages, PreparedMessage.fits(slots),
            let prepared = prepared(
                request, template: template, language: language, values: values, slots: slots)
        {
            texts = prepared.texts(slots)
            calendar = (prepared.alternatives, prepared.attachments)
            filled = (prepared, slots)
        } else {
            texts = self.texts(for: request, template: template, language: language, values: values)
            calendar = calendarParts(for: request, language: language)
        }
        var message = Message(
            from: network.from,
            to: request.recipient.address,
            replyTo: network.replyTo,
            subject: texts.subject,
            date: request.now,
            timeZone: network.timeZone,
            messageID: messageID(mailingID: request.mailingID, recipient: request.recipient.address.key),
            listID: ListID(name: network.name, id: "invitations.\(network.from.domain)"),
            listUnsubscribe: unsubscribe.headers,
            oneClickUnsubscribe: unsubscribe.oneClick,
            extraHeaders: [
                Header("X-Inviter-Mailing", request.mailingID.description),
                Header("Auto-Submitted", "auto-generated"),
            ],
            text: texts.text,
            html: texts.html
        )
        message.alternatives = calendar.alternatives
        message.attachments = calendar.attachments
        return RenderedMessage(
            message: message, language: language, html: texts.html, filled: filled,
            encoder: MessageEncoder(cache: cache), signer: dkim)
    }

    /// Subject, text and HTML of `request` for `values`, rendered from the templates.
    func texts(
        for request: RenderRequest, template: BodyTemplate, language: LanguageCode, values: RecipientValues
    ) -> RenderedTexts {
        let context = self.context(for: request, language: language, values: values)
        let plain = MarkdownBody.plain(context)
        let subject = template.subject.render(plain)
        let footer = footerLine(values, language: language)
        let text = MarkdownBody.text(template.body, context: context) + "\n-- \n" + footer + "\n"
        let bodyHTML = MarkdownBody.html(template.body, context: context, cache: cache)
        let html = layoutHTML(
            body: bodyHTML, subject: subject, language: language, footer: footer, unsubscribeURL: values.link)
        return RenderedTexts(subject: subject, text: text, html: html)
    }

    /// The message of `request` with holes for the recipient's values, shared by every recipient of
    /// the same shape; nil when it cannot be prepared.
    ///
    /// Before a prepared message is used, it is filled with probe values full of characters that
    /// escaping treats specially and compared with a whole render of the same probe: a template
    /// that puts a value where it is escaped twice, or not at all, is caught there and its
    /// messages are rendered whole, so the two ways can never give different mail.
    ///
    /// - Parameter slots: `values.slots`, made once per message by the caller.
    private func prepared(
        _ request: RenderRequest, template: BodyTemplate, language: LanguageCode, values: RecipientValues,
        slots: [String]
    ) -> PreparedMessage? {
        var digest = request.digest
        if request.kind == .newsletter, case .member(let member) = request.recipient {
            digest = digest.meant(for: member)
        }
        let shape = PreparedMessages.Shape(
            mailingID: request.mailingID, templateKey: request.templateKey, language: language,
            sequence: request.sequence, now: request.now, occurrence: request.occurrence, digest: digest,
            isPartner: values.isPartner, fieldNames: values.fieldNames, empty: slots.map(\.isEmpty),
            hasLink: values.link != nil, hasMailto: values.mailto != nil, seatsLeft: request.seatsLeft,
            digestSeatsLeft: request.digestSeatsLeft)
        return preparedMessages.message(for: shape) {
            let holes = values.replacing { index, _ in PreparedMessage.hole(index) }
            let rendered = texts(for: request, template: template, language: language, values: holes)
            let calendar = calendarParts(for: request, language: language)
            let prepared = PreparedMessage(
                subject: FillPattern(parsing: rendered.subject), text: FillPattern(parsing: rendered.text),
                html: FillPattern(parsing: rendered.html), alternatives: calendar.alternatives,
                attachments: calendar.attachments)
            let probe = values.replacing { index, _ in PreparedMessage.probe(index) }
            guard
                prepared.texts(probe.slots)
                    == texts(for: request, template: template, language: language, values: probe)
            else { return nil }
            return prepared
        }
    }
}

extension MessageRenderer {
    /// `bytes` signed with `signer` (unchanged without one), dated `time` (the message's Date).
    static func sign(_ bytes: [UInt8], at time: Date, with signer: DKIMSigner?) throws(MessageEncodingError)
        -> [UInt8]
    {
        guard let signer else { return bytes }
        do { return try signer.sign(bytes, at: time) } catch {
            throw MessageEncodingError(field: "DKIM-Signature", reason: "the key could not sign: \(error)")
        }
    }

    /// A message this renderer did not render (a sign-up confirmation, a test copy), encoded and signed.
    public func encodeAndSign(_ message: Message) throws(MessageEncodingError) -> [UInt8] {
        try Self.sign(try MessageEncoder(cache: cache).encode(message), at: message.date, with: dkim)
    }
}
