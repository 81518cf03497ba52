/// An address as the ledger, the suppression list and every index compare it: case-folded, made
/// once where the address is made (``MailAddress/key``) and never folded again on the way.
///
/// Member lists write the same person as `Amina@Example.org` and `amina@example.org`; a mail
/// server may treat the local part as case-sensitive, but no network wants to mail one person
/// twice because a spreadsheet capitalised a name.
public struct AddressKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The lowercased `local@domain`.
    public let value: String

    /// Folds `address` to lowercase; for text that is already a validated address or read back
    /// from the ledger, which stores keys.
    public init(_ address: String) {
        // The same string (no copy) when it has no capitals, as almost every address in a list
        // has, so indexes over a large list cost no new strings.
        value =
            address.utf8.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) })
            ? address : address.lowercased()
    }

    public var description: String { value }

    public static func < (lhs: AddressKey, rhs: AddressKey) -> Bool { lhs.value < rhs.value }
}
