extension MemberListResult {
    /// Adds those who joined on the sign-up page, after the lists: a row of a list for the same
    /// address wins whatever it says (an `unsubscribed` or `bounced` row means no mail, whatever
    /// the form said), so only addresses no list has are added.
    public mutating func include(_ joined: [JoinedMember]) {
        let listed = Set(members.map(\.address.key))
        for person in joined where !listed.contains(person.request.address.key) {
            let member = person.member
            members.append(member)
            stats.joined += 1
            stats.members += 1
            stats.active += 1
            stats.byLanguage[member.language?.identifier ?? "", default: 0] += 1
        }
    }
}
