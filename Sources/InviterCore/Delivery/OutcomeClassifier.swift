/// How a transfer ended, as libcurl reports it, in the terms that decide its outcome.
///
/// ``CurlTransfer`` maps libcurl's result codes here, so that the rules below are a pure function
/// that a table of cases can test without a server.
enum TransferEnd: Sendable, Equatable {
    /// `CURLE_OK`: the last reply was the server's acceptance.
    case completed
    /// The relay refused the user name and password.
    case authenticationRejected
    /// The server offers no STARTTLS, which the settings require.
    case noStartTLS
    /// The server's certificate does not verify.
    case certificateUnverified
    /// The TLS handshake failed for another reason.
    case tlsFailed
    /// `ca_file` could not be read as certificates.
    case caFileUnreadable
    /// The relay's name did not resolve, or nothing answered on its port.
    case couldNotConnect
    /// The transfer's time ran out.
    case timedOut
    /// Anything else: a dropped connection, a refused command.
    case failed
}

/// What is known about one finished transfer.
struct TransferFacts: Sendable, Equatable {
    var end: TransferEnd
    /// libcurl's own words for its result, for messages.
    var curlText: String
    /// The server's last reply to this message (not to QUIT or RSET).
    var reply: SMTPReply?
    /// The reply that refused AUTH, when one did.
    var authReply: SMTPReply?
    /// Whether libcurl had read the whole body: from then on the server may have the message.
    var bodyComplete: Bool
}

/// What a finished transfer means for the run.
enum TransferVerdict: Sendable, Equatable {
    case result(DeliveryResult)
    /// Stop starting new messages; the result, when present, is this message's own outcome.
    case stop(TransportError, DeliveryResult?)
}

/// Maps a finished transfer to one of the four outcomes, or to a reason to stop.
///
/// The reply code decides where there is one, not the curl code alone: the same dropped connection
/// means "safe to retry" after `DATA` was refused and "outcome unknown" after the body went out.
enum OutcomeClassifier {
    static func verdict(_ facts: TransferFacts, key: DeliveryKey) -> TransferVerdict {
        let reply = facts.reply
        func result(_ outcome: DeliveryOutcome, _ detail: String) -> DeliveryResult {
            DeliveryResult(key: key, outcome: outcome, reply: reply, detail: detail)
        }
        switch facts.end {
        case .completed:
            return .result(result(.delivered, "accepted by the server"))
        case .authenticationRejected:
            let said = (facts.authReply ?? reply).map { " (server said: \($0))" } ?? ""
            return .stop(
                .security(
                    "authentication rejected: the relay did not accept the username and password\(said)"),
                nil)
        case .noStartTLS:
            return .stop(
                .security(
                    "the server does not offer STARTTLS, which tls = \"starttls\" requires; nothing was sent, not even AUTH"
                ), nil)
        case .certificateUnverified:
            return .stop(
                .security(
                    "the server's TLS certificate could not be verified (\(facts.curlText)); set ca_file for a private relay"
                ), nil)
        case .tlsFailed:
            return .stop(.security("the TLS handshake failed (\(facts.curlText))"), nil)
        case .caFileUnreadable:
            return .stop(
                .configuration("ca_file could not be read as PEM certificates (\(facts.curlText))"), nil)
        case .couldNotConnect:
            let detail = "could not connect to the relay (\(facts.curlText))"
            return .stop(.unreachable(detail), result(.temporary, detail))
        case .timedOut, .failed:
            break
        }
        if let reply, reply.code >= 500 {
            let stage =
                facts.bodyComplete ? "refused after the message body" : "refused before the message body"
            return .result(result(.permanent, stage))
        }
        if let reply, reply.code >= 400 {
            let stage =
                facts.bodyComplete ? "deferred after the message body" : "deferred before the message body"
            return .result(result(.temporary, stage))
        }
        if reply?.code == 354, facts.bodyComplete {
            let what = facts.end == .timedOut ? "timed out" : "lost the connection (\(facts.curlText))"
            return .result(
                result(.unknown, "\(what) after the message body was sent, before the server's final reply"))
        }
        if reply == nil, facts.end == .timedOut {
            let detail = "no answer from the relay (\(facts.curlText))"
            return .stop(.unreachable(detail), result(.temporary, detail))
        }
        return .result(
            result(
                .temporary, "the connection failed before the message body was complete (\(facts.curlText))"))
    }
}
