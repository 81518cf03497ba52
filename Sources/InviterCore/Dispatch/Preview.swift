import Foundation

/// What `inviter preview` renders: the mailings due at a moment, or one chosen mailing,
/// optionally narrowed to one recipient or one language.
public struct PreviewRequest: Sendable {
    public var now: Date
    public var output: URL
    /// A mailing id such as `invitation/wednesday-hygge/2026-12-02`, rendered whether due or not.
    public var mailing: String?
    /// Only this recipient's address.
    public var recipient: String?
    /// Only recipients whose message is in this language.
    public var language: LanguageCode?
    /// An announcement template to preview instead of the planned mailings, and the segments it goes to.
    public var announcement: String?
    public var segments: [String] = ["all"]
    /// When false, every message is rendered and encoded as a run would, and nothing is written:
    /// to see that a whole list renders, and what it comes to, without a file per message.
    public var writesFiles = true

    public init(
        now: Date, output: URL, mailing: String? = nil, recipient: String? = nil,
        language: LanguageCode? = nil
    ) {
        self.now = now
        self.output = output
        self.mailing = mailing
        self.recipient = recipient
        self.language = language
    }
}

/// One previewed message, as the index lists it.
public struct PreviewEntry: Sendable {
    public var mailing: Mailing
    public var recipient: String
    public var name: String
    public var language: LanguageCode
    public var subject: String
    public var emlFile: String
    public var htmlFile: String
    /// The encoded message's size in bytes.
    public var size: Int
}

/// Renders what a run would send into a folder, sending and recording nothing.
public enum Preview {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unknownMailing(String, suggestions: [String])
        case unknownAnnouncement(String, known: [String])
        case brokenAnnouncement(String)
        case render(String)
        case write(String)

