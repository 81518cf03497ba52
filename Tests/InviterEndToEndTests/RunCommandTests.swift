import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `inviter run` as cron runs it: real processes, a real smtp-sink, a real ledger on disk.
@Suite(.serialized) struct RunCommandTests {
    /// The moment the fixture's invitations for Wednesday 2026-12-02 are due.
    static let invitationDue = "2026-11-18T19:00:00+01:00"

    /// A network sending through `sinkURL`, with `count` extra members, its state in its own folder.
    static func network(sinkURL: String, members count: Int = 0, extra: String = "") throws -> NetworkFixture
    {
        let config =
            NetworkFixture.config.replacingOccurrences(
                of: "transport = \"outbox\"", with: "transport = \"smtp\"")
                + """
                [smtp]
                url = "\(sinkURL)"
                tls = "none"
                timeout = 20

                \(extra)
                """
        var members = NetworkFixture.members
        for number in 0..<count {
            members += "member\(number)@example.org,Member \(number),en,newcomers,,active\n"
        }
        return try NetworkFixture(["inviter.toml": config, "members.csv": members])
    }

    static func run(_ fixture: NetworkFixture, _ arguments: [String]) throws -> CommandTests.Output {
        try CommandTests.run(arguments + ["--config", fixture.configURL.path])
    }

