import Foundation
import Synchronization

/// The sign-up form: `GET /join`, `POST /join`, and the confirmation from the mail.
extension WebService {
    /// How long a confirmation link works.
    public static let confirmationLifetime: TimeInterval = 7 * 86_400

    /// What the form sends, as read from the body.
    public struct JoinForm: Sendable {
        public var email: String
        public var name: String
        public var language: String
        public var segments: [String]
        public var occurrence: String?

        public init(email: String, name: String, language: String, segments: [String], occurrence: String?) {
            self.email = email
            self.name = name
            self.language = language
            self.segments = segments
            self.occurrence = occurrence
        }

        /// The fields of an `application/x-www-form-urlencoded` body.
        public init(fields: [(String, String)]) {
            func first(_ name: String) -> String { fields.first { $0.0 == name }?.1 ?? "" }
            self.init(
                email: first("email"), name: first("name"), language: first("language"),
                segments: fields.filter { $0.0 == "segments" }.map(\.1),
                occurrence: fields.first { $0.0 == "occurrence" }?.1)
        }
    }

    /// `GET /join[?occurrence=…]`: the form, in the browser's language. Changes nothing.
    public func joinPage(occurrence: String?, acceptLanguage: String?, now: Date) -> WebResponse {
        guard configuration.signup != nil else { return notFound(acceptLanguage) }
        let language = self.language(for: nil, acceptLanguage: acceptLanguage)
        let form = JoinForm(
            email: "", name: "", language: language.identifier, segments: [], occurrence: occurrence)
        return joinForm(form, language: language, problem: nil, status: 200)
    }

