import Foundation

/// The yes and no links of an RSVP occurrence, and the seats left, in a member's messages.
extension MessageRenderer {
    /// The kinds that ask a member whether they come: the invitation, the reminder (to those
    /// going and those who have not answered), an update, and a seat notice (to give it back).
    static let answeringKinds: Set<MailingKind> = [.invitation, .reminder, .update, .seat]

    /// A member's personal links to answer yes and no; nil when the occurrence takes no answers,
    /// for partner contacts (whose copy is forwarded), and without `[web]` or the link secret.
    func rsvpLinks(for request: RenderRequest) -> (yes: String, no: String)? {
        guard let occurrence = request.occurrence, occurrence.rsvp, !occurrence.cancelled,
            Self.answeringKinds.contains(request.kind), case .member = request.recipient,
            let web = configuration.web, let secret = unsubscribeSecret
        else { return nil }
        let token = RSVPLink.token(
            occurrence: occurrence.id, address: request.recipient.address.key, network: network.name,
            secret: secret)
        return (
            RSVPLink.url(base: web.baseURL, token: token, answer: .yes),
            RSVPLink.url(base: web.baseURL, token: token, answer: .no)
        )
    }

    /// `rsvp` for a template: the links, the seats left ("12 pladser tilbage", in the reader's
    /// plural forms) and whether every seat is taken, when a yes joins the waitlist.
    func rsvpContext(yes: String, no: String, seatsLeft: Int?, language: LanguageCode) -> [String: Any] {
        var rsvp: [String: Any] = [
            "yes_url": MarkdownBody.Value.text(yes),
            "no_url": MarkdownBody.Value.text(no),
            "full": seatsLeft == 0,
        ]
        if let seatsLeft, seatsLeft > 0 {
            rsvp["seats_left"] = MarkdownBody.Value.text(String(seatsLeft))
            if let text = strings.plural(
                "seats_left", count: seatsLeft, language: language, fallback: network.defaultLanguage)
            {
                rsvp["seats_text"] = MarkdownBody.Value.text(text)
            }
        }
        return rsvp
    }
}