        public var description: String {
            switch self {
            case .unknownMailing(let id, let suggestions):
                let hint =
                    suggestions.isEmpty ? "" : "; upcoming mailings: " + suggestions.joined(separator: ", ")
                return "no mailing \(id.debugDescription)\(hint)"
            case .unknownAnnouncement(let name, let known):
                let list =
                    known.isEmpty
                    ? "there are none in Templates/announcements/" : "known: " + known.joined(separator: ", ")
                return
                    "no announcement template \(name.debugDescription)\(Suggestion.didYouMean(name, among: known)); \(list)"
            case .brokenAnnouncement(let name):
                return "the announcement template \(name) has errors (see inviter check)"
            case .render(let reason): return "cannot render: \(reason)"
            case .write(let reason): return "cannot write the preview: \(reason)"
            }
        }
    }

    /// Writes one `.eml` and one `.html` per (mailing, recipient) and an `index.html`.
    ///
    /// Without `--mailing` or `--announcement` it renders what a run would send now: the
    /// ``RunPlan`` against the ledger as it stands, so updates and cancellations a change would
    /// trigger are there, and recipients already sent are not.
    ///
    /// - Parameter ledger: The ledger opened for reading; nil when there is none yet.
    /// - Returns: the entries written, and the upcoming mailings (for "nothing is due now" hints).
    public static func write(
        _ request: PreviewRequest, network: LoadedNetwork, renderer: MessageRenderer,
        ledger: (any Ledger)? = nil
    ) throws(Failure) -> (entries: [PreviewEntry], upcoming: [Mailing]) {
        let config = network.configuration
        let jobs: [(mailing: Mailing, recipients: [Recipient], sequence: Int)]
        // An announcement preview needs no plan: it goes to its segments' audience.
        let plan: RunPlan
        do {
            plan = try RunPlan(
                network: network, ledger: request.announcement == nil ? ledger : nil, now: request.now,
                listingRecipients: request.announcement == nil)
        } catch {
            throw .render("cannot read the ledger: \(error)")
        }
        let all = plan.due.mailings
        if let name = request.announcement {
            guard renderer.templates.announcements.contains(name) else {
                throw .unknownAnnouncement(name, known: renderer.templates.announcements)
            }
            guard !renderer.brokenAnnouncements.contains(name) else { throw .brokenAnnouncement(name) }
            let mailing = Mailing(announcement: name, segments: request.segments, dueAt: request.now)
            jobs = [(mailing, audience(of: mailing, network: network), 0)]
        } else if let id = request.mailing {
            guard let mailing = MailingID(id).flatMap({ plan.due.mailing($0) }) else {
                let upcoming = all.filter { $0.dueAt >= request.now }.prefix(5).map(\.id.description)
                throw .unknownMailing(id, suggestions: Array(upcoming))
            }
            // A mailing the plan has goes to whom the run would send it; any other to its whole
            // audience, whether due or not.
            if let item = plan.items.first(where: { $0.mailing.id == mailing.id }), !item.recipients.isEmpty {
                jobs = [(mailing, item.recipients, item.sequence)]
            } else {
                jobs = [(mailing, audience(of: mailing, network: network), mailing.id.sequence ?? 0)]
            }
        } else {
            // A sign-up confirmation is the same short mail for everyone, made by `serve`, not an organizer's.
            jobs = plan.items.filter { !$0.recipients.isEmpty && $0.mailing.kind != .join }.map {
                ($0.mailing, $0.recipients, $0.sequence)
            }
        }
        let upcoming = plan.due.upcoming

        if request.writesFiles {
            do {
                try FileManager.default.createDirectory(at: request.output, withIntermediateDirectories: true)
            } catch {
                throw .write("\(request.output.path): \(error.localizedDescription)")
            }
        }
        var entries: [PreviewEntry] = []
        let wanted = request.recipient.map(AddressKey.init)
        // The seats left that a run's messages would say now.
        let counts = (try? ledger?.rsvpCounts()) ?? [:]
        for (mailing, all, sequence) in jobs {
            let seatsLeft = RSVPOccurrences.seatsLeft(mailing.occurrence) { counts }
            let digestSeatsLeft = RSVPOccurrences.digestSeatsLeft(mailing) { counts }
            var recipients = all
            if let wanted { recipients = recipients.filter { $0.address.key == wanted } }
            // In slices rendered and written on every core: each message is independent of the others.
            for start in stride(from: 0, to: recipients.count, by: sliceSize) {
                let slice = Array(recipients[start..<min(start + sliceSize, recipients.count)])
                let written = slice.concurrentSlices { part in
                    part.map { recipient in
                        Result<PreviewEntry?, Failure> { () throws(Failure) -> PreviewEntry? in
                            try preview(
                                mailing, for: recipient, sequence: sequence,
                                seats: (seatsLeft, digestSeatsLeft), request: request, renderer: renderer)
                        }
                    }
                }
                for result in written {
                    if let entry = try result.get() { entries.append(entry) }
                }
            }
        }
        guard request.writesFiles else { return (entries, upcoming) }
        // Who each mailing leaves out, for the whole list (not when narrowed to one reader).
        var leftOut: [MailingID: [PreviewLeftOut]] = [:]
        if request.recipient == nil, request.language == nil {
            for (mailing, recipients, _) in jobs where mailing.kind != .join {
                leftOut[mailing.id] = PreviewLeftOut.of(
                    mailing, recipients: recipients, network: network,
                    ledger: request.announcement == nil ? ledger : nil)
            }
        }
        let index = PreviewIndex.html(
            entries: entries, network: config.network, now: request.now, upcoming: upcoming, leftOut: leftOut)
        do {
            try Data(index.utf8).write(to: request.output.appendingPathComponent("index.html"))
        } catch {
            throw .write("index.html: \(error.localizedDescription)")
        }
        return (entries, upcoming)
    }
}

