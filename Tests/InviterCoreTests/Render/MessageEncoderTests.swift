import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Messages in the languages the networks write in, kept as golden files so a
/// reviewer sees the exact bytes that go on the wire.
enum SampleMessages {
    static let zone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
    /// 2026-12-01 08:30 UTC, a fixed instant so the golden files never change.
    static let date = Date(timeIntervalSince1970: 1_796_113_800)

    static func make(
        name: String, from: String = "International Society Herning", to: String, address: String,
        subject: String,
        text: String, html: String? = nil, attachments: [MessageAttachment] = []
    ) throws -> Message {
        Message(
            from: try MailAddress("events@example.org", displayName: from),
            to: try MailAddress(address, displayName: to),
            replyTo: try MailAddress("hello@example.org"),
            subject: subject,
            date: date,
            timeZone: zone,
            messageID: MessageID(stableKey: "golden/\(name) \(address)", domain: "example.org"),
            listID: ListID(name: from, id: "events.example.org"),
            listUnsubscribe: [
                "mailto:unsubscribe@example.org?subject=unsubscribe",
                "https://example.org/unsubscribe/\(name)",
            ],
            oneClickUnsubscribe: true,
            extraHeaders: [Header("X-Inviter-Mailing", "invitation/christmas-lunch/2026-12-12")],
            text: text,
            html: html,
            attachments: attachments
        )
    }

    static let all: [(name: String, message: @Sendable () throws -> Message)] = [
        (
            "danish",
            {
                try make(
                    name: "danish", from: "Internationalt Samvær Herning – Ikast-Brande",
                    to: "Søren Ærø Ålund",
                    address: "soren.alund@example.org",
                    subject: "Invitation: Julefrokost på Torvet – tilmeld dig før fredag",
                    text:
                        "Kære Søren,\n\nVelkommen til julefrokost lørdag den 12. december 2026 kl. 12.00.\nSted: Torvet 3, 7400 Herning\n\nVi glæder os til at se dig!\n",
                    html:
                        "<p>Kære Søren,</p>\n<p>Velkommen til <strong>julefrokost</strong> lørdag den 12. december 2026 kl. 12.00.</p>\n"
                )
            }
        ),
        (
            "polish",
            {
                try make(
                    name: "polish", to: "Łukasz Wójcik-Źdźbło", address: "lukasz.wojcik@example.org",
                    subject: "Zaproszenie: świąteczny obiad w Herning — sobota, 12 grudnia 2026 o 12:00",
                    text: "Drogi Łukaszu,\n\nzapraszamy na świąteczny obiad. Zażółć gęślą jaźń.\n",
                    html: "<p>Drogi Łukaszu,</p><p>zapraszamy na świąteczny obiad.</p>\n")
            }
        ),
        (
            "ukrainian",
            {
                try make(
                    name: "ukrainian", to: "Олена Коваленко", address: "olena.kovalenko@example.org",
                    subject: "Запрошення: різдвяний обід у Гернінгу, субота, 12 грудня 2026 р. о 12:00",
                    text:
                        "Шановна Олено,\n\nзапрошуємо вас на різдвяний обід у суботу, 12 грудня 2026 р. о 12:00.\nМісце: Torvet 3, 7400 Herning\n",
                    html: "<p>Шановна Олено,</p>\n<p>запрошуємо вас на різдвяний обід.</p>\n")
            }
        ),
        (
            "arabic",
            {
                try make(
                    name: "arabic", to: "ليلى حداد", address: "layla.haddad@example.org",
                    subject: "دعوة: غداء عيد الميلاد في هيرنينغ يوم السبت ١٢ ديسمبر",
                    text: "عزيزتي ليلى،\n\nندعوك إلى غداء عيد الميلاد يوم السبت ١٢ ديسمبر ٢٠٢٦.\n",
                    html:
                        "<div dir=\"rtl\" lang=\"ar\"><p>عزيزتي ليلى،</p><p>ندعوك إلى غداء عيد الميلاد.</p></div>\n"
                )
            }
        ),
        (
            "long-lines",
            {
                let long = String(repeating: "Cook'n talk = dinner & conversation; ", count: 60).prefix(2000)
                return try make(
                    name: "long-lines", to: "Jane Doe (HR, Example A/S)", address: "jane.doe@example.com",
                    subject:
                        "A very long subject line that an organizer wrote for the autumn programme: Wednesday hygge, "
                        + "sports night, basketball, board games, skating and the Christmas lunch, all in one invitation",
                    text: ".\n..x\n\(long)\nA line with trailing spaces   \nTabs\tinside\n.\nlast line\n",
                    html: "<p>.</p>\n<pre>\n.\n..x\n</pre>\n<p>\(long)</p>\n",
                    attachments: [
                        MessageAttachment(
                            filename: "invite.ics", mediaType: "text/calendar",
                            parameters: ["method": "PUBLISH"],
                            data: Array(
                                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n".utf8)),
                        MessageAttachment(
                            filename: "Program for efterår – Æblegård.txt", mediaType: "text/plain",
                            parameters: ["charset": "utf-8"], data: Array("æ\n".utf8)),
                    ])
            }
        ),
    ]
}

@Suite struct MessageEncoderTests {
    let encoder = MessageEncoder()

    @Test(arguments: SampleMessages.all.map(\.name))
    func matchesGoldenFile(_ name: String) throws {
        let sample = try #require(SampleMessages.all.first { $0.name == name })
        let bytes = try encoder.encode(try sample.message())
        let file = TestPaths.golden.appendingPathComponent("\(name).eml")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(bytes).write(to: file)
        }
        let expected = try #require(
            FileManager.default.contents(atPath: file.path),
            "missing golden file \(file.path); run with UPDATE_GOLDEN=1")
        #expect(bytes == Array(expected), "encoded \(name) differs from \(file.lastPathComponent)")
    }

