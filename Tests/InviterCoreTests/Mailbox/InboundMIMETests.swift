import Testing

@testable import InviterCore

/// The Content-Type of a received part, as the reader of bounces needs it.
struct InboundMIMETests {
    @Test(
        arguments: [
            (
                "multipart/report; report-type=delivery-status; boundary=\"9B095B5ADSN=_01D1;x\"",
                "multipart/report", ["report-type": "delivery-status", "boundary": "9B095B5ADSN=_01D1;x"]
            ),
            ("Text/PLAIN ; Charset = UTF-8 ", "text/plain", ["charset": "UTF-8"]),
            ("text/plain; name=\"a \\\"b\\\" \\\\\"", "text/plain", ["name": "a \"b\" \\\\"]),
            ("text/plain;; ;charset=us-ascii;novalue", "text/plain", ["charset": "us-ascii"]),
            ("message/rfc822; name=\"\"", "message/rfc822", ["name": ""]),
            ("nonsense; charset=\"x\"", "", ["charset": "x"]),
            ("", "", [:]),
            ("text/plain; title=\"Besøg på Lærdansk\"", "text/plain", ["title": "Besøg på Lærdansk"]),
            ("text/plain; a=\"", "text/plain", ["a": "\""]),
        ] as [(String, String, [String: String])])
    func contentTypesAreReadAsRFC2045WritesThem(value: String, type: String, parameters: [String: String]) {
        let parsed = InboundMIME.parseContentType(value)
        #expect(parsed.0 == type)
        #expect(parsed.1 == parameters)
    }
}

/// The byte- and scalar-level readers of header text, against the Character-level code they
/// replaced (kept here as the definition), over generated text.
struct InboundTextTests {
    static func referenceAddresses(_ text: String) -> [String] {
        text.split(whereSeparator: { " <>,;\"()\t".contains($0) }).filter { $0.contains("@") }
            .map { $0.lowercased() }
    }

    static func referenceOneLine(_ text: String) -> String {
        let joined = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        let cleaned = String(
            joined.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init))
        return cleaned.count > 300 ? String(cleaned.prefix(299)) + "…" : cleaned
    }

    /// Text from `alphabet`, the same every run.
    static func samples(_ alphabet: [String], count: Int, length: ClosedRange<Int>) -> [String] {
        var generator = SplitMix(seed: 20_261_203)
        return (0..<count).map { _ in
            let size = Int.random(in: length, using: &generator)
            return (0..<size).map { _ in alphabet[Int.random(in: alphabet.indices, using: &generator)] }
                .joined()
        }
    }

    @Test func addressesAreSplitAsBefore() {
        let alphabet = [
            "a", "B", "7", "@", ".", "-", " ", "\t", "<", ">", ",", ";", "\"", "(", ")", "é", "Ö", "\r\n",
            "ł",
        ]
        for text in Self.samples(alphabet, count: 5000, length: 0...40) {
            #expect(
                DeliveryReport.addresses(text) == Self.referenceAddresses(text), "\(text.debugDescription)")
        }
        #expect(
            DeliveryReport.addresses("Anna <Anna.Berg@Example.ORG>, \"x, y\" <ole@example.com>; (c) me@test")
                == ["anna.berg@example.org", "ole@example.com", "me@test"])
    }

    @Test func oneLineJoinsLinesAsBefore() {
        let alphabet = [
            "a", "Z", " ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}",
            "æ", "ü", "é", "🇩🇰", "e\u{301}", "x",
        ]
        for text in Self.samples(alphabet, count: 5000, length: 0...400) {
            #expect(InboundHandler.oneLine(text) == Self.referenceOneLine(text), "\(text.debugDescription)")
        }
        // Control characters are left out; a line of nothing else adds no space (it added one).
        #expect(InboundHandler.oneLine("a\u{1}b\n\u{1}\n c\u{7F}") == "ab  c")
        #expect(InboundHandler.oneLine("\n\t 550 5.1.1\r\n  unknown\t") == " 550 5.1.1   unknown")
    }
}

/// A small seeded generator (SplitMix64), so that the generated cases are the same every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
