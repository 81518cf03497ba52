import CCurl
import Foundation

/// Drives libcurl's multi interface on one thread: K easy handles, each with
/// its own connection, each reused for message after message.
///
/// Not `Sendable`: the handles belong to the thread that runs `run`, and only
/// that thread touches them. `SMTPTransport` creates one per delivery.
final class CurlSMTPSession {
    private let settings: SMTPSettings
    private let url: String
    private let multi: UnsafeMutableRawPointer
    private var transfers: [CurlTransfer] = []
    private let redactor: TraceRedactor

    init(settings: SMTPSettings, url: String) throws(TransportError) {
        CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            throw .configuration("libcurl could not create a multi handle")
        }
        self.settings = settings
        self.url = url
        self.multi = multi
        self.redactor = TraceRedactor(username: settings.username, password: settings.password)
        let connections = settings.connections
        _ = inviter_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections)
        _ = inviter_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, connections)
        for index in 0..<connections {
            guard let easy = curl_easy_init() else {
                throw .configuration("libcurl could not create a handle")
            }
            transfers.append(
                CurlTransfer(easy: easy, index: index + 1, trace: settings.trace, redactor: redactor))
        }
    }

    deinit {
        for transfer in transfers {
            if transfer.isActive { curl_multi_remove_handle(multi, transfer.easy) }
            curl_easy_cleanup(transfer.easy)
        }
        curl_multi_cleanup(multi)
    }

    /// Sends every envelope unless stopped, reporting each outcome.
    ///
    /// - Parameters:
    ///   - shouldStop: Polled between messages; when it turns true no new message is started.
    /// - Throws: `TransportError.security` or `.unreachable` after the
    ///   messages in flight have finished, when going on would be pointless.
    func run(
        _ envelopes: [Envelope],
        shouldStop: () -> Bool,
        gate: any HandOverGate,
        report: (DeliveryResult) -> Void
    ) throws(TransportError) {
        var next = 0
        // The gate clears the next envelopes on a thread of its own while the current ones are
        // being sent, and wakes the poll when it has; the connections never wait for the ledger.
        let wakeup = MultiWakeup(multi: multi)
        gate.whenCleared { wakeup() }
        defer { gate.finish() }
        var active = 0
        var stopError: TransportError?
        var anyDelivered = false

        while true {
            var marked = next
            if stopError == nil {
                do {
                    marked = min(try gate.cleared(toward: next), envelopes.count)
                } catch {
                    stopError = .configuration("cannot record the message as being sent: \(error)")
                }
            }
            while stopError == nil, next < marked, !shouldStop(),
                let free = transfers.first(where: { !$0.isActive })
            {
                if gate.isWithheld(next) {
                    next += 1
                    continue
                }
                try start(free, with: envelopes[next])
                next += 1
                active += 1
            }
            if active == 0 {
                if stopError != nil || next >= envelopes.count || shouldStop() { break }
                // Waiting for the next envelopes to be cleared: the gate wakes the poll when they are.
                var ready: Int32 = 0
                _ = curl_multi_poll(multi, nil, 0, 100, &ready)
                continue
            }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else {
                throw .configuration(
                    "libcurl multi error \(performed.rawValue): \(String(cString: curl_multi_strerror(performed)))"
                )
            }
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE,
                    let transfer = transfers.first(where: { $0.easy == message.pointee.easy_handle })
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.isActive = false
                active -= 1
                let verdict = transfer.classify(code)
                switch verdict {
                case .result(let result):
                    if result.outcome == .delivered { anyDelivered = true }
                    report(result)
                case .stop(let error, let result):
                    // Report what happened to this message, then let the others in flight finish.
                    if let result { report(result) }
                    if case .unreachable = error, anyDelivered {
                        // The relay worked a moment ago: treat it as a broken connection, not a dead relay.
                        break
                    }
                    stopError = stopError ?? error
                }
            }
            if active > 0, running > 0 {
                var ready: Int32 = 0
                _ = curl_multi_poll(multi, nil, 0, 200, &ready)
            }
        }
        if let stopError { throw stopError }
    }

    private func start(_ transfer: CurlTransfer, with envelope: Envelope) throws(TransportError) {
        try transfer.prepare(envelope: envelope, settings: settings, url: url)
        let added = curl_multi_add_handle(multi, transfer.easy)
        guard added == CURLM_OK else {
            throw .configuration(
                "libcurl could not start a transfer: \(String(cString: curl_multi_strerror(added)))")
        }
        transfer.isActive = true
    }
}

/// Interrupts the session's `curl_multi_poll` from another thread.
///
/// `@unchecked Sendable` for the raw multi handle: `curl_multi_wakeup` is the one call libcurl
/// documents as safe from any thread, and the session outlives every delivery's gate (the
/// dispatcher waits for its marks before the delivery is over).
private struct MultiWakeup: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer

    func callAsFunction() {
        _ = curl_multi_wakeup(multi)
    }
}

/// libcurl's process-wide set-up, done once before the first handle.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initialize() {
        _ = done
    }
}
