import Foundation

/// `inviter members`: who joined on the sign-up page, as text, JSON or CSV, so the organizer can
/// see them and keep them in their own list.
public enum JoinedMembersReport {
    public static func lines(_ joined: [JoinedMember], zone: TimeZone) -> [String] {
        guard !joined.isEmpty else { return ["Nobody has joined on the sign-up page yet."] }
        return joined.map { person in
            let request = person.request
            var line = "\(request.address.address)  \(request.name)  \(request.language)"
            if !request.segments.isEmpty { line += "  segments: \(request.segments.joined(separator: ", "))" }
            if let occurrence = request.occurrence { line += "  from: \(occurrence)" }
            return line + "  joined \(ISO8601.local(person.joinedAt, in: zone))"
        }
    }

    /// `{"members": [{"email", "name", "language", "segments", "occurrence", "requested", "joined"}]}`.
    public static func json(_ joined: [JoinedMember]) throws -> String {
        struct Entry: Encodable {
            var email, name, language: String
            var segments: [String]
            var occurrence: String?
            var requested, joined: String
        }
        let formatter = ISO8601DateFormatter()
        let entries = joined.map { person in
            Entry(
                email: person.request.address.address, name: person.request.name,
                language: person.request.language.identifier, segments: person.request.segments,
                occurrence: person.request.occurrence?.description,
                requested: formatter.string(from: person.request.requestedAt),
                joined: formatter.string(from: person.joinedAt))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(["members": entries]), as: UTF8.self)
    }

    /// The member list's own columns (`email,name,language,segments,status`), so the rows can be
    /// pasted into it; values quoted and guarded against formulas as the suppression CSV is.
    public static func csv(_ joined: [JoinedMember]) -> String {
        var lines = ["email,name,language,segments,status,joined"]
        let formatter = ISO8601DateFormatter()
        for person in joined {
            let request = person.request
            lines.append(
                [
                    request.address.address, request.name, request.language.identifier,
                    request.segments.joined(separator: ";"), "active",
                    formatter.string(from: person.joinedAt),
                ].map(SuppressionCSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