    static func status(_ fixture: NetworkFixture) throws -> [String: Any] {
        let output = try run(fixture, ["status", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
        return object as? [String: Any] ?? [:]
    }

    static func counts(_ status: [String: Any], _ mailing: String) -> [String: Int] {
        let mailings = status["mailings"] as? [[String: Any]] ?? []
        return mailings.first { $0["id"] as? String == mailing }?["counts"] as? [String: Int] ?? [:]
    }

    @Test func sendsWhatIsDueExactlyOnce() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try Self.network(sinkURL: sink.url)
        let first = try Self.run(fixture, ["run", "--now", Self.invitationDue])
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("3 sent"), "\(first.standardOutput)")
        let second = try Self.run(fixture, ["run", "--now", "2026-11-18T19:05:00+01:00"])
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("0 sent"), "\(second.standardOutput)")
        let received = try sink.messages()
        #expect(received.count == 3)
        #expect(
            Set(received.flatMap(\.recipients)) == [
                "<mette@example.org>", "<olena@example.org>", "<hr@company.example.com>",
            ])
        #expect(received.allSatisfy { $0.text.contains("X-Inviter-Mailing: ") })
        let status = try Self.status(fixture)
        #expect(Self.counts(status, "invitation/wednesday-hygge/2026-12-02")["sent"] == 2)
        #expect(Self.counts(status, "partner/wednesday-hygge/2026-12-02")["sent"] == 1)
    }

    @Test func retriesTemporaryFailuresInALaterRun() throws {
        let refusing = try SMTPSink(faults: ["-r", "RCPT"])
        let fixture = try Self.network(sinkURL: refusing.url)
        let first = try Self.run(fixture, ["run", "--now", Self.invitationDue])
        refusing.stop()
        #expect(first.status == 0, "a retry is waiting by design: \(first.standardOutput)")
        #expect(first.standardOutput.contains("3 to retry later"), "\(first.standardOutput)")
        #expect(
            Self.counts(try Self.status(fixture), "invitation/wednesday-hygge/2026-12-02")["retrying"] == 2)

        // The relay works again, on another port: point the config at it.
        let sink = try SMTPSink()
        defer { sink.stop() }
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8).replacingOccurrences(
            of: refusing.url, with: sink.url)
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let tooEarly = try Self.run(fixture, ["run", "--now", "2026-11-18T19:02:00+01:00"])
        #expect(tooEarly.standardOutput.contains("0 sent"), "the retry waits for its backoff")
        let later = try Self.run(fixture, ["run", "--now", "2026-11-18T19:06:00+01:00"])
        #expect(later.standardOutput.contains("3 sent"), "\(later.standardOutput)")
        #expect(try sink.messages().count == 3)
    }

    @Test func recordsPermanentFailuresWithTheReplyAndExits1() throws {
        let sink = try SMTPSink(faults: ["-f", "RCPT"])
        defer { sink.stop() }
        let fixture = try Self.network(sinkURL: sink.url)
        let result = try Self.run(fixture, ["run", "--now", Self.invitationDue])
        #expect(result.status == 1)
        let mailings = try Self.status(fixture)["mailings"] as? [[String: Any]] ?? []
        let failures = mailings.flatMap { $0["failures"] as? [[String: Any]] ?? [] }
        #expect(failures.count == 3)
        #expect(failures.allSatisfy { ($0["reply"] as? String)?.hasPrefix("500") == true })
    }

    @Test func exits75WhenTheRelayIsUnreachableAndLosesNothing() throws {
        let port = try freeLoopbackPort()
        let fixture = try Self.network(sinkURL: "smtp://127.0.0.1:\(port)")
        let result = try Self.run(fixture, ["run", "--now", Self.invitationDue])
        #expect(result.status == 75, "\(result.standardOutput)\(result.standardError)")
        let sink = try SMTPSink()
        defer { sink.stop() }
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8)
            .replacingOccurrences(of: "smtp://127.0.0.1:\(port)", with: sink.url)
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let later = try Self.run(fixture, ["run", "--now", "2026-11-18T19:30:00+01:00"])
        #expect(later.status == 0)
        #expect(try sink.messages().count == 3, "everyone still gets the invitation")
    }

    @Test func aRunKilledMidwayLosesNothing() throws {
        // A sink that stalls before each final reply, so the run is surely in the middle when it is killed.
        let slow = try SMTPSink(faults: ["-W", ".:1"])
        let fixture = try Self.network(sinkURL: slow.url, members: 20)
        try Self.runKilled(fixture, after: 3.5)
        slow.stop()
        let before = try slow.messages()
        #expect(!before.isEmpty && before.count < 23, "killed in the middle: \(before.count) delivered")
        let received = try Self.finishAndCount(fixture, stalled: slow, before: before)
        #expect(received.count == 23, "every recipient got the mailing")
        let duplicates = received.values.filter { $0 > 1 }.count
        #expect(
            duplicates <= 4, "at most the messages in flight (one per connection) went twice: \(duplicates)")
        let status = try Self.status(fixture)
        #expect(Self.counts(status, "invitation/wednesday-hygge/2026-12-02")["sent"] == 22)
        #expect(Self.counts(status, "partner/wednesday-hygge/2026-12-02")["sent"] == 1)
    }

    /// Killed again and again at different moments, each run going on from where the last
    /// stopped: each kill can cost at most the messages in flight, one per connection (4).
    @Test func runsKilledAtSeveralMomentsSendAtMostOneTwicePerConnectionPerKill() throws {
        let slow = try SMTPSink(faults: ["-W", ".:1"])
        let fixture = try Self.network(sinkURL: slow.url, members: 40)
        let kills = [1.3, 2.2, 3.1]
        for delay in kills { try Self.runKilled(fixture, after: delay) }
        slow.stop()
        let before = try slow.messages()
        #expect(!before.isEmpty && before.count < 43, "killed before the end: \(before.count) delivered")
        let received = try Self.finishAndCount(fixture, stalled: slow, before: before)
        #expect(received.count == 43, "every recipient got the mailing")
        let twice = received.values.map { $0 - 1 }.reduce(0, +)
        #expect(twice <= 4 * kills.count, "at most one message per connection per kill went twice: \(twice)")
    }

    /// Starts the run of the fixture's due invitation and kills it (SIGKILL) after `delay` seconds.
    static func runKilled(_ fixture: NetworkFixture, after delay: Double) throws {
        let process = Process()
        process.executableURL = CommandTests.executable
        process.arguments = ["run", "--now", invitationDue, "--config", fixture.configURL.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Points the fixture from the `stalled` sink to a fresh one, runs once more to the end, and
    /// counts the messages each recipient got over both.
    static func finishAndCount(
        _ fixture: NetworkFixture, stalled: SMTPSink,
        before: [(recipients: [String], helo: String, text: String)]
    ) throws
        -> [String: Int]
    {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8).replacingOccurrences(
            of: stalled.url, with: sink.url)
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let rerun = try run(fixture, ["run", "--now", "2026-11-18T19:10:00+01:00"])
        #expect(rerun.status == 0, "\(rerun.standardOutput)\(rerun.standardError)")
        var received: [String: Int] = [:]
        for message in try before + sink.messages() {
            for recipient in message.recipients { received[recipient, default: 0] += 1 }
        }
        return received
    }

    @Test func twoRunsAtOnceNeverSendTwice() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try Self.network(sinkURL: sink.url, members: 30)
        let processes = (0..<2).map { _ -> Process in
            let process = Process()
            process.executableURL = CommandTests.executable
            process.arguments = ["run", "--now", Self.invitationDue, "--config", fixture.configURL.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let recipients = try sink.messages().flatMap(\.recipients)
        #expect(recipients.count == 33)
        #expect(Set(recipients).count == 33, "nobody twice")
    }

    @Test func respectsTheRateLimitAcrossRuns() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try Self.network(sinkURL: sink.url, members: 8)
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8)
            .replacingOccurrences(of: "state = \"state\"", with: "state = \"state\"\nrate = \"5/hour\"")
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let first = try Self.run(fixture, ["run", "--now", Self.invitationDue])
        #expect(first.standardOutput.contains("5 sent"), "\(first.standardOutput)")
        #expect(first.standardOutput.contains("6 waiting for the rate limit"), "\(first.standardOutput)")
        let second = try Self.run(fixture, ["run", "--now", "2026-11-18T19:05:00+01:00"])
        #expect(second.standardOutput.contains("0 sent"), "the hourly budget is spent")
        let third = try Self.run(fixture, ["run", "--now", "2026-11-18T20:01:00+01:00"])
        #expect(third.standardOutput.contains("5 sent"), "\(third.standardOutput)")
        #expect(try sink.messages().count == 10)
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try Self.network(sinkURL: sink.url)
        let result = try Self.run(fixture, ["run", "--dry-run", "--now", Self.invitationDue])
        #expect(result.status == 0)
        #expect(
            result.standardOutput.contains("invitation/wednesday-hygge/2026-12-02: 2 recipients (da 1, uk 1)")
        )
        #expect(result.standardOutput.contains("partner/wednesday-hygge/2026-12-02: 1 recipient (da 1)"))
        #expect(try sink.messages().isEmpty)
        #expect(
            !FileManager.default.fileExists(
                atPath: fixture.directory.appendingPathComponent("state/ledger.sqlite").path))
    }
}

