import Foundation

/// `inviter status --json`: the shape scripts rely on (see the README).
public enum StatusReport {
    public static func json(_ statuses: [MailingStatus]) -> String {
        struct Failure: Encodable {
            let recipient: String
            let state: String
            let reply: String
        }
        struct Item: Encodable {
            let id: String
            let kind: String
            let dueAt: String
            let counts: [String: Int]
            let failures: [Failure]
        }
        struct Report: Encodable { let mailings: [Item] }
        let formatter = ISO8601DateFormatter()
        let items = statuses.map { status in
            var counts: [String: Int] = [:]
            for state in DeliveryState.allCases { counts[state.rawValue] = status.counts[state] ?? 0 }
            return Item(
                id: status.mailing.id.description, kind: status.mailing.kind.rawValue,
                dueAt: formatter.string(from: status.mailing.dueAt),
                counts: counts,
                failures: status.attention.map {
                    Failure(
                        recipient: $0.key.recipient.value, state: $0.state.rawValue, reply: $0.lastReply ?? ""
                    )
                })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(Report(mailings: items))).map { String(decoding: $0, as: UTF8.self) }
            ?? "{\"mailings\": []}"
    }
}
