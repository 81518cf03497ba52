import Foundation

/// The RSVP page: an occurrence, the seats left and a yes/no form; its POST records the answer.
extension WebService {
    /// What an RSVP token leads to, or the page to answer with instead.
    private enum Target {
        case open(Occurrence, AddressKey, WebPage)
        case closed(WebResponse)
    }

    /// `GET /rsvp/{token}[?answer=yes|no]`: the occurrence, the seats left and the form, the
    /// linked answer (else the member's current one) preselected. Changes nothing.
    public func rsvpPage(token: String, answer: String?, acceptLanguage: String?, now: Date) throws
        -> WebResponse
    {
        switch target(token, acceptLanguage: acceptLanguage, now: now, status: 200) {
        case .closed(let response):
            return response
        case .open(let occurrence, let address, let page):
            let current = try ledger.rsvp(occurrence: occurrence.id, address: address)
            let chosen =
                answer.flatMap(RSVPAnswer.init(rawValue:))
                ?? current.map { $0.status == .declined ? .no : .yes }
            let seats = try ledger.rsvpCounts()[occurrence.id] ?? RSVPCounts()
            var body = occurrenceSummary(occurrence, page: page, seats: seats)
            if let current { body += "<p>\(statusSentence(current, occurrence: occurrence, page: page))</p>" }
            body += answerForm(token: token, chosen: chosen, page: page)
            return WebResponse(status: 200, html: page.document(title: title(occurrence, page), body: body))
        }
    }

    /// `POST /rsvp/{token}` with `answer=yes` or `answer=no`: going while seats are free, else
    /// waitlisted (the page gives the position); no is declined. The same answer twice records one.
    public func answerRSVP(token: String, fields: [(String, String)], acceptLanguage: String?, now: Date)
        throws -> WebResponse
    {
        switch target(token, acceptLanguage: acceptLanguage, now: now, status: 409) {
        case .closed(let response):
            return response
        case .open(let occurrence, let address, let page):
            let given = fields.filter { $0.0 == "answer" }.map(\.1)
            guard given.count == 1, let answer = RSVPAnswer(rawValue: given[0]) else {
                let seats = try ledger.rsvpCounts()[occurrence.id] ?? RSVPCounts()
                let body =
                    occurrenceSummary(occurrence, page: page, seats: seats)
                    + answerForm(token: token, chosen: nil, page: page)
                return WebResponse(
                    status: 400, html: page.document(title: title(occurrence, page), body: body))
            }
            let result = try ledger.answerRSVP(
                answer, occurrence: occurrence.id, address: address, capacity: occurrence.capacity,
                seat: configuration.seatNotice(for: occurrence, now: now),
                now: now)
            let seats = try ledger.rsvpCounts()[occurrence.id] ?? RSVPCounts()
            let body =
                "<p role=\"status\"><strong>\(statusSentence(result.record, occurrence: occurrence, page: page))</strong></p>"
                + occurrenceSummary(occurrence, page: page, seats: seats)
                + answerForm(token: token, chosen: answer, page: page)
            return WebResponse(status: 200, html: page.document(title: title(occurrence, page), body: body))
        }
    }

    var zone: TimeZone { configuration.network.timeZone }

    /// The occurrence and member a token names, while answers are taken; else the page that says
    /// why not (a forged token, an event without RSVP, a cancelled or started occurrence).
    ///
    /// - Parameter status: For a started occurrence: 200 for the GET's page, 409 for a POST that
    ///   changed nothing.
    private func target(_ token: String, acceptLanguage: String?, now: Date, status: Int) -> Target {
        guard let (id, address) = RSVPLink.read(token, network: name, secret: secret),
            let occurrence = occurrence(id), occurrence.rsvp
        else { return .closed(invalidLink(acceptLanguage)) }
        let page = WebPage(
            renderer: renderer, language: language(for: address, acceptLanguage: acceptLanguage))
        let values = ["title": title(occurrence, page), "date": dates(occurrence, page).dateTime]
        if occurrence.cancelled {
            let body = "<p>\(page.text("page_rsvp_cancelled", values))</p>"
            return .closed(
                WebResponse(status: status, html: page.document(title: title(occurrence, page), body: body)))
        }
        guard now < occurrence.start.instant(in: zone) else {
            let body = "<p>\(page.text("page_rsvp_started", values))</p>"
            return .closed(
                WebResponse(status: status, html: page.document(title: title(occurrence, page), body: body)))
        }
        return .open(occurrence, address, page)
    }

