import Foundation

/// The names a template can use, made from a request and the recipient's values.
extension MessageRenderer {
    /// The names a template can use (the README's template reference lists them).
    ///
    /// The recipient is read only through `person` (the digest aside, which follows the member's
    /// segments), so that a prepared message can stand in for every recipient of its shape.
    func context(for request: RenderRequest, language: LanguageCode, values person: RecipientValues)
        -> [String: Any]
    {
        let fallback = network.languageFallback
        var values: [String: String] = [
            "network": network.name, "name": person.greetingName, "full_name": person.name,
        ]
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
            if let yes = person.rsvpYes, let no = person.rsvpNo {
                context["rsvp"] = rsvpContext(
                    yes: yes, no: no, seatsLeft: request.seatsLeft, language: language)
            }
        } else if let partner {
            context["partner"] = partner
        }
        if request.kind == .newsletter {
            var digest = request.digest
            if case .member(let member) = request.recipient { digest = digest.meant(for: member) }
            context["occurrences"] = digestEntries(
                digest, language: language, seatsLeft: request.digestSeatsLeft)
        }
        return context
    }

    /// The newsletter's list: each event once, at its first occurrence, with the further dates of a
    /// repeating event in `also_dates` ("9.12.2026, 16.12.2026"), so a weekly activity is one entry, not five.
    ///
    /// An RSVP event's entry says the seats left at its first date (`seats_text`), or that it is full.
    private func digestEntries(_ digest: [Occurrence], language: LanguageCode, seatsLeft: [OccurrenceID: Int])
        -> [[String: Any]]
    {
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
                DateTexts(
                    start: $0.start, end: $0.end, language: language, zone: network.timeZone, cache: cache
                ).shortDate
            }
            // Only present when there are further dates: a section on it then shows or hides.
            // Arabic script lists with the Arabic comma.
            let separator = LanguageDirection.comma(language)
            if !later.isEmpty {
                entry["also_dates"] = MarkdownBody.Value.text(later.joined(separator: separator))
            }
            if let left = seatsLeft[first.id] {
                let fallback = network.defaultLanguage
                let text =
                    left > 0
                    ? strings.plural("seats_left", count: left, language: language, fallback: fallback).map {
                        $0 + "."
                    }
                    : strings.text("capacity_full", language: language, fallback: fallback)
                if let text { entry["seats_text"] = MarkdownBody.Value.text(text) }
            }
            return entry
        }
    }

    /// `event` and `when` for one occurrence, in `language`.
    private func occurrenceContext(_ occurrence: Occurrence, language: LanguageCode) -> (
        [String: Any], [String: Any]
    ) {
        let fallback = network.languageFallback
        let title = occurrence.title.resolve(language, fallback: fallback)?.text ?? occurrence.eventID
        let description = occurrence.description.resolve(language, fallback: fallback)?.text ?? ""
        let dates = DateTexts(
            start: occurrence.start, end: occurrence.end, language: language, zone: network.timeZone,
            cache: cache)
        var event: [String: Any] = [
            "id": MarkdownBody.Value.text(occurrence.eventID),
            "title": MarkdownBody.Value.text(title),
            "description": MarkdownBody.Value.markdown(description),
            "venue": MarkdownBody.Value.text(occurrence.venue),
            "map_url": MarkdownBody.Value.text(occurrence.mapURL),
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
        if let repeats = repetitionText(occurrence, language: language, timeRange: dates.timeRange) {
            event["repeats"] = MarkdownBody.Value.text(repeats)
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
    /// A cancellation's or an update's copy says so in the same two languages, since it goes to
    /// the same people.
    private func partnerCopies(_ occurrence: Occurrence) -> [[String: Any]] {
        var copies: [[String: Any]] = []
        for code in ["en", "da"] {
            guard let language = try? LanguageCode(code) else { continue }
            let dates = DateTexts(
                start: occurrence.start, end: occurrence.end, language: language, zone: network.timeZone,
                cache: cache)
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
                "map_url": MarkdownBody.Value.text(occurrence.mapURL),
                "when_label": MarkdownBody.Value.text(
                    strings.text("when", language: language, fallback: language) ?? "When"),
                "where_label": MarkdownBody.Value.text(
                    strings.text("where", language: language, fallback: language) ?? "Where"),
            ]
            for (name, key) in [
                ("cancelled_label", "cancelled_heading"), ("cancelled_text", "forward_cancelled"),
                ("changed_label", "changed_heading"), ("changed_text", "forward_changed"),
            ] {
                if let text = strings.text(key, language: language, fallback: language) {
                    copy[name] = MarkdownBody.Value.text(text)
                }
            }
            if let (_, text) = interpreterTexts(
                occurrence, language: language, fallback: LanguageFallback(default: language),
                key: "interpreters_offered_forward")
            {
                copy["interpreters_text"] = MarkdownBody.Value.text(text)
            }
            // Why this evening differs (moved, another place) matters to those the partner forwards it to.
            if let note = occurrence.note?.resolve(language, fallback: language)?.text {
                copy["note"] = MarkdownBody.Value.text(note)
                copy["note_label"] = MarkdownBody.Value.text(
                    strings.text("note", language: language, fallback: language) ?? "Note")
            }
            if let link = joinLink(for: occurrence),
                let text = strings.text(
                    "join_here", language: language, fallback: language, values: ["link": link])
            {
                copy["join_text"] = MarkdownBody.Value.text(text)
            }
            copies.append(copy)
        }
        return copies
    }

    /// The sign-up page for whoever gets a partner copy forwarded, naming the occurrence it came
    /// from; nil unless the network offers the form (`[web]` and `[signup]`).
    func joinLink(for occurrence: Occurrence) -> String? {
        guard let web = configuration.web, configuration.signup != nil else { return nil }
        let id = occurrence.id.description.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed)
        return web.baseURL + "/join?occurrence=" + (id ?? "")
    }

    /// The offered interpreter languages named in `language` ("rumænsk, polsk og ukrainsk") and the
    /// sentence that offers them; nil when the occurrence offers none.
    ///
    /// - Parameter key: The sentence: `interpreters_offered` for members, who reply to the network,
    ///   or `interpreters_offered_forward` for a partner's copy, which names the network's address.
    private func interpreterTexts(
        _ occurrence: Occurrence, language: LanguageCode, fallback: LanguageFallback,
        key: String = "interpreters_offered"
    ) -> (String, String)? {
        guard !occurrence.interpreters.isEmpty else { return nil }
        let names = occurrence.interpreters.map { $0.name(in: language) }
            .formatted(.list(type: .and).locale(DateTexts.locale(for: language)))
        let email = (network.replyTo ?? network.from).address
        let text =
            strings.text(
                key, language: language, fallback: fallback, values: ["languages": names, "email": email])
            ?? names
        return (names, text)
    }
}
