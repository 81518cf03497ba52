import Foundation
import InviterTestSupport
import Testing

/// A month of cron for one example network: the network's folder copied to a temporary place and
/// pointed at a smtp-sink, the real `inviter` binary run at every moment cron would around the due
/// times (and twice a day in between), and then what the sink captured read by an independent MIME
/// parser and compared with what each member and partner should have got.
///
/// The expectations are worked out here from the organizer's plan (the occurrences written out by
/// hand, the lists read by `Tests/Support/month_report.py`), never from Inviter's own planner, so a
/// planner that sends the wrong thing, to the wrong people, at the wrong time, fails.
struct MonthOfRuns {
    /// One occurrence as the organizer planned it.
    struct Planned {
        var event: String
        /// The occurrence's original date: its identity in mailing ids, also when it was moved.
        var date: String
        /// Local wall-clock start, `2026-12-02T19:00`.
        var start: String
        var audience: [String] = ["all"]
        var partners: [String] = []
        /// False for an occurrence cancelled before anyone was invited: nobody hears of it.
        var invited = true
        /// Local time at which the organizer changes the occurrence after its invitation went out
        /// (an `Edit` at the same time makes the change): its invited hear of it at once.
        var changedAt: String? = nil
        /// The start the invitation announced, when the change moved the occurrence to `start`.
        var invitedStart: String? = nil
        /// The change cancels the occurrence: a cancellation instead of the reminder.
        var cancelled = false
        /// An RSVP occurrence: its capacity from each local time on (the first from the start of
        /// the month); answers come from ``MonthOfRuns/answers``.
        var capacity: [(at: String, seats: Int)] = []
    }

    /// A member's answer to an RSVP occurrence, given on the page their invitation links to.
    struct Answer {
        var at: String
        var occurrence: String
        var member: String
        /// `yes` or `no`.
        var answer: String
    }

    /// An organizer's edit of the copied network folder at a local time, before that moment's run.
    struct Edit {
        var at: String
        var apply: @Sendable (URL) throws -> Void

        /// `text` (an events file) without the `[[event.override]]` for `date`, and that override's
        /// lines, so a test can start the month before the organizer wrote it.
        static func splitOverride(_ text: String, date: String) -> (without: String, lines: String) {
            let marker = "\n[[event.override]]\n"
            var chunks = text.components(separatedBy: marker)
            guard
                let index = chunks.indices.dropFirst().first(where: { chunks[$0].hasPrefix("date = \(date)") }
                )
            else { return (text, "") }
            let lines = chunks.remove(at: index)
            return (chunks.joined(separator: marker), lines)
        }

        /// Replaces `text` in `events.toml` (a capacity raised, say).
        static func replace(_ text: String, with replacement: String, at: String) -> Edit {
            Edit(at: at) { folder in
                let file = folder.appendingPathComponent("events.toml")
                let events = try String(contentsOf: file, encoding: .utf8)
                guard events.contains(text) else {
                    throw ServerStartError(description: "no \(text) in \(file.path)")
                }
                try events.replacingOccurrences(of: text, with: replacement).write(
                    to: file, atomically: true, encoding: .utf8)
            }
        }

        /// Adds an `[[event.override]]` to the event `id` in `events.toml`, as an organizer would
        /// write it under the event.
        static func override(_ id: String, at: String, _ lines: String) -> Edit {
            Edit(at: at) { folder in
                let file = folder.appendingPathComponent("events.toml")
                var text = try String(contentsOf: file, encoding: .utf8)
                guard let event = text.range(of: "id = \"\(id)\"") else {
                    throw ServerStartError(description: "no event \(id) in \(file.path)")
                }
                let next = text.range(of: "\n[[event]]", range: event.upperBound..<text.endIndex)
                text.insert(
                    contentsOf: "\n[[event.override]]\n\(lines)\n", at: next?.lowerBound ?? text.endIndex)
                try text.write(to: file, atomically: true, encoding: .utf8)
            }
        }
    }

    struct Newsletter {
        var date: String
        var time = "09:00"
        /// The audiences of the events the digest lists: members outside all of them get no digest.
        var audience: [String] = ["all"]
    }

    struct Announcement {
        var template: String
        var segments: [String]
        /// Local wall-clock time it is scheduled for with `announce --at`.
        var at: String
    }