    private func title(_ occurrence: Occurrence, _ page: WebPage) -> String {
        occurrence.title.resolve(page.language, fallback: configuration.network.defaultLanguage)?.text
            ?? occurrence.eventID
    }

    private func dates(_ occurrence: Occurrence, _ page: WebPage) -> DateTexts {
        // The renderer's cache keeps ICU's formatters: making them was most of a page's time.
        DateTexts(
            start: occurrence.start, end: occurrence.end, language: page.language, zone: zone,
            cache: renderer.cache)
    }

    /// The title as the question, when and where, and the seats left (or that a yes waits).
    private func occurrenceSummary(_ occurrence: Occurrence, page: WebPage, seats: RSVPCounts) -> String {
        let escape = MarkdownBody.escapeHTML
        let dates = dates(occurrence, page)
        var html = "<h1>\(page.text("page_rsvp_question", ["title": title(occurrence, page)]))</h1>"
        html +=
            "<p><strong>\(page.text("when")):</strong> <bdi>\(escape(dates.longDate))\(LanguageDirection.comma(page.language))\(escape(dates.timeRange))</bdi><br>"
        html += "<strong>\(page.text("where")):</strong> <bdi>\(escape(occurrence.venue))</bdi></p>"
        if let left = seats.seatsLeft(of: occurrence.capacity) {
            if left > 0,
                let text = renderer.strings.plural(
                    "seats_left", count: left, language: page.language,
                    fallback: configuration.network.defaultLanguage)
            {
                html += "<p>\(escape(text)).</p>"
            } else if left == 0 {
                html += "<p>\(page.text("rsvp_full"))</p>"
            }
        }
        return html
    }

    /// Where the member stands, in a sentence.
    func statusSentence(_ record: RSVPRecord, occurrence: Occurrence, page: WebPage) -> String {
        let values = ["title": title(occurrence, page), "date": dates(occurrence, page).dateTime]
        switch record.status {
        case .going: return page.text("page_rsvp_going", values)
        case .declined: return page.text("page_rsvp_declined", values)
        case .waitlisted:
            return page.text("page_rsvp_waitlisted", ["position": String(record.position ?? 1)])
        }
    }

    /// Yes and no as radio buttons (the chosen one checked) and one submit button, posted back
    /// to the token's own address.
    private func answerForm(token: String, chosen: RSVPAnswer?, page: WebPage) -> String {
        let escape = MarkdownBody.escapeHTML
        var html = "<form method=\"post\" action=\"\(escape(path("/rsvp/\(token)")))\"><fieldset>"
        for (answer, key) in [(RSVPAnswer.yes, "rsvp_yes"), (.no, "rsvp_no")] {
            let checked = chosen == answer ? " checked" : ""
            html +=
                "<label><input type=\"radio\" name=\"answer\" value=\"\(answer.rawValue)\" required\(checked)> "
                + "\(page.text(key))</label>"
        }
        html += "</fieldset><p><button type=\"submit\">\(page.text("page_rsvp_button"))</button></p></form>"
        return html + "<p>\(page.text("page_rsvp_change"))</p>"
    }
}

extension WebService {
    /// A newcomer who came from a partner copy's link (`/join?occurrence=…`) and confirmed: a yes
    /// for that occurrence, under the same capacity rules as any member's; the sentence saying
    /// where they stand, or nil when the occurrence takes no answers (now).
    func answerYesFromJoin(_ request: SignupRequest, page: WebPage, now: Date) throws -> String? {
        guard let id = request.occurrence, let occurrence = occurrence(id), occurrence.rsvp,
            !occurrence.cancelled, now < occurrence.start.instant(in: zone)
        else { return nil }
        let result = try ledger.answerRSVP(
            .yes, occurrence: id, address: request.address.key, capacity: occurrence.capacity,
            seat: configuration.seatNotice(for: occurrence, now: now),
            now: now)
        return statusSentence(result.record, occurrence: occurrence, page: page)
    }
}
