import Foundation

extension MessageRenderer {
    /// The link in a sign-up confirmation: `{base_url}/join/{token}`, the token naming the
    /// confirmation's delivery; nil without `[web]` or its secret.
    public func joinConfirmationLink(_ key: DeliveryKey) -> String? {
        guard let web = configuration.web, let secret = unsubscribeSecret else { return nil }
        let token = LinkToken.make(
            .join, fields: [key.mailing.description, key.recipient.value], network: network.name,
            secret: secret)
        return web.baseURL + "/join/" + token
    }

    /// The double opt-in mail a newcomer asked for on the sign-up page, in the language they chose.
    ///
    /// It comes from the strings tables, not from a network's templates: it says the same for
    /// every network, and a template set without it must not leave a newcomer without their link.
    /// It carries no unsubscribe: the person is on no list yet, and ignoring it is the way out.
    public func joinConfirmation(_ request: SignupRequest, key: DeliveryKey, now: Date) throws(RenderError)
        -> Message
    {
        guard let link = joinConfirmationLink(key) else {
            throw RenderError(description: "a sign-up confirmation needs [web] and its secret")
        }
        let language = request.language
        let fallback = network.languageFallback
        func text(_ key: String, _ values: [String: String] = [:]) -> String {
            strings.text(key, language: language, fallback: fallback, values: values) ?? ""
        }
        let values = ["network": network.name]
        let subject = text("join_mail_subject", values)
        let greeting = text("greeting", ["name": request.name])
        let lines =
            [greeting, "", text("join_mail_body", values), link, "", text("join_mail_ignore"), ""]
            + [text("sign_off"), network.name]
        let escape = MarkdownBody.escapeHTML
        let body = """
            <p>\(escape(greeting))</p>
            <p>\(escape(text("join_mail_body", values)))</p>
            <p><a href="\(escape(link))">\(escape(link))</a></p>
            <p>\(escape(text("sign_off")))<br>\(escape(network.name))</p>
            """
        let html = layoutHTML(
            body: body, subject: subject, language: language, footer: text("join_mail_ignore"),
            unsubscribeURL: nil)
        return Message(
            from: network.from, to: request.address, replyTo: network.replyTo, subject: subject, date: now,
            timeZone: network.timeZone,
            messageID: messageID(mailingID: key.mailing, recipient: key.recipient),
            extraHeaders: [Header("X-Inviter-Mailing", key.mailing.description)],
            text: lines.joined(separator: "\n"), html: html)
    }
}
