import Foundation

/// A member's personal RSVP link: `{base_url}/rsvp/{token}`, the token naming the occurrence and
/// the address, so an answer counts for that member and that evening only.
public enum RSVPLink {
    public static func token(
        occurrence: OccurrenceID, address: AddressKey, network: String, secret: Secret
    ) -> String {
        LinkToken.make(
            .rsvp, fields: [occurrence.description, address.value], network: network, secret: secret)
    }

    /// The occurrence and address a genuine RSVP token names; nil for anything else (an
    /// unsubscribe or sign-up token included).
    public static func read(_ token: String, network: String, secret: Secret) -> (
        occurrence: OccurrenceID, address: AddressKey
    )? {
        guard let fields = LinkToken.verify(token, .rsvp, network: network, secret: secret),
            fields.count == 2,
            let occurrence = OccurrenceID(fields[0]), !fields[1].isEmpty
        else { return nil }
        return (occurrence, AddressKey(fields[1]))
    }

    /// The link for `answer` (preselected on the page), or the page alone.
    public static func url(base: String, token: String, answer: RSVPAnswer?) -> String {
        base + "/rsvp/" + token + (answer.map { "?answer=\($0.rawValue)" } ?? "")
    }
}