extension Preview {
    /// Everyone a mailing is for, as the planner sees it (a cancellation: the whole audience).
    static func audience(of mailing: Mailing, network: LoadedNetwork) -> [Recipient] {
        Planner.recipients(
            of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
    }

    /// Recipients rendered at a time: enough to keep both cores busy, few enough to keep memory flat.
    static let sliceSize = 512

    /// Renders one message into its `.eml` and `.html` files; nil when it is not in the language asked for.
    private static func preview(
        _ mailing: Mailing, for recipient: Recipient, sequence: Int,
        seats: (left: Int?, digest: [OccurrenceID: Int]), request: PreviewRequest,
        renderer: MessageRenderer
    ) throws(Failure) -> PreviewEntry? {
        let rendered: RenderedMessage
        var message = RenderRequest(
            mailing: mailing, recipient: recipient, sequence: sequence, now: request.now)
        message.seatsLeft = seats.left
        message.digestSeatsLeft = seats.digest
        do {
            rendered = try renderer.render(message)
        } catch {
            throw .render("\(mailing.id) for \(recipient.address.address): \(error)")
        }
        if let language = request.language, rendered.language != language { return nil }
        let base = OutboxTransport.fileName(for: "\(mailing.id) \(recipient.address.address)").dropLast(4)
        let eml = "\(base).eml"
        let html = "\(base).html"
        let bytes: [UInt8]
        do {
            bytes = try rendered.encoded()
        } catch {
            throw .render("\(mailing.id) for \(recipient.address.address): \(error)")
        }
        if request.writesFiles {
            do {
                // Paths joined as text: `URL.appendingPathComponent` asked the file system whether
                // each name was a folder.
                let folder = request.output.path
                try write(bytes, to: folder + "/" + eml)
                try write(Array(rendered.html.utf8), to: folder + "/" + html)
            } catch {
                throw .write("\(eml): \(error)")
            }
        }
        let name: String
        switch recipient {
        case .member(let member): name = member.name ?? ""
        case .partner(let partner):
            name = [partner.contact, partner.organisation].compactMap { $0 }.joined(separator: ", ")
        }
        return PreviewEntry(
            mailing: mailing, recipient: recipient.address.address, name: name, language: rendered.language,
            subject: rendered.message.subject, emlFile: eml, htmlFile: html, size: bytes.count)
    }
}

extension Preview {
    /// Writes a preview file with plain POSIX calls: `Data.write` also synced each file to the
    /// disk, which took a quarter of a large preview's time, and a preview is made again at will.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw PreviewWriteError(path: path, code: errno) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw PreviewWriteError(path: path, code: errno) }
            written += result
        }
    }
}

/// A preview file that could not be written, with the system's reason.
struct PreviewWriteError: Error, CustomStringConvertible {
    let path: String
    let code: Int32

    var description: String { "\(path): \(String(cString: strerror(code)))" }
}