@Suite(.serialized) struct AnnounceAndSuppressTests {
    @Test func announcesOnceToTheChosenSegments() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url, members: 3)
        let dry = try RunCommandTests.run(
            fixture,
            [
                "announce", "--template", "winter-programme", "--segment", "danes", "--partners", "company",
                "--dry-run", "--now", "2026-11-20T10:00:00+01:00",
            ])
        // Members and partner contacts apart, under the ids a real announce records.
        #expect(
            dry.standardOutput.contains("announcement/winter-programme/2026-11-20 to danes: 1 member (da 1)"),
            "\(dry.standardOutput)")
        #expect(
            dry.standardOutput.contains(
                "announcement/winter-programme/2026-11-20/partners to company: 1 partner contact (da 1)"),
            "\(dry.standardOutput)")
        #expect(try sink.messages().isEmpty)

        let test = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--test-to", "organizer@example.org"])
        #expect(test.status == 0, "\(test.standardOutput)\(test.standardError)")
        let testCopy = try #require(try sink.messages().first)
        #expect(testCopy.recipients == ["<organizer@example.org>"])
        #expect(testCopy.text.contains("Subject: [TEST]"))

        let now = "2026-11-20T10:00:00+01:00"
        let sent = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--segment", "newcomers", "--now", now])
        #expect(sent.status == 0, "\(sent.standardOutput)\(sent.standardError)")
        #expect(
            sent.standardOutput.contains("announcement/winter-programme/2026-11-20: 4 recipients recorded."),
            "\(sent.standardOutput)")
        let again = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--segment", "newcomers", "--now", now])
        #expect(again.standardOutput.contains("0 recipients recorded."), "the ledger already has them")
        let recipients = try sink.messages().dropFirst().flatMap(\.recipients)
        #expect(recipients.count == 4 && Set(recipients).count == 4)
        #expect(!recipients.contains("<mette@example.org>"), "Mette is not a newcomer")
    }

    @Test func announcesToPartnerContactsToo() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let bad = try RunCommandTests.run(
            fixture, ["announce", "--template", "winter-programme", "--partners", "firm"])
        #expect(bad.status == 64, "\(bad.standardError)")
        #expect(bad.standardError.contains("is not a partner kind"))
        let result = try RunCommandTests.run(
            fixture,
            [
                "announce", "--template", "winter-programme", "--segment", "danes", "--partners", "company",
                "--now", "2026-11-20T10:00:00+01:00",
            ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("2 recipients recorded."), "\(result.standardOutput)")
        let received = try sink.messages()
        #expect(Set(received.flatMap(\.recipients)) == ["<mette@example.org>", "<hr@company.example.com>"])
        let partnerCopy = try #require(received.first { $0.recipients == ["<hr@company.example.com>"] })
        #expect(
            partnerCopy.text.contains("X-Inviter-Mailing: announcement/winter-programme/2026-11-20/partners"))
    }

    @Test func suppressedAddressesGetNothing() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let add = try RunCommandTests.run(
            fixture, ["suppress", "add", "Olena@Example.org", "--reason", "asked by phone"])
        #expect(add.status == 0, "\(add.standardError)")
        let list = try RunCommandTests.run(fixture, ["suppress", "list"])
        #expect(
            list.standardOutput.contains("olena@example.org")
                && list.standardOutput.contains("asked by phone"))
        let run = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        #expect(run.status == 0)
        #expect(!(try sink.messages().flatMap(\.recipients)).contains("<olena@example.org>"))
        #expect(
            RunCommandTests.counts(
                try RunCommandTests.status(fixture), "invitation/wednesday-hygge/2026-12-02")["skipped"] == 1)
        let remove = try RunCommandTests.run(fixture, ["suppress", "remove", "olena@example.org"])
        #expect(remove.standardOutput.contains("no longer suppressed"))
    }
}

