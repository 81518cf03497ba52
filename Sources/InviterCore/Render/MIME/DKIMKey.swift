import Crypto
import Foundation
import _CryptoExtras

/// A DKIM private key: RSA (2048 bits or more, rsa-sha256) or Ed25519 (ed25519-sha256, RFC 8463).
///
/// Loaded once from its PEM file; the key itself never appears in a description, an error or a log.
public struct DKIMKey: Sendable, CustomStringConvertible {
    public enum Algorithm: String, Sendable {
        case rsa, ed25519

        /// The `a=` tag.
        var tag: String { self == .rsa ? "rsa-sha256" : "ed25519-sha256" }
    }

    private enum Backing: Sendable {
        /// swift-crypto's key for everything but the signature, which the system's libcrypto
        /// makes in half the time (see `SystemRSAKey`).
        case rsa(_RSA.Signing.PrivateKey, SystemRSAKey)
        /// The 32-byte seed: swift-crypto's Ed25519 key is not `Sendable`, and making one from its
        /// seed costs next to nothing beside the signature.
        case ed25519([UInt8])
    }

    private let backing: Backing
    public var algorithm: Algorithm {
        if case .rsa = backing { return .rsa }
        return .ed25519
    }

    public var description: String { "<\(algorithm.rawValue) key>" }

    /// Why a key file cannot be used; never the key's bytes.
    public enum LoadError: Error, Sendable, CustomStringConvertible {
        case notAKey
        case weakRSA(bits: Int)

        public var description: String {
            switch self {
            case .notAKey:
                "is not a PEM private key (RSA or Ed25519), such as inviter dkim keygen writes"
            case .weakRSA(let bits):
                "is a \(bits)-bit RSA key; mailbox providers need 2048 bits or more: make a new one with inviter dkim keygen"
            }
        }
    }

    /// The DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410), before its 32-byte seed.
    static let ed25519PKCS8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// Reads `BEGIN PRIVATE KEY` (PKCS #8: RSA or Ed25519, as `openssl genpkey` writes) or
    /// `BEGIN RSA PRIVATE KEY` (PKCS #1).
    public init(pem: String) throws(LoadError) {
        if let der = Self.der(pem, label: "PRIVATE KEY"), der.count == 48,
            Array(der.prefix(16)) == Self.ed25519PKCS8Prefix
        {
            guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))) != nil else {
                throw .notAKey
            }
            backing = .ed25519(Array(der.suffix(32)))
            return
        }
        guard let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem) else { throw .notAKey }
        guard key.keySizeInBits >= 2048 else { throw .weakRSA(bits: key.keySizeInBits) }
        guard let signing = SystemRSAKey(pem: pem) else { throw .notAKey }
        backing = .rsa(key, signing)
    }

    /// A new key, as `inviter dkim keygen` makes it.
    public init(generating algorithm: Algorithm) throws {
        switch algorithm {
        case .rsa:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            guard let signing = SystemRSAKey(pem: key.pemRepresentation) else { throw LoadError.notAKey }
            backing = .rsa(key, signing)
        case .ed25519: backing = .ed25519(Array(Curve25519.Signing.PrivateKey().rawRepresentation))
        }
    }

    /// The key as a PEM file: PKCS #8 for both kinds, as OpenSSL reads them.
    public var pemRepresentation: String {
        switch backing {
        case .rsa(let key, _): return key.pemRepresentation
        case .ed25519(let seed):
            let der = Self.ed25519PKCS8Prefix + seed
            let lines = Data(der).base64EncodedString(options: [
                .lineLength64Characters, .endLineWithLineFeed,
            ])
            return "-----BEGIN PRIVATE KEY-----\n\(lines)\n-----END PRIVATE KEY-----\n"
        }
    }

    /// The `p=` of the DNS record: the public key (RSA as SubjectPublicKeyInfo, Ed25519 raw), in base64.
    public var publicKeyBase64: String {
        switch backing {
        case .rsa(let key, _): key.publicKey.derRepresentation.base64EncodedString()
        case .ed25519(let seed):
            ((try? Curve25519.Signing.PrivateKey(rawRepresentation: seed))?.publicKey.rawRepresentation
                ?? Data())
                .base64EncodedString()
        }
    }

    /// The TXT record's text: `v=DKIM1; k=rsa; p=…`.
    public var dnsRecord: String { "v=DKIM1; k=\(algorithm.rawValue); p=\(publicKeyBase64)" }

    /// The signature of `data`: RSASSA-PKCS1-v1_5 over its SHA-256, or Ed25519 over its SHA-256 (RFC 8463).
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch backing {
        case .rsa(_, let key):
            return try key.sign(data)
        case .ed25519(let seed):
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            return Array(try key.signature(for: Array(SHA256.hash(data: data))))
        }
    }

    /// Whether `signature` is this key's over `data`, checked with the public half: what a
    /// receiver holding the published record would conclude.
    func isValid(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch backing {
        case .rsa(let key, _):
            return key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: data,
                padding: .insecurePKCS1v1_5)
        case .ed25519(let seed):
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { return false }
            return key.publicKey.isValidSignature(signature, for: Array(SHA256.hash(data: data)))
        }
    }

    private static func der(_ pem: String, label: String) -> [UInt8]? {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = pem.range(of: begin),
            let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex)
        else { return nil }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map(Array.init)
    }
}
