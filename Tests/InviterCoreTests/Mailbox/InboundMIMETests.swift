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
