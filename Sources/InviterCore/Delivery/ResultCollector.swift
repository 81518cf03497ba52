import Synchronization

/// Gathers results reported from a transport's own thread.
final class ResultCollector: Sendable {
    private let storage = Mutex<[DeliveryResult]>([])

    func append(_ result: DeliveryResult) {
        storage.withLock { $0.append(result) }
    }

    var results: [DeliveryResult] { storage.withLock { $0 } }
}
