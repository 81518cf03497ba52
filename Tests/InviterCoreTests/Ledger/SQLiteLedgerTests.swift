import Foundation
import InviterCore
import InviterTestSupport
import Synchronization
import Testing

@Suite struct SQLiteLedgerTests {
    /// A fixed instant with a fractional part, to show instants survive the round trip exactly.
    static let t0 = Date(timeIntervalSince1970: 1_781_000_000.25)

    static func folder() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("inviter-ledger-\(UUID().uuidString)")
    }

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

    /// Runs `body` with a ledger in a fresh folder, and removes the folder afterwards.
    static func withLedger(_ body: (SQLiteLedger, URL) throws -> Void) throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(try SQLiteLedger(directory: directory), directory)
    }

    // MARK: - Registering

    @Test func registerIsIdempotentAndKeepsStates() throws {
        try Self.withLedger { ledger, directory throws in
            #expect(
                FileManager.default.fileExists(atPath: directory.appendingPathComponent("ledger.sqlite").path)
            )
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
            #expect(try ledger.entry(Self.key("m1", "c@example.org"))?.state == .pending)

            // Only the deadline follows a second registration.
            #expect(
                try ledger.mailing("m1")
                    == MailingRecord(
                        id: "m1", kind: .invitation, dueAt: Self.t0,
                        deadline: Self.t0.addingTimeInterval(7200)))
            #expect(try ledger.mailing("nope") == nil)
        }
    }

    @Test func registerCountsADuplicateRecipientOnce() throws {
        try Self.withLedger { ledger, _ throws in
            let added = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["x@example.org", "X@example.org"]),
                now: Self.t0)
            #expect(added == 1)
        }
    }

    @Test func suppressedAddressIsRegisteredAsSkipped() throws {
        try Self.withLedger { ledger, _ throws in
            try ledger.suppress("Gone@Example.org", reason: "unsubscribed", now: Self.t0)
            let added = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["gone@example.org", "here@example.org"]),
                now: Self.t0)
            #expect(added == 2)
            let gone = try #require(try ledger.entry(Self.key("m1", "gone@example.org")))
            #expect(gone.state == .skipped)
            #expect(gone.lastReply == "suppressed: unsubscribed")
            let ready = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10)
            #expect(ready.map(\.key.recipient) == ["here@example.org"])
        }
    }

    // MARK: - The state machine

    @Test func deliveriesMoveThroughTheStateMachine() throws {
        try Self.withLedger { ledger, _ throws in
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

    @Test func unregisteredDeliveriesAreReported() throws {
        try Self.withLedger { ledger, _ throws in
            _ = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["a@x.org"]), now: Self.t0)
            let missing = Self.key("m1", "nobody@x.org")
            #expect(throws: SQLiteLedgerError.unknownDelivery(missing)) {
                try ledger.record(missing, state: .sent, reply: nil, retryAt: nil, now: Self.t0)
            }
            // The whole batch is refused, so nothing is marked that the caller will not send.
            #expect(throws: SQLiteLedgerError.unknownDelivery(missing)) {
                try ledger.markSending([Self.key("m1", "a@x.org"), missing], now: Self.t0)
            }
            #expect(try ledger.entry(Self.key("m1", "a@x.org"))?.state == .pending)
            // Skipping what was never there is not an error.
            try ledger.skip([missing], reason: "missed", now: Self.t0)
            #expect(try ledger.entry(missing) == nil)
        }
    }

    @Test func skipMarksPairsWithTheReason() throws {
        try Self.withLedger { ledger, _ throws in
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

    // MARK: - Interrupted runs

    @Test(arguments: [true, false])
    func interruptedSendsBecomeUnknown(resendUnknown: Bool) throws {
        try Self.withLedger { ledger, _ throws in
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

            let ready = try ledger.ready(now: t1, resendUnknown: resendUnknown, limit: 10)
            if resendUnknown {
                #expect(ready.map(\.key.recipient) == ["a@x.org", "b@x.org"])
                #expect(try ledger.entry(a)?.state == .unknown)
            } else {
                #expect(ready.map(\.key.recipient) == ["b@x.org"])
                #expect(try ledger.entry(a)?.state == .held)
                // Held stays held, also when a later run would resend unknown ones.
                #expect(
                    try ledger.ready(now: t1, resendUnknown: true, limit: 10).map(\.key.recipient) == [
                        "b@x.org"
                    ])
            }
        }
    }

    // MARK: - Deadlines, order and limits

    @Test func expireFailsWhatIsStillWaitingAfterTheDeadline() throws {
        try Self.withLedger { ledger, _ throws in
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
            }
            #expect(try ledger.entry(keys[3])?.state == .held)
            #expect(try ledger.entry(keys[4])?.state == .sent)
            #expect(try ledger.entry(Self.key("open", "o@x.org"))?.state == .pending)
        }
    }

    @Test func readyExcludesPastDeadlinesAndKeepsOrderAndLimit() throws {
        try Self.withLedger { ledger, _ throws in
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

    // MARK: - Suppression

    @Test func suppressionCanBeAddedListedAndRemoved() throws {
        try Self.withLedger { ledger, _ throws in
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

    @Test func addressSuppressedAfterRegisteringIsNeverReady() throws {
        try Self.withLedger { ledger, _ throws in
            _ = try ledger.register(
                Self.mailing("m1"), recipients: Self.recipients(["a@x.org", "b@x.org"]), now: Self.t0)
            try ledger.suppress("A@x.org", reason: "bounced", now: Self.t0)
            let ready = try ledger.ready(now: Self.t0, resendUnknown: true, limit: 10)
            #expect(ready.map(\.key.recipient) == ["b@x.org"])
            let skipped = try #require(try ledger.entry(Self.key("m1", "a@x.org")))
            #expect(skipped.state == .skipped)
            #expect(skipped.lastReply == "suppressed: bounced")
        }
    }

    // MARK: - Status

    @Test func statusCountsStatesAndListsWhatNeedsAttention() throws {
        try Self.withLedger { ledger, _ throws in
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

            let one = try ledger.status(mailing: "late")
            #expect(one == [all[1]])
            #expect(try ledger.status(mailing: "missing").isEmpty)
        }
    }

    // MARK: - Rate limit

    @Test func tokenBucketHasCapacityAndRefillsOverTime() throws {
        try Self.withLedger { ledger, _ throws in
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

    @Test func tokenBucketStartsFullOnARateChangeAndIgnoresAClockGoingBack() throws {
        try Self.withLedger { ledger, _ throws in
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

    // MARK: - Durability and concurrency

    @Test func aReopenedLedgerSeesEverything() throws {
        let root = Self.folder()
        let directory = root.appendingPathComponent("state/nested")
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            let ledger = try SQLiteLedger(directory: directory)
            _ = try ledger.register(
                Self.mailing("m1", deadline: Self.t0.addingTimeInterval(60)),
                recipients: Self.recipients(["a@x.org"]),
                now: Self.t0)
            try ledger.markSending([Self.key("m1", "a@x.org")], now: Self.t0)
            try ledger.suppress("b@x.org", reason: "unsubscribed", now: Self.t0)
            #expect(try ledger.takeTokens(25, rate: RateLimit(messages: 30, per: 60), now: Self.t0) == 25)
        }
        let reopened = try SQLiteLedger(directory: directory)
        #expect(reopened.file.lastPathComponent == "ledger.sqlite")
        #expect(try reopened.mailing("m1")?.deadline == Self.t0.addingTimeInterval(60))
        #expect(try reopened.entry(Self.key("m1", "a@x.org"))?.state == .sending)
        #expect(try reopened.isSuppressed("b@x.org"))
        #expect(try reopened.takeTokens(25, rate: RateLimit(messages: 30, per: 60), now: Self.t0) == 5)
        #expect(try reopened.recoverInterrupted(now: Self.t0) == 1)
    }

    @Test func twoLedgersOnOneFileNeverExceedTheBudget() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledgers = [try SQLiteLedger(directory: directory), try SQLiteLedger(directory: directory)]
        let rate = RateLimit(messages: 50, per: 3600)
        let granted = Mutex(0)
        let failures = Mutex<[String]>([])
        // A fixed instant, so nothing refills: together the takers must get exactly the capacity.
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            do {
                let got = try ledgers[index % 2].takeTokens(1 + index % 3, rate: rate, now: Self.t0)
                granted.withLock { $0 += got }
            } catch {
                failures.withLock { $0.append(String(describing: error)) }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(granted.withLock { $0 } == 50)
    }

    @Test func severalRunsCanOpenAFreshLedgerAtOnce() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let failures = Mutex<[String]>([])
        let registered = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let ledger = try SQLiteLedger(directory: directory)
                let added = try ledger.register(
                    Self.mailing("m1"), recipients: Self.recipients(["a@x.org", "r\(index)@x.org"]),
                    now: Self.t0)
                registered.withLock { $0 += added }
            } catch {
                failures.withLock { $0.append(String(describing: error)) }
            }
        }
        #expect(failures.withLock { $0 } == [])
        // "a" once, and each run's own recipient.
        #expect(registered.withLock { $0 } == 9)
        #expect(try SQLiteLedger(directory: directory).status(mailing: "m1").first?.counts == [.pending: 9])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func aLedgerFromANewerVersionIsRefused() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try SQLiteLedger(directory: directory).file
        // A newer inviter would have recorded a migration this one does not know.
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                + "c.execute(\"INSERT INTO grdb_migrations VALUES ('v99')\"); c.commit()",
            file.path,
        ]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        #expect(throws: SQLiteLedgerError.newerSchema(path: file.path)) {
            _ = try SQLiteLedger(directory: directory)
        }
    }

    @Test func errorsNameWhatWentWrong() throws {
        let key = Self.key("invitation/hygge/2026-12-02", "A@x.org")
        #expect(
            SQLiteLedgerError.unknownDelivery(key).description
                == "the ledger has no delivery invitation/hygge/2026-12-02 → a@x.org; register the mailing first"
        )
        // A file where the folder should be.
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let blocker = directory.appendingPathComponent("state")
        try Data("not a folder".utf8).write(to: blocker)
        let error = #expect(throws: SQLiteLedgerError.self) {
            _ = try SQLiteLedger(directory: blocker)
        }
        guard case .cannotOpen(let path, let reason) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(path == blocker.path)
        #expect(!reason.isEmpty)
    }
}