    /// An encoder with a cache writes the same bytes, the first time and when its shared fields
    /// come from the cache.
    @Test(arguments: SampleMessages.all.map(\.name))
    func aCacheChangesNoByte(_ name: String) throws {
        let sample = try #require(SampleMessages.all.first { $0.name == name })
        let reference = try encoder.encode(try sample.message())
        let cached = MessageEncoder(cache: RenderCache())
        #expect(try cached.encode(try sample.message()) == reference)
        #expect(try cached.encode(try sample.message()) == reference)
    }

    @Test(arguments: SampleMessages.all.map(\.name))
    func keepsLinesWithinLimitsWithCRLF(_ name: String) throws {
        let sample = try #require(SampleMessages.all.first { $0.name == name })
        let bytes = try encoder.encode(try sample.message())
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 13 {
                #expect(index + 1 < bytes.count && bytes[index + 1] == 10, "bare CR at byte \(index)")
                lines.append(current)
                current = []
                index += 2
                continue
            }
            #expect(byte != 10, "bare LF at byte \(index)")
            #expect(byte < 0x80, "8-bit byte at \(index): everything must be 7-bit encoded")
            current.append(byte)
            index += 1
        }
        #expect(current.isEmpty, "the message must end with CRLF")
        let headerEnd = lines.firstIndex(of: []) ?? lines.count
        for (number, line) in lines.enumerated() {
            let limit = number < headerEnd ? 78 : 76
            #expect(
                line.count <= limit,
                "line \(number + 1) has \(line.count) characters: \(String(decoding: line, as: UTF8.self))")
        }
        // Each encoded-word is at most 75 characters and holds whole UTF-8 characters.
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.matches(of: /=\?utf-8\?([QB])\?([^?]*)\?=/)
        #expect(!words.isEmpty || name == "long-lines")
        for word in words {
            #expect(word.output.0.count <= 75)
            let payload = String(word.output.2)
            let decoded: [UInt8] =
                word.output.1 == "B" ? Array(Data(base64Encoded: payload) ?? Data()) : qDecode(payload)
            #expect(
                String(validating: decoded, as: UTF8.self) != nil,
                "encoded-word splits a character: \(word.output.0)")
        }
    }

    @Test(arguments: SampleMessages.all.map(\.name))
    func decodesBackInAnIndependentParser(_ name: String) throws {
        let sample = try #require(SampleMessages.all.first { $0.name == name })
        let message = try sample.message()
        let decoded = try DecodedMessage.decode(try encoder.encode(message))
        #expect(decoded.defects.isEmpty)
        #expect(
            decoded.values("From") == [
                try #require(message.from.displayName).quotedIfNeeded + " <events@example.org>"
            ])
        #expect(
            decoded.values("To") == [
                "\(try #require(message.to.displayName).quotedIfNeeded) <\(message.to.address)>"
            ])
        #expect(decoded.values("Reply-To") == ["hello@example.org"])
        #expect(decoded.values("Subject") == [message.subject])
        #expect(decoded.values("Message-ID") == [message.messageID.description])
        #expect(decoded.values("Date") == ["Tue, 01 Dec 2026 09:30:00 +0100"])
        #expect(decoded.values("List-Id") == ["\(message.from.displayName ?? "") <events.example.org>"])
        #expect(
            decoded.values("List-Unsubscribe") == [
                "<mailto:unsubscribe@example.org?subject=unsubscribe>, <https://example.org/unsubscribe/\(name)>"
            ])
        #expect(decoded.values("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"])
        #expect(decoded.values("X-Inviter-Mailing") == ["invitation/christmas-lunch/2026-12-12"])
        #expect(decoded.values("MIME-Version") == ["1.0"])

        let texts = decoded.parts.filter { $0.filename == nil }
        #expect(texts.map(\.type) == ["text/plain", "text/html"])
        #expect(texts.first?.content == .text(message.text))
        #expect(texts.last?.content == .text(message.html ?? ""))
        let attachments = decoded.parts.filter { $0.filename != nil }
        #expect(attachments.map(\.filename) == message.attachments.map(\.filename))
        // Python gives text attachments as text (LF line ends) and others as bytes.
        let expected = message.attachments.map { attachment -> DecodedMessage.Content in
            guard attachment.mediaType.hasPrefix("text/") else { return .bytes(attachment.data) }
            return .text(
                String(decoding: attachment.data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n"))
        }
        #expect(attachments.map(\.content) == expected)
        if !message.attachments.isEmpty {
            #expect(decoded.structure.prefix(2) == ["multipart/mixed", "multipart/alternative"])
            #expect(attachments.first?.params["method"] == "PUBLISH")
        }
    }

    @Test func lineBreaksInValuesNeverBecomeHeaders() throws {
        let message = Message(
            from: try MailAddress("events@example.org", displayName: "Events\r\nBcc: victim@example.com"),
            to: try MailAddress(
                "a@example.org", displayName: "Eve\nX-Injected: yes\r\n\r\n<script>alert(1)</script>"),
            subject: "Hello\r\nBcc: victim@example.com\r\nContent-Type: text/html",
            date: SampleMessages.date,
            timeZone: SampleMessages.zone,
            messageID: MessageID(stableKey: "injection", domain: "example.org"),
            extraHeaders: [Header("X-Inviter-Mailing", "a\r\nCc: victim@example.com")],
            text: "Body\n"
        )
        let bytes = try encoder.encode(message)
        let decoded = try DecodedMessage.decode(bytes)
        let names = decoded.headers.compactMap(\.first).map { $0.lowercased() }
        #expect(!names.contains("bcc"))
        #expect(!names.contains("cc"))
        #expect(!names.contains("x-injected"))
        #expect(names.filter { $0 == "content-type" }.count == 1)
        #expect(decoded.values("Subject") == ["Hello Bcc: victim@example.com Content-Type: text/html"])
        #expect(decoded.values("From") == ["\"Events Bcc: victim@example.com\" <events@example.org>"])
        #expect(decoded.parts.map(\.type) == ["text/plain"])
    }

    @Test(arguments: ["Bcc", "To", "Content-Type", "X-Ok\r\nBcc", "X Space", ""])
    func refusesReservedOrMalformedExtraHeaders(_ name: String) throws {
        var message = try SampleMessages.all[0].message()
        message.extraHeaders = [Header(name, "value")]
        #expect(throws: MessageEncodingError.self) { try encoder.encode(message) }
    }

    @Test func refusesUnsubscribeTargetsThatAreNotURIs() throws {
        var message = try SampleMessages.all[0].message()
        message.listUnsubscribe = ["https://example.org/u/a b>, <https://evil.example.com"]
        #expect(throws: MessageEncodingError.self) { try encoder.encode(message) }
    }

    @Test func writesTheDateInTheGivenZoneAcrossDaylightSaving() {
        let summer = Date(timeIntervalSince1970: 1_782_900_000)  // 2026-07-01 10:00 UTC
        #expect(
            MessageEncoder.rfc5322Date(summer, in: SampleMessages.zone) == "Wed, 01 Jul 2026 12:00:00 +0200")
        #expect(
            MessageEncoder.rfc5322Date(SampleMessages.date, in: SampleMessages.zone)
                == "Tue, 01 Dec 2026 09:30:00 +0100")
    }

    @Test func stableMessageIDsDependOnlyOnTheKey() {
        let first = MessageID(stableKey: "invitation/hygge/2026-12-02 a@example.org", domain: "example.org")
        let again = MessageID(stableKey: "invitation/hygge/2026-12-02 a@example.org", domain: "example.org")
        let other = MessageID(stableKey: "invitation/hygge/2026-12-02 b@example.org", domain: "example.org")
        #expect(first == again)
        #expect(first != other)
        #expect(first.description.hasPrefix("<") && first.description.hasSuffix("@example.org>"))
    }

    private func qDecode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "="), bytes.count >= 2,
                let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte == UInt8(ascii: "_") ? 0x20 : byte)
            }
        }
        return out
    }
}

extension String {
    /// How Python's email package shows a display name: quoted when it holds specials.
    var quotedIfNeeded: String {
        let specials = "()<>[]:;@\\,.\""
        return contains(where: { specials.contains($0) }) ? "\"\(self)\"" : self
    }

}
