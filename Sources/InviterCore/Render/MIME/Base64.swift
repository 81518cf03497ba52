/// Base64 (RFC 4648) for MIME bodies and encoded-words, straight into bytes.
///
/// Written out rather than going through `Data` because every message passes
/// through it and the encoder works on `[UInt8]` buffers throughout.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` as one unbroken line.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out, lineLength: nil)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` to `out`, breaking lines with CRLF every
    /// `lineLength` characters (76 in MIME bodies, RFC 2045 6.8) and ending
    /// with CRLF when `lineLength` is set.
    static func append(_ bytes: [UInt8], to out: inout [UInt8], lineLength: Int?) {
        let characters = (bytes.count + 2) / 3 * 4
        let breaks = lineLength.map { characters / max($0, 1) + 1 } ?? 0
        // Written through a buffer of the exact size: appending byte by byte to an array checked
        // its capacity and uniqueness for every byte of every message.
        let encoded = [UInt8](unsafeUninitializedCapacity: characters + breaks * 2) { buffer, written in
            alphabet.withUnsafeBufferPointer { alphabet in
                bytes.withUnsafeBufferPointer { bytes in
                    var at = 0
                    var column = 0
                    func emit(_ byte: UInt8) {
                        if let lineLength, column == lineLength {
                            buffer[at] = 13
                            buffer[at + 1] = 10
                            at += 2
                            column = 0
                        }
                        buffer[at] = byte
                        at += 1
                        column += 1
                    }
                    var index = 0
                    while index + 3 <= bytes.count {
                        let value =
                            UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                            | UInt32(bytes[index + 2])
                        emit(alphabet[Int(value >> 18 & 0x3F)])
                        emit(alphabet[Int(value >> 12 & 0x3F)])
                        emit(alphabet[Int(value >> 6 & 0x3F)])
                        emit(alphabet[Int(value & 0x3F)])
                        index += 3
                    }
                    let rest = bytes.count - index
                    if rest > 0 {
                        let value =
                            UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                        emit(alphabet[Int(value >> 18 & 0x3F)])
                        emit(alphabet[Int(value >> 12 & 0x3F)])
                        emit(rest == 2 ? alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
                        emit(UInt8(ascii: "="))
                    }
                    if lineLength != nil, column > 0 {
                        buffer[at] = 13
                        buffer[at + 1] = 10
                        at += 2
                    }
                    written = at
                }
            }
        }
        out.append(contentsOf: encoded)
    }
}
