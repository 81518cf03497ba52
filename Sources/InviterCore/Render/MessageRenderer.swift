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
    public var message: Message
    /// The language the template was in (after fallback).
    public var language: LanguageCode
    /// The HTML part alone, for a browser preview.
    public var html: String
}

/// Why a message could not be rendered.
public struct RenderError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Renders invitations, reminders, cancellations and partner copies from the
/// network's templates, in each recipient's language.
public struct MessageRenderer: Sendable {
    public let configuration: Configuration
    public let templates: TemplateSet
    public let strings: StringsTable
    /// The secret that signs one-click unsubscribe tokens, when `[unsubscribe] url` is set.
    public let unsubscribeSecret: Secret?
    /// Messages rendered once per mailing, language and shape, shared by every copy of this renderer.
    let preparedMessages = PreparedMessages()
    /// Whether messages are filled in from one rendering per mailing, language and shape (the
    /// default), or each is rendered whole from the templates. Both give the same bytes; whole
    /// rendering is several times slower and is there to check that they do.
    public var preparesMessages = true

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

    /// The recipient's language, else the network's default, else English: the chain every text follows.
    func language(for recipient: Recipient) -> LanguageCode {
        recipient.language ?? network.defaultLanguage
    }

    public func render(_ request: RenderRequest) throws(RenderError) -> RenderedMessage {
        let wanted = language(for: request.recipient)
        guard
            let (template, language) = templates.template(
                request.templateKey, language: wanted, fallback: network.defaultLanguage)
        else {
            throw RenderError(
                description:
                    "no \(request.templateKey) template in \(wanted), \(network.defaultLanguage) or en")
        }
        let unsubscribe = unsubscribeTargets(for: request.recipient)
        let values = RecipientValues(
            recipient: request.recipient, link: unsubscribe.link, mailto: unsubscribe.mailto)
        let texts: RenderedTexts
        var calendar: (alternatives: [BodyPart], attachments: [MessageAttachment])
        var lines: (text: FilledLines, html: FilledLines)?
        let slots = values.slots
        if preparesMessages, PreparedMessage.fits(slots),
            let prepared = prepared(
                request, template: template, language: language, values: values, slots: slots)
        {
            texts = prepared.texts(slots)
            calendar = (prepared.alternatives, prepared.attachments)
            lines = (
                FilledLines(layout: prepared.textLines, slots: slots, text: texts.text),
                FilledLines(layout: prepared.htmlLines, slots: slots, text: texts.html)
            )
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
        message.textLines = lines?.text
        message.htmlLines = lines?.html
        return RenderedMessage(message: message, language: language, html: texts.html)
    }

    /// Subject, text and HTML of `request` for `values`, rendered from the templates.
    func texts(
        for request: RenderRequest, template: BodyTemplate, language: LanguageCode, values: RecipientValues
    ) -> RenderedTexts {
        let context = self.context(for: request, language: language, values: values)
        let plain = MarkdownBody.plain(context)
        let subject = template.subject.render(plain)
        let footer = footerLine(values, language: language)
        let text = template.body.render(plain) + "\n-- \n" + footer + "\n"
        let bodyHTML = MarkdownBody.html(template.body, context: context)
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
            hasLink: values.link != nil, hasMailto: values.mailto != nil)
        return preparedMessages.message(for: shape) {
            let holes = values.replacing { index, _ in PreparedMessage.hole(index) }
            let rendered = texts(for: request, template: template, language: language, values: holes)
            let calendar = calendarParts(for: request, language: language)
            let prepared = PreparedMessage(
                subject: FillPattern(parsing: rendered.subject), text: FillPattern(parsing: rendered.text),
                html: FillPattern(parsing: rendered.html),
                alternatives: calendar.alternatives.map(MessageEncoder.preEncoded),
                attachments: calendar.attachments.map(MessageEncoder.preEncoded))
            let probe = values.replacing { index, _ in PreparedMessage.probe(index) }
            guard
                prepared.texts(probe.slots)
                    == texts(for: request, template: template, language: language, values: probe)
            else { return nil }
            return prepared
        }
    }