    var name: String
    /// The example's folder, relative to the repository.
    var folder: String
    /// First and last local day of the month played.
    var from: String
    var through: String
    var occurrences: [Planned] = []
    var newsletters: [Newsletter] = []
    var announcements: [Announcement] = []
    var answers: [Answer] = []
    /// Active members an organizer suppresses before the month starts.
    var suppress: [String] = []
    var edits: [Edit] = []
    var invitationDays = 14
    var reminderDays = 2
    var defaultLanguage = "en"
    /// Generated member lists and such, made in the copied folder before anything runs.
    var prepare: @Sendable (URL) throws -> Void = { _ in }

    static let zone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// A local wall-clock time (`2026-12-02T19:00`) as an instant in Copenhagen, through Foundation's
    /// time zone database.
    static func instant(_ local: String) -> Date {
        let parts = local.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        let components = DateComponents(
            year: parts[0], month: parts[1], day: parts[2], hour: parts.count > 3 ? parts[3] : 0,
            minute: parts.count > 4 ? parts[4] : 0)
        // A date that cannot be made shows as a mismatch in every check that uses it.
        return calendar.date(from: components) ?? .distantPast
    }

    /// The same wall-clock time `days` calendar days earlier (so 19:00 stays 19:00 across a DST change).
    static func daysBefore(_ days: Int, _ date: Date) -> Date {
        calendar.date(byAdding: .day, value: -days, to: date) ?? .distantPast
    }

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .gmt
        return formatter.string(from: date)
    }

    /// A mailing the month must send: who gets it, when, and about what.
    struct Expected {
        var id: String
        var due: Date
        var members: [String] = []
        var partners: [String] = []
        /// The local start its calendar part and text must name, and the calendar METHOD.
        var start: String?
        var method = "PUBLISH"
        /// When a member's copy is due where it differs from `due` (a seat notice after each answer).
        var dues: [String: Date] = [:]

        func due(for recipient: String) -> Date { dues[recipient] ?? due }
    }

    // MARK: - The lists, read independently

    struct Lists: Decodable {
        struct Member: Decodable {
            let email: String
            let name: String
            let language: String
            let status: String
            let segments: [String]
        }
        struct Partner: Decodable {
            let email: String
            let kind: String
            let language: String
        }
        let members: [Member]
        let partners: [Partner]
    }

    struct Captured: Decodable {
        let file: String
        let recipients: [String]
        let mailing: String
        let date: String
        let subject: String
        let lang: String
        let text: String
        let calendar: [String: String]?
        let attachments: [String]
        let defects: [String]
    }

    static func report<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments = [TestPaths.support.appendingPathComponent("month_report.py").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(T.self, from: data)
    }

    // MARK: - The month

    /// What a month of runs sent, for the summary line.
    struct Outcome {
        var runs = 0
        var mail: [Captured] = []
    }

    func expectations(_ lists: Lists, suppressed: Set<String>) -> [Expected] {
        let active = lists.members.filter { $0.status == "active" && !suppressed.contains($0.email) }
        func members(_ audience: [String]) -> [String] {
            active.filter { member in
                audience.contains("all") || !Set(member.segments).isDisjoint(with: audience)
            }
            .map(\.email)
        }
        func partners(_ kinds: [String]) -> [String] {
            lists.partners.filter { kinds.contains($0.kind) && !suppressed.contains($0.email) }.map(\.email)
        }
        var result: [Expected] = []
        for planned in occurrences where planned.invited {
            let announced = planned.invitedStart ?? planned.start
            let invitation = Self.daysBefore(invitationDays, Self.instant(announced))
            let id = "\(planned.event)/\(planned.date)"
            let invited = members(planned.audience)
            result.append(
                Expected(id: "invitation/\(id)", due: invitation, members: invited, start: announced))
            if !planned.partners.isEmpty {
                result.append(
                    Expected(
                        id: "partner/\(id)", due: invitation, partners: partners(planned.partners),
                        start: announced))
            }
            if let changedAt = planned.changedAt {
                result.append(
                    planned.cancelled
                        ? Expected(
                            id: "cancellation/\(id)", due: Self.instant(changedAt), members: invited,
                            start: announced,
                            method: "CANCEL")
                        : Expected(
                            id: "update/\(id)/1", due: Self.instant(changedAt), members: invited,
                            start: planned.start))
                // The partner contacts who got the partner copy hear of it in the copy's form.
                if !planned.partners.isEmpty {
                    result.append(
                        planned.cancelled
                            ? Expected(
                                id: "partner-cancellation/\(id)", due: Self.instant(changedAt),
                                partners: partners(planned.partners), start: announced, method: "CANCEL")
                            : Expected(
                                id: "partner-update/\(id)/1", due: Self.instant(changedAt),
                                partners: partners(planned.partners), start: planned.start))
                }
            }
            let reminderDue = Self.daysBefore(reminderDays, Self.instant(planned.start))
            var reminded = invited
            if !planned.capacity.isEmpty {
                let answered = rsvp(planned, until: reminderDue)
                reminded = invited.filter { !answered.notReminded.contains($0) }
                if !answered.seats.isEmpty {
                    result.append(
                        Expected(
                            id: "seat/\(id)", due: answered.seats.map(\.due).min() ?? reminderDue,
                            members: answered.seats.map(\.member), start: planned.start,
                            dues: Dictionary(uniqueKeysWithValues: answered.seats.map { ($0.member, $0.due) })
                        ))
                }
            }
            if !planned.cancelled {
                result.append(
                    Expected(id: "reminder/\(id)", due: reminderDue, members: reminded, start: planned.start))
            }
        }
        for newsletter in newsletters {
            result.append(
                Expected(
                    id: "newsletter/\(newsletter.date)",
                    due: Self.instant("\(newsletter.date)T\(newsletter.time)"),
                    members: members(newsletter.audience)))
        }
        for announcement in announcements {
            let date = String(announcement.at.prefix(10))
            result.append(
                Expected(
                    id: "announcement/\(announcement.template)/\(date)", due: Self.instant(announcement.at),
                    members: members(announcement.segments)))
        }
        let first = Self.instant(from)
        let last = Self.instant(through).addingTimeInterval(86_399)
        return result.filter { $0.due >= first && $0.due <= last }
    }

    /// The organizer's rules for an RSVP occurrence, played by hand over its answers and capacity
    /// changes up to `until`: who got a seat from the waitlist and when (each a seat notice), and
    /// who said no or still waits (no reminder).
    func rsvp(_ planned: Planned, until: Date) -> (
        seats: [(member: String, due: Date)], notReminded: Set<String>
    ) {
        let id = "\(planned.event)/\(planned.date)"
        enum Step {
            case capacity(Int)
            case answer(String, Bool)
        }
        var steps: [(at: Date, order: Int, step: Step)] = []
        for (order, change) in planned.capacity.enumerated() {
            steps.append((Self.instant(change.at), order, .capacity(change.seats)))
        }
        for (order, answer) in answers.enumerated() where answer.occurrence == id {
            steps.append(
                (Self.instant(answer.at), 1000 + order, .answer(answer.member, answer.answer == "yes")))
        }
        steps.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        var capacity = Int.max
        var going: [String] = []
        var waiting: [String] = []
        var declined: Set<String> = []
        var seats: [(member: String, due: Date)] = []
        func promote(at time: Date) {
            while going.count < capacity, !waiting.isEmpty {
                let next = waiting.removeFirst()
                going.append(next)
                // Sent once: a second promotion of the same member sends no second notice.
                if !seats.contains(where: { $0.member == next }) { seats.append((next, time)) }
            }
        }
        for (at, _, step) in steps where at <= until {
            switch step {
            case .capacity(let seats):
                capacity = seats
                promote(at: at)
            case .answer(let member, true):
                promote(at: at)
                guard !going.contains(member), !waiting.contains(member) else { continue }
                declined.remove(member)
                if going.count < capacity { going.append(member) } else { waiting.append(member) }
            case .answer(let member, false):
                let wasGoing = going.contains(member)
                going.removeAll { $0 == member }
                waiting.removeAll { $0 == member }
                declined.insert(member)
                if wasGoing { promote(at: at) }
            }
        }
        return (seats, declined.union(waiting))
    }

    /// Every moment cron runs `inviter run`: a quarter of an hour before, at and after each due time,
    /// and at 06:00 and 23:00 every day of the month.
    func cronTimes(_ expected: [Expected]) -> [Date] {
        var times = Set<Date>()
        for mailing in expected {
            for due in [mailing.due] + mailing.dues.values {
                for offset in [-900.0, 0, 900] { times.insert(due.addingTimeInterval(offset)) }
            }
        }
        var day = Self.instant(from)
        let last = Self.instant(through)
        while day <= last {
            for hour in [6, 23] {
                if let time = Self.calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day) {
                    times.insert(time)
                }
            }
            guard let next = Self.calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return times.sorted()
    }

    /// The example folder copied, sending through `sinkURL`, its state and templates where a test can use them.
    func prepareCopy(sinkURL: String) throws -> (folder: URL, config: URL) {
        let repository = TestPaths.testsRoot.deletingLastPathComponent()
        let source = repository.appendingPathComponent(folder)
        let copy = try TestPaths.temporaryDirectory("month-\(name)").appendingPathComponent("network")
        try FileManager.default.copyItem(at: source, to: copy)
        let config = copy.appendingPathComponent("inviter.toml")
        var section = ""
        var lines: [String] = []
        for line in try String(contentsOf: config, encoding: .utf8).components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                section = trimmed
                if section == "[smtp]" { continue }
            }
            let key =
                trimmed.split(separator: "=").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            switch (section, key) {
            case ("[smtp]", _): continue
            case ("[sources]", "templates"):
                lines.append("templates = \"\(repository.appendingPathComponent("Templates").path)\"")
            case ("[delivery]", "transport"): lines.append("transport = \"smtp\"")
            case ("[delivery]", "outbox"): continue
            case ("[delivery]", "state"):
                lines.append(
                    "state = \"\(copy.deletingLastPathComponent().appendingPathComponent("state").path)\"")
            default: lines.append(line)
            }
        }
        lines += ["", "[smtp]", "url = \"\(sinkURL)\"", "tls = \"none\"", "timeout = 20", ""]
        try lines.joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
        try prepare(copy)
        return (copy, config)
    }

    /// Plays the month and checks every captured message; returns what was sent, for a summary.
    @discardableResult
    func play() throws -> Outcome {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let (copy, config) = try prepareCopy(sinkURL: sink.url)
        let environment = ["INVITER_SECRET": "month-test-secret"]
        func inviter(_ arguments: [String]) throws -> CommandTests.Output {
            try CommandTests.run(arguments + ["--config", config.path], environment: environment)
        }
        let firstMoment = Self.utc(Self.instant(from))
        let check = try inviter(["check", "--now", firstMoment])
        #expect(check.status == 0, "\(name): check\n\(check.standardOutput)\(check.standardError)")

        // The lists as the organizer wrote them (every CSV the config names).
        let memberFiles = try FileManager.default.contentsOfDirectory(atPath: copy.path)
            .filter { $0.hasSuffix(".csv") && $0.hasPrefix("members") }.sorted()
            .map { copy.appendingPathComponent($0).path }
        let configText = try String(contentsOf: config, encoding: .utf8)
        let ordered = memberFiles.sorted { a, b in
            let nameA = URL(fileURLWithPath: a).lastPathComponent
            let nameB = URL(fileURLWithPath: b).lastPathComponent
            return (configText.range(of: nameA)?.lowerBound ?? configText.endIndex)
                < (configText.range(of: nameB)?.lowerBound ?? configText.endIndex)
        }
        let partnerFile = copy.appendingPathComponent("partners.csv")
        var arguments = ["lists"] + ordered
        if FileManager.default.fileExists(atPath: partnerFile.path) {
            arguments += ["--partners", partnerFile.path]
        }
        let lists = try Self.report(Lists.self, arguments)

        for address in suppress {
            let result = try inviter(["suppress", "add", address, "--reason", "asked by phone"])
            #expect(result.status == 0, "\(result.standardError)")
        }
        for announcement in announcements {
            let result = try inviter(
                [
                    "announce", "--template", announcement.template, "--at",
                    Self.utc(Self.instant(announcement.at)),
                    "--now", firstMoment,
                ]
                    + announcement.segments.filter { $0 != "all" }.flatMap { ["--segment", $0] })
            #expect(result.status == 0, "\(name): announce\n\(result.standardOutput)\(result.standardError)")
        }

        let suppressed = Set(suppress.map { $0.lowercased() })
        let expected = expectations(lists, suppressed: suppressed)
        var outcome = Outcome()
        var edits = edits.sorted { Self.instant($0.at) < Self.instant($1.at) }[...]
        var answers = answers.sorted { Self.instant($0.at) < Self.instant($1.at) }[...]
        for moment in cronTimes(expected) {
            while let edit = edits.first, Self.instant(edit.at) <= moment {
                try edit.apply(copy)
                edits = edits.dropFirst()
            }
            while let answer = answers.first, Self.instant(answer.at) <= moment {
                let now = answers.prefix { $0.at == answer.at }
                try give(Array(now), config: config, environment: environment, sink: sink)
                answers = answers.dropFirst(now.count)
            }
            let result = try inviter(["run", "--now", Self.utc(moment)])
            outcome.runs += 1
            #expect(
                result.status == 0,
                "\(name): run at \(Self.utc(moment)) exited \(result.status)\n\(result.standardOutput)\(result.standardError)"
            )
        }
        try sink.settle()
        outcome.mail = try Self.report([Captured].self, ["mail", sink.captureDirectory.path])
        verify(outcome.mail, expected: expected, lists: lists, suppressed: suppressed)

        // Nothing is left waiting, failed or in doubt.
        let status = try inviter(["status", "--json"])
        let object =
            try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any]
        for mailing in object?["mailings"] as? [[String: Any]] ?? [] {
            let counts = mailing["counts"] as? [String: Int] ?? [:]
            let open = ["pending", "sending", "retrying", "failed", "unknown", "held"].reduce(0) {
                $0 + (counts[$1] ?? 0)
            }
            #expect(open == 0, "\(name): \(mailing["id"] ?? "") has \(counts)")
        }
        return outcome
    }

    /// Answers given at one moment: each member's yes or no link from their invitation, posted
    /// to a `serve` answering as a minute before it, so that a seat notice a no causes is due
    /// by that moment's run.
    func give(_ answers: [Answer], config: URL, environment: [String: String], sink: SMTPSink) throws {
        guard let first = answers.first else { return }
        let serve = try ServeProcess(
            executable: CommandTests.executable, config: config, environment: environment,
            logDirectory: config.deletingLastPathComponent(),
            arguments: ["--now", Self.utc(Self.instant(first.at).addingTimeInterval(-60))])
        defer { serve.stop() }
        let mail = try sink.messages().map { CapturedMail(recipients: $0.recipients, text: $0.text) }
        for answer in answers {
            let invitation = try #require(
                mail.first { $0.isFor(answer.member) && $0.mailing == "invitation/\(answer.occurrence)" },
                "\(name): \(answer.member) has no invitation to \(answer.occurrence) to answer from")
            let text = try invitation.part("text/plain")
            // `https://example.org/inviter/rsvp/<token>?answer=yes`, posted to the same path on serve.
            let marker = try #require(text.range(of: "/rsvp/"), "\(name): no RSVP link for \(answer.member)")
            let scheme = try #require(text[..<marker.lowerBound].range(of: "http", options: .backwards))
            let link = text[scheme.lowerBound...].prefix { !" )\n?".contains($0) }
            let path = try #require(link.components(separatedBy: "://").last).drop { $0 != "/" }
            let response = try BlockingHTTP.postForm(serve.baseURL + path, [("answer", answer.answer)])
            #expect(
                response.status == 200,
                "\(name): \(answer.member) answering \(answer.answer): \(response.status)")
        }
    }

    // MARK: - Checks

    func verify(_ mail: [Captured], expected: [Expected], lists: Lists, suppressed: Set<String>) {
        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
        let templateLanguages = Set(
            ((try? FileManager.default.contentsOfDirectory(
                atPath: TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent(
                    "Templates/invitation"
                )
                .path)) ?? [])
                .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(9)) })
        var languages: [String: String] = [:]
        for member in lists.members { languages[member.email] = member.language }
        for partner in lists.partners { languages[partner.email] = partner.language }
        func expectedLanguage(_ address: String) -> String {
            let language = languages[address] ?? ""
            if templateLanguages.contains(language) { return language }
            let base = String(language.prefix { $0 != "-" })
            return templateLanguages.contains(base) ? base : defaultLanguage
        }

        // Nobody gets anything twice.
        var seen: [String: Int] = [:]
        for message in mail {
            #expect(message.recipients.count == 1, "\(name): one transaction per recipient: \(message.file)")
            #expect(message.defects.isEmpty, "\(name): \(message.file) parses cleanly: \(message.defects)")
            for recipient in message.recipients { seen["\(message.mailing) → \(recipient)", default: 0] += 1 }
        }
        let twice = seen.filter { $0.value > 1 }.keys.sorted()
        #expect(twice.isEmpty, "\(name): sent twice: \(twice.prefix(10))")

        // Exactly the mail due: each recipient of each mailing, nobody else.
        let want = Set(
            expected.flatMap { mailing in (mailing.members + mailing.partners).map { "\(mailing.id) → \($0)" }
            })
        let got = Set(seen.keys)
        let missing = want.subtracting(got).sorted()
        let extra = got.subtracting(want).sorted()
        #expect(missing.isEmpty, "\(name): \(missing.count) not sent, such as \(missing.prefix(8))")
        #expect(extra.isEmpty, "\(name): \(extra.count) sent but not due, such as \(extra.prefix(8))")

        // The unsubscribed, the bounced and the suppressed get nothing at all.
        let silent = Set(lists.members.filter { $0.status != "active" }.map(\.email)).union(suppressed)
        let reached = Set(mail.flatMap(\.recipients))
        #expect(reached.isDisjoint(with: silent), "\(name): mail to \(reached.intersection(silent).sorted())")

        for message in mail {
            guard let mailing = byID[message.mailing], let recipient = message.recipients.first else {
                continue
            }
            // Sent at the first run at or after its due time: not early, not late.
            #expect(
                message.date == Self.utc(mailing.due(for: recipient)),
                "\(name): \(message.mailing) to \(recipient) went at \(message.date), due \(Self.utc(mailing.due(for: recipient)))"
            )
            let language = expectedLanguage(recipient)
            #expect(
                message.lang == language,
                "\(name): \(message.mailing) to \(recipient) in \(message.lang), not \(language)")
            guard let start = mailing.start else { continue }
            let compact = start.replacingOccurrences(of: "-", with: "").replacingOccurrences(
                of: ":", with: "")
            if !message.mailing.hasPrefix("partner/") {
                #expect(
                    message.calendar?["dtstart"] == compact + "00"
                        && message.calendar?["tzid"] == "Europe/Copenhagen"
                        && message.calendar?["method"] == mailing.method
                        && message.attachments.contains("invite.ics"),
                    "\(name): \(message.mailing) to \(recipient): calendar \(message.calendar ?? [:])")
            }
            // The local date in words, in the languages whose wording this test knows (a partner
            // contact's forwardable part is in English and Danish, whatever the contact reads).
            for written in Self.longDates(start)
            where written.language == language || message.mailing.hasPrefix("partner") {
                #expect(
                    message.text.contains(written.text),
                    "\(name): \(message.mailing) to \(recipient) should say \(written.text)")
            }
        }
    }

    /// The start's date written out in English and Danish (the partner copy carries both), from
    /// hand-written tables rather than ICU, so a wrong zone or day shows.
    static func longDates(_ local: String) -> [(language: String, text: String)] {
        let date = instant(local)
        let parts = calendar.dateComponents([.weekday, .day, .month, .year], from: date)
        let weekday = (parts.weekday ?? 1) - 1
        let month = (parts.month ?? 1) - 1
        let day = parts.day ?? 0
        let year = parts.year ?? 0
        let en = (
            ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][weekday],
            [
                "January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October",
                "November", "December",
            ][month]
        )
        let da = (
            ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"][weekday],
            [
                "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
                "oktober",
                "november", "december",
            ][month]
        )
        return [
            ("en", "\(en.0), \(day) \(en.1) \(year)"),
            ("da", "\(da.0) den \(day). \(da.1) \(year)"),
        ]
    }

    /// "invitation 1,234 · reminder 456 · …" for the test log and the README.
    static func summary(_ name: String, _ outcome: Outcome) -> String {
        var kinds: [String: Int] = [:]
        var languages: [String: Int] = [:]
        for message in outcome.mail {
            kinds[String(message.mailing.prefix { $0 != "/" }), default: 0] += 1
            languages[message.lang, default: 0] += 1
        }
        let byKind = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let byLanguage = languages.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        return
            "\(name): \(outcome.runs) runs, \(outcome.mail.count) messages (\(byKind)); languages \(byLanguage)"
    }
}
