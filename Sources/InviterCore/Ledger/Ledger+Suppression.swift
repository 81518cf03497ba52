import Foundation

extension Ledger {
    /// Suppresses `address` unless it already is, keeping the earlier reason and date: an
    /// organizer adding "asked by phone" must not overwrite "bounced: 550 5.1.1 …".
    ///
    /// - Returns: whether the address was added, and the reason and date it is suppressed with.
    public func suppressKeepingReason(
        _ address: AddressKey, scope: Suppression.Scope = .all, reason: String, now: Date
    ) throws -> (added: Bool, reason: String, since: Date) {
        if let earlier = try suppressed().first(where: { $0.address == address && $0.scope == scope }) {
            return (false, earlier.reason, earlier.since)
        }
        try suppress(address, scope: scope, reason: reason, now: now)
        return (true, reason, now)
    }
}

/// `inviter suppress list --csv`: the suppression list as a spreadsheet reads it back, so
/// unsubscribes and bounces can go into the organizer's member list.
public enum SuppressionCSV {
    public static func text(_ entries: [Suppression]) -> String {
        let formatter = ISO8601DateFormatter()
        var lines = ["email,reason,since,list"]
        for entry in entries {
            lines.append(
                [
                    entry.address.value, entry.reason, formatter.string(from: entry.since),
                    entry.scope.description,
                ]
                .map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value quoted as RFC 4180 wants it when it holds a comma, a quote or a line break; a
    /// leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
    static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
