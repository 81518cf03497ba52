import Crypto
import Foundation

/// Reads one received message and records what it means: the one place that decides whether
/// mail that came back silences an address.
///
/// Anybody can write to the bounce address, so nothing is believed that is not ours: a bounce
/// changes a delivery only when it names one by a genuine VERP token, or (when a relay rewrote
/// the envelope sender) by the returned Message-ID of one of our deliveries together with a
/// `Final-Recipient` that is that delivery's recipient; an unsubscribe needs a genuine signed
/// token. Whatever is not trusted, not understood or not ours is left for a person.
public struct InboundHandler: Sendable {
    public let ledger: any Ledger
    public let returnPath: ReturnPath?
    public let network: String
    public let secret: Secret?

    public init(ledger: any Ledger, returnPath: ReturnPath?, network: String, secret: Secret?) {
        self.ledger = ledger
        self.returnPath = returnPath
        self.network = network
        self.secret = secret
    }

    /// The handler `configuration` and its link secret call for.
    public init(configuration: Configuration, ledger: any Ledger, secret: Secret?) {
        self.init(
            ledger: ledger, returnPath: configuration.delivery.returnPath,
            network: configuration.network.name,
            secret: secret)
    }

    /// Reads `bytes` and records them (with `position`, in the same transaction).
    ///
    /// - Parameter envelopeRecipients: Addresses the message was delivered to, when the caller
    ///   knows them (an MTA pipe's `$ORIGINAL_RECIPIENT`): the VERP token may be only there.
    public func handle(
        _ bytes: [UInt8], envelopeRecipients: [String] = [], position: MailboxPosition?, now: Date
    ) throws -> (record: InboundRecord, applied: InboundApplied) {
        let record = try read(bytes, envelopeRecipients: envelopeRecipients)
        return (record, try ledger.recordInbound(record, position: position, now: now))
    }

    /// What `bytes` are, with the ledger's deliveries looked up but nothing written.
    public func read(_ bytes: [UInt8], envelopeRecipients: [String] = []) throws -> InboundRecord {
        let key = Self.hex(Array(SHA256.hash(data: bytes)))
        let message: InboundPart
        do { message = try InboundMIME.parse(bytes) } catch {
            return InboundRecord(key: key, disposition: .person, summary: "not read: \(error.description)")
        }
        let from = Self.oneLine(message.header("from") ?? "unknown sender")
        let subject = Self.oneLine(message.header("subject") ?? "")
        let about = "from \(from)" + (subject.isEmpty ? "" : ", \(subject.debugDescription)")
        let token = try verpDelivery(in: message, envelopeRecipients: envelopeRecipients)
        if case .forged = token {
            return InboundRecord(
                key: key, disposition: .person, summary: "a bounce whose token is not genuine, \(about)")
        }
        let delivery: LedgerEntry? = if case .delivery(let entry) = token { entry } else { nil }

        if let report = DeliveryReport.read(message) {
            return try reportRecord(report, key: key, delivery: delivery, about: about)
        }
        if let request = unsubscribeRequest(subject: subject, message: message) {
            var record = InboundRecord(
                key: key, disposition: .unsubscribe,
                summary: "\(request.address) unsubscribed from the \(request.list.rawValue) by mail")
            record.unsubscribe = request
            return record
        }
        if Self.isAutoReply(message, subject: subject) {
            return InboundRecord(key: key, disposition: .autoReply, summary: "an automatic reply \(about)")
        }
        if let delivery {
            // Not RFC 3464 (qmail, older Exchange): the token says whose it is, the text what happened.
            let text = message.allParts.filter { $0.mediaType.hasPrefix("text/") }.prefix(3).map(\.text)
                .joined(separator: "\n")
            if let status = DeliveryReport.enhancedStatus(text),
                let bounceClass = BouncePolicy.bounceClass(ofStatus: status)
            {
                let line = text.split(whereSeparator: \.isNewline).first { $0.contains(status) }
                var record = InboundRecord(
                    key: key, disposition: .bounce,
                    summary:
                        "\(delivery.key.recipient) \(bounceClass.rawValue) (\(status)) for \(delivery.key.mailing), "
                        + "in a bounce that is not RFC 3464, \(about)")
                record.bounces = [
                    BounceEvent(
                        delivery: delivery.key, bounceClass: bounceClass, status: status,
                        diagnostic: line.map { Self.oneLine(String($0)) })
                ]
                return record
            }
        }
        return InboundRecord(key: key, disposition: .person, summary: "for a person: \(about)")
    }

    private enum TokenMatch {
        case none, forged
        case delivery(LedgerEntry)
    }

