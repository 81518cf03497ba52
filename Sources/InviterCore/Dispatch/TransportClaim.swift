import Foundation

/// Keeps a trial from eating the real send.
///
/// An organizer tries a network with `transport = "outbox"` first: the messages land in a folder,
/// and the ledger records them as sent. Switched to `smtp` on the same ledger, a run would then
/// skip everyone the trial "sent", and they would never get the real invitation. So a ledger
/// remembers the transport its deliveries went through, and a run through another one is
/// refused while any delivery is recorded as sent.
public enum TransportClaim {
    /// A run through `current` on a ledger whose `sent` deliveries went through `recorded`.
    public struct Conflict: Error, Sendable, Equatable, CustomStringConvertible {
        public let recorded: String
        public let current: String
        public let sent: Int
        public let state: String

        public var description: String {
            if recorded == Configuration.Delivery.TransportKind.outbox.rawValue {
                return
                    "the ledger in \(state) records \(counted(sent, "delivery")) as sent that went only into "
                    + "the outbox (a trial); through \(current) they would be skipped and never reach anyone. "
                    + "Forget the trial with `inviter reset` (the suppression list stays), "
                    + "or point [delivery] state at a new folder"
            }
            return "the ledger in \(state) records \(counted(sent, "delivery")) as sent through \(recorded); "
                + "through \(current) new deliveries would be recorded as sent without reaching anyone. "
                + "Give a trial its own [delivery] state folder"
        }
    }

    /// A word for the organizer when a ledger from before transports were recorded already holds
    /// sends: nothing tells whether they were a trial, so the run goes on, and says so once (the
    /// run then records its transport).
    public static func notice(_ ledger: any Ledger, for configuration: Configuration) throws -> String? {
        guard try ledger.transport() == nil else { return nil }
        let sent = try ledger.sentCount()
        guard sent > 0 else { return nil }
        return
            "the ledger in \(configuration.delivery.state.path) records \(counted(sent, "delivery")) as sent "
            + "from before it noted the transport; they now count as sent through "
            + "\(configuration.delivery.transport.rawValue). If they were a trial into the outbox, "
            + "stop and run `inviter reset` first"
    }

    /// Records the configured transport on a ledger's first use, and refuses a switch while any
    /// delivery is recorded as sent through the other one.
    ///
    /// - Throws: ``Conflict``.
    public static func claim(_ ledger: any Ledger, for configuration: Configuration) throws {
        let current = configuration.delivery.transport.rawValue
        let recorded = try ledger.transport()
        if let recorded, recorded != current {
            let sent = try ledger.sentCount()
            guard sent == 0 else {
                throw Conflict(
                    recorded: recorded, current: current, sent: sent, state: configuration.delivery.state.path
                )
            }
        }
        if recorded != current { try ledger.setTransport(current) }
    }
}
