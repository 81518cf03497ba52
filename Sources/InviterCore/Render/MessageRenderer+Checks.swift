import Foundation

extension MessageRenderer {
    /// Every name a template uses that its context does not provide, with file and line.
    ///
    /// Checked against a sample context that has everything a real one can
    /// have (a note, a capacity, every extra member column seen in the lists),
    /// so a name is reported only when no message could ever fill it.
    public func templateProblems(extraFields: Set<String> = []) -> [InputProblem] {
        templateProblemsByAnnouncement(extraFields: extraFields).map(\.problem)
    }

    /// The same problems, each with the announcement whose template it is in (nil for the kinds
    /// every network sends and the layout): a broken announcement stops that announcement alone.
    func templateProblemsByAnnouncement(extraFields: Set<String> = []) -> [(
        announcement: String?, problem: InputProblem
    )] {
        let sample = Self.sampleOccurrence()
        let member = Member(
            address: network.from, name: "Sample Member", language: network.defaultLanguage,
            segments: ["all"],
            organisation: "Example A/S", status: .active,
            fields: Dictionary(uniqueKeysWithValues: extraFields.map { ($0, "value") }), sources: [])
        let partner = Partner(
            address: network.from, organisation: "Example A/S", kind: .company, contact: "Sample Contact",
            language: network.defaultLanguage, source: "")
        // The sign-up line of partner copies exists only with the form configured: check as if it were.
        var sampler = self
        if sampler.configuration.web == nil {
            sampler.configuration.web = Configuration.Web(
                baseURL: "https://example.invalid", basePath: "", host: "127.0.0.1", port: 8080, secret: nil)
        }
        if sampler.configuration.signup == nil {
            sampler.configuration.signup = Configuration.Signup(segments: [])
        }
        var problems: [(announcement: String?, problem: InputProblem)] = []
        var requests: [RenderRequest] = []
        for kind in MailingKind.allCases where kind.isAboutOccurrence {
            let recipient: Recipient = kind.isPartnerCopy ? .partner(partner) : .member(member)
            var request = RenderRequest(
                kind: kind, mailingID: Mailing(kind: kind, occurrence: sample, dueAt: Date()).id,
                occurrence: sample, recipient: recipient, now: Date())
            request.seatsLeft = 3
            requests.append(request)
        }
        // Two dates of one event, so the digest's optional names (`also_dates`) are present.
        var nextWeek = sample
        nextWeek.date = sample.date.adding(days: 7)
        nextWeek.start = LocalDateTime.adding(seconds: 7 * 86_400, to: sample.start)
        nextWeek.end = LocalDateTime.adding(seconds: 7 * 86_400, to: sample.end)
        let newsletter = Mailing(newsletterOn: sample.date, digest: [sample, nextWeek], dueAt: Date())
        var digest = RenderRequest(mailing: newsletter, recipient: .member(member), now: Date())
        digest.digestSeatsLeft[sample.id] = 3
        requests.append(digest)
        for name in templates.announcements {
            let announcement = Mailing(announcement: name, segments: ["all"], dueAt: Date())
            requests.append(RenderRequest(mailing: announcement, recipient: .member(member), now: Date()))
        }
        // Every kind in every language is a template of its own: checked on every core, since
        // each run waits for this before it sends anything.
        let checks = requests.flatMap { request in
            templates.languages(for: request.templateKey).map { (request, $0) }
        }
        let checker = sampler
        let renderer = self
        problems += checks.concurrentSlices { slice in
            slice.flatMap { request, language in
                checker.templateProblems(
                    of: request, in: language,
                    unsubscribe: renderer.unsubscribeTargets(for: request.recipient))
            }
        }
        let layoutContext: [String: Any] = Dictionary(
            uniqueKeysWithValues: [
                "lang", "dir", "subject", "network", "body", "footer", "unsubscribe_url", "unsubscribe_label",
            ]
            .map { ($0, "x" as Any) })
        problems += TemplateNameCheck.problems(
            in: templates.layoutSource, file: templates.layoutFile, firstLine: 1, context: layoutContext
        ).map { (nil, $0) }
        return problems
    }

    /// The names `request`'s template in `language` uses that its context lacks.
    private func templateProblems(
        of request: RenderRequest, in language: LanguageCode, unsubscribe: UnsubscribeTargets
    ) -> [(announcement: String?, problem: InputProblem)] {
        guard
            let (template, _) = templates.template(
                request.templateKey, language: language, fallback: language)
        else { return [] }
        // The yes and no links exist only for members, with `[web]`: check as if they were there.
        let rsvp =
            request.recipient.member != nil && Self.answeringKinds.contains(request.kind)
            ? (yes: "https://example.invalid/rsvp/yes", no: "https://example.invalid/rsvp/no") : nil
        let context = context(
            for: request, language: language,
            values: RecipientValues(
                recipient: request.recipient, link: unsubscribe.link, mailto: unsubscribe.mailto, rsvp: rsvp))
        let found =
            TemplateNameCheck.problems(
                in: template.subjectSource, file: template.file, firstLine: 1, context: context)
            + TemplateNameCheck.problems(
                in: template.bodySource, file: template.file, firstLine: template.bodyFirstLine,
                context: context)
        let name = request.kind == .announcement ? request.announcement : nil
        return found.map { (name, $0) }
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
            description: text, venue: "Sample venue", capacity: 10, rsvp: true, cancelled: false, note: text,
            audience: ["all"],
            partners: [.company], interpreters: [.english],
            repetition: (try? RecurrenceRule(parsing: "FREQ=WEEKLY")).map {
                Repetition(rule: $0, skipped: [date.adding(days: 7)])
            })
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
                missing[0], language: language, fallback: network.languageFallback)?.1
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