    // MARK: - Context

    /// The names a template can use (the README's template reference lists them).
    ///
    /// The recipient is read only through `person` (the digest aside, which follows the member's
    /// segments), so that a prepared message can stand in for every recipient of its shape.
    func context(for request: RenderRequest, language: LanguageCode, values person: RecipientValues)
        -> [String: Any]
    {
        let fallback = network.defaultLanguage
        var values: [String: String] = ["network": network.name, "name": person.greetingName]
        var recipient: [String: Any] = [
            "email": MarkdownBody.Value.text(person.email),
            "name": MarkdownBody.Value.text(person.name),
            "organisation": MarkdownBody.Value.text(person.organisation),
        ]
        var partner: [String: Any]? = nil
        if person.isPartner {
            partner = [
                "organisation": MarkdownBody.Value.text(person.organisation),
                "contact": MarkdownBody.Value.text(person.name),
            ]
            values["organisation"] = person.organisation
        } else {
            recipient["first_name"] = MarkdownBody.Value.text(person.greetingName)
            recipient["fields"] = person.fields.mapValues { MarkdownBody.Value.text($0) }
        }
        var t: [String: Any] = [:]
        for key in StringKey.all where !key.isPlural {
            if let text = strings.text(key.name, language: language, fallback: fallback, values: values) {
                t[key.name] = MarkdownBody.Value.text(text)
            }
        }
        if let name = values["name"], !name.isEmpty {
            t["greeting"] = strings.text("greeting", language: language, fallback: fallback, values: values)
                .map { MarkdownBody.Value.text($0) }
        } else {
            t["greeting"] = strings.text("greeting_anonymous", language: language, fallback: fallback).map {
                MarkdownBody.Value.text($0)
            }
        }
        var context: [String: Any] = [
            "network": [
                "name": MarkdownBody.Value.text(network.name),
                "email": MarkdownBody.Value.text(network.from.address),
            ],
            "recipient": recipient,
            "t": t,
            "language": MarkdownBody.Value.text(language.identifier),
            "unsubscribe": [
                "url": MarkdownBody.Value.text(person.link ?? ""),
                "mailto": MarkdownBody.Value.text(person.mailto ?? ""),
            ],
        ]
        if let occurrence = request.occurrence {
            let (event, when) = occurrenceContext(occurrence, language: language)
            context["event"] = event
            context["when"] = when
            if let partner {
                context["partner"] = partner
                context["copies"] = partnerCopies(occurrence)
            }
        } else if let partner {
            context["partner"] = partner
        }
        if request.kind == .newsletter {
            var digest = request.digest
            if case .member(let member) = request.recipient { digest = digest.meant(for: member) }
            context["occurrences"] = digestEntries(digest, language: language)
        }
        return context
    }

    /// The newsletter's list: each event once, at its first occurrence, with the further dates of a
    /// repeating event in `also_dates` ("9.12.2026, 16.12.2026"), so a weekly activity is one entry, not five.
    private func digestEntries(_ digest: [Occurrence], language: LanguageCode) -> [[String: Any]] {
        var order: [String] = []
        var byEvent: [String: [Occurrence]] = [:]
        for occurrence in digest {
            if byEvent[occurrence.eventID] == nil { order.append(occurrence.eventID) }
            byEvent[occurrence.eventID, default: []].append(occurrence)
        }
        return order.compactMap { id -> [String: Any]? in
            guard let occurrences = byEvent[id], let first = occurrences.first else { return nil }
            let (event, when) = occurrenceContext(first, language: language)
            var entry = event.merging(when) { first, _ in first }
            let later = occurrences.dropFirst().map {
                DateTexts(start: $0.start, end: $0.end, language: language, zone: network.timeZone).shortDate
            }
            // Only present when there are further dates: a section on it then shows or hides.
            // Arabic script lists with the Arabic comma.
            let separator = ["ar", "fa", "ur", "ps", "ckb"].contains(language.language) ? "، " : ", "
            if !later.isEmpty {
                entry["also_dates"] = MarkdownBody.Value.text(later.joined(separator: separator))
            }
            return entry
        }
    }

