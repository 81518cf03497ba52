import Foundation
import Synchronization
import Testing

@testable import InviterCore

#if canImport(Glibc)
    import Glibc
#endif

/// The signing threads of a run: every job runs once, and below the run's priority.
@Suite struct SigningWorkersTests {
    @Test func everyJobRunsOnceAndFinishWaitsForAll() {
        let runs = Mutex([Int](repeating: 0, count: 2_000))
        let workers = SigningWorkers(threads: 3)
        for index in 0..<2_000 {
            workers.submit { runs.withLock { $0[index] += 1 } }
        }
        workers.finish()
        #expect(runs.withLock { $0 }.allSatisfy { $0 == 1 })
    }

    @Test func noJobAtAllStillFinishes() {
        SigningWorkers(threads: 2).finish()
    }

    #if canImport(Glibc)
        /// The nice value is 10 above the submitting thread's (at most 19), so the transport's
        /// thread gets the CPU before a signature does; the submitting thread keeps its own.
        @Test func jobsRunAtANiceValueAboveTheRun() {
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            let mine = getpriority(which, 0)
            let seen = Mutex<[Int32]>([])
            let workers = SigningWorkers(threads: 2)
            for _ in 0..<4 {
                workers.submit { seen.withLock { $0.append(getpriority(which, 0)) } }
            }
            workers.finish()
            #expect(seen.withLock { $0 } == Array(repeating: min(mine + 10, 19), count: 4))
            #expect(getpriority(which, 0) == mine)
        }
    #endif
}