@Suite(.serialized) struct ChangeAfterInvitationTests {
    /// A network whose invitations for 2 December went out, then an override for that evening
    /// (`lines`) written by the organizer, as a later run finds it.
    func invitedThenChanged(_ lines: String) throws -> (SMTPSink, NetworkFixture) {
        let sink = try SMTPSink()
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        let first = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        #expect(first.standardOutput.contains("3 sent"), "\(first.standardOutput)")
        let events = fixture.directory.appendingPathComponent("events.toml")
        let changed = try String(contentsOf: events, encoding: .utf8).replacingOccurrences(
            of: "[[event.override]]\ndate = 2026-12-16",
            with: "[[event.override]]\ndate = 2026-12-02\n\(lines)\n\n[[event.override]]\ndate = 2026-12-16")
        try changed.write(to: events, atomically: true, encoding: .utf8)
        return (sink, fixture)
    }

    @Test func aChangedPlaceReachesThoseAlreadyInvitedWithTheNextSequence() throws {
        // The organizer moves the 2 December evening to another place.
        let (sink, fixture) = try invitedThenChanged("venue = \"Town Hall, Torvet 1\"")
        defer { sink.stop() }
        let second = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-20T10:00:00+01:00"])
        #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
        #expect(
            second.standardOutput.contains("3 sent"),
            "the two invited members and the partner contact: \(second.standardOutput)")
        let updates = try sink.messages().filter {
            $0.text.contains("X-Inviter-Mailing: update/wednesday-hygge/2026-12-02/1")
        }
        #expect(updates.count == 2)
        let text = try #require(updates.first?.text)
        // The calendar entry replaces the old one: same UID, higher SEQUENCE, the new place.
        let decoded = try DecodedMessage.decode(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let calendar = try #require(decoded.parts.first { $0.type == "text/calendar" })
        guard case .text(let ics) = calendar.content else {
            Issue.record("no calendar text")
            return
        }
        #expect(ics.contains("UID:wednesday-hygge/2026-12-02@example.org"))
        #expect(ics.contains("SEQUENCE:1"))
        #expect(ics.contains("LOCATION:Town Hall\\, Torvet 1"))

        let third = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-20T10:05:00+01:00"])
        #expect(third.standardOutput.contains("0 sent"), "an update goes once")
    }

