import Foundation
import Synchronization

/// Sends messages to an SMTP relay through libcurl.
///
/// Each delivery runs its libcurl handles on a thread of its own, because
/// libcurl blocks; the async caller is resumed when the last message is done.
/// `settings.connections` connections work in parallel, each carrying message
/// after message.
public struct SMTPTransport: Transport {
    public let settings: SMTPSettings
    private let url: String

    /// - Throws: `TransportError` when the settings are inconsistent, before any connection is made.
    public init(settings: SMTPSettings) throws(TransportError) {
        self.settings = settings
        self.url = try settings.curlURL()
    }

    public func deliver(
        _ envelopes: [Envelope], willSend: @escaping @Sendable (String) throws -> Void,
        report: @escaping @Sendable (DeliveryResult) -> Void
    )
        async throws
    {
        guard !envelopes.isEmpty else { return }
        let settings = self.settings
        let url = self.url
        let stop = Mutex(false)
        let outcome: Result<Void, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    // The session is closed (QUIT sent, handles freed) before the caller resumes.
                    let result: Result<Void, TransportError> = {
                        do throws(TransportError) {
                            let session = try CurlSMTPSession(settings: settings, url: url)
                            try session.run(
                                envelopes, shouldStop: { stop.withLock { $0 } }, willSend: willSend,
                                report: report)
                            return .success(())
                        } catch {
                            return .failure(error)
                        }
                    }()
                    continuation.resume(returning: result)
                }
                thread.name = "inviter-smtp"
                thread.start()
            }
        } onCancel: {
            stop.withLock { $0 = true }
        }
        try outcome.get()
    }
}
