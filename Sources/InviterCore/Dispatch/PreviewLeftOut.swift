import Foundation

/// Who on the lists does not get a previewed mailing, and why: the preview index shows them
/// greyed out under each mailing, so an organizer sees the whole list before anything goes.
public struct PreviewLeftOut: Sendable {
    public var name: String
    public var address: String
    /// Why, as the index counts it ("unsubscribed", "not in the segments sports").
    public var reason: String
    /// Where it comes from, when a row says so (`members.csv:28`).
    public var detail: String? = nil

    /// Rows an index shows per mailing; beyond them it gives the count by reason.
    static let shown = 500

    /// Everyone on the member (or, for a partner copy, the partner) list whom `mailing` does not
    /// reach in this preview, with the first reason that applies.
    static func of(
        _ mailing: Mailing, recipients: [Recipient], network: LoadedNetwork, ledger: (any Ledger)?
    ) -> [PreviewLeftOut] {
        let reached = Set(recipients.map(\.address.key))
        var suppressions: [AddressKey: [Suppression]] = [:]
        for entry in (try? ledger?.suppressed()) ?? [] {
            suppressions[entry.address, default: []].append(entry)
        }
        func suppressed(_ address: AddressKey) -> String? {
            suppressions[address]?.first { $0.scope.covers(mailing.id.list) }.map {
                "suppressed: \($0.reason)"
            }
        }
        var entries: [AddressKey: DeliveryState] = [:]
        for entry in (try? ledger?.entries(of: mailing.id)) ?? [] {
            entries[entry.key.recipient] = entry.state
        }
        func recorded(_ address: AddressKey) -> String? {
            entries[address].map { $0 == .sent ? "already sent" : "in the ledger as \($0.rawValue)" }
        }
        var result: [PreviewLeftOut] = []
        if mailing.kind.isPartnerCopy || mailing.id.isForPartners {
            let kinds = Set(mailing.occurrence?.partners ?? [])
            for partner in network.partners?.partners ?? [] where !reached.contains(partner.address.key) {
                let key = partner.address.key
                let reason =
                    suppressed(key) ?? recorded(key)
                    ?? (kinds.contains(partner.kind)
                        ? "not among those the copy goes to"
                        : "partner kind \(partner.kind.rawValue): this event's copy goes to "
                            + kinds.map(\.rawValue).sorted().joined(separator: ", "))
                result.append(
                    PreviewLeftOut(
                        name: [partner.contact, partner.organisation].compactMap { $0 }.joined(
                            separator: ", "),
                        address: partner.address.address, reason: reason))
            }
            return result
        }
        let audience = mailing.audience
        let leftOut = (try? RSVPOccurrences.leftOut(of: mailing, ledger: ledger)) ?? [:]
        for member in network.members.members where !reached.contains(member.address.key) {
            let key = member.address.key
            let reason: String
            var detail: String?
            if !member.isActive {
                reason = member.status.rawValue
                detail = member.sources.first
            } else if mailing.kind != .newsletter, !audience.includes(member) {
                reason = "not in the segments " + mailing.segments.sorted().joined(separator: ", ")
            } else if let why = suppressed(key) ?? recorded(key) {
                reason = why
            } else if let status = leftOut[key] {
                reason = status == .declined ? "answered no" : "on the waitlist"
            } else if mailing.kind == .newsletter {
                reason = "nothing listed for their segments"
            } else if mailing.kind.isCancellation || mailing.kind.isUpdate {
                reason = "was not sent the invitation"
            } else {
                reason = "not due for them now"
            }
            result.append(
                PreviewLeftOut(
                    name: member.name ?? "", address: member.address.address, reason: reason, detail: detail))
        }
        return result
    }
}
