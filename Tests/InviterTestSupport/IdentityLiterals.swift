import InviterCore

// Tests name mailings, occurrences and addresses as the text users see, so an assertion reads
// like the `X-Inviter-Mailing` header or the ledger row it checks.

extension MailingID: ExpressibleByStringLiteral {
    /// Text that is not an id (the ledger tests' `m1`) names an announcement of that name, so a
    /// short name serves where only the identity matters.
    public init(stringLiteral text: String) {
        self = MailingID(text) ?? .announcement(text, on: nil)
    }
}

extension OccurrenceID: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        // A literal that is not an occurrence id is a mistake in the test, not in the code under test.
        guard let id = OccurrenceID(text) else { preconditionFailure("not an occurrence id: \(text)") }
        self = id
    }
}

extension AddressKey: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) { self.init(text) }
}
