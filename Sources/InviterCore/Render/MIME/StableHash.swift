/// A fast, deterministic, non-cryptographic hash for identifiers that must be
/// the same in every run (Message-IDs, MIME boundaries).
///
/// Swift's `Hasher` is seeded per process, so it cannot be used for anything
/// that a later run must reproduce.
enum StableHash {
    /// 64-bit FNV-1a over the UTF-8 bytes of `text`, starting from `seed`.
    static func fnv1a64(_ text: some StringProtocol, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// 128 bits as 32 lowercase hex digits, from two differently seeded FNV-1a passes.
    static func hex128(_ text: some StringProtocol) -> String {
        hex(fnv1a64(text)) + hex(fnv1a64(text, seed: 0x6c62_272e_07bb_0142))
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