    /// `POST /join`: checks the form like a list row and, when it is sound, records the request
    /// and its confirmation mail. The answer is the same whoever the address belongs to (a
    /// member, a stranger, somebody who asked three times today): it never tells who is known.
    ///
    /// - Returns: the page, and whether a confirmation is now waiting to be sent.
    public func join(_ form: JoinForm, acceptLanguage: String?, now: Date) throws -> (WebResponse, Bool) {
        guard let signup = configuration.signup else { return (notFound(acceptLanguage), false) }
        let chosen = (try? LanguageCode(form.language)).flatMap { code in languages.first { $0 == code } }
        let language = chosen ?? self.language(for: nil, acceptLanguage: acceptLanguage)
        let email = form.email.trimmingCharacters(in: .whitespaces)
        let person = form.name.trimmingCharacters(in: .whitespaces)
        guard email.count <= 254, !email.contains(where: \.isNewline),
            let address = try? MailAddress(email, displayName: nil, source: "email")
        else {
            return (
                joinForm(form, language: language, problem: "page_join_invalid_email", status: 400), false
            )
        }
        guard !person.isEmpty, person.count <= 200,
            !person.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            return (joinForm(form, language: language, problem: "page_join_invalid_name", status: 400), false)
        }
        let segments = form.segments.map { $0.lowercased() }
        guard chosen != nil, segments.allSatisfy(signup.segments.contains) else {
            // Only a hand-made request sends a language or a segment the form does not offer.
            return (invalidLink(acceptLanguage), false)
        }
        let from = form.occurrence.flatMap { OccurrenceID($0) }.flatMap { self.occurrence($0) }?.id
        let request = SignupRequest(
            address: address, name: person, language: language, segments: segments, occurrence: from,
            requestedAt: now)
        let day = LocalDateTime(now, in: configuration.network.timeZone).date
        let admission = try ledger.requestSignup(
            request, day: day, messageDomain: String(configuration.network.from.domain))
        let page = WebPage(renderer: renderer, language: language)
        let body = "<p>\(page.text("page_join_check_mail", ["email": address.address]))</p>"
        let queued: Bool
        if case .queued = admission { queued = true } else { queued = false }
        return (
            WebResponse(
                status: 200,
                html: page.document(title: page.plain("page_join_title", ["network": name]), body: body)),
            queued
        )
    }

    /// The request a confirmation link names, while it is fresh.
    private func confirmationKey(_ token: String, now: Date) throws -> (DeliveryKey, SignupRequest)? {
        guard let fields = LinkToken.verify(token, .join, network: name, secret: secret), fields.count == 2,
            let mailing = MailingID(fields[0]), case .join = mailing.form
        else { return nil }
        let key = DeliveryKey(mailing: mailing, recipient: AddressKey(fields[1]))
        guard let request = try ledger.signupRequest(key),
            now.timeIntervalSince(request.requestedAt) < Self.confirmationLifetime
        else { return nil }
        return (key, request)
    }

    /// `GET /join/{token}`: a confirm button. Changes nothing.
    public func confirmationPage(token: String, acceptLanguage: String?, now: Date) throws -> WebResponse {
        guard let (_, request) = try confirmationKey(token, now: now) else {
            return invalidLink(acceptLanguage)
        }
        let page = WebPage(renderer: renderer, language: request.language)
        let title = page.text("page_join_title", ["network": name])
        let body =
            "<h1>\(title)</h1><p>\(page.text("page_join_confirm", ["network": name, "email": request.address.address]))</p>"
            + page.form(action: path("/join/\(token)"), button: page.text("page_join_confirm_button"))
        return WebResponse(
            status: 200,
            html: page.document(title: page.plain("page_join_title", ["network": name]), body: body))
    }

    /// `POST /join/{token}`: makes the person a member (again: confirming twice changes nothing).
    public func confirm(token: String, acceptLanguage: String?, now: Date) throws -> WebResponse {
        guard let (key, request) = try confirmationKey(token, now: now),
            try ledger.confirmSignup(key, now: now) != nil
        else { return invalidLink(acceptLanguage) }
        let page = WebPage(renderer: renderer, language: request.language)
        var body =
            "<p>\(page.text("page_join_confirmed", ["network": name, "email": request.address.address]))</p>"
        if let answered = try answerYesFromJoin(request, page: page, now: now) {
            body += "<p>\(answered)</p>"
        }
        return WebResponse(
            status: 200,
            html: page.document(title: page.plain("page_join_title", ["network": name]), body: body))
    }

    /// The occurrence `id` names, when an event still has it.
    func occurrence(_ id: OccurrenceID) -> Occurrence? { network.occurrence(id) }

    /// The form, with what was typed kept and the problem (a strings key) said above it.
    private func joinForm(_ form: JoinForm, language: LanguageCode, problem: String?, status: Int)
        -> WebResponse
    {
        let page = WebPage(renderer: renderer, language: language)
        let escape = MarkdownBody.escapeHTML
        let title = page.text("page_join_title", ["network": name])
        var body = "<h1>\(title)</h1><p>\(page.text("page_join_intro", ["network": name]))</p>"
        if let id = form.occurrence.flatMap({ OccurrenceID($0) }), let occurrence = occurrence(id) {
            let dates = DateTexts(
                start: occurrence.start, end: occurrence.end, language: language,
                zone: configuration.network.timeZone, cache: renderer.cache)
            let title = occurrence.title.resolve(language, fallback: configuration.network.languageFallback)?
                .text
            body +=
                "<p>\(page.text("page_join_occurrence", ["title": title ?? id.eventID, "date": dates.dateTime]))</p>"
        }
        if let problem { body += "<p class=\"problem\" role=\"alert\">\(page.text(problem))</p>" }
        body += "<form method=\"post\" action=\"\(escape(path("/join")))\">"
        body +=
            "<label for=\"email\">\(page.text("page_field_email"))</label>"
            + "<input type=\"email\" id=\"email\" name=\"email\" required maxlength=\"254\" autocomplete=\"email\" value=\"\(escape(String(form.email.prefix(254))))\">"
            + "<label for=\"name\">\(page.text("page_field_name"))</label>"
            + "<input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"200\" autocomplete=\"name\" value=\"\(escape(String(form.name.prefix(200))))\">"
            + "<label for=\"language\">\(page.text("page_field_language"))</label><select id=\"language\" name=\"language\">"
        for code in languages {
            let own = Locale(identifier: code.identifier).localizedString(forLanguageCode: code.language)
            let selected = code.identifier == form.language ? " selected" : ""
            body +=
                "<option value=\"\(escape(code.identifier))\" lang=\"\(escape(code.identifier))\"\(selected)>\(escape(own ?? code.identifier))</option>"
        }
        body += "</select>"
        let segments = configuration.signup?.segments ?? []
        if !segments.isEmpty {
            body += "<fieldset><legend>\(page.text("page_field_segments"))</legend>"
            for segment in segments {
                let checked = form.segments.contains(segment) ? " checked" : ""
                body +=
                    "<label><input type=\"checkbox\" name=\"segments\" value=\"\(escape(segment))\"\(checked)> \(escape(segment))</label>"
            }
            body += "</fieldset>"
        }
        if let occurrence = form.occurrence.flatMap({ OccurrenceID($0) }) {
            body += "<input type=\"hidden\" name=\"occurrence\" value=\"\(escape(occurrence.description))\">"
        }
        body += "<p><button type=\"submit\">\(page.text("page_join_button"))</button></p></form>"
        return WebResponse(
            status: status,
            html: page.document(title: page.plain("page_join_title", ["network": name]), body: body))
    }
}

/// At most `limit` requests per client in `window` seconds: so the form cannot be used to mail a
/// stranger's address over and over, whatever address each request gives.
public final class ClientLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let seen = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 10, window: TimeInterval = 3600) {
        self.limit = limit
        self.window = window
    }

    /// Counts one request of `client` at `now`; false when it is over the limit.
    public func admit(_ client: String, now: Date) -> Bool {
        seen.withLock { seen in
            // Forget the clients of the past window once the table grows, so memory stays bounded.
            if seen.count > 10_000 {
                seen = seen.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
            }
            var times = (seen[client] ?? []).filter { now.timeIntervalSince($0) < window }
            guard times.count < limit else {
                seen[client] = times
                return false
            }
            times.append(now)
            seen[client] = times
            return true
        }
    }
}
