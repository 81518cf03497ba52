import Foundation

/// What `inviter serve` does, without HTTP: each route's answer from its token, form and
/// language, and what it records in the ledger.
///
/// The HTTP side (Hummingbird, in `InviterWeb`) only reads requests and writes these answers, so
/// everything a page says and changes is here, beside the ledger it writes. A GET never changes
/// anything: link scanners and mail previews fetch every link in a message.
public struct WebService: Sendable {
    public let network: LoadedNetwork
    public let renderer: MessageRenderer
    public let ledger: any Ledger
    let secret: Secret
    let web: Configuration.Web
    /// The members of the lists and of the sign-up page, by address: for a page in its reader's language.
    let readers: [AddressKey: LanguageCode]
    /// One-click unsubscribes, committed together when they come together.
    let suppressions: SuppressionBatcher

    /// - Throws: ``WebServiceError`` when `[web]` or its secret is missing: no link could be checked.
    public init(network: LoadedNetwork, renderer: MessageRenderer, ledger: any Ledger) throws(WebServiceError)
    {
        guard let web = network.configuration.web else { throw .notConfigured("[web] is not set") }
        guard let secret = renderer.unsubscribeSecret else {
            throw .notConfigured("the link secret is not set (see [web] secret_env)")
        }
        self.network = network
        self.renderer = renderer
        self.ledger = ledger
        self.secret = secret
        self.web = web
        var readers: [AddressKey: LanguageCode] = [:]
        for member in network.members.members { readers[member.address.key] = member.language }
        for partner in network.partners?.partners ?? [] where readers[partner.address.key] == nil {
            readers[partner.address.key] = partner.language
        }
        self.readers = readers
        self.suppressions = SuppressionBatcher(ledger: ledger)
    }

    var configuration: Configuration { network.configuration }
    var name: String { configuration.network.name }

    /// The languages pages can be in: those with a strings table.
    public var languages: [LanguageCode] { renderer.strings.languages }

    /// The language of the page for `address` (theirs, else the browser's, else the network's).
    func language(for address: AddressKey?, acceptLanguage: String?) -> LanguageCode {
        if let address, let own = readers[address] ?? nil, languages.contains(own) { return own }
        return AcceptLanguage.best(acceptLanguage, among: languages) ?? configuration.network.defaultLanguage
    }

    func path(_ tail: String) -> String { web.basePath + tail }

    // MARK: - Unsubscribe

    /// `GET /unsubscribe/{token}`: who and which list, and one button. Changes nothing.
    public func unsubscribePage(token: String, acceptLanguage: String?) -> WebResponse {
        guard let (address, list) = UnsubscribeLink.read(token, network: name, secret: secret) else {
            return invalidLink(acceptLanguage)
        }
        let page = WebPage(
            renderer: renderer, language: language(for: address, acceptLanguage: acceptLanguage))
        let values = ["network": name, "email": address.value]
        let title = page.text("page_unsubscribe_button")
        let body =
            "<h1>\(title)</h1><p>\(page.text("page_unsubscribe_\(list.rawValue)", values))</p>"
            + page.form(
                action: path("/unsubscribe/\(token)"), button: page.text("page_unsubscribe_button"),
                fields: ["confirm": "1"])
        return WebResponse(
            status: 200, html: page.document(title: page.plain("page_unsubscribe_button"), body: body))
    }

    /// How an unsubscribe came in, for the record.
    public enum UnsubscribeRequest: Sendable {
        /// RFC 8058's `List-Unsubscribe=One-Click` from a mail program, or the page's button.
        case oneClick, page
        /// The page's "subscribe again".
        case undo
    }

    /// `POST /unsubscribe/{token}`: records the unsubscription (once: a repeat changes nothing)
    /// or its undoing, and answers with a confirmation page, never a redirect.
    public func unsubscribe(token: String, request: UnsubscribeRequest, acceptLanguage: String?, now: Date)
        async throws -> WebResponse
    {
        guard let (address, list) = UnsubscribeLink.read(token, network: name, secret: secret) else {
            return invalidLink(acceptLanguage)
        }
        let page = WebPage(
            renderer: renderer, language: language(for: address, acceptLanguage: acceptLanguage))
        let values = ["network": name, "email": address.value]
        let action = path("/unsubscribe/\(token)")
        let body: String
        switch request {
        case .oneClick, .page:
            let how =
                request == .oneClick
                ? "unsubscribed with the one-click link" : "unsubscribed on the unsubscribe page"
            try await suppressions.suppress(
                Suppression(address: address, scope: .list(list), reason: how, since: now))
            body =
                "<p>\(page.text("page_unsubscribed_\(list.rawValue)", values))</p>"
                + "<p>\(page.text("page_undo_question"))</p>"
                + page.form(action: action, button: page.text("page_undo_button"), fields: ["action": "undo"])
        case .undo:
            _ = try ledger.unsuppress(address, scope: .list(list))
            body =
                "<p>\(page.text("page_resubscribed", values))</p>"
                + page.form(
                    action: action, button: page.text("page_unsubscribe_button"), fields: ["confirm": "1"])
        }
        return WebResponse(
            status: 200, html: page.document(title: page.plain("page_unsubscribe_button"), body: body))
    }

    // MARK: - Plain pages

    /// A forged, edited, expired or moved token: a plain page that says nothing about anybody.
    public func invalidLink(_ acceptLanguage: String?) -> WebResponse {
        plain(status: 400, key: "page_link_invalid", acceptLanguage: acceptLanguage)
    }

    public func notFound(_ acceptLanguage: String?) -> WebResponse {
        plain(status: 404, key: "page_not_found", acceptLanguage: acceptLanguage)
    }

    public func tooMany(_ acceptLanguage: String?) -> WebResponse {
        plain(status: 429, key: "page_too_many", acceptLanguage: acceptLanguage)
    }

    /// A page with one sentence (and no details).
    public func plain(status: Int, key: String, acceptLanguage: String?) -> WebResponse {
        let page = WebPage(renderer: renderer, language: language(for: nil, acceptLanguage: acceptLanguage))
        let text = page.text(key)
        return WebResponse(status: status, html: page.document(title: name, body: "<p>\(text)</p>"))
    }
}

/// Why `serve` cannot start.
public enum WebServiceError: Error, Sendable, CustomStringConvertible {
    case notConfigured(String)

    public var description: String {
        switch self {
        case .notConfigured(let reason): "inviter serve cannot start: \(reason)"
        }
    }
}

/// The browser's `Accept-Language`, read as RFC 9110 says: tags in order of their `q`.
enum AcceptLanguage {
    /// The first language of `header` that one of `languages` serves (its own tag or its base language).
    static func best(_ header: String?, among languages: [LanguageCode]) -> LanguageCode? {
        guard let header else { return nil }
        var wanted: [(tag: String, q: Double, position: Int)] = []
        for (position, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty, tag != "*" else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            if q > 0 { wanted.append((tag, q, position)) }
        }
        wanted.sort { $0.q != $1.q ? $0.q > $1.q : $0.position < $1.position }
        for (tag, _, _) in wanted {
            if let exact = languages.first(where: { $0.identifier.lowercased() == tag }) { return exact }
            let base = tag.prefix { $0 != "-" }
            if let match = languages.first(where: { $0.language.lowercased() == base }) { return match }
        }
        return nil
    }
}
