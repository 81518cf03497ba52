import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Threads that DKIM-sign a batch's messages while the batch is still being rendered, at a lower
/// scheduling priority than the rest of the run.
///
/// An RSA signature costs more CPU than everything else a message needs, and a signed run wants
/// both cores. Signing used to wait until the whole batch was rendered, then ran on every core
/// at once: while one thread rendered, the second core sat idle; while both signed, libcurl's
/// thread (and a relay on the same host) waited behind them for the CPU, and the connections
/// stood still. Here each message is handed over as soon as it is encoded, and the signing
/// threads run at a nice value 10 above the run's, so whatever keeps the connections busy (the
/// transport, the ledger's marks, the relay) gets the CPU the moment it needs it, and signing
/// takes everything left over.
final class SigningWorkers: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)
    private let done = DispatchGroup()
    private let threads: Int

    /// Starts `threads` signing threads; `finish()` must be called once, after the last `submit`.
    init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = max(1, threads)
        for _ in 0..<self.threads {
            done.enter()
            let thread = Thread { [self] in
                Self.lowerPriority()
                while let job = next() { job() }
                done.leave()
            }
            thread.name = "inviter.signing"
            thread.start()
        }
    }

    /// Runs `job` on one of the threads, as soon as one is free.
    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }

    /// Waits until every submitted job has run; the threads then end.
    func finish() {
        for _ in 0..<threads { waiting.signal() }
        done.wait()
    }

    /// The next job in the order submitted; nil once `finish()` was called and none is left.
    private func next() -> (@Sendable () -> Void)? {
        waiting.wait()
        return jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// On Linux the nice value belongs to a thread, and `setpriority` with `who` 0 changes the
    /// calling thread's alone. Raising one's own nice value needs no privilege; where it fails,
    /// the thread signs at the run's priority, as before.
    private static func lowerPriority() {
        #if canImport(Glibc)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            let current = getpriority(which, 0)
            _ = setpriority(which, 0, min(current + 10, 19))
        #endif
    }
}