    /// `event` and `when` for one occurrence, in `language`.
    private func occurrenceContext(_ occurrence: Occurrence, language: LanguageCode) -> (
        [String: Any], [String: Any]
    ) {
        let fallback = network.defaultLanguage
        let title = occurrence.title.resolve(language, fallback: fallback)?.text ?? occurrence.eventID
        let description = occurrence.description.resolve(language, fallback: fallback)?.text ?? ""
        let dates = DateTexts(
            start: occurrence.start, end: occurrence.end, language: language, zone: network.timeZone)
        var event: [String: Any] = [
            "id": MarkdownBody.Value.text(occurrence.eventID),
            "title": MarkdownBody.Value.text(title),
            "description": MarkdownBody.Value.markdown(description),
            "venue": MarkdownBody.Value.text(occurrence.venue),
            "cancelled": occurrence.cancelled,
        ]
        if let note = occurrence.note?.resolve(language, fallback: fallback)?.text {
            event["note"] = MarkdownBody.Value.text(note)
        }
        if let capacity = occurrence.capacity {
            event["capacity"] = MarkdownBody.Value.text(String(capacity))
            event["capacity_text"] = strings.plural(
                "seats_total", count: capacity, language: language, fallback: fallback
            )
            .map { MarkdownBody.Value.text($0) }
        }
        if let (names, text) = interpreterTexts(occurrence, language: language, fallback: fallback) {
            event["interpreters"] = MarkdownBody.Value.text(names)
            event["interpreters_text"] = MarkdownBody.Value.text(text)
        }
        let when: [String: Any] = [
            "date_time": MarkdownBody.Value.text(dates.dateTime),
            "date_long": MarkdownBody.Value.text(dates.longDate),
            "weekday": MarkdownBody.Value.text(dates.weekday),
            "date_short": MarkdownBody.Value.text(dates.shortDate),
            "time": MarkdownBody.Value.text(dates.time),
            "end_time": MarkdownBody.Value.text(dates.endTime),
            "time_range": MarkdownBody.Value.text(dates.timeRange),
            "iso_start": MarkdownBody.Value.text(dates.isoStart),
            "iso_end": MarkdownBody.Value.text(dates.isoEnd),
        ]
        return (event, when)
    }

    /// The invitation in English and Danish, for a partner to forward: no member's data in it.
    private func partnerCopies(_ occurrence: Occurrence) -> [[String: Any]] {
        var copies: [[String: Any]] = []
        for code in ["en", "da"] {
            guard let language = try? LanguageCode(code) else { continue }
            let dates = DateTexts(
                start: occurrence.start, end: occurrence.end, language: language, zone: network.timeZone)
            var copy: [String: Any] = [
                "language": MarkdownBody.Value.text(language.identifier),
                "title": MarkdownBody.Value.text(
                    occurrence.title.resolve(language, fallback: language)?.text ?? occurrence.eventID),
                "description": MarkdownBody.Value.markdown(
                    occurrence.description.resolve(language, fallback: language)?.text ?? ""),
                "date_time": MarkdownBody.Value.text(dates.dateTime),
                "date_long": MarkdownBody.Value.text(dates.longDate),
                "time_range": MarkdownBody.Value.text(dates.timeRange),
                "venue": MarkdownBody.Value.text(occurrence.venue),
                "when_label": MarkdownBody.Value.text(
                    strings.text("when", language: language, fallback: language) ?? "When"),
                "where_label": MarkdownBody.Value.text(
                    strings.text("where", language: language, fallback: language) ?? "Where"),
            ]
            if let (_, text) = interpreterTexts(occurrence, language: language, fallback: language) {
                copy["interpreters_text"] = MarkdownBody.Value.text(text)
            }
            // Why this evening differs (moved, another place) matters to those the partner forwards it to.
            if let note = occurrence.note?.resolve(language, fallback: language)?.text {
                copy["note"] = MarkdownBody.Value.text(note)
                copy["note_label"] = MarkdownBody.Value.text(
                    strings.text("note", language: language, fallback: language) ?? "Note")
            }
            copies.append(copy)
        }
        return copies
    }

