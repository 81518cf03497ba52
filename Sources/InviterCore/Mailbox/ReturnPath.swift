import Crypto
import Foundation

/// `[delivery] return_path`: the envelope sender that names its delivery (VERP).
///
/// A relay that accepts a message and fails to deliver it later writes a bounce to the
/// envelope sender, often without the original's Message-ID or with a recipient address the
/// list never had (a forward, an alias). With `bounces+{token}@example.org` each message's
/// envelope sender carries a token of its own, so the bounce names the delivery whatever is
/// quoted in it.
///
/// The token is `<hash>-<mac>`: the 32 hex digits of the delivery's Message-ID (which the
/// ledger indexes) and 10 base32 characters of an HMAC-SHA256 over the network and the
/// delivery, keyed with the link secret. Anybody can send mail to the bounce address; a token
/// that was not made here, or was edited, names no delivery, so a fake bounce cannot silence a
/// member. Lower case throughout: some mail systems lowercase the local part.
public struct ReturnPath: Sendable, Hashable {
    /// The local part before `{token}`, and what follows it up to and including the domain.
    public let prefix: String
    public let suffix: String

    /// The token's length: 32 hex digits, a hyphen, 10 base32 characters.
    static let tokenLength = 43

    /// Why a `return_path` cannot be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads `bounces+{token}@example.org`: one `{token}` in the local part, and an address that
    /// stays valid (and within the 64-byte local part) once the token is in place.
    public init(parsing text: String) throws(Problem) {
        let pieces = text.components(separatedBy: "{token}")
        guard pieces.count == 2 else {
            throw Problem(
                description: "\(text.debugDescription) must contain {token} once, in the local part "
                    + "(as in \"bounces+{token}@example.org\")")
        }
        guard !pieces[0].contains("@"), pieces[1].contains("@") else {
            throw Problem(description: "{token} must be in the local part, before the @")
        }
        let local =
            pieces[0] + String(repeating: "a", count: Self.tokenLength)
            + pieces[1].prefix { $0 != "@" }
        guard local.utf8.count <= 64 else {
            throw Problem(
                description:
                    "the local part would be \(local.utf8.count) bytes with the \(Self.tokenLength)-character "
                    + "token; keep what surrounds {token} within \(64 - Self.tokenLength) bytes")
        }
        let sample = pieces[0] + String(repeating: "a", count: Self.tokenLength) + pieces[1]
        let address: MailAddress
        do {
            address = try MailAddress(parsing: sample, source: "return_path")
        } catch {
            throw Problem(
                description:
                    "\(text.debugDescription) is not an address once the token is in: \(error.reason)")
        }
        guard address.displayName == nil, address.address == sample else {
            throw Problem(description: "give a bare address, without a name or angle brackets")
        }
        prefix = pieces[0].lowercased()
        suffix = pieces[1].lowercased()
    }

    /// The envelope sender of `key`'s message.
    ///
    /// - Throws: never in practice: the address was checked with a token of the same length and alphabet.
    public func address(for key: DeliveryKey, network: String, secret: Secret) throws(AddressError)
        -> MailAddress
    {
        try MailAddress(
            prefix + BounceToken.make(key, network: network, secret: secret) + suffix, source: "return_path")
    }

    /// The token in `address` when it is one of this return path's addresses (in any case).
    public func token(in address: String) -> String? {
        let lowered = address.lowercased()
        guard lowered.count == prefix.count + Self.tokenLength + suffix.count, lowered.hasPrefix(prefix),
            lowered.hasSuffix(suffix)
        else { return nil }
        let token = String(lowered.dropFirst(prefix.count).dropLast(suffix.count))
        return BounceToken.hash(of: token) != nil ? token : nil
    }
}

/// The token a ``ReturnPath`` carries.
public enum BounceToken {
    /// `<32 hex digits of the Message-ID>-<10 base32 characters of MAC>`.
    public static func make(_ key: DeliveryKey, network: String, secret: Secret) -> String {
        StableHash.hex128(key.text) + "-" + mac(key, network: network, secret: secret)
    }

    /// The Message-ID hash a well-formed token names (it may still be forged: see ``verify``).
    public static func hash(of token: String) -> String? {
        let parts = token.lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 32, parts[1].count == 10,
            parts[0].allSatisfy({ $0.isHexDigit && $0.isASCII }),
            parts[1].allSatisfy({ base32.contains($0) })
        else { return nil }
        return String(parts[0])
    }

    /// Whether `token` was made here for `key`.
    public static func verify(_ token: String, for key: DeliveryKey, network: String, secret: Secret) -> Bool
    {
        let expected = Array(make(key, network: network, secret: secret).utf8)
        return LinkToken.equalInConstantTime(Array(token.lowercased().utf8), expected)
    }

    /// RFC 4648's base32 alphabet in lower case, without the letters that read as digits.
    static let base32 = Array("0123456789abcdefghjkmnpqrstvwxyz")

    private static func mac(_ key: DeliveryKey, network: String, secret: Secret) -> String {
        let symmetric = SymmetricKey(data: Array(secret.reveal().utf8))
        var message = Array("inviter-bounce-v1".utf8)
        for field in [Array(network.utf8), Array(key.text.utf8)] {
            message += withUnsafeBytes(of: UInt32(field.count).bigEndian, Array.init) + field
        }
        let code = Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric))
        // 50 bits: 10 characters of 5 bits from the first 7 bytes.
        var bits: UInt64 = 0
        for byte in code.prefix(7) { bits = bits << 8 | UInt64(byte) }
        bits >>= 6
        var characters: [Character] = []
        for index in (0..<10).reversed() {
            characters.append(base32[Int((bits >> (5 * UInt64(index))) & 31)])
        }
        return String(characters)
    }
}

extension MessageRenderer {
    /// The envelope sender of `key`'s message: its VERP address under `[delivery] return_path`,
    /// else the From address, as before return paths.
    public func envelopeSender(for key: DeliveryKey) throws(AddressError) -> MailAddress {
        guard let returnPath = configuration.delivery.returnPath, let secret = unsubscribeSecret else {
            return network.from
        }
        return try returnPath.address(for: key, network: network.name, secret: secret)
    }
}
