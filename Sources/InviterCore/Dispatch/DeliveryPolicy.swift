import Foundation

/// What the ledger records for a transport's result: the rules that decide whether a message is
/// sent, tried again later, given up on, or left in doubt.
///
/// Pure functions of the result, the delivery's history and the clock, so every rule is tested
/// without a server.
public enum DeliveryPolicy {
    /// Retry delays after the 1st, 2nd, 3rd and later temporary failures.
    public static let backoff: [TimeInterval] = [5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60]

    /// The outcome to record for `result`.
    ///
    /// - Parameters:
    ///   - entry: The delivery as the ledger had it, for the number of attempts so far.
    ///   - deadline: When the mailing stops mattering (the occurrence starts): a retry that would
    ///     come after it is a failure now, not a message that arrives after the event.
    public static func outcome(of result: DeliveryResult, entry: LedgerEntry, deadline: Date?, now: Date)
        -> RecordedOutcome
    {
        let reply = result.reply.map { "\($0)" } ?? result.detail
        switch result.outcome {
        case .delivered:
            return RecordedOutcome(key: entry.key, state: .sent, reply: reply)
        case .unknown:
            return RecordedOutcome(key: entry.key, state: .unknown, reply: "\(result.detail); \(reply)")
        case .permanent:
            // "No such user" (5.1.x): never write to this address again.
            let bounced = result.reply?.text.hasPrefix("5.1.") == true ? "bounced: \(reply)" : nil
            return RecordedOutcome(key: entry.key, state: .failed, reply: reply, suppression: bounced)
        case .temporary:
            // `entry` is as the ledger had it before this attempt was marked: this was attempt
            // `attempts + 1`, and its failure waits the delay for that attempt.
            let delay = backoff[min(entry.attempts + 1, backoff.count) - 1]
            let retryAt = now.addingTimeInterval(delay)
            if let deadline, retryAt >= deadline {
                return RecordedOutcome(
                    key: entry.key, state: .failed, reply: "gave up before the event: \(reply)")
            }
            return RecordedOutcome(key: entry.key, state: .retrying, reply: reply, retryAt: retryAt)
        }
    }
}
