/// A validated mailbox: an `addr-spec` and an optional display name.
///
/// Addresses come from spreadsheets and sign-up forms and end up both in
/// headers and in libcurl's `RCPT TO`, which passes CR/LF straight to the
/// wire. Validation therefore happens once, here, when the value is made:
/// a `MailAddress` that exists is safe to use anywhere.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The `local@domain` part, exactly as it goes into `MAIL FROM` and `RCPT TO`.
    public let address: String
    /// The human name shown by mail programs; any text, encoded when written.
    public let displayName: String?
    /// The address case-folded, for comparing: folded here, once, so that no later stage does it again.
    public let key: AddressKey

    /// Validates `address` and keeps `displayName` as text.
    ///
    /// - Parameters:
    ///   - address: The `local@domain` address; surrounding white space is trimmed.
    ///   - displayName: The name to show, or `nil`; CR, LF and other control
    ///     characters are replaced when the header is written.
    ///   - source: Where the value came from (`members.csv:12: email`), for the error.
    /// - Throws: `AddressError` naming the source and the reason.
    public init(_ address: String, displayName: String? = nil, source: String = "address")
        throws(AddressError)
    {
        let trimmed = address.trimmingASCIISpaces()
        if let reason = MailAddress.problem(in: trimmed) {
            throw AddressError(value: address, source: source, reason: reason)
        }
        self.address = trimmed
        self.key = AddressKey(trimmed)
        let name = displayName?.trimmingASCIISpaces()
        self.displayName = (name?.isEmpty ?? true) ? nil : name
    }

    /// Parses `Name <local@domain>` or a bare `local@domain`, as written in a config file.
    ///
    /// - Throws: `AddressError` when the angle brackets do not close or the address is invalid.
    public init(parsing text: String, source: String = "address") throws(AddressError) {
        let trimmed = text.trimmingASCIISpaces()
        // A line break anywhere (also in the name) means the value was pasted or forged: refuse it whole.
        if let bad = trimmed.unicodeScalars.first(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            let what = bad == "\0" ? "a NUL character" : "a line break"
            throw AddressError(value: text, source: source, reason: "the text contains \(what)")
        }
        guard let open = trimmed.lastIndex(of: "<") else {
            try self.init(trimmed, source: source)
            return
        }
        guard trimmed.hasSuffix(">"), trimmed.firstIndex(of: ">") == trimmed.index(before: trimmed.endIndex)
        else {
            throw AddressError(
                value: text, source: source, reason: "the address in angle brackets is not closed")
        }
        var name = String(trimmed[..<open]).trimmingASCIISpaces()
        if name.contains("<") || name.contains(">") {
            throw AddressError(value: text, source: source, reason: "the name contains an angle bracket")
        }
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast())
        }
        let inner = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        try self.init(inner, displayName: name, source: source)
    }

    /// The domain part, used for Message-IDs and the EHLO name.
    public var domain: Substring {
        address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]
    }

    public var description: String {
        if let displayName { return "\(displayName) <\(address)>" }
        return address
    }

    /// The characters RFC 5322 allows unquoted in a dot-atom (`atext`).
    private static let atext: Set<UInt8> = {
        var set = Set<UInt8>()
        for scalar in UInt8(ascii: "a")...UInt8(ascii: "z") { set.insert(scalar) }
        for scalar in UInt8(ascii: "A")...UInt8(ascii: "Z") { set.insert(scalar) }
        for scalar in UInt8(ascii: "0")...UInt8(ascii: "9") { set.insert(scalar) }
        for scalar in "!#$%&'*+-/=?^_`{|}~".utf8 { set.insert(scalar) }
        return set
    }()

    /// Returns why `address` is not a plain `dot-atom@domain` address, or `nil` when it is.
    ///
    /// Quoted local parts, address literals and non-ASCII addresses are refused:
    /// they are rare in member lists and each is a way to smuggle characters past
    /// a relay. The message names the first offending character so that an
    /// organizer can find it in the spreadsheet.
    static func problem(in address: String) -> String? {
        if address.isEmpty { return "the address is empty" }
        for scalar in address.unicodeScalars {
            switch scalar {
            case "\r", "\n": return "the address contains a line break"
            case "\0": return "the address contains a NUL character"
            case " ", "\t": return "the address contains white space"
            case "<", ">": return "the address contains an angle bracket"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    return "the address contains a control character"
                }
                if scalar.value > 0x7F { return "the address contains the non-ASCII character '\(scalar)'" }
            }
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return parts.count < 2 ? "the address has no '@'" : "the address has more than one '@'"
        }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty else { return "the part before '@' is empty" }
        guard local.utf8.count <= 64 else { return "the part before '@' is longer than 64 characters" }
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { return "the part before '@' has an empty dot-separated piece" }
            if let bad = atom.utf8.first(where: { !atext.contains($0) }) {
                return "the part before '@' contains the character '\(Character(Unicode.Scalar(bad)))'"
            }
        }
        guard !domain.isEmpty else { return "the domain after '@' is empty" }
        guard domain.utf8.count <= 253 else { return "the domain is longer than 253 characters" }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else {
                return "the domain has an empty label (two dots, or a dot at an end)"
            }
            guard label.utf8.count <= 63 else { return "a domain label is longer than 63 characters" }
            guard label.first != "-", label.last != "-" else {
                return "a domain label starts or ends with '-'"
            }
            if let bad = label.utf8.first(where: { !Self.isDomainCharacter($0) }) {
                return "the domain contains the character '\(Character(Unicode.Scalar(bad)))'"
            }
        }
        return nil
    }

    private static func isDomainCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// An address that cannot be used, with where it came from.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value as it was given (control characters are shown escaped in `description`).
    public let value: String
    /// Where the value came from, such as `members.csv:12: email`.
    public let source: String
    /// Why the address is refused.
    public let reason: String

    public var description: String {
        "\(source): invalid address \(value.debugDescription): \(reason)"
    }
}

extension String {
    /// Trims spaces and tabs only; CR and LF are kept so that validation sees and refuses them.
    func trimmingASCIISpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        // Untrimmed text stays the same string: a copy per address and name adds up over a long list.
        return slice.utf8.count == utf8.count ? self : String(slice)
    }
}
