import Foundation
import Synchronization

/// Commits the one-click unsubscribes that arrive together in one transaction, on a thread of
/// its own, and answers each request once its unsubscribe is on disk.
///
/// A commit per request costs a disk sync per request, and a request waiting for the disk
/// would hold one of the few threads that answer all requests. Here a request only queues its
/// unsubscribe and waits without a thread; the writer takes everything queued while the last
/// commit was being synced and commits it at once. Nobody is answered before their unsubscribe
/// is recorded, so a 200 always means it holds.
public final class SuppressionBatcher: Sendable {
    private struct Waiting {
        var entry: Suppression
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let ledger: any Ledger
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "inviter-serve-suppressions")

    public init(ledger: any Ledger) {
        self.ledger = ledger
    }

    /// Returns once `entry` is committed (an address already suppressed for the scope keeps its
    /// first reason); throws what the commit threw.
    public func suppress(_ entry: Suppression) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state -> Bool in
                state.waiting.append(Waiting(entry: entry, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if start { queue.async { self.write() } }
        }
    }

    /// Commits what is waiting, again and again, until nothing is.
    private func write() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = state.waiting
                state.waiting = []
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try ledger.suppressKeepingEarlier(batch.map(\.entry))
                for waiting in batch { waiting.continuation.resume() }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
