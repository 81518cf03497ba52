import Foundation
import Synchronization

/// What one run did, for the summary line, `--json` and the exit code.
public struct RunSummary: Sendable, Codable {
    public var mailingsDue: [String] = []
    public var registered = 0
    public var sent = 0
    public var retrying = 0
    public var failed = 0
    public var unknown = 0
    public var skipped = 0
    public var recovered = 0
    public var expired = 0
    /// Waitlisted members given a seat that a raised capacity freed (their seat notices go in this run).
    public var promoted = 0
    /// Deliveries left waiting because the rate limit's budget was spent.
    public var waitingForRateLimit = 0
    /// Set when the run stopped early: the relay refused for security, or could not be reached.
    public var stoppedBecause: String?
    public var stopKind: StopKind?

    public enum StopKind: String, Sendable, Codable { case security, unreachable, configuration }

    public init() {}

    /// One paragraph for the log.
    public var text: String {
        var parts = [counted(mailingsDue.count, "mailing") + " due"]
        parts.append("\(sent) sent")
        if retrying > 0 { parts.append("\(retrying) to retry later") }
        if failed > 0 { parts.append("\(failed) failed permanently") }
        if unknown > 0 { parts.append("\(unknown) with unknown outcome") }
        if skipped > 0 { parts.append("\(skipped) skipped") }
        if waitingForRateLimit > 0 { parts.append("\(waitingForRateLimit) waiting for the rate limit") }
        if recovered > 0 { parts.append("\(recovered) found in doubt from an interrupted run") }
        if expired > 0 { parts.append("\(expired) given up because the event started") }
        if promoted > 0 { parts.append("\(promoted) moved from a waitlist to a free seat") }
        var text = parts.joined(separator: ", ") + "."
        if let stoppedBecause { text += " Stopped: \(stoppedBecause)." }
        return text
    }
}
