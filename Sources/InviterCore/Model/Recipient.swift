/// Who a message is for.
public enum Recipient: Sendable, Hashable {
    case member(Member)
    case partner(Partner)

    public var address: MailAddress {
        switch self {
        case .member(let member): member.address
        case .partner(let partner): partner.address
        }
    }

    public var language: LanguageCode? {
        switch self {
        case .member(let member): member.language
        case .partner(let partner): partner.language
        }
    }
}