    /// The delivery a VERP token in the envelope headers names; `.forged` for a token of our
    /// return path that names none.
    private func verpDelivery(in message: InboundPart, envelopeRecipients: [String]) throws -> TokenMatch {
        guard let returnPath, let secret else { return .none }
        let fields = ["delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "to", "cc"]
        let candidates =
            envelopeRecipients.map { $0.lowercased() }
            + fields.flatMap { message.headers($0) }.flatMap(DeliveryReport.addresses)
        var sawToken = false
        for address in candidates {
            guard let token = returnPath.token(in: address), let hash = BounceToken.hash(of: token) else {
                continue
            }
            sawToken = true
            for entry in try ledger.entries(messageIDHash: hash)
            where BounceToken.verify(token, for: entry.key, network: network, secret: secret) {
                return .delivery(entry)
            }
        }
        return sawToken ? .forged : .none
    }

    private func reportRecord(_ report: DeliveryReport, key: String, delivery: LedgerEntry?, about: String)
        throws
        -> InboundRecord
    {
        var bounces: [BounceEvent] = []
        var notes: [String] = []
        var unmatched = 0
        for recipient in report.recipients {
            let entry = try delivery ?? returnedDelivery(report, recipient: recipient)
            guard let entry else {
                unmatched += 1
                continue
            }
            switch recipient.action {
            case "failed":
                guard let status = recipient.status,
                    let bounceClass = BouncePolicy.bounceClass(ofStatus: status)
                else {
                    unmatched += 1
                    continue
                }
                bounces.append(
                    BounceEvent(
                        delivery: entry.key, bounceClass: bounceClass, status: status,
                        diagnostic: recipient.diagnostic.map(Self.oneLine)))
                notes.append(
                    "\(entry.key.recipient) \(bounceClass.rawValue) (\(status)) for \(entry.key.mailing)")
            default:
                notes.append("\(entry.key.recipient) \(recipient.action) for \(entry.key.mailing)")
            }
        }
        // A report with nothing of ours in it, or a failure it does not say the cause of: a person decides.
        guard unmatched == 0, !notes.isEmpty else {
            return InboundRecord(
                key: key, disposition: .person,
                summary: "a delivery report that names none of our deliveries, \(about)")
        }
        let via = report.reportingMTA.map { ", reported by \($0)" } ?? ""
        var record = InboundRecord(
            key: key, disposition: bounces.isEmpty ? .report : .bounce,
            summary: notes.joined(separator: "; ") + via)
        record.bounces = bounces
        return record
    }

    /// The delivery a report without a token names: the returned Message-ID is one of ours, and the
    /// recipient the report speaks of is that delivery's.
    private func returnedDelivery(_ report: DeliveryReport, recipient: DeliveryReport.Recipient) throws
        -> LedgerEntry?
    {
        guard let messageID = report.returnedMessageID,
            let hash = messageID.split(separator: ".").first.map(String.init), hash.count == 32
        else { return nil }
        let named = [recipient.finalRecipient, recipient.originalRecipient].compactMap { $0 }
        return try ledger.entries(messageIDHash: hash).first { entry in
            DeliveryReport.messageID(entry.messageID) == messageID
                && named.contains(entry.key.recipient.value)
        }
    }

    /// The unsubscribe a mailto's mail asks for: a genuine token in the subject (or, for a mail
    /// program that moved it, the first lines of the text).
    private func unsubscribeRequest(subject: String, message: InboundPart) -> UnsubscribeRequest? {
        guard let secret else { return nil }
        let firstText = message.allParts.first { $0.mediaType == "text/plain" }.map {
            String($0.text.prefix(2000))
        }
        for text in [subject, firstText ?? ""] {
            let words = text.split(whereSeparator: { $0.isWhitespace })
            guard let start = words.firstIndex(where: { $0.lowercased() == "unsubscribe" }) else { continue }
            for word in words[start...] where word.hasPrefix(LinkToken.version + ".") {
                if let named = UnsubscribeLink.read(String(word), network: network, secret: secret) {
                    return UnsubscribeRequest(address: named.address, list: named.list)
                }
            }
        }
        return nil
    }

    /// RFC 3834's `Auto-Submitted`, the older vacation programs' markers, and the subjects the
    /// common mail programs give their out-of-office replies.
    static func isAutoReply(_ message: InboundPart, subject: String) -> Bool {
        if let value = message.header("auto-submitted")?.lowercased(), !value.hasPrefix("no") { return true }
        if message.header("x-autoreply") != nil || message.header("x-autorespond") != nil
            || message.header("x-autoreply-from") != nil
        {
            return true
        }
        if let precedence = message.header("precedence")?.lowercased(),
            ["auto_reply", "bulk", "junk"].contains(precedence)
        {
            return true
        }
        let lowered = subject.lowercased()
        return autoReplySubjects.contains { lowered.hasPrefix($0) }
    }

    static let autoReplySubjects = [
        "automatic reply", "auto:", "autoreply", "auto reply", "auto-reply", "out of office",
        "out of the office",
        "autosvar", "automatisk svar", "fraværende", "abwesenheit", "automatische antwort",
        "réponse automatique",
        "respuesta automática", "odpowiedź automatyczna", "automatické odpovědi", "автоматична відповідь",
        "автоматический ответ",
    ]

    /// Lower-case hexadecimal digits of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` on one line and at most 300 characters, for a summary or a diagnostic: each run of
    /// line breaks and tabs one space, the other control characters left out.
    ///
    /// Scalar by scalar into one view: splitting into Characters and joining them again was 2 %
    /// of reading a bounce. Every line break a Character can be is made of the scalars below.
    static func oneLine(_ text: String) -> String {
        var cleaned = String.UnicodeScalarView()
        var gap = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 9, 0x0A...0x0D, 0x85, 0x2028, 0x2029:
                gap = true
            case ..<32, 127:
                continue
            default:
                if gap, !cleaned.isEmpty { cleaned.append(" ") }
                gap = false
                cleaned.append(scalar)
            }
        }
        let line = String(cleaned)
        return line.count > 300 ? String(line.prefix(299)) + "…" : line
    }
}