    /// The offered interpreter languages named in `language` ("rumænsk, polsk og ukrainsk") and the
    /// sentence that offers them; nil when the occurrence offers none.
    private func interpreterTexts(_ occurrence: Occurrence, language: LanguageCode, fallback: LanguageCode)
        -> (String, String)?
    {
        guard !occurrence.interpreters.isEmpty else { return nil }
        let names = occurrence.interpreters.map { $0.name(in: language) }
            .formatted(.list(type: .and).locale(DateTexts.locale(for: language)))
        let text =
            strings.text(
                "interpreters_offered", language: language, fallback: fallback, values: ["languages": names])
            ?? names
        return (names, text)
    }

    // MARK: - Parts

    /// The visible unsubscribe line every message ends with: members and partners each have their own.
    private func footerLine(_ person: RecipientValues, language: LanguageCode) -> String {
        var values = ["network": network.name, "link": person.link ?? ""]
        let key: String
        if person.isPartner {
            key = "partner_unsubscribe_line"
            values["organisation"] = person.organisation
        } else {
            key = "unsubscribe_line"
        }
        return strings.text(key, language: language, fallback: network.defaultLanguage, values: values)
            ?? "\(network.name): \(person.link ?? "")"
    }

    private func layoutHTML(
        body: String, subject: String, language: LanguageCode, footer: String, unsubscribeURL: String?
    ) -> String {
        let layoutContext: [String: Any] = [
            "lang": language.identifier,
            "dir": LanguageDirection.isRightToLeft(language) ? "rtl" : "ltr",
            "subject": subject,
            "network": network.name,
            "body": body,
            "footer": footer,
            "unsubscribe_url": unsubscribeURL ?? "",
            "unsubscribe_label": strings.text(
                "unsubscribe", language: language, fallback: network.defaultLanguage) ?? "Unsubscribe",
        ]
        return templates.layout.render(layoutContext)
    }

    /// The calendar entry as a body part and as an `.ics` attachment; none for a message that is
    /// not about one occurrence.
    private func calendarParts(for request: RenderRequest, language: LanguageCode) -> (
        alternatives: [BodyPart], attachments: [MessageAttachment]
    ) {
        guard let calendar = calendarPart(for: request, language: language) else { return ([], []) }
        return (
            [
                BodyPart(
                    mediaType: "text/calendar", parameters: ["method": calendar.method], text: calendar.text)
            ],
            [
                MessageAttachment(
                    filename: "invite.ics", mediaType: "application/ics", parameters: [:],
                    data: Array(calendar.text.utf8))
            ]
        )
    }

    private func calendarPart(for request: RenderRequest, language: LanguageCode) -> (
        method: String, text: String
    )? {
        // Only messages about one occurrence carry a calendar entry.
        guard let occurrence = request.occurrence, request.kind.isAboutOccurrence else { return nil }
        let fallback = network.defaultLanguage
        let method: CalendarMethod =
            request.kind == .cancellation || occurrence.cancelled ? .cancel : .publish
        let entry = CalendarEntry(
            uid: "\(occurrence.id)@\(network.from.domain)",
            // A cancellation must outrank the announcement it withdraws, or calendar programs ignore it.
            sequence: method == .cancel ? max(request.sequence, 1) : request.sequence,
            start: occurrence.start,
            end: occurrence.end,
            summary: occurrence.title.resolve(language, fallback: fallback)?.text ?? occurrence.eventID,
            location: occurrence.venue,
            description: occurrence.description.resolve(language, fallback: fallback)?.text ?? "",
            organizer: network.from,
            url: nil)
        return (
            method.rawValue,
            ICalendar.build(entry, method: method, zone: network.timeZone, stamp: request.now)
        )
    }

    // MARK: - Unsubscribe

    struct UnsubscribeTargets {
        var headers: [String]
        var link: String?
        var mailto: String?
        var oneClick: Bool
    }

