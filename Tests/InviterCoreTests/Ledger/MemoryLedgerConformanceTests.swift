import Foundation
import InviterCore
import InviterTestSupport
import Synchronization
import Testing

/// The ledger's rules, played against ``SQLiteLedger`` and its twin ``MemoryLedger`` alike: the
/// dispatcher's fast tests run on the twin, and they prove something only while it behaves as the
/// real ledger does. Scenarios that only a file can have (reopening, two processes, the schema)
/// stay in `SQLiteLedgerTests`.
@Suite struct MemoryLedgerConformanceTests {
    /// The ledgers every scenario runs against.
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, memory

        var testDescription: String { rawValue }

        /// Runs `body` with a fresh, empty ledger of this kind, and removes its folder afterwards.
        func withLedger(_ body: (any Ledger) throws -> Void) throws {
            switch self {
            case .memory:
                try body(MemoryLedger())
            case .sqlite:
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent("inviter-ledger-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                try body(try SQLiteLedger(directory: directory))
            }
        }
    }

    /// A fixed instant with a fractional part, to show instants come back exactly.
    static let t0 = Date(timeIntervalSince1970: 1_781_000_000.25)

    static func mailing(_ id: MailingID, due: Date = t0, deadline: Date? = nil) -> MailingRecord {
        MailingRecord(id: id, kind: .invitation, dueAt: due, deadline: deadline)
    }

    static func recipients(_ addresses: [String], tag: String = "") -> [(
        address: AddressKey, messageID: String
    )] {
        addresses.map { (address: AddressKey($0), messageID: "<\($0.lowercased())\(tag)@inviter>") }
    }

    static func key(_ mailing: MailingID, _ recipient: String) -> DeliveryKey {
        DeliveryKey(mailing: mailing, recipient: AddressKey(recipient))
    }

    // MARK: - Reading for a plan

