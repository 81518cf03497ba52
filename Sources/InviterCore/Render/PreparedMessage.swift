import Foundation
import Synchronization

/// What a message shows of its recipient: the only values in which two messages of one mailing, in
/// one language, differ. The context, the footer and the layout read the recipient through this
/// alone, so a message can be rendered once with stand-ins for these values and filled per
/// recipient (see `PreparedMessage`).
struct RecipientValues: Sendable {
    var isPartner: Bool
    var email: String
    /// A member's name, or a partner's contact.
    var name: String
    /// What a letter greets by: a member's first name, a partner's contact.
    var greetingName: String
    var organisation: String
    /// A member's extra columns, by header name.
    var fields: [String: String]
    /// The unsubscribe link (the signed URL, else the mailto), nil when the network has none.
    var link: String?
    var mailto: String?
    /// A member's personal RSVP links (yes, no), for an occurrence that takes answers.
    var rsvpYes: String?
    var rsvpNo: String?

    init(recipient: Recipient, link: String?, mailto: String?, rsvp: (yes: String, no: String)? = nil) {
        email = recipient.address.address
        self.link = link
        self.mailto = mailto
        self.rsvpYes = rsvp?.yes
        self.rsvpNo = rsvp?.no
        switch recipient {
        case .member(let member):
            isPartner = false
            name = member.name ?? ""
            // Letters here greet by first name ("Kære Anne", "Dear Anne").
            greetingName = String(name.split(separator: " ").first ?? "")
            organisation = member.organisation ?? ""
            fields = member.fields
        case .partner(let partner):
            isPartner = true
            name = partner.contact ?? ""
            greetingName = name
            organisation = partner.organisation
            fields = [:]
        }
    }

    /// The names of the extra columns, in the order their values are slots.
    var fieldNames: [String] { fields.keys.sorted() }

    /// Every value, in a fixed order: the holes of a prepared message are numbered by it.
    var slots: [String] {
        [email, name, greetingName, organisation, link ?? "", mailto ?? "", rsvpYes ?? "", rsvpNo ?? ""]
            + fieldNames.map { fields[$0] ?? "" }
    }

    /// These values with each non-empty one replaced by `transform(slot, value)`; empty ones stay
    /// empty, so a template's sections on them come out the same.
    func replacing(_ transform: (Int, String) -> String) -> RecipientValues {
        func map(_ index: Int, _ value: String) -> String { value.isEmpty ? value : transform(index, value) }
        var result = self
        result.email = map(0, email)
        result.name = map(1, name)
        result.greetingName = map(2, greetingName)
        result.organisation = map(3, organisation)
        result.link = link.map { map(4, $0) }
        result.mailto = mailto.map { map(5, $0) }
        result.rsvpYes = rsvpYes.map { map(6, $0) }
        result.rsvpNo = rsvpNo.map { map(7, $0) }
        for (offset, key) in fieldNames.enumerated() {
            result.fields[key] = map(8 + offset, fields[key] ?? "")
        }
        return result
    }

}

/// The texts of one message before encoding.
struct RenderedTexts: Equatable {
    var subject: String
    var text: String
    var html: String
}

/// One mailing's message in one language, rendered once with stand-ins for the recipient's values
/// and filled per recipient.
///
/// Rendering a message runs three Mustache templates, Ink, the strings table, the date formats and
/// the calendar; all of it is the same for every recipient of a mailing in a language except a few
/// values (name, address, unsubscribe link). A list of 10,000 renders a handful of these instead of
/// 10,000 messages; per recipient only the holes are filled, each value escaped for where it lands.
/// Its bytes are written beside the plain ``Message``, not through it: the lines without values
/// and the calendar part, the same bytes for everyone, are encoded once here, and
/// ``body(_:)`` hands the encoder those bytes with the few lines that hold a recipient's values.
struct PreparedMessage: Sendable {
    var subject: FillPattern
    var text: FillPattern
    var html: FillPattern
    /// The text and HTML as lines, those without holes encoded once.
    var textLines: LineLayout
    var htmlLines: LineLayout
    /// The calendar part and attachment, as the message shows them.
    var alternatives: [BodyPart]
    var attachments: [MessageAttachment]
    /// The same, as ``MessageEncoder`` writes them: encoded once for every recipient.
    private var encodedAlternatives: [MessageEncoder.Part]
    private var encodedAttachments: [MessageEncoder.Part]

    init(
        subject: FillPattern, text: FillPattern, html: FillPattern, alternatives: [BodyPart],
        attachments: [MessageAttachment]
    ) {
        self.subject = subject
        self.text = text
        self.html = html
        self.textLines = LineLayout(text, escapingHTML: false)
        self.htmlLines = LineLayout(html, escapingHTML: true)
        self.alternatives = alternatives
        self.attachments = attachments
        self.encodedAlternatives = alternatives.map { MessageEncoder.encodedAhead(.text($0)) }
        self.encodedAttachments = attachments.map { MessageEncoder.encodedAhead(.attachment($0)) }
    }

    /// The body filled with `slots` (``RecipientValues/slots``), as parts for
    /// ``MessageEncoder/encode(_:body:attachments:)``: the same bytes ``MessageEncoder/encode(_:)``
    /// writes for the message ``texts(_:)`` and the calendar parts make.
    func body(_ slots: [String]) -> (body: [MessageEncoder.Part], attachments: [MessageEncoder.Part]) {
        var body = [MessageEncoder.Part.filled(mediaType: "text/plain", lines: textLines, slots: slots)]
        body.append(.filled(mediaType: "text/html", lines: htmlLines, slots: slots))
        body += encodedAlternatives
        return (body, encodedAttachments)
    }

