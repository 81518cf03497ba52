import Foundation
import Synchronization

extension Dispatcher {
    /// What sending a batch came to.
    struct BatchResult: Sendable {
        var states: [DeliveryState: Int] = [:]
        /// Deliveries still ready to send (an unknown outcome, or one the transport never
        /// reported), which this run must not try again.
        var readyAgain: Set<DeliveryKey> = []
        var stop: TransportError?
        /// Skipped at the last moment: unsubscribed after the batch was taken.
        var withheld = 0
    }

    /// Outcomes reported by the transport, from its own thread.
    private struct Outcome {
        var reported: Set<DeliveryKey> = []
        var readyAgain: Set<DeliveryKey> = []
        var states: [DeliveryState: Int] = [:]
        /// Outcomes reported and not yet committed.
        var uncommitted: [RecordedOutcome] = []
    }

    /// Hands a batch to the transport, marking the messages `sending` a few at a time as they are
    /// handed over, and recording their outcomes in the same commits.
    ///
    /// A commit per message would cost an fsync per message, so commits are grouped: the
    /// ``SendingMarks`` mark a group at a time (on a thread of their own, ahead of the messages
    /// being sent), and the outcomes are committed as they come in on that thread, with the next
    /// mark or on their own (without an fsync: a killed process loses nothing the kernel has). A
    /// run killed now leaves in doubt the groups marked and not yet handed over, and the messages
    /// in flight; they are sent again with the same Message-ID, so at most one message per
    /// connection can go twice. A commit that fails stops the transport; what it held stays
    /// `sending`, for the next run to resolve.
    func send(
        _ batch: Batch, deadlines: [MailingID: Date?], now: Date, total: Int, sentBefore: Int
    ) async throws -> BatchResult {
        let outcome = Mutex(Outcome())
        let ledger = self.ledger
        let entries = batch.entries
        let progress = self.progress
        var stop: TransportError?
        // Commits the outcomes waiting and marks `keys`. The marks mark one group at a time and
        // the last call comes after the delivery returns, so commits never overlap; the lock is held
        // only to take the outcomes, so the libcurl thread never waits for a commit to report one.
        let settle: @Sendable ([DeliveryKey]) throws -> Set<DeliveryKey> = { keys in
            let waiting = outcome.withLock { outcome in
                defer { outcome.uncommitted.removeAll(keepingCapacity: true) }
                return outcome.uncommitted
            }
            return try ledger.settle(waiting, marking: keys, now: now)
        }
        let marks = SendingMarks(
            keys: batch.envelopes.map(\.key), group: transport.handOverGroup, mark: settle)
        do {
            try await transport.deliver(batch.envelopes, gate: marks) { result in
                guard let entry = entries[result.key] else { return }
                let recorded = DeliveryPolicy.outcome(
                    of: result, entry: entry, deadline: deadlines[entry.key.mailing] ?? nil, now: now)
                let sent = outcome.withLock { outcome -> Int in
                    outcome.uncommitted.append(recorded)
                    outcome.reported.insert(result.key)
                    if recorded.state == .unknown { outcome.readyAgain.insert(entry.key) }
                    outcome.states[recorded.state, default: 0] += 1
                    return outcome.states[.sent, default: 0]
                }
                marks.outcomeReported()
                progress?(sentBefore + sent, total)
            }
        } catch let error as TransportError {
            stop = error
        }
        // The last outcomes, in a commit of their own once no group is being marked.
        marks.finish()
        do {
            _ = try settle([])
        } catch {
            throw LedgerWriteError(description: "\(error)")
        }
        let final = outcome.withLock { $0 }
        var result = BatchResult(states: final.states, readyAgain: final.readyAgain, stop: stop)
        result.withheld = marks.withheldCount
        for (index, envelope) in batch.envelopes.enumerated() where !final.reported.contains(envelope.key) {
            // Unsubscribed while the run was sending: skipped in the ledger, never handed over.
            if marks.isWithheld(index) { continue }
            // Messages never handed over go back to waiting, for the next run.
            if let stop {
                try ledger.record(
                    envelope.key, state: .pending, reply: "not attempted: \(stop)", retryAt: nil, now: now)
            }
            result.readyAgain.insert(envelope.key)
        }
        return result
    }
}

/// The ledger could not be written while outcomes were being recorded.
public struct LedgerWriteError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
