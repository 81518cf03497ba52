import Foundation

/// A delivery status notification (RFC 3464), read per recipient.
public struct DeliveryReport: Sendable, Hashable {
    public struct Recipient: Sendable, Hashable {
        /// The address part of `Final-Recipient: rfc822; anna@example.com`, in lower case.
        public var finalRecipient: String?
        public var originalRecipient: String?
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, in lower case.
        public var action: String
        /// The enhanced status code (`5.1.1`), from `Status` or, when that is missing, the diagnostic.
        public var status: String?
        public var diagnostic: String?
    }

    /// `Reporting-MTA`'s name: who says so.
    public var reportingMTA: String?
    public var recipients: [Recipient]
    /// The returned message's (or its headers') Message-ID, without brackets, in lower case.
    public var returnedMessageID: String?
    /// The returned message's `To` addresses, in lower case.
    public var returnedRecipients: [String]

    /// The report in `message`, or nil when it has none (not RFC 3464).
    public static func read(_ message: InboundPart) -> DeliveryReport? {
        let parts = message.allParts
        guard
            let status = parts.first(where: {
                $0.mediaType == "message/delivery-status" || $0.mediaType == "message/global-delivery-status"
            })
        else { return nil }
        let groups = fieldGroups(status.body)
        guard let first = groups.first else { return nil }
        var report = DeliveryReport(
            reportingMTA: value(first, "reporting-mta").map(Self.typedValue), recipients: [],
            returnedMessageID: nil, returnedRecipients: [])
        // A report without the per-message group (some Exchange versions) starts with a recipient.
        let recipientGroups = value(first, "action") != nil ? groups : Array(groups.dropFirst())
        for group in recipientGroups {
            guard let action = value(group, "action")?.lowercased() else { continue }
            let diagnostic = value(group, "diagnostic-code").map(Self.typedValue)
            report.recipients.append(
                Recipient(
                    finalRecipient: value(group, "final-recipient").map(Self.address),
                    originalRecipient: value(group, "original-recipient").map(Self.address),
                    action: action.split(separator: " ").first.map(String.init) ?? action,
                    status: value(group, "status").flatMap(Self.enhancedStatus)
                        ?? diagnostic.flatMap(Self.enhancedStatus),
                    diagnostic: diagnostic))
        }
        if let returned = parts.first(where: {
            ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"]
                .contains($0.mediaType)
        })?.parts.first {
            report.returnedMessageID = returned.header("message-id").map(Self.messageID)
            report.returnedRecipients = returned.headers("to").flatMap(Self.addresses)
        }
        return report
    }

    /// The field groups of a `message/delivery-status` body, separated by empty lines.
    static func fieldGroups(_ body: [UInt8]) -> [[(name: String, value: String)]] {
        var groups: [[(name: String, value: String)]] = []
        var current: [UInt8] = []
        var lineStart = 0
        func flush() {
            let fields = InboundMIME.fields(current[...])
            if !fields.isEmpty { groups.append(fields) }
            current.removeAll()
        }
        while lineStart < body.count {
            let lineEnd = body[lineStart...].firstIndex(of: 10) ?? body.count
            let line = body[lineStart..<lineEnd]
            if line.isEmpty || line == [13] || line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                flush()
            } else {
                current += line
                current.append(10)
            }
            lineStart = lineEnd + 1
        }
        flush()
        return groups
    }

    private static func value(_ group: [(name: String, value: String)], _ name: String) -> String? {
        group.first { $0.name == name }?.value
    }

    /// `rfc822; anna@example.com` → `rfc822; anna@example.com`'s value after the type.
    static func typedValue(_ text: String) -> String {
        guard let semicolon = text.firstIndex(of: ";") else { return text }
        return String(text[text.index(after: semicolon)...]).trimmingASCIISpaces()
    }

    static func address(_ text: String) -> String {
        var value = typedValue(text).lowercased()
        if value.hasPrefix("<"), value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        return value
    }

    static func messageID(_ text: String) -> String {
        var value = text.trimmingASCIISpaces().lowercased()
        if let open = value.firstIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            value = String(value[value.index(after: open)..<close])
        }
        return value
    }

    /// Every `local@domain` in a header value, in lower case.
    ///
    /// Split on the UTF-8 bytes: the separators are ASCII, and testing each Character against a
    /// String of them was 3 % of reading a bounce (every To, Cc and Delivered-To is split).
    static func addresses(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: isAddressSeparator).filter { $0.contains(UInt8(ascii: "@")) }
            .map { String(decoding: $0, as: UTF8.self).lowercased() }
    }

    /// Space, tab and `<>,;"()`: what ends an address in a header value.
    private static func isAddressSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case 32, 9, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"):
            true
        default: false
        }
    }

    /// The first `d.d.d` with a class of 2, 4 or 5 in `text` (RFC 3463), as written.
    public static func enhancedStatus(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(from start: Int, maximum: Int) -> Int? {
            var end = start
            while end < bytes.count, end - start < maximum, bytes[end] >= 48, bytes[end] <= 57 { end += 1 }
            return end > start ? end : nil
        }
        while index < bytes.count {
            let byte = bytes[index]
            let startsWord =
                index == 0 || !(bytes[index - 1] >= 48 && bytes[index - 1] <= 57 || bytes[index - 1] == 46)
            if startsWord, byte == 50 || byte == 52 || byte == 53, index + 1 < bytes.count,
                bytes[index + 1] == 46,
                let second = number(from: index + 2, maximum: 3), second < bytes.count, bytes[second] == 46,
                let third = number(from: second + 1, maximum: 3),
                third == bytes.count || !(bytes[third] >= 48 && bytes[third] <= 57)
            {
                return String(decoding: bytes[index..<third], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
