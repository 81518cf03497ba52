import Foundation
import Synchronization

/// Marks a batch's deliveries `sending` in the ledger a group at a time, ahead of the transport,
/// on a thread of its own: the ``HandOverGate`` a run hands its transport.
///
/// At most one group is being marked at a time, and a new one only when fewer than two groups are
/// marked and not yet started: enough that a slow fsync (a few milliseconds on a busy disk) does
/// not leave the connections idle, while a run killed at any instant leaves in doubt only the
/// messages in flight and at most three groups that were marked but never handed over (those
/// are sent again, but were never sent). Each mark is one commit, which also carries the
/// outcomes reported since the last one (see `Dispatcher.send`), so a run pays one fsync per
/// group of messages; outcomes that come in while no mark is due are committed on their own,
/// without an fsync (``outcomeReported()``), so none waits for the next group.
final class SendingMarks: HandOverGate {
    private struct State {
        var marked = 0
        var busy = false
        var failure: String?
        var wake: (@Sendable () -> Void)?
        /// Envelopes the ledger skipped instead of marking, by index.
        var withheld: Set<Int> = []
        /// A commit of the outcomes reported is waiting on the queue, not yet started.
        var flushQueued = false
    }

    private let keys: [DeliveryKey]
    private let group: Int
    private let mark: @Sendable ([DeliveryKey]) throws -> Set<DeliveryKey>
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "inviter-sending-marks")

    /// - Parameters:
    ///   - keys: The batch's deliveries, in the order of its envelopes.
    ///   - group: How many to mark in one commit.
    ///   - mark: Marks the keys `sending`, durably, and returns those it skipped instead (their
    ///     address suppressed meanwhile); called on the marks' own thread, one call at a time.
    init(
        keys: [DeliveryKey], group: Int, mark: @escaping @Sendable ([DeliveryKey]) throws -> Set<DeliveryKey>
    ) {
        self.keys = keys
        self.group = max(group, 1)
        self.mark = mark
    }

    func whenCleared(_ wake: @escaping @Sendable () -> Void) {
        state.withLock { $0.wake = wake }
    }

    func cleared(toward next: Int) throws -> Int {
        markAhead(of: next)
        let (marked, failure) = state.withLock { ($0.marked, $0.failure) }
        if let failure { throw MarkFailure(description: failure) }
        return marked
    }

    /// Starts marking the next group when fewer than two groups are marked ahead of `next`.
    private func markAhead(of next: Int) {
        let range: Range<Int>? = state.withLock { state in
            guard !state.busy, state.failure == nil, state.marked < keys.count,
                state.marked - next < 2 * group
            else { return nil }
            state.busy = true
            return state.marked..<min(state.marked + group, keys.count)
        }
        guard let range else { return }
        queue.async { [self] in
            let failure: String?
            var withheld: Set<Int> = []
            do {
                let skipped = try mark(Array(keys[range]))
                if !skipped.isEmpty { withheld = Set(range.filter { skipped.contains(keys[$0]) }) }
                failure = nil
            } catch {
                failure = "\(error)"
            }
            let wake = state.withLock { state in
                state.busy = false
                state.withheld.formUnion(withheld)
                if let failure { state.failure = failure } else { state.marked = range.upperBound }
                return state.wake
            }
            wake?()
        }
    }

    /// An outcome came in: commits it (with any others waiting) on the marks' thread as soon as
    /// nothing else is being committed there, rather than with the next group's mark. A run
    /// killed then leaves in doubt only what was in flight: before, an outcome could wait for a
    /// group's worth of messages, and those went twice after a kill.
    func outcomeReported() {
        let queueIt = state.withLock { state -> Bool in
            guard !state.flushQueued, state.failure == nil else { return false }
            state.flushQueued = true
            return true
        }
        guard queueIt else { return }
        queue.async { [self] in
            state.withLock { $0.flushQueued = false }
            do {
                _ = try mark([])
            } catch {
                let wake = state.withLock { state in
                    state.failure = "\(error)"
                    return state.wake
                }
                wake?()
            }
        }
    }

    func isWithheld(_ index: Int) -> Bool {
        state.withLock { $0.withheld.contains(index) }
    }

    /// How many envelopes were withheld.
    var withheldCount: Int { state.withLock { $0.withheld.count } }

    /// Waits for a group being marked, so that nothing is marked after the delivery is over.
    func finish() {
        queue.sync {}
    }

    /// The ledger could not mark a group: the transport starts nothing more.
    struct MarkFailure: Error, CustomStringConvertible {
        let description: String
    }
}
