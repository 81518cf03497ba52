import CLibCrypto

/// An RSA private key held by the system's OpenSSL libcrypto, which signs.
///
/// swift-crypto's BoringSSL has no AVX-512 path for RSA: one RSA-2048 signature costs it about
/// 550 µs of CPU on an x86-64 with AVX-512 IFMA, and OpenSSL 3 about 250 µs. DKIM signs every
/// message, and the signature is most of what a signed message costs, so the signature is made
/// here; swift-crypto still reads, checks, generates and verifies keys.
///
/// OpenSSL allows one `EVP_PKEY` to sign on several threads at once (each signature has its own
/// context), hence `@unchecked Sendable`: the key is never changed after it is read.
final class SystemRSAKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// The key in `pem` (PKCS #1 or PKCS #8), or nil when OpenSSL does not read it as RSA.
    init?(pem: String) {
        let loaded = pem.utf8CString.withUnsafeBufferPointer { buffer in
            inviter_rsa_private_key(buffer.baseAddress, buffer.count - 1)
        }
        guard let loaded else { return nil }
        key = loaded
    }

    deinit { EVP_PKEY_free(key) }

    /// Signature size in bytes: the modulus's.
    private var size: Int { Int(EVP_PKEY_get_size(key)) }

    /// rsa-sha256: RSASSA-PKCS1-v1_5 over the SHA-256 of `data`.
    func sign(_ data: [UInt8]) throws(SigningError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: size)
        var length = signature.count
        let done = data.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { output in
                inviter_rsa_sha256_sign(key, input.baseAddress, input.count, output.baseAddress, &length)
            }
        }
        guard done == 1 else { throw SigningError() }
        return Array(signature.prefix(length))
    }

    /// OpenSSL refused to sign (out of memory, or a key it read but cannot use).
    struct SigningError: Error, CustomStringConvertible {
        var description: String { "the system's libcrypto could not make an RSA signature" }
    }
}
