import Foundation
import Logging

/// Sends the sign-up confirmations `inviter serve` records, within seconds, through the
/// configured transport and the same delivery records as every other mail.
///
/// It sends only while it holds the run lock: a cron `run` in progress owns the ledger's
/// `sending` records, and sends waiting confirmations itself. When the lock is taken it tries
/// again a few seconds later, so a confirmation waits at most for the end of that run.
public actor ConfirmationSender {
    let network: LoadedNetwork
    let renderer: MessageRenderer
    let ledger: any Ledger
    let logger: Logger
    /// Whether a pass is under way, and whether another was asked for meanwhile.
    private var running = false
    private var again = false

    public init(network: LoadedNetwork, renderer: MessageRenderer, ledger: any Ledger, logger: Logger) {
        self.network = network
        self.renderer = renderer
        self.ledger = ledger
        self.logger = logger
    }

    /// Asks for a pass soon; returns at once.
    public func poke() {
        if running {
            again = true
            return
        }
        running = true
        Task { await passes() }
    }

    private func passes() async {
        var failures = 0
        repeat {
            again = false
            if await pass() {
                failures = 0
            } else {
                // A run ends within seconds or minutes; a relay that is down, later: wait longer then.
                failures += 1
                try? await Task.sleep(for: .seconds(failures < 5 ? 3 : 30))
                again = true
            }
        } while again
        running = false
    }

    /// One pass over the confirmations waiting; false when it must be tried again shortly (the
    /// run lock was taken, or the relay could not be reached).
    func pass() async -> Bool {
        let configuration = network.configuration
        do {
            let now = Date()
            let waiting = Set(
                try ledger.waiting(now: now, resendUnknown: configuration.delivery.resendUnknown)
                    .map(\.key.mailing).filter { $0.kind == .join })
            guard !waiting.isEmpty else { return true }
            guard let lock = try RunLock.acquire(in: configuration.delivery.state, wait: 0) else {
                return false
            }
            defer { withExtendedLifetime(lock) {} }
            let dispatcher = Dispatcher(
                network: network, renderer: renderer, ledger: ledger,
                transport: try configuration.makeTransport())
            let summary = try await dispatcher.deliver(only: waiting, now: now)
            logger.info(
                "sign-up confirmations: \(summary.sent) sent, \(summary.retrying) retrying, \(summary.failed) failed"
            )
            if let stop = summary.stoppedBecause {
                logger.warning("sign-up confirmations stopped: \(stop)")
                return false
            }
            return true
        } catch {
            logger.error("sign-up confirmations could not be sent: \(error)")
            return false
        }
    }
}
