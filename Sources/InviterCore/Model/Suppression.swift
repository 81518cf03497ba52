import Foundation

/// The two lists a person can leave apart from each other: the members' mailings, and the copies
/// partner contacts get for forwarding. A contact who stops the partner copies may still be a
/// member, and the other way round.
public enum MailingList: String, Sendable, CaseIterable, Codable {
    case members, partners
}

/// An address that must not be written to: from every list (a bounce, an organizer's `suppress
/// add`) or from one (a one-click unsubscribe names the list its link was made for).
public struct Suppression: Sendable, Hashable {
    /// What the suppression holds back.
    public enum Scope: Sendable, Hashable, CustomStringConvertible {
        case all
        case list(MailingList)

        /// As the ledger stores it: `all`, `members` or `partners`.
        public var description: String {
            switch self {
            case .all: "all"
            case .list(let list): list.rawValue
            }
        }

        public init?(_ text: String) {
            if text == "all" {
                self = .all
            } else if let list = MailingList(rawValue: text) {
                self = .list(list)
            } else {
                return nil
            }
        }

        /// Whether a mailing of `list` is held back (`nil`: a mail the person asked for
        /// themselves, such as a sign-up confirmation, which only a suppression of all holds back).
        public func covers(_ list: MailingList?) -> Bool {
            switch self {
            case .all: true
            case .list(let own): own == list
            }
        }
    }

    public var address: AddressKey
    public var scope: Scope
    /// Why and how (`bounced: 550 …`, `unsubscribed by the one-click link`), for the record.
    public var reason: String
    public var since: Date

    public init(address: AddressKey, scope: Scope = .all, reason: String, since: Date) {
        self.address = address
        self.scope = scope
        self.reason = reason
        self.since = since
    }
}
