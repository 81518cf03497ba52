import Foundation

/// The recipient's ways out: the List-Unsubscribe targets and the link the footer shows.
extension MessageRenderer {
    struct UnsubscribeTargets {
        var headers: [String]
        var link: String?
        var mailto: String?
        var oneClick: Bool
    }

    /// The recipient's own ways out: a mailto that names the address, and a signed one-click link when configured.
    /// Partners get their own, bound to the partner list rather than the member list.
    ///
    /// Without an `[unsubscribe]` section the mailto goes to the network's reply address (or its
    /// sender): a message without a way out breaks Danish marketing law and the big mailbox
    /// providers' rules, and a footer that ends in an empty link reads as broken.
    func unsubscribeTargets(for recipient: Recipient) -> UnsubscribeTargets {
        let settings = configuration.unsubscribe
        let isPartner: Bool
        if case .partner = recipient { isPartner = true } else { isPartner = false }
        let list: MailingList = isPartner ? .partners : .members
        // The address for a person who reads the mailbox, and with a secret the signed token that
        // `inviter mailbox` acts on (the address alone could be anybody's).
        var subject = (isPartner ? "unsubscribe partner " : "unsubscribe ") + recipient.address.address
        if let secret = unsubscribeSecret {
            subject +=
                " "
                + UnsubscribeLink.token(
                    address: recipient.address.key, list: list, network: network.name, secret: secret)
        }
        let mailbox = settings?.mailto ?? network.replyTo ?? network.from
        let mailto = "mailto:\(mailbox.address)?subject=" + percentEncode(subject)
        var headers = [mailto]
        var link: String?
        if let secret = unsubscribeSecret {
            if let url = settings?.url {
                // The site's own handler reads the first kind of token.
                let scope = network.name + (isPartner ? "#partners" : "#members")
                let token = UnsubscribeToken.make(
                    address: recipient.address.address, network: scope, secret: secret)
                link = Self.replacing(Self.tokenPlaceholder, in: url, with: token)
            } else if let web = configuration.web {
                let token = UnsubscribeLink.token(
                    address: recipient.address.key, list: list, network: network.name, secret: secret)
                link = web.baseURL + "/unsubscribe/" + token
            }
            if let link { headers.append(link) }
        }
        return UnsubscribeTargets(
            headers: headers, link: link ?? mailto, mailto: mailto, oneClick: link != nil)
    }

    private static let tokenPlaceholder = Array("{token}".utf8)

    /// `text` with every `pattern` replaced, left to right, in one pass over the bytes.
    private static func replacing(_ pattern: [UInt8], in text: String, with replacement: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + replacement.utf8.count)
        var position = 0
        while position < bytes.count {
            if bytes.matches(pattern, at: position) {
                output.append(contentsOf: replacement.utf8)
                position += pattern.count
            } else {
                output.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes a mailto subject keeps as they are: RFC 3986's unreserved characters and `@`.
    private static let unreserved: [Bool] = (0..<256).map { byte in
        let byte = UInt8(byte)
        return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
            || (byte >= 0x61 && byte <= 0x7A)
            || "-._~@".utf8.contains(byte)
    }

    /// Percent-encodes every other byte of the UTF-8, as `%XX` with capital hex digits.
    private func percentEncode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if Self.unreserved[Int(byte)] {
                output.append(byte)
            } else {
                output.append(contentsOf: [
                    UInt8(ascii: "%"), HeaderField.hexDigit(byte >> 4), HeaderField.hexDigit(byte & 0x0F),
                ])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
