import Crypto
import Foundation

/// The token of the first one-click unsubscribe links, still in inboxes and still honoured, and
/// the one an own `[unsubscribe] url` handler gets; `inviter serve`'s links carry a ``LinkToken``.
///
/// It carries the address and an HMAC-SHA256 over the network and the
/// address, so whoever handles the link can check that it was issued for
/// exactly this address of exactly this network: it cannot be forged,
/// guessed, or edited to unsubscribe somebody else.
public enum UnsubscribeToken {
    /// `base64url(address).base64url(mac)`; the MAC is truncated to 128 bits, plenty for a link.
    public static func make(address: String, network: String, secret: Secret) -> String {
        let normalized = address.lowercased()
        return base64URL(Array(normalized.utf8)) + "."
            + base64URL(mac(address: normalized, network: network, secret: secret))
    }

    /// The address a token was issued for, or `nil` when the token is not genuine.
    public static func verify(_ token: String, network: String, secret: Secret) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let addressBytes = decodeBase64URL(parts[0]),
            let given = decodeBase64URL(parts[1]),
            let address = String(bytes: addressBytes, encoding: .utf8)
        else { return nil }
        let expected = mac(address: address, network: network, secret: secret)
        return LinkToken.equalInConstantTime(given, expected) ? address : nil
    }

    private static func mac(address: String, network: String, secret: Secret) -> [UInt8] {
        let key = SymmetricKey(data: Array(secret.reveal().utf8))
        // Length-prefixed fields, so ("ab", "c") and ("a", "bc") can never give the same input.
        var message = Array("inviter-unsubscribe-v1".utf8)
        for field in [network, address] {
            let bytes = Array(field.utf8)
            message += withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes
        }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key)).prefix(16).map { $0 }
    }

    /// Base64 with `-` and `_` for `+` and `/`, without padding (RFC 4648 section 5), mapped byte
    /// by byte: three Foundation string replacements per token were most of a message's rendering.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var encoded: [UInt8] = []
        Base64.append(bytes, to: &encoded, lineLength: nil)
        var result: [UInt8] = []
        result.reserveCapacity(encoded.count)
        for byte in encoded {
            switch byte {
            case UInt8(ascii: "+"): result.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): result.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
