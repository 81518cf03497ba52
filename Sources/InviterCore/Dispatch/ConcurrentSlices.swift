import Dispatch
import Foundation
import Synchronization

extension Array where Element: Sendable {
    /// What `transform` makes of each slice of the array, worked out on every core and joined in
    /// the array's order: `map` for work whose elements are independent of each other.
    ///
    /// Much of what a run does before its first message goes out (reading the member lists,
    /// checking every template in every language) is of this kind, and would otherwise keep one
    /// core busy while the others wait; a preview's messages are independent the same way.
    /// The work is cut into a few
    /// slices per core, so that slices of uneven cost (an announcement's template beside a
    /// seat notice's) still keep every core busy, and each slice takes the lock once, not once
    /// per element. A slice is the unit so that `transform` can carry what it learns from one
    /// element to the next (a cache of parsed languages) without sharing it between threads.
    func concurrentSlices<Made: Sendable>(
        _ transform: @Sendable (ArraySlice<Element>) -> [Made]
    ) -> [Made] {
        guard count > 1 else { return transform(self[...]) }
        let slices = Swift.min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let size = (count + slices - 1) / slices
        let made = Mutex([[Made]](repeating: [], count: slices))
        let elements = self
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let range =
                Swift.min(slice * size, elements.count)..<Swift.min((slice + 1) * size, elements.count)
            let results = transform(elements[range])
            made.withLock { $0[slice] = results }
        }
        return [Made](made.withLock { $0 }.joined())
    }
}