extension PreviewEntry {
    /// `entries` by mailing, in the order their mailings were first rendered.
    static func byMailing(_ entries: [PreviewEntry]) -> [(id: MailingID, entries: [PreviewEntry])] {
        var order: [MailingID] = []
        var groups: [MailingID: [PreviewEntry]] = [:]
        for entry in entries {
            if groups[entry.mailing.id] == nil { order.append(entry.mailing.id) }
            groups[entry.mailing.id, default: []].append(entry)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    /// How many of `entries` are in each language: `da 120, en 230, pl 62`.
    static func languageCounts(_ entries: [PreviewEntry]) -> String {
        var languages: [String: Int] = [:]
        for entry in entries { languages[entry.language.identifier, default: 0] += 1 }
        return languages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

/// `preview --summary`: one line per mailing, in the order rendered.
public enum PreviewSummary {
    /// `invitation/…: 412 messages (da 120, en 230, pl 62), 8.4 KB on average`.
    public static func lines(_ entries: [PreviewEntry]) -> [String] {
        PreviewEntry.byMailing(entries).compactMap { id, group in
            guard !group.isEmpty else { return nil }
            let kilobytes = Double(group.reduce(0) { $0 + $1.size }) / Double(group.count) / 1024
            let size = (kilobytes * 10).rounded() / 10
            return "\(id): \(counted(group.count, "message")) (\(PreviewEntry.languageCounts(group))), "
                + "\(size) KB on average"
        }
    }
}

/// The `index.html` of a preview: every message with recipient, language and subject, grouped by mailing.
enum PreviewIndex {
    static func html(
        entries: [PreviewEntry], network: Configuration.Network, now: Date, upcoming: [Mailing],
        leftOut: [MailingID: [PreviewLeftOut]] = [:]
    )
        -> String
    {
        let escape = MarkdownBody.escapeHTML
        let stamp = MessageEncoder.rfc5322Date(now, in: network.timeZone)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Preview – \(escape(network.name))</title>
            <style>
              body { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; margin: 0; background: #f3f1ec; color: #1f2328; }
              header { background: #b5462f; color: #fff; padding: 20px 32px; }
              header h1 { margin: 0 0 4px; font-size: 22px; } header p { margin: 0; opacity: .9; }
              main { padding: 16px 32px 48px; max-width: 1100px; }
              section { background: #fff; border-radius: 8px; margin: 20px 0; padding: 8px 20px 16px; }
              h2 { font-size: 17px; margin: 14px 0 4px; } .due { color: #5b6068; font-size: 14px; margin: 0 0 10px; }
              table { border-collapse: collapse; width: 100%; font-size: 14px; }
              th, td { text-align: start; padding: 6px 10px 6px 0; border-bottom: 1px solid #eeebe4; vertical-align: top; }
              th { color: #5b6068; font-weight: 600; } .lang { font-family: ui-monospace, monospace; }
              .kind { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #e8eef7; color: #1d5fa8; margin-inline-end: 6px; }
              .empty { background: #fff; border-radius: 8px; padding: 16px 20px; margin: 20px 0; }
              details { margin-top: 12px; } summary { color: #5b6068; cursor: pointer; }
              .left td { color: #8a8f98; }
            </style></head><body>
            <header><h1>\(escape(network.name)): preview</h1>
            <p>What a run at \(escape(stamp)) would send: \(entries.count) messages. Nothing was sent or recorded.</p></header>
            <main>

            """
        if entries.isEmpty {
            html += "<div class=\"empty\"><p>Nothing is due at this moment.</p>"
            if !upcoming.isEmpty {
                html += "<p>Next mailings:</p><ul>"
                for mailing in upcoming.prefix(8) {
                    let due = MessageEncoder.rfc5322Date(mailing.dueAt, in: network.timeZone)
                    html += "<li><code>\(escape(mailing.id.description))</code>, due \(escape(due))</li>"
                }
                html += "</ul><p>Preview one with <code>inviter preview --mailing ID</code>.</p>"
            }
            html += "</div>\n"
        }
        for (id, group) in PreviewEntry.byMailing(entries) {
            guard let first = group.first else { continue }
            let due = MessageEncoder.rfc5322Date(first.mailing.dueAt, in: network.timeZone)
            let summary = PreviewEntry.languageCounts(group)
            html += """
                <section><h2><span class="kind">\(escape(first.mailing.kind.rawValue))</span>\(escape(id.description))</h2>
                <p class="due">Due \(escape(due)) · \(group.count) recipients · \(escape(summary))</p>
                <table><tr><th>Recipient</th><th>Language</th><th>Subject</th><th>Files</th></tr>

                """
            for entry in group {
                html += """
                    <tr><td><bdi>\(escape(entry.name))</bdi><br><small>\(escape(entry.recipient))</small></td>\
                    <td class="lang">\(escape(entry.language.identifier))</td>\
                    <td lang="\(escape(entry.language.identifier))" dir="auto">\
                    <a href="\(escape(entry.htmlFile))">\(escape(entry.subject))</a></td>\
                    <td><a href="\(escape(entry.emlFile))">.eml</a></td></tr>

                    """
            }
            html += "</table>"
            html += leftOutTable(leftOut[id] ?? [])
            html += "</section>\n"
        }
        html += "</main></body></html>\n"
        return html
    }

    /// The members (or partner contacts) a mailing does not reach, greyed out, with why: the
    /// first rows, and the count of each reason for all of them.
    static func leftOutTable(_ left: [PreviewLeftOut]) -> String {
        guard !left.isEmpty else { return "" }
        let escape = MarkdownBody.escapeHTML
        var reasons: [String: Int] = [:]
        for person in left { reasons[person.reason, default: 0] += 1 }
        let counts = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { "\($0.value) \($0.key)" }.joined(separator: " · ")
        var html =
            "<details open><summary>Not getting it: \(left.count) (\(escape(counts)))</summary>"
            + "<table class=\"left\"><tr><th>Who</th><th>Why</th></tr>\n"
        for person in left.prefix(PreviewLeftOut.shown) {
            html +=
                "<tr><td><bdi>\(escape(person.name))</bdi><br><small>\(escape(person.address))</small></td>"
                + "<td>\(escape(person.reason))"
                + (person.detail.map { " <small>(\(escape($0)))</small>" } ?? "") + "</td></tr>\n"
        }
        if left.count > PreviewLeftOut.shown {
            html += "<tr><td colspan=\"2\">… and \(left.count - PreviewLeftOut.shown) more</td></tr>\n"
        }
        return html + "</table></details>"
    }
}