    /// The recipient's own ways out: a mailto that names the address, and a signed one-click link when configured.
    /// Partners get their own, bound to the partner list rather than the member list.
    func unsubscribeTargets(for recipient: Recipient) -> UnsubscribeTargets {
        guard let settings = configuration.unsubscribe else {
            return UnsubscribeTargets(headers: [], link: nil, mailto: nil, oneClick: false)
        }
        let isPartner: Bool
        if case .partner = recipient { isPartner = true } else { isPartner = false }
        let subject = (isPartner ? "unsubscribe partner " : "unsubscribe ") + recipient.address.address
        let mailto = "mailto:\(settings.mailto.address)?subject=" + percentEncode(subject)
        var headers = [mailto]
        var link: String?
        if let url = settings.url, let secret = unsubscribeSecret {
            let scope = network.name + (isPartner ? "#partners" : "#members")
            let token = UnsubscribeToken.make(
                address: recipient.address.address, network: scope, secret: secret)
            link = Self.replacing(Self.tokenPlaceholder, in: url, with: token)
            if let link { headers.append(link) }
        }
        return UnsubscribeTargets(
            headers: headers, link: link ?? mailto, mailto: mailto, oneClick: link != nil)
    }

    private static let tokenPlaceholder = Array("{token}".utf8)

