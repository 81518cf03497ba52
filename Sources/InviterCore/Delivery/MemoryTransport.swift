import Synchronization

/// A ``Transport`` that hands nothing to a server: the twin of ``SMTPTransport`` for fast tests.
///
/// It keeps the one promise every transport makes to the dispatcher: before each hand-over it
/// asks its ``HandOverGate`` how far it may go, waits for the gate's wake when the next envelope
/// is not yet cleared, starts nothing more when the gate throws, and calls ``HandOverGate/finish()``
/// before it returns. What the pretend server answers comes from a script, one ``Outcome`` per
/// envelope, so a test can play a refusal, a bounce or a lost connection in milliseconds; every
/// envelope handed over is kept, with what the gate had cleared at that moment, for assertions.
///
/// The script is called at the moment of the hand-over, after the gate cleared the envelope: a
/// test can look at the ledger from there and see what a real server's connection would find.
public final class MemoryTransport: Transport {
    /// What the pretend server does with one envelope.
    public enum Outcome: Sendable, Equatable {
        /// 250 after the body: the server took it.
        case delivered
        /// A 4xx reply: to be tried again later.
        case temporary(SMTPReply)
        /// A 5xx reply: never again (a 5.1.x reply also suppresses the address).
        case permanent(SMTPReply)
        /// The body went out and no final reply came.
        case unknown
        /// The whole delivery stops before this envelope is handed over (a security refusal, an
        /// unreachable relay): it and every envelope after it stay unreported.
        case stop(TransportError)
    }

    /// One envelope given to the pretend server.
    public struct HandOver: Sendable {
        public let envelope: Envelope
        /// Its place in its delivery, counted from 0.
        public let position: Int
        /// How many envelopes of that delivery the gate had cleared when it went.
        public let cleared: Int
        /// Which call to ``deliver(_:gate:report:)`` it came with, counted from 0.
        public let delivery: Int
    }

    private struct Log {
        var handOvers: [HandOver] = []
        var deliveries: [[DeliveryKey]] = []
        var finished = 0
    }

    public let handOverGroup: Int
    private let script: @Sendable (Envelope) -> Outcome
    private let log = Mutex(Log())

    /// - Parameters:
    ///   - handOverGroup: How many envelopes the gate should clear at a time.
    ///   - script: The server's answer to each envelope; by default it takes every one.
    public init(
        handOverGroup: Int = 2, script: @escaping @Sendable (Envelope) -> Outcome = { _ in .delivered }
    ) {
        self.handOverGroup = handOverGroup
        self.script = script
    }

    /// Every envelope handed over, in order, across all deliveries.
    public var handOvers: [HandOver] { log.withLock { $0.handOvers } }

    /// The envelopes handed over, in order.
    public var handedOver: [Envelope] { handOvers.map(\.envelope) }

    /// The keys of each delivery's envelopes, as they were given to the transport: one entry per
    /// call to ``deliver(_:gate:report:)``, handed over or not.
    public var deliveries: [[DeliveryKey]] { log.withLock { $0.deliveries } }

    /// How many times ``finish()`` was called: once at the end of each run.
    public var finishCount: Int { log.withLock { $0.finished } }

    /// Reports each envelope's scripted outcome, one at a time, on the caller's task.
    ///
    /// - Throws: The ``TransportError`` of a ``Outcome/stop(_:)``, or
    ///   ``TransportError/configuration(_:)`` when the gate could not clear the next envelope.
    public func deliver(
        _ envelopes: [Envelope], gate: any HandOverGate, report: @escaping @Sendable (DeliveryResult) -> Void
    ) async throws {
        let delivery = log.withLock { log in
            log.deliveries.append(envelopes.map(\.key))
            return log.deliveries.count - 1
        }
        // The gate wakes from its own thread; a wake that comes before the wait is kept. Waiting
        // suspends the task rather than blocking one of the few threads that every test shares.
        let (wakes, wake) = AsyncStream<Void>.makeStream()
        gate.whenCleared { wake.yield() }
        defer {
            gate.finish()
            wake.finish()
        }
        var waiting = wakes.makeAsyncIterator()
        for (position, envelope) in envelopes.enumerated() {
            if Task.isCancelled { return }
            var cleared: Int
            do {
                cleared = try gate.cleared(toward: position)
                while cleared <= position {
                    _ = await waiting.next()
                    cleared = try gate.cleared(toward: position)
                }
            } catch {
                throw TransportError.configuration("cannot record the message as being sent: \(error)")
            }
            if gate.isWithheld(position) { continue }
            let result: DeliveryResult
            switch script(envelope) {
            case .stop(let error):
                throw error
            case .delivered:
                result = DeliveryResult(
                    key: envelope.key, outcome: .delivered,
                    reply: SMTPReply(code: 250, text: "2.0.0 Ok: queued"),
                    detail: "accepted by the server")
            case .temporary(let reply):
                result = DeliveryResult(
                    key: envelope.key, outcome: .temporary, reply: reply,
                    detail: "deferred after the message body")
            case .permanent(let reply):
                result = DeliveryResult(
                    key: envelope.key, outcome: .permanent, reply: reply,
                    detail: "refused after the message body")
            case .unknown:
                result = DeliveryResult(
                    key: envelope.key, outcome: .unknown, reply: nil,
                    detail:
                        "lost the connection after the message body was sent, before the server's final reply"
                )
            }
            log.withLock {
                $0.handOvers.append(
                    HandOver(envelope: envelope, position: position, cleared: cleared, delivery: delivery))
            }
            report(result)
        }
    }

    /// Counts the end of a run.
    public func finish() {
        log.withLock { $0.finished += 1 }
    }
}
