import Foundation
import Mustache

/// The parts around a message's body: its unsubscribe footer and the HTML layout.
extension MessageRenderer {
    /// The visible unsubscribe line every message ends with: members and partners each have their own.
    func footerLine(_ person: RecipientValues, language: LanguageCode) -> String {
        var values = ["network": network.name, "link": person.link ?? ""]
        let key: String
        if person.isPartner {
            key = "partner_unsubscribe_line"
            values["organisation"] = person.organisation
        } else {
            key = "unsubscribe_line"
        }
        return strings.text(key, language: language, fallback: network.languageFallback, values: values)
            ?? "\(network.name): \(person.link ?? "")"
    }

    func layoutHTML(
        body: String, subject: String, language: LanguageCode, footer: String, unsubscribeURL: String?
    ) -> String {
        var layoutContext: [String: Any] = [
            "lang": language.identifier,
            "dir": LanguageDirection.isRightToLeft(language) ? "rtl" : "ltr",
            "subject": subject,
            "network": network.name,
            "body": body,
            "footer": footer,
            "unsubscribe_label": strings.text(
                "unsubscribe", language: language, fallback: network.languageFallback) ?? "Unsubscribe",
        ]
        // Absent rather than empty: Mustache shows a section for an empty text, which would put an
        // "Unsubscribe" link to nowhere under a page or a sign-up confirmation.
        if let unsubscribeURL { layoutContext["unsubscribe_url"] = unsubscribeURL }
        return templates.layout.render(layoutContext)
    }
}