    /// An organizer cancels a week after the invitation went out, long past its grace: the invited
    /// still hear of it, once, with a calendar CANCEL, and nobody gets the reminder.
    @Test func aCancellationDaysAfterTheInvitationStillReachesTheInvited() throws {
        let (sink, fixture) = try invitedThenChanged("cancelled = true")
        defer { sink.stop() }
        let second = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-25T08:00:00+01:00"])
        #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
        #expect(
            second.standardOutput.contains("3 sent"),
            "the two invited members and the partner contact: \(second.standardOutput)")
        let again = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-25T08:15:00+01:00"])
        #expect(again.standardOutput.contains("0 sent"), "a cancellation goes once")
        let reminderDue = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-30T19:00:00+01:00"])
        #expect(reminderDue.standardOutput.contains("0 sent"), "no reminder: \(reminderDue.standardOutput)")

        let cancellations = try sink.messages().filter {
            $0.text.contains("X-Inviter-Mailing: cancellation/wednesday-hygge/2026-12-02")
        }
        #expect(cancellations.count == 2)
        #expect(cancellations.allSatisfy { $0.text.contains("METHOD:CANCEL") })
    }

    /// The partner contact who forwarded the invitation hears of the cancellation too, in the
    /// partner copy's form, once; `preview` renders it by its id, and `status` lists it.
    @Test func aCancellationReachesThePartnerContactInThePartnerCopysForm() throws {
        let (sink, fixture) = try invitedThenChanged("cancelled = true")
        defer { sink.stop() }
        let id = "partner-cancellation/wednesday-hygge/2026-12-02"
        let folder = fixture.directory.appendingPathComponent("preview-partner")
        let preview = try RunCommandTests.run(
            fixture, ["preview", "--now", "2026-11-25T08:00:00+01:00", "--mailing", id, "--out", folder.path])
        #expect(preview.status == 0, "\(preview.standardOutput)\(preview.standardError)")
        #expect(try DryRunTruthTests.previewed(folder) == ["\(id) <hr@company.example.com>"])

        _ = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-25T08:00:00+01:00"])
        _ = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-25T08:15:00+01:00"])
        let copies = try sink.messages().filter { $0.text.contains("X-Inviter-Mailing: \(id)") }
        #expect(copies.count == 1, "once")
        let message = try #require(copies.first)
        #expect(message.recipients == ["<hr@company.example.com>"])
        let decoded = try DecodedMessage.decode(
            Array(message.text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        #expect(decoded.defects.isEmpty, "\(decoded.defects)")
        #expect(
            decoded.values("Subject") == [
                "Aflyst – send gerne videre: Onsdagshygge, onsdag den 2. december 2026"
            ])
        #expect(decoded.values("List-Unsubscribe").first?.contains("partner") == true)
        let calendar = try #require(decoded.parts.first { $0.type == "text/calendar" })
        guard case .text(let ics) = calendar.content else {
            Issue.record("no calendar text")
            return
        }
        #expect(ics.contains("METHOD:CANCEL") && ics.contains("UID:wednesday-hygge/2026-12-02@example.org"))
        #expect(RunCommandTests.counts(try RunCommandTests.status(fixture), id)["sent"] == 1)
    }
}

