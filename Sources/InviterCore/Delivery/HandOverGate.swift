/// Leave to hand envelopes to a server, given by whoever keeps the records.
///
/// A transport carries bytes and reports outcomes; it records nothing. Before each hand-over it
/// asks the gate how far it may go, and the dispatcher's ``SendingMarks`` answers by marking the
/// envelopes `sending` in the ledger, a group at a time, ahead of the connections: so a process
/// killed at any instant leaves only a handful of messages in doubt, and the transport never waits
/// for a disk.
public protocol HandOverGate: Sendable {
    /// How many envelopes, counted from the first of the delivery, may be handed over now; asks
    /// for more to be cleared when `next` comes close to that. Never blocks.
    ///
    /// - Throws: when clearing failed (the ledger could not be written): start nothing more.
    func cleared(toward next: Int) throws -> Int

    /// Whether the envelope at `index`, already cleared, is withheld after all and must not be
    /// handed over: its address was unsubscribed after the batch was taken.
    func isWithheld(_ index: Int) -> Bool

    /// Registers what to call when more envelopes are cleared, so a transport waiting for them
    /// goes on; set once, before the first ``cleared(toward:)``, and called from any thread.
    func whenCleared(_ wake: @escaping @Sendable () -> Void)

    /// Waits until no clearing is in progress. The transport calls it before its delivery
    /// returns, so that nothing is cleared, and nobody woken, after the delivery is over.
    func finish()
}

/// A gate that clears everything at once: for a single message outside the ledger (`send-test`,
/// a test copy of an announcement), where there is nothing to record.
public struct OpenGate: HandOverGate {
    public init() {}

    public func cleared(toward next: Int) throws -> Int { Int.max }
    public func isWithheld(_ index: Int) -> Bool { false }
    public func whenCleared(_ wake: @escaping @Sendable () -> Void) {}
    public func finish() {}
}