    /// Whether a prepared message can take these values (``RecipientValues/slots``) as they are: a
    /// line break in a value alone in an HTML paragraph becomes `<br>`, which filling a hole does
    /// not do.
    static func fits(_ slots: [String]) -> Bool {
        slots.allSatisfy { value in !value.utf8.contains { $0 == 10 || $0 == 13 } }
    }

    /// The texts filled with `slots` (``RecipientValues/slots``).
    func texts(_ slots: [String]) -> RenderedTexts {
        RenderedTexts(
            subject: subject.fill(slots, escapingHTML: false), text: text.fill(slots, escapingHTML: false),
            html: html.fill(slots, escapingHTML: true))
    }

    /// Marks a hole; random per process, so no template, event or list can spell one by chance.
    private static let nonce = String(UInt32.random(in: 100_000...999_999))
    static let holeStart = Array("IVRV\(nonce)s".utf8)
    static let holeEnd = Array("sVRVI".utf8)

    static func hole(_ index: Int) -> String { "IVRV\(nonce)s\(index)sVRVI" }

    /// Values that show, in a probe render, whether every hole is escaped exactly as the value
    /// itself would be: every character that HTML escaping, Markdown or a placeholder could treat
    /// specially, and some that are not ASCII.
    static func probe(_ index: Int) -> String {
        "p\(index) <b>&amp;\"'/=`*_[x](y){name}{{t.when}} Ærø Олена ليلى"
    }
}

/// A text with holes for a recipient's values.
struct FillPattern: Sendable {
    enum Piece: Sendable {
        case literal([UInt8])
        case slot(Int)
    }

    let pieces: [Piece]
    /// The literal bytes, for reserving the output's capacity.
    private let literalCount: Int

    /// Finds the holes `PreparedMessage.hole` left in `text`.
    init(parsing text: String) {
        let bytes = Array(text.utf8)
        let start = PreparedMessage.holeStart
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var count = 0
        var position = 0
        while position < bytes.count {
            if bytes[position] == start[0],
                let (index, after) = bytes.numberedToken(
                    at: position, start: start, end: PreparedMessage.holeEnd)
            {
                if !literal.isEmpty {
                    pieces.append(.literal(literal))
                    count += literal.count
                    literal = []
                }
                pieces.append(.slot(index))
                position = after
                continue
            }
            literal.append(bytes[position])
            position += 1
        }
        if !literal.isEmpty {
            pieces.append(.literal(literal))
            count += literal.count
        }
        self.pieces = pieces
        self.literalCount = count
    }

    /// The text with each hole replaced by its value, HTML-escaped when `escapingHTML`.
    func fill(_ slots: [String], escapingHTML: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(literalCount + 256)
        Self.append(pieces, slots: slots, escapingHTML: escapingHTML, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `pieces` with each hole replaced by its value, HTML-escaped when `escapingHTML`.
    static func append(_ pieces: [Piece], slots: [String], escapingHTML: Bool, to output: inout [UInt8]) {
        for piece in pieces {
            switch piece {
            case .literal(let bytes): output.append(contentsOf: bytes)
            case .slot(let index):
                guard index < slots.count else { continue }
                if escapingHTML {
                    HTMLEscape.append(slots[index], to: &output)
                } else {
                    output.append(contentsOf: slots[index].utf8)
                }
            }
        }
    }
}

/// HTML escaping of the five characters that Mustache and `MarkdownBody` both escape, the same way.
enum HTMLEscape {
    static func append(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x26: output.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case 0x3C: output.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case 0x3E: output.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case 0x22: output.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            case 0x27: output.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])  // &#39;
            default: output.append(byte)
            }
        }
    }
}

/// The prepared messages of a renderer, by what makes two recipients' messages differ beyond their
/// values: the mailing, the language, members or partners, which values are empty, the extra
/// columns, and a newsletter's selection of events.
final class PreparedMessages: Sendable {
    struct Shape: Hashable, Sendable {
        var mailingID: MailingID
        var templateKey: String
        var language: LanguageCode
        var sequence: Int
        var now: Date
        var occurrence: Occurrence?
        var digest: [Occurrence]
        var isPartner: Bool
        var fieldNames: [String]
        var empty: [Bool]
        var hasLink: Bool
        var hasMailto: Bool
        /// Seats left when the message was rendered: part of its text.
        var seatsLeft: Int?
        var digestSeatsLeft: [OccurrenceID: Int]

        /// Hashes the few fields that tell shapes apart in practice; `==` still compares them all.
        /// Hashing the occurrence (its titles and descriptions in every language) for every
        /// message cost more than filling the message in.
        func hash(into hasher: inout Hasher) {
            hasher.combine(mailingID)
            hasher.combine(language)
            hasher.combine(isPartner)
            hasher.combine(empty)
            hasher.combine(digest.count)
        }
    }

    /// nil for a shape that cannot be prepared (its probe did not match): its messages are rendered whole.
    private let cache = Mutex<[Shape: PreparedMessage?]>([:])

    /// How many shapes were prepared, and how many are rendered whole because their probe did not match.
    var counts: (prepared: Int, renderedWhole: Int) {
        cache.withLock { cache in
            let prepared = cache.values.filter { $0 != nil }.count
            return (prepared, cache.count - prepared)
        }
    }

    /// The prepared message for `shape`, made by `prepare` the first time.
    func message(for shape: Shape, prepare: () -> PreparedMessage?) -> PreparedMessage? {
        if let found = cache.withLock({ $0[shape] }) { return found }
        let prepared = prepare()
        cache.withLock { cache in
            // Bounded: a run has a few mailings in a few languages; this only stops unbounded growth.
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[shape] = .some(prepared)
        }
        return prepared
    }
}