@Suite(.serialized) struct UnknownOutcomeTests {
    /// The first run loses the connection after each body (smtp-sink -q .): the outcome is unknown.
    func firstRun(extra: String = "") throws -> (NetworkFixture, SMTPSink, [String]) {
        let dropping = try SMTPSink(faults: ["-q", "."])
        let fixture = try RunCommandTests.network(sinkURL: dropping.url, extra: "")
        if !extra.isEmpty {
            let config = try String(contentsOf: fixture.configURL, encoding: .utf8)
                .replacingOccurrences(of: "state = \"state\"", with: "state = \"state\"\n\(extra)")
            try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        }
        let first = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("3 with unknown outcome"), "\(first.standardOutput)")
        let ids = try dropping.messages().compactMap { message in
            message.text.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }.map(String.init)
        }
        dropping.stop()
        return (fixture, dropping, ids)
    }

    func pointAtNewSink(_ fixture: NetworkFixture, from old: SMTPSink) throws -> SMTPSink {
        let sink = try SMTPSink()
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8).replacingOccurrences(
            of: old.url, with: sink.url)
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        return sink
    }

    @Test func unknownOutcomesAreSentAgainWithTheSameMessageID() throws {
        let (fixture, dropping, firstIDs) = try firstRun()
        #expect(
            RunCommandTests.counts(
                try RunCommandTests.status(fixture), "invitation/wednesday-hygge/2026-12-02")["unknown"] == 2)
        let sink = try pointAtNewSink(fixture, from: dropping)
        defer { sink.stop() }
        let second = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-18T19:05:00+01:00"])
        #expect(second.standardOutput.contains("3 sent"), "\(second.standardOutput)")
        let secondIDs = try sink.messages().compactMap { message in
            message.text.split(separator: "\n").first { $0.hasPrefix("Message-ID: ") }.map(String.init)
        }
        #expect(Set(secondIDs) == Set(firstIDs) && secondIDs.count == 3, "a duplicate can be recognised")
    }

    @Test func unknownOutcomesCanBeHeldForAPerson() throws {
        let (fixture, dropping, _) = try firstRun(extra: "unknown = \"hold\"")
        let sink = try pointAtNewSink(fixture, from: dropping)
        defer { sink.stop() }
        let second = try RunCommandTests.run(fixture, ["run", "--now", "2026-11-18T19:05:00+01:00"])
        #expect(second.standardOutput.contains("0 sent"), "\(second.standardOutput)")
        #expect(try sink.messages().isEmpty)
        let status = try RunCommandTests.status(fixture)
        #expect(RunCommandTests.counts(status, "invitation/wednesday-hygge/2026-12-02")["held"] == 2)
        let failures = (status["mailings"] as? [[String: Any]] ?? []).flatMap {
            $0["failures"] as? [[String: Any]] ?? []
        }
        #expect(failures.count == 3 && failures.allSatisfy { $0["state"] as? String == "held" })
    }
}

/// Every smtp-sink fault, through `inviter run`, to the ledger state it must leave.
@Suite struct FaultMatrixRunTests {
    static let faults: [(flags: [String], state: String, exit: Int32)] = [
        (["-r", "RCPT"], "retrying", 0),
        (["-f", "RCPT"], "failed", 1),
        (["-r", "."], "retrying", 0),
        (["-f", "."], "failed", 1),
        (["-Q", "MAIL"], "retrying", 0),
        (["-q", "DATA"], "retrying", 0),
        (["-q", "."], "unknown", 0),
        (["-W", ".:8"], "unknown", 0),
    ]

    @Test(arguments: 0..<faults.count)
    func leavesTheRightState(_ index: Int) throws {
        let fault = Self.faults[index]
        let sink = try SMTPSink(faults: fault.flags)
        defer { sink.stop() }
        let fixture = try RunCommandTests.network(sinkURL: sink.url)
        // A 5-second limit per message, so the stalled final reply (-W .:8) times out.
        let config = try String(contentsOf: fixture.configURL, encoding: .utf8)
            .replacingOccurrences(of: "timeout = 20", with: "timeout = 5")
        try config.write(to: fixture.configURL, atomically: true, encoding: .utf8)
        let result = try RunCommandTests.run(fixture, ["run", "--now", RunCommandTests.invitationDue])
        #expect(
            result.status == fault.exit, "\(fault.flags): \(result.standardOutput)\(result.standardError)")
        let counts = RunCommandTests.counts(
            try RunCommandTests.status(fixture), "invitation/wednesday-hygge/2026-12-02")
        if fault.flags == ["-W", ".:8"] {
            // smtp-sink stalls as a whole: the first message times out after its body (unknown), the
            // others on the parallel connections time out before theirs (to be retried).
            #expect((counts["unknown"] ?? 0) >= 1, "\(counts)")
            #expect((counts["unknown"] ?? 0) + (counts["retrying"] ?? 0) == 2, "\(counts)")
        } else {
            #expect(counts[fault.state] == 2, "\(fault.flags): \(counts)")
        }
        #expect(counts["sent"] == 0, "\(fault.flags): nothing counts as sent without the server's 250")
    }
}
