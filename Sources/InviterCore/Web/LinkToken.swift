import Crypto
import Foundation

/// The signed token in every link `inviter serve` answers: an unsubscribe, a sign-up confirmation.
///
/// `2.<payload>.<mac>`: the payload is the token's fields (an address, the list it leaves, a
/// mailing), the MAC an HMAC-SHA256 over the purpose, the network and those fields. A token is
/// therefore bound to what it was made for: one made to confirm a sign-up cannot unsubscribe,
/// one for the partners' list cannot unsubscribe a member, one of another network or secret is
/// refused, and an edited field no longer matches its MAC. The `2.` tells it apart from the
/// first tokens (``UnsubscribeToken``), which mail already in inboxes still carries.
public enum LinkToken {
    /// What a token may be used for; part of the MAC, never of the text.
    public enum Purpose: String, Sendable {
        case unsubscribe, join, rsvp
    }

    static let version = "2"

    /// - Precondition: no field contains a line break (addresses, list names and mailing ids never do).
    public static func make(_ purpose: Purpose, fields: [String], network: String, secret: Secret) -> String {
        let payload = Array(fields.joined(separator: "\n").utf8)
        return version + "." + UnsubscribeToken.base64URL(payload) + "."
            + UnsubscribeToken.base64URL(mac(purpose, payload: payload, network: network, secret: secret))
    }

    /// The fields of a genuine token made for `purpose`, or nil.
    public static func verify(_ token: String, _ purpose: Purpose, network: String, secret: Secret)
        -> [String]?
    {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == version, let payload = UnsubscribeToken.decodeBase64URL(parts[1]),
            let given = UnsubscribeToken.decodeBase64URL(parts[2])
        else { return nil }
        let expected = mac(purpose, payload: payload, network: network, secret: secret)
        guard equalInConstantTime(given, expected), let text = String(bytes: payload, encoding: .utf8) else {
            return nil
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Compares every byte whatever the first difference: the time taken must not tell a forger
    /// how much of a MAC was right.
    static func equalInConstantTime(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }

    private static func mac(_ purpose: Purpose, payload: [UInt8], network: String, secret: Secret) -> [UInt8]
    {
        let key = SymmetricKey(data: Array(secret.reveal().utf8))
        // Length-prefixed fields, so that no two different (purpose, network, payload) give one input.
        var message = Array("inviter-link-v2".utf8)
        for field in [Array(purpose.rawValue.utf8), Array(network.utf8), payload] {
            message += withUnsafeBytes(of: UInt32(field.count).bigEndian, Array.init) + field
        }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(16))
    }
}

/// An unsubscribe link's token, of either kind, read back into what it unsubscribes.
public enum UnsubscribeLink {
    /// A new token for `address` leaving `list`.
    public static func token(address: AddressKey, list: MailingList, network: String, secret: Secret)
        -> String
    {
        LinkToken.make(
            .unsubscribe, fields: [list.rawValue, address.value], network: network, secret: secret)
    }

    /// The address and list a genuine token names: a new one, or one of the first kind (bound to
    /// the list by the `#members` or `#partners` it was signed with), as mail in inboxes has them.
    public static func read(_ token: String, network: String, secret: Secret) -> (
        address: AddressKey, list: MailingList
    )? {
        if let fields = LinkToken.verify(token, .unsubscribe, network: network, secret: secret) {
            guard fields.count == 2, let list = MailingList(rawValue: fields[0]), !fields[1].isEmpty else {
                return nil
            }
            return (AddressKey(fields[1]), list)
        }
        for list in MailingList.allCases {
            if let address = UnsubscribeToken.verify(
                token, network: network + "#" + list.rawValue, secret: secret)
            {
                return (AddressKey(address), list)
            }
        }
        return nil
    }
}

extension CharacterSet {
    /// What a query value keeps as it is: the unreserved characters and `/` (RFC 3986).
    static let urlQueryValueAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
}