    /// `text` with every `pattern` replaced, left to right, in one pass over the bytes.
    private static func replacing(_ pattern: [UInt8], in text: String, with replacement: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + replacement.utf8.count)
        var position = 0
        while position < bytes.count {
            if bytes.matches(pattern, at: position) {
                output.append(contentsOf: replacement.utf8)
                position += pattern.count
            } else {
                output.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes a mailto subject keeps as they are: RFC 3986's unreserved characters and `@`.
    private static let unreserved: [Bool] = (0..<256).map { byte in
        let byte = UInt8(byte)
        return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
            || (byte >= 0x61 && byte <= 0x7A)
            || "-._~@".utf8.contains(byte)
    }

    /// Percent-encodes every other byte of the UTF-8, as `%XX` with capital hex digits.
    private func percentEncode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if Self.unreserved[Int(byte)] {
                output.append(byte)
            } else {
                output.append(contentsOf: [
                    UInt8(ascii: "%"), HeaderField.hexDigit(byte >> 4), HeaderField.hexDigit(byte & 0x0F),
                ])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Languages written right to left, for `dir="rtl"`.
enum LanguageDirection {
    static let rightToLeft: Set<String> = ["ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"]

    static func isRightToLeft(_ language: LanguageCode) -> Bool { rightToLeft.contains(language.language) }
}

extension MessageRenderer {
    /// Every name a template uses that its context does not provide, with file and line.
    ///
    /// Checked against a sample context that has everything a real one can
    /// have (a note, a capacity, every extra member column seen in the lists),
    /// so a name is reported only when no message could ever fill it.
    public func templateProblems(extraFields: Set<String> = []) -> [InputProblem] {
        let sample = Self.sampleOccurrence()
        let member = Member(
            address: network.from, name: "Sample Member", language: network.defaultLanguage,
            segments: ["all"],
            organisation: "Example A/S", status: .active,
            fields: Dictionary(uniqueKeysWithValues: extraFields.map { ($0, "value") }), sources: [])
        let partner = Partner(
            address: network.from, organisation: "Example A/S", kind: .company, contact: "Sample Contact",
            language: network.defaultLanguage, source: "")
        var problems: [InputProblem] = []
        var requests: [RenderRequest] = []
        for kind in MailingKind.allCases where kind.isAboutOccurrence {
            let recipient: Recipient = kind == .partner ? .partner(partner) : .member(member)
            requests.append(
                RenderRequest(
                    kind: kind, mailingID: Mailing(kind: kind, occurrence: sample, dueAt: Date()).id,
                    occurrence: sample,
                    recipient: recipient,
                    now: Date()))
        }
        // Two dates of one event, so the digest's optional names (`also_dates`) are present.
        var nextWeek = sample
        nextWeek.date = sample.date.adding(days: 7)
        nextWeek.start = LocalDateTime.adding(seconds: 7 * 86_400, to: sample.start)
        nextWeek.end = LocalDateTime.adding(seconds: 7 * 86_400, to: sample.end)
        let newsletter = Mailing(newsletterOn: sample.date, digest: [sample, nextWeek], dueAt: Date())
        requests.append(RenderRequest(mailing: newsletter, recipient: .member(member), now: Date()))
        for name in templates.announcements {
            let announcement = Mailing(announcement: name, segments: ["all"], dueAt: Date())
            requests.append(RenderRequest(mailing: announcement, recipient: .member(member), now: Date()))
        }
        for request in requests {
            for language in templates.languages(for: request.templateKey) {
                guard
                    let (template, _) = templates.template(
                        request.templateKey, language: language, fallback: language)
                else { continue }
                let unsubscribe = unsubscribeTargets(for: request.recipient)
                let context = self.context(
                    for: request, language: language,
                    values: RecipientValues(
                        recipient: request.recipient, link: unsubscribe.link, mailto: unsubscribe.mailto))
                problems += TemplateNameCheck.problems(
                    in: template.subjectSource, file: template.file, firstLine: 1, context: context)
                problems += TemplateNameCheck.problems(
                    in: template.bodySource, file: template.file, firstLine: template.bodyFirstLine,
                    context: context)
            }
        }
        let layoutContext: [String: Any] = Dictionary(
            uniqueKeysWithValues: [
                "lang", "dir", "subject", "network", "body", "footer", "unsubscribe_url", "unsubscribe_label",
            ]
            .map { ($0, "x" as Any) })
        problems += TemplateNameCheck.problems(
            in: templates.layoutSource, file: templates.layoutFile, firstLine: 1, context: layoutContext)
        return problems
    }

    /// An occurrence with every optional part present.
    static func sampleOccurrence() -> Occurrence {
        let date = LocalDate(dayNumber: 20_000)
        let start =
            LocalDateTime(date: date, hour: 19, minute: 0)
            ?? LocalDateTime(Date(timeIntervalSince1970: 0), in: .gmt)
        let text = LocalizedText([.english: "Sample"])
        return Occurrence(
            eventID: "sample", date: date, start: start, end: LocalDateTime.adding(seconds: 7200, to: start),
            title: text,
            description: text, venue: "Sample venue", capacity: 10, cancelled: false, note: text,
            audience: ["all"],
            partners: [.company], interpreters: [.english])
    }
}

extension MessageRenderer {
    /// Warnings for languages recipients read that lack templates: one line per language, naming the kinds
    /// and how many recipients get the fallback instead.
    public func fallbackWarnings(members: [Member], partners: [Partner]) -> [InputProblem] {
        var readers: [LanguageCode: Int] = [:]
        for member in members where member.status == .active {
            readers[member.language ?? network.defaultLanguage, default: 0] += 1
        }
        for partner in partners { readers[partner.language ?? network.defaultLanguage, default: 0] += 1 }
        // Every kind and announcement that has a template in some language.
        let templateKeys =
            MailingKind.allCases.filter { $0 != .announcement }.map(\.rawValue)
            .filter { !templates.languages(for: $0).isEmpty }
            + templates.announcements.map { "announcements/\($0)" }
        var warnings: [InputProblem] = []
        for (language, count) in readers.sorted(by: { $0.key < $1.key }) {
            let missing = templateKeys.filter { key in
                let available = templates.languages(for: key)
                return !available.contains(language)
                    && !available.contains(LanguageCode(verified: language.language))
            }
            guard !missing.isEmpty else { continue }
            let used = templates.template(
                missing[0], language: language, fallback: network.defaultLanguage)?.1
            warnings.append(
                InputProblem(
                    file: InputFiles.displayName(templates.directory), line: 0,
                    message: "no \(missing.joined(separator: ", ")) template in \(language) "
                        + "(\(language.englishName)): \(count) recipient\(count == 1 ? " gets" : "s get") "
                        + "the \(used?.identifier ?? "?") one",
                    severity: .warning, kind: .configuration))
        }
        return warnings
    }
}