    /// A dry run reads what a run would take, and changes nothing: `waiting` gives what `ready`
    /// then gives (less the suppressed, which `ready` then skips), and `entries` every state.
    @Test(arguments: Kind.allCases, [true, false])
    func waitingIsWhatReadyGivesWithoutChangingAnything(_ kind: Kind, resendUnknown: Bool) throws {
        try kind.withLedger { ledger throws in
            let later = Self.t0.addingTimeInterval(600)
            _ = try ledger.register(
                Self.mailing("b-second", due: Self.t0.addingTimeInterval(60)),
                recipients: Self.recipients(["p@x.org", "r@x.org", "u@x.org", "s@x.org", "gone@x.org"]),
                now: Self.t0)
            _ = try ledger.register(
                Self.mailing("a-first"), recipients: Self.recipients(["z@x.org", "m@x.org"]), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("c-not-yet", due: later.addingTimeInterval(60)),
                recipients: Self.recipients(["n@x.org"]),
                now: Self.t0)
            let keys = ["r@x.org", "u@x.org", "s@x.org"].map { Self.key("b-second", $0) }
            try ledger.markSending(keys, now: Self.t0)
            try ledger.settle(
                [
                    RecordedOutcome(
                        key: keys[0], state: .retrying, reply: "451", retryAt: later.addingTimeInterval(1)),
                    RecordedOutcome(key: keys[1], state: .unknown, reply: "lost"),
                    RecordedOutcome(key: keys[2], state: .sent, reply: "250"),
                ], marking: [], now: Self.t0)
            try ledger.suppress("Gone@x.org", reason: "unsubscribed", now: Self.t0)

            let waiting = try ledger.waiting(now: later, resendUnknown: resendUnknown)
            let expected =
                [
                    Self.key("a-first", "m@x.org"), Self.key("a-first", "z@x.org"),
                    Self.key("b-second", "p@x.org"),
                ]
                + (resendUnknown ? [Self.key("b-second", "u@x.org")] : [])
            #expect(waiting.map(\.key) == expected)
            #expect(
                try ledger.entry(Self.key("b-second", "gone@x.org"))?.state == .pending, "nothing changed")
            #expect(
                try ledger.entries(of: "b-second").map(\.state)
                    == [.pending, .pending, .retrying, .sent, .unknown], "gone, p, r, s, u")
            #expect(
                try ledger.ready(now: later, resendUnknown: resendUnknown, limit: 100).map(\.key) == expected)
        }
    }

    // MARK: - Registering

    @Test(arguments: Kind.allCases)
    func registerIsIdempotentAndKeepsStates(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let first = Self.mailing("m1", deadline: Self.t0.addingTimeInterval(3600))
            #expect(
                try ledger.register(
                    first, recipients: Self.recipients(["A@Example.org", "b@example.org"]), now: Self.t0) == 2
            )
            try ledger.markSending([Self.key("m1", "a@example.org")], now: Self.t0)
            try ledger.record(
                Self.key("m1", "a@example.org"), state: .sent, reply: "250 OK", retryAt: nil, now: Self.t0)

            // Again, with one more recipient, new Message-IDs, another kind and a later deadline.
            var again = first
            again.kind = .reminder
            again.dueAt = Self.t0.addingTimeInterval(60)
            again.deadline = Self.t0.addingTimeInterval(7200)
            let added = try ledger.register(
                again,
                recipients: Self.recipients(["a@example.org", "B@EXAMPLE.ORG", "c@example.org"], tag: "-2"),
                now: Self.t0.addingTimeInterval(10))
            #expect(added == 1)

            let a = try #require(try ledger.entry(Self.key("m1", "A@example.org")))
            #expect(a.state == .sent)
            #expect(a.messageID == "<a@example.org@inviter>")
            #expect(a.attempts == 1)
            let b = try #require(try ledger.entry(Self.key("m1", "b@example.org")))
            #expect(b.state == .pending)
            #expect(b.messageID == "<b@example.org@inviter>")
            #expect(b.updatedAt == Self.t0)
            #expect(b.lastReply == nil)
            let c = try #require(try ledger.entry(Self.key("m1", "c@example.org")))
            #expect(c.state == .pending)
            #expect(c.messageID == "<c@example.org-2@inviter>")
            #expect(c.updatedAt == Self.t0.addingTimeInterval(10))

            // Only the deadline follows a second registration.
            #expect(
                try ledger.mailing("m1")
                    == MailingRecord(
                        id: "m1", kind: .invitation, dueAt: Self.t0,
                        deadline: Self.t0.addingTimeInterval(7200)))
            #expect(try ledger.mailing("nope") == nil)
            // A mailing with nobody yet is still known.
            #expect(try ledger.register(Self.mailing("empty"), recipients: [], now: Self.t0) == 0)
            #expect(try ledger.mailing("empty") == Self.mailing("empty"))
        }
    }

    @Test(arguments: Kind.allCases)
    func registerCountsADuplicateRecipientOnce(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let added = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["x@example.org", "X@example.org"]),
                now: Self.t0)
            #expect(added == 1)
            #expect(try ledger.entry(Self.key("m1", "x@example.org"))?.messageID == "<x@example.org@inviter>")
        }
    }

    @Test(arguments: Kind.allCases)
    func suppressedAddressIsRegisteredAsSkipped(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            try ledger.suppress("Gone@Example.org", reason: "unsubscribed", now: Self.t0)
            let added = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["gone@example.org", "here@example.org"]),
                now: Self.t0)
            #expect(added == 2)
            let gone = try #require(try ledger.entry(Self.key("m1", "gone@example.org")))
            #expect(gone.state == .skipped)
            #expect(gone.lastReply == "suppressed: unsubscribed")
            #expect(gone.attempts == 0)
            let ready = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10)
            #expect(ready.map(\.key.recipient) == ["here@example.org"])
        }
    }

    // MARK: - The state machine

    @Test(arguments: Kind.allCases)
    func deliveriesMoveThroughTheStateMachine(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = ["sent@x.org", "later@x.org", "notime@x.org", "bad@x.org"]
            _ = try ledger.register(Self.mailing("m1"), recipients: Self.recipients(addresses), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            #expect(try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10).count == 4)

            let t1 = Self.t0.addingTimeInterval(1)
            try ledger.markSending(keys, now: t1)
            for key in keys {
                let entry = try #require(try ledger.entry(key))
                #expect(entry.state == .sending)
                #expect(entry.attempts == 1)
                #expect(entry.updatedAt == t1)
            }
            #expect(try ledger.ready(now: t1, resendUnknown: true, limit: 10).isEmpty)

            let retryAt = Self.t0.addingTimeInterval(300)
            try ledger.record(keys[0], state: .sent, reply: "250 2.0.0 queued", retryAt: nil, now: t1)
            try ledger.record(keys[1], state: .retrying, reply: "451 try later", retryAt: retryAt, now: t1)
            try ledger.record(keys[2], state: .retrying, reply: "421 closing", retryAt: nil, now: t1)
            try ledger.record(keys[3], state: .failed, reply: "550 no such user", retryAt: nil, now: t1)

            #expect(try ledger.entry(keys[0])?.state == .sent)
            #expect(try ledger.entry(keys[0])?.lastReply == "250 2.0.0 queued")
            let later = try #require(try ledger.entry(keys[1]))
            #expect(later.state == .retrying)
            #expect(later.nextAttemptAt == retryAt)
            #expect(later.lastReply == "451 try later")
            // A retry with no time to retry at would wait for ever: it fails instead.
            #expect(try ledger.entry(keys[2])?.state == .failed)
            #expect(try ledger.entry(keys[2])?.nextAttemptAt == nil)
            #expect(try ledger.entry(keys[3])?.state == .failed)
            #expect(try ledger.entry(keys[3])?.lastReply == "550 no such user")

            // The retry is not ready before its time, and is at it.
            #expect(
                try ledger.ready(now: retryAt.addingTimeInterval(-1), resendUnknown: true, limit: 10).isEmpty)
            let due = try ledger.ready(now: retryAt, resendUnknown: true, limit: 10)
            #expect(due.map(\.key) == [keys[1]])
            try ledger.markSending([keys[1]], now: retryAt)
            #expect(try ledger.entry(keys[1])?.attempts == 2)
            #expect(try ledger.entry(keys[1])?.nextAttemptAt == nil)
            try ledger.record(keys[1], state: .sent, reply: "250 OK", retryAt: nil, now: retryAt)

            // A late or duplicate outcome never undoes a success.
            try ledger.record(keys[0], state: .failed, reply: "550 late", retryAt: nil, now: retryAt)
            try ledger.record(keys[0], state: .retrying, reply: "451 late", retryAt: retryAt, now: retryAt)
            try ledger.markSending([keys[0]], now: retryAt)
            try ledger.skip([keys[0]], reason: "missed", now: retryAt)
            let sent = try #require(try ledger.entry(keys[0]))
            #expect(sent.state == .sent)
            #expect(sent.lastReply == "250 2.0.0 queued")
            #expect(sent.attempts == 1)
            #expect(sent.updatedAt == t1)
        }
    }

    @Test(arguments: Kind.allCases)
    func unregisteredDeliveriesAreReported(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            _ = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["a@x.org"]), now: Self.t0)
            let missing = Self.key("m1", "nobody@x.org")
            // `m1` is the announcement of that name (see IdentityLiterals).
            let expected =
                "the ledger has no delivery announcement/m1 → nobody@x.org; register the mailing first"
            let recorded = #expect(throws: (any Error).self) {
                try ledger.record(missing, state: .sent, reply: nil, retryAt: nil, now: Self.t0)
            }
            #expect(recorded.map { "\($0)" } == expected)
            // The whole batch is refused, so nothing is marked that the caller will not send.
            let marked = #expect(throws: (any Error).self) {
                try ledger.markSending([Self.key("m1", "a@x.org"), missing], now: Self.t0)
            }
            #expect(marked.map { "\($0)" } == expected)
            #expect(try ledger.entry(Self.key("m1", "a@x.org"))?.state == .pending)
            #expect(try ledger.entry(Self.key("m1", "a@x.org"))?.attempts == 0)
            // Skipping what was never there is not an error.
            try ledger.skip([missing], reason: "missed", now: Self.t0)
            #expect(try ledger.entry(missing) == nil)
        }
    }

    @Test(arguments: Kind.allCases)
    func skipMarksPairsWithTheReason(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            _ = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["a@x.org", "b@x.org"]), now: Self.t0)
            try ledger.skip([Self.key("m1", "A@x.org")], reason: "missed beyond grace", now: Self.t0)
            let skipped = try #require(try ledger.entry(Self.key("m1", "a@x.org")))
            #expect(skipped.state == .skipped)
            #expect(skipped.lastReply == "missed beyond grace")
            #expect(
                try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10).map(\.key.recipient) == [
                    "b@x.org"
                ])
        }
    }

    // MARK: - Settling a group

    @Test(arguments: Kind.allCases)
    func settleRecordsOutcomesSuppressesAndMarksAtOnce(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
            _ = try ledger.register(Self.mailing("m1"), recipients: Self.recipients(addresses), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            try ledger.markSending(Array(keys[0...1]), now: Self.t0)

            let t1 = Self.t0.addingTimeInterval(2)
            try ledger.settle(
                [
                    RecordedOutcome(key: keys[0], state: .sent, reply: "250 2.0.0 Ok"),
                    RecordedOutcome(
                        key: keys[1], state: .failed, reply: "550 5.1.1 user unknown",
                        suppression: "bounced: 550 5.1.1 user unknown"),
                ],
                marking: Array(keys[2...3]), now: t1)
            #expect(try ledger.entry(keys[0])?.state == .sent)
            let bounced = try #require(try ledger.entry(keys[1]))
            #expect(bounced.state == .failed)
            #expect(bounced.lastReply == "550 5.1.1 user unknown")
            #expect(bounced.updatedAt == t1)
            for key in keys[2...3] {
                #expect(try ledger.entry(key)?.state == .sending)
                #expect(try ledger.entry(key)?.attempts == 1)
            }
            let list = try ledger.suppressed()
            #expect(list.map(\.address) == ["b@x.org"])
            #expect(list.map(\.reason) == ["bounced: 550 5.1.1 user unknown"])
            #expect(list.map(\.since) == [t1])

            // A bounce that comes after a success suppresses the address and leaves the success.
            try ledger.settle(
                [
                    RecordedOutcome(
                        key: keys[0], state: .failed, reply: "550 5.1.1 late", suppression: "bounced")
                ],
                marking: [], now: t1)
            #expect(try ledger.entry(keys[0])?.state == .sent)
            #expect(try ledger.isSuppressed("a@x.org"))

            // One key it lacks refuses the whole group: outcomes and marks.
            let missing = Self.key("m1", "nobody@x.org")
            #expect(throws: (any Error).self) {
                try ledger.settle(
                    [RecordedOutcome(key: keys[2], state: .sent, reply: "250", suppression: "never")],
                    marking: [missing], now: t1)
            }
            #expect(try ledger.entry(keys[2])?.state == .sending)
            #expect(try !ledger.isSuppressed("c@x.org"))
            // Nothing at all to settle is nothing to do.
            try ledger.settle([], marking: [], now: t1)
            #expect(try ledger.entry(keys[3])?.state == .sending)
        }
    }

    // MARK: - Interrupted runs

    @Test(arguments: Kind.allCases, [true, false])
    func interruptedSendsBecomeUnknown(_ kind: Kind, resendUnknown: Bool) throws {
        try kind.withLedger { ledger throws in
            _ = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["a@x.org", "b@x.org"]), now: Self.t0)
            let a = Self.key("m1", "a@x.org")
            try ledger.markSending([a], now: Self.t0)
            // The run dies here. The next one starts:
            let t1 = Self.t0.addingTimeInterval(120)
            #expect(try ledger.recoverInterrupted(now: t1) == 1)
            #expect(try ledger.recoverInterrupted(now: t1) == 0)
            let unknown = try #require(try ledger.entry(a))
            #expect(unknown.state == .unknown)
            #expect(unknown.lastReply == "the run stopped while this message was being sent")
            #expect(unknown.messageID == "<a@x.org@inviter>")
            #expect(unknown.attempts == 1)
            #expect(unknown.updatedAt == t1)

            let ready = try ledger.ready(now: t1, resendUnknown: resendUnknown, limit: 10)
            if resendUnknown {
                #expect(ready.map(\.key.recipient) == ["a@x.org", "b@x.org"])
                #expect(try ledger.entry(a)?.state == .unknown)
            } else {
                #expect(ready.map(\.key.recipient) == ["b@x.org"])
                let held = try #require(try ledger.entry(a))
                #expect(held.state == .held)
                #expect(held.lastReply == "the run stopped while this message was being sent")
                // Held stays held, also when a later run would resend unknown ones.
                #expect(
                    try ledger.ready(now: t1, resendUnknown: true, limit: 10).map(\.key.recipient) == [
                        "b@x.org"
                    ])
            }
        }
    }

    // MARK: - Deadlines, order and limits

    @Test(arguments: Kind.allCases)
    func expireFailsWhatIsStillWaitingAfterTheDeadline(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let deadline = Self.t0.addingTimeInterval(3600)
            let addresses = ["pending@x.org", "retry@x.org", "unknown@x.org", "held@x.org", "sent@x.org"]
            _ = try ledger.register(
                Self.mailing("m1", deadline: deadline), recipients: Self.recipients(addresses), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("open"), recipients: Self.recipients(["o@x.org"]), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            try ledger.markSending(Array(keys[1...]), now: Self.t0)
            try ledger.record(keys[1], state: .retrying, reply: "451", retryAt: deadline, now: Self.t0)
            try ledger.record(keys[2], state: .unknown, reply: "connection lost", retryAt: nil, now: Self.t0)
            try ledger.record(keys[3], state: .unknown, reply: "connection lost", retryAt: nil, now: Self.t0)
            try ledger.record(keys[4], state: .sent, reply: "250", retryAt: nil, now: Self.t0)
            _ = try ledger.ready(now: Self.t0, resendUnknown: false, limit: 0)  // unknown → held
            try ledger.record(keys[2], state: .unknown, reply: "connection lost", retryAt: nil, now: Self.t0)

            #expect(try ledger.expire(now: deadline.addingTimeInterval(-1), reason: "too late") == 0)
            #expect(try ledger.expire(now: deadline, reason: "the event has started") == 3)
            for key in keys[0...2] {
                let entry = try #require(try ledger.entry(key))
                #expect(entry.state == .failed)
                #expect(entry.lastReply == "the event has started")
                #expect(entry.nextAttemptAt == nil)
                #expect(entry.updatedAt == deadline)
            }
            #expect(try ledger.entry(keys[3])?.state == .held)
            #expect(try ledger.entry(keys[4])?.state == .sent)
            #expect(try ledger.entry(Self.key("open", "o@x.org"))?.state == .pending)
            #expect(try ledger.expire(now: deadline, reason: "again") == 0)
        }
    }

    @Test(arguments: Kind.allCases)
    func readyExcludesPastDeadlinesAndKeepsOrderAndLimit(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let now = Self.t0.addingTimeInterval(86_400)
            // Due order differs from id order on purpose.
            _ = try ledger.register(
                Self.mailing("b-first", due: Self.t0), recipients: Self.recipients(["z@x.org", "m@x.org"]),
                now: Self.t0)
            _ = try ledger.register(
                Self.mailing(
                    "a-second", due: Self.t0.addingTimeInterval(60), deadline: now.addingTimeInterval(1)),
                recipients: Self.recipients(["y@x.org", "a@x.org"]), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("a-same-due", due: Self.t0.addingTimeInterval(60)),
                recipients: Self.recipients(["q@x.org"]), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("0-expired", due: Self.t0.addingTimeInterval(-60), deadline: now),
                recipients: Self.recipients(["e@x.org"]), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("later", due: now.addingTimeInterval(1)),
                recipients: Self.recipients(["l@x.org"]),
                now: Self.t0)

            let all = try ledger.ready(now: now, resendUnknown: true, limit: 100)
            #expect(
                all.map(\.key) == [
                    Self.key("b-first", "m@x.org"), Self.key("b-first", "z@x.org"),
                    Self.key("a-same-due", "q@x.org"), Self.key("a-second", "a@x.org"),
                    Self.key("a-second", "y@x.org"),
                ])
            #expect(
                try ledger.ready(now: now, resendUnknown: true, limit: 3).map(\.key)
                    == all.prefix(3).map(\.key))
            #expect(try ledger.ready(now: now, resendUnknown: true, limit: 0).isEmpty)
            // Before its deadline the expired mailing was ready, first.
            let earlier = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 1)
            #expect(earlier.map(\.key.mailing) == ["0-expired"])
        }
    }

    @Test(arguments: Kind.allCases)
    func readyMixesStatesInRecipientOrderWithinAMailing(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = ["d@x.org", "c@x.org", "b@x.org", "a@x.org", "e@x.org"]
            _ = try ledger.register(Self.mailing("m1"), recipients: Self.recipients(addresses), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            try ledger.markSending(Array(keys[0...2]), now: Self.t0)
            let t1 = Self.t0.addingTimeInterval(600)
            try ledger.record(keys[0], state: .retrying, reply: "451", retryAt: t1, now: Self.t0)
            try ledger.record(keys[1], state: .unknown, reply: "dropped", retryAt: nil, now: Self.t0)
            try ledger.record(
                keys[2], state: .retrying, reply: "451", retryAt: t1.addingTimeInterval(1), now: Self.t0)

            // d is due again, c in doubt, b not yet: merged with the pending a and e by recipient.
            let ready = try ledger.ready(now: t1, resendUnknown: true, limit: 10)
            #expect(ready.map(\.key.recipient) == ["a@x.org", "c@x.org", "d@x.org", "e@x.org"])
            #expect(ready.map(\.state) == [.pending, .unknown, .retrying, .pending])
            #expect(ready[2].nextAttemptAt == t1)
            #expect(
                try ledger.ready(now: t1, resendUnknown: true, limit: 2).map(\.key.recipient) == [
                    "a@x.org", "c@x.org",
                ])
        }
    }

    // MARK: - Suppression

    @Test(arguments: Kind.allCases)
    func suppressionCanBeAddedListedAndRemoved(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            #expect(try ledger.suppressed().isEmpty)
            try ledger.suppress("Zed@X.org", reason: "unsubscribed", now: Self.t0)
            try ledger.suppress("amy@x.org", reason: "unsubscribed", now: Self.t0)
            try ledger.suppress("AMY@x.org", reason: "bounced: 550", now: Self.t0.addingTimeInterval(5))
            let list = try ledger.suppressed()
            #expect(list.map(\.address) == ["amy@x.org", "zed@x.org"])
            #expect(list.map(\.reason) == ["bounced: 550", "unsubscribed"])
            #expect(list.map(\.since) == [Self.t0.addingTimeInterval(5), Self.t0])
            #expect(try ledger.isSuppressed("ZED@x.org"))
            #expect(try !ledger.isSuppressed("other@x.org"))

            #expect(try ledger.unsuppress("Zed@x.org"))
            #expect(try !ledger.unsuppress("zed@x.org"))
            #expect(try !ledger.isSuppressed("zed@x.org"))
            #expect(try ledger.suppressed().map(\.address) == ["amy@x.org"])
        }
    }

    @Test(arguments: Kind.allCases)
    func addressSuppressedAfterRegisteringIsNeverReady(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
            _ = try ledger.register(Self.mailing("m1"), recipients: Self.recipients(addresses), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            // c waits for a retry, d is in flight: a suppression skips the first, not the second.
            try ledger.markSending(Array(keys[2...3]), now: Self.t0)
            try ledger.record(keys[2], state: .retrying, reply: "451", retryAt: Self.t0, now: Self.t0)
            for address in ["A@x.org", "c@x.org", "d@x.org"] {
                try ledger.suppress(AddressKey(address), reason: "bounced", now: Self.t0)
            }
            let t1 = Self.t0.addingTimeInterval(1)
            let ready = try ledger.ready(now: t1, resendUnknown: true, limit: 10)
            #expect(ready.map(\.key.recipient) == ["b@x.org"])
            for key in [keys[0], keys[2]] {
                let skipped = try #require(try ledger.entry(key))
                #expect(skipped.state == .skipped)
                #expect(skipped.lastReply == "suppressed: bounced")
                #expect(skipped.nextAttemptAt == nil)
                #expect(skipped.updatedAt == t1)
            }
            #expect(try ledger.entry(keys[3])?.state == .sending)
        }
    }

    // MARK: - Status

    @Test(arguments: Kind.allCases)
    func statusCountsStatesAndListsWhatNeedsAttention(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = ["d@x.org", "c@x.org", "b@x.org", "a@x.org", "e@x.org"]
            _ = try ledger.register(
                Self.mailing("late", due: Self.t0.addingTimeInterval(60)),
                recipients: Self.recipients(addresses),
                now: Self.t0)
            _ = try ledger.register(
                Self.mailing("early"), recipients: Self.recipients(["a@x.org"]), now: Self.t0)
            let keys = addresses.map { Self.key("late", $0) }
            try ledger.markSending(Array(keys[0...3]), now: Self.t0)
            try ledger.record(keys[0], state: .failed, reply: "550", retryAt: nil, now: Self.t0)
            try ledger.record(keys[1], state: .unknown, reply: "dropped", retryAt: nil, now: Self.t0)
            try ledger.record(keys[2], state: .sent, reply: "250", retryAt: nil, now: Self.t0)
            try ledger.record(keys[3], state: .unknown, reply: "dropped", retryAt: nil, now: Self.t0)
            _ = try ledger.ready(now: Self.t0, resendUnknown: false, limit: 0)  // both unknown → held
            try ledger.record(keys[1], state: .unknown, reply: "dropped again", retryAt: nil, now: Self.t0)

            let all = try ledger.status(mailing: nil)
            #expect(all.map(\.mailing.id) == ["early", "late"])
            #expect(all[0].counts == [.pending: 1])
            #expect(all[0].attention.isEmpty)
            #expect(all[1].counts == [.failed: 1, .unknown: 1, .held: 1, .sent: 1, .pending: 1])
            #expect(all[1].attention.map(\.key.recipient) == ["a@x.org", "c@x.org", "d@x.org"])
            #expect(all[1].attention.map(\.state) == [.held, .unknown, .failed])
            #expect(all[1].attention.map(\.lastReply) == ["dropped", "dropped again", "550"])

            let one = try ledger.status(mailing: "late")
            #expect(one == [all[1]])
            #expect(try ledger.status(mailing: "missing").isEmpty)
        }
    }

    // MARK: - Occurrences

    @Test(arguments: Kind.allCases)
    func occurrenceVersionsAndRecipientsByState(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let occurrence: OccurrenceID = "wednesday-hygge/2026-12-02"
            #expect(try ledger.occurrenceVersion(occurrence) == nil)
            try ledger.setOccurrenceVersion(
                occurrence, fingerprint: "19:00|The Pub", sequence: 0, now: Self.t0)
            try ledger.setOccurrenceVersion(
                occurrence, fingerprint: "20:00|The Pub", sequence: 1, now: Self.t0)
            let version = try #require(try ledger.occurrenceVersion(occurrence))
            #expect(version.fingerprint == "20:00|The Pub")
            #expect(version.sequence == 1)
            #expect(try ledger.occurrenceVersion("wednesday-hygge/2026-12-09") == nil)

            let invitation = MailingID.of(.invitation, occurrence)
            let addresses = ["c@x.org", "a@x.org", "b@x.org"]
            _ = try ledger.register(
                Self.mailing(invitation), recipients: Self.recipients(addresses), now: Self.t0)
            _ = try ledger.register(
                Self.mailing("other"), recipients: Self.recipients(["d@x.org"]), now: Self.t0)
            let keys = addresses.map { Self.key(invitation, $0) } + [Self.key("other", "d@x.org")]
            try ledger.markSending(keys, now: Self.t0)
            for key in [keys[0], keys[1], keys[3]] {
                try ledger.record(key, state: .sent, reply: "250", retryAt: nil, now: Self.t0)
            }
            #expect(try ledger.recipients(of: invitation, state: .sent) == ["a@x.org", "c@x.org"])
            #expect(try ledger.recipients(of: invitation, state: .sending) == ["b@x.org"])
            #expect(try ledger.recipients(of: invitation, state: .failed).isEmpty)
        }
    }

    // MARK: - Rate limit

    @Test(arguments: Kind.allCases)
    func tokenBucketHasCapacityAndRefillsOverTime(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let rate = RateLimit(messages: 30, per: 60)
            #expect(try ledger.takeTokens(50, rate: rate, now: Self.t0) == 30)
            #expect(try ledger.takeTokens(1, rate: rate, now: Self.t0) == 0)
            #expect(try ledger.takeTokens(5, rate: rate, now: Self.t0.addingTimeInterval(1)) == 0)
            #expect(try ledger.takeTokens(5, rate: rate, now: Self.t0.addingTimeInterval(2)) == 1)
            #expect(try ledger.takeTokens(0, rate: rate, now: Self.t0.addingTimeInterval(2)) == 0)
            // Never more than the capacity, however long the pause.
            #expect(try ledger.takeTokens(100, rate: rate, now: Self.t0.addingTimeInterval(60)) == 29)
            #expect(try ledger.takeTokens(100, rate: rate, now: Self.t0.addingTimeInterval(3600)) == 30)
            // Half tokens add up: 4 × 0.5 s at 30/min is one whole token.
            var granted = 0
            for step in 1...4 {
                granted += try ledger.takeTokens(
                    1, rate: rate, now: Self.t0.addingTimeInterval(3600 + 0.5 * Double(step)))
            }
            #expect(granted == 1)
        }
    }

    @Test(arguments: Kind.allCases)
    func tokenBucketStartsFullOnARateChangeAndIgnoresAClockGoingBack(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let slow = RateLimit(messages: 30, per: 60)
            #expect(try ledger.takeTokens(30, rate: slow, now: Self.t0) == 30)
            let fast = RateLimit(messages: 5, per: 1)
            #expect(try ledger.takeTokens(10, rate: fast, now: Self.t0) == 5)
            #expect(try ledger.takeTokens(10, rate: fast, now: Self.t0) == 0)
            // Back to the old rate: a fresh, full bucket.
            #expect(try ledger.takeTokens(40, rate: slow, now: Self.t0) == 30)
            // The clock steps back a minute and forward again: only real time refills.
            #expect(try ledger.takeTokens(40, rate: slow, now: Self.t0.addingTimeInterval(-60)) == 0)
            #expect(try ledger.takeTokens(40, rate: slow, now: Self.t0.addingTimeInterval(2)) == 1)
        }
    }

    // MARK: - Callers on several threads

    @Test(arguments: Kind.allCases)
    func callsFromSeveralThreadsNeitherLoseNorDoubleAnything(_ kind: Kind) throws {
        try kind.withLedger { ledger throws in
            let addresses = (0..<40).map { "r\($0)@x.org" }
            _ = try ledger.register(Self.mailing("m1"), recipients: Self.recipients(addresses), now: Self.t0)
            let keys = addresses.map { Self.key("m1", $0) }
            let rate = RateLimit(messages: 25, per: 3600)
            let granted = Mutex(0)
            let failures = Mutex<[String]>([])
            // As in a run: marks on one thread, outcomes from another, the run's reads on a third.
            DispatchQueue.concurrentPerform(iterations: keys.count) { index in
                do {
                    try ledger.markSending([keys[index]], now: Self.t0)
                    try ledger.settle(
                        [RecordedOutcome(key: keys[index], state: .sent, reply: "250")], marking: [],
                        now: Self.t0)
                    _ = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 5)
                    let got = try ledger.takeTokens(1, rate: rate, now: Self.t0)
                    granted.withLock { $0 += got }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(granted.withLock { $0 } == 25)
            #expect(try ledger.status(mailing: "m1").first?.counts == [.sent: 40])
            #expect(try keys.allSatisfy { try ledger.entry($0)?.attempts == 1 })
        }
    }
}
