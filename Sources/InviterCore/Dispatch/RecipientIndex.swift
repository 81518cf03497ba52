/// Members and partner contacts by address key, as positions in the lists, so that a delivery
/// read back from the ledger finds its recipient.
///
/// Positions rather than values: a dictionary of whole ``Member`` values cost 44 MB at 100,000
/// members, one of positions 6 MB.
struct RecipientIndex {
    private var memberList: [Member] = []
    private var partnerList: [Partner] = []
    private var members: [AddressKey: Int] = [:]
    private var partners: [AddressKey: Int] = [:]

    init(members memberList: [Member], partners partnerList: [Partner]) {
        self.memberList = memberList
        self.partnerList = partnerList
        partners.reserveCapacity(partnerList.count)
        for (position, partner) in partnerList.enumerated() { partners[partner.address.key] = position }
        members.reserveCapacity(memberList.count)
        for (position, member) in memberList.enumerated() { members[member.address.key] = position }
    }

    /// The recipient of `key`: a partner contact for the mailings to partners, else a member. A person
    /// who is both gets both messages, each from the right list.
    func recipient(of key: DeliveryKey, kind: MailingKind?) -> Recipient? {
        if kind?.isPartnerCopy == true || key.mailing.isForPartners {
            return partners[key.recipient].map { .partner(partnerList[$0]) }
        }
        return members[key.recipient].map { .member(memberList[$0]) }
    }
}
