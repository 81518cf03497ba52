import Foundation

/// Everything a run works from: configuration, events, members and partners, checked.
public struct LoadedNetwork: Sendable {
    public var configuration: Configuration
    public var events: [Event]
    public var members: MemberListResult
    public var partners: PartnerListResult?
    /// Row errors (those rows are left out) and warnings; nothing here stops a run.
    public var problems: [InputProblem]
}

/// Loads all of a network's files and reports every problem at once.
public enum NetworkLoader {
    /// Loads the configuration at `url` and the files it names.
    ///
    /// - Throws: `InputProblems` when the configuration, the events or a list's
    ///   structure is broken: nothing may be sent then. Problems in all files
    ///   are gathered first, so one `check` shows them all.
    public static func load(configuration url: URL) throws(InputProblems) -> LoadedNetwork {
        let (configuration, configWarnings) = try Configuration.load(url)
        var fatal: [InputProblem] = []
        var problems = configWarnings

        var events: [Event] = []
        do {
            let loaded = try EventFile.load(
                configuration.sources.events, zone: configuration.network.timeZone)
            events = loaded.events
            problems += loaded.warnings
        } catch {
            fatal += error.problems
        }

        var members: MemberListResult?
        do {
            members = try MemberList.load(
                configuration.sources.members.map { ($0, InputFiles.displayName($0)) })
        } catch {
            fatal += error.problems
        }

        var partners: PartnerListResult?
        if let file = configuration.sources.partners {
            do {
                partners = try PartnerList.load((file, InputFiles.displayName(file)))
            } catch {
                fatal += error.problems
            }
        }

        // The yes and no links point at `inviter serve`: without `[web]` nobody could answer.
        if configuration.web == nil {
            for event in events where event.takesAnswers {
                let (file, line) = event.location
                fatal.append(
                    InputProblem(
                        file: file, line: line, field: "rsvp",
                        message:
                            "answers need inviter serve: set [web] base_url in the configuration, or remove rsvp",
                        kind: .configuration))
            }
        }
        guard fatal.filter({ $0.severity == .error }).isEmpty, var members else {
            throw InputProblems(fatal + problems)
        }
        // Those who joined on the sign-up page are members too, kept in the ledger; a ledger from
        // before the sign-up page (or none yet) has nobody.
        if let ledger = try? SQLiteLedger.reading(directory: configuration.delivery.state),
            let joined = try? ledger.joinedMembers()
        {
            members.include(joined)
        }
        problems = members.problems + (partners?.problems ?? []) + problems
        problems += crossCheck(
            events: events, members: members, partners: partners, configuration: configuration)
        return LoadedNetwork(
            configuration: configuration, events: events, members: members, partners: partners,
            problems: problems)
    }

    /// Warnings about things that are each valid but do not fit together:
    /// an audience segment nobody is in, a partner kind nobody has.
    static func crossCheck(
        events: [Event], members: MemberListResult, partners: PartnerListResult?, configuration: Configuration
    ) -> [InputProblem] {
        let segments = Set(members.members.filter { $0.status == .active }.flatMap(\.segments))
        var warnings: [InputProblem] = []
        for event in events {
            let (file, line) = event.location
            for segment in event.audience where segment != "all" && !segments.contains(segment) {
                let hint = Suggestion.didYouMean(segment, among: segments)
                warnings.append(
                    InputProblem(
                        file: file, line: line, field: "audience",
                        message: "no active member is in segment \(segment.debugDescription)\(hint)",
                        severity: .warning,
                        kind: .data))
            }
            for kind in event.partners where (partners?.stats.byKind[kind] ?? 0) == 0 {
                let reason =
                    configuration.sources.partners == nil
                    ? "no partner list is configured" : "the partner list has none"
                warnings.append(
                    InputProblem(
                        file: file, line: line, field: "partners",
                        message: "\(kind.rawValue) partners are to get this event, but \(reason)",
                        severity: .warning,
                        kind: .data))
            }
            if event.schedule.announce == .newsletter, configuration.schedule.newsletter == nil {
                warnings.append(
                    InputProblem(
                        file: file, line: line, field: "announce",
                        message:
                            "announced through the newsletter only, but [schedule] has no newsletter: "
                            + "members hear of this event nowhere",
                        severity: .warning, kind: .data))
            }
        }
        // A segment offered on the sign-up page that no list and no event uses gets its joiners nothing.
        let known = Set(members.members.flatMap(\.segments)).union(events.flatMap(\.audience))
        for segment in configuration.signup?.segments ?? [] where !known.contains(segment) {
            warnings.append(
                InputProblem(
                    file: InputFiles.displayName(configuration.file), line: 0, field: "signup.segments",
                    message:
                        "no member list or event knows the segment \(segment.debugDescription)"
                        + Suggestion.didYouMean(segment, among: known)
                        + ": those who choose it on the sign-up page get nothing for it",
                    severity: .warning, kind: .configuration))
        }
        return warnings
    }
}

/// What `inviter check` reports about a network that loaded.
public struct CheckSummary: Sendable {
    public var lines: [String]

    /// Summarises `network` as seen at `now`, looking `weeks` ahead for occurrences.
    ///
    /// - Parameter otherWarnings: Warnings printed besides the network's own (templates, event
    ///   texts), so that the count says what the reader saw.
    public init(_ network: LoadedNetwork, now: Date, weeks: Int = 8, otherWarnings: Int = 0) {
        let config = network.configuration
        let zone = config.network.timeZone
        var lines: [String] = []
        lines.append(
            "\(config.network.name): time zone \(zone.identifier), default language \(config.network.defaultLanguage), "
                + "from \(config.network.from.address)")
        let stats = network.members.stats
        lines.append(
            "Members: \(counted(stats.files, "list")), \(counted(stats.rows, "row")), "
                + "\(counted(stats.members, "unique member")) "
                + "(\(counted(stats.duplicatesMerged, "duplicate")) merged, \(counted(stats.invalidRows, "row")) left out)"
        )
        lines.append("  \(stats.active) active, \(stats.unsubscribed) unsubscribed, \(stats.bounced) bounced")
        if stats.joined > 0 || config.signup != nil {
            lines.append(
                "  \(counted(stats.joined, "member")) joined on the sign-up page (inviter members lists them)"
            )
        }
        let languages = stats.byLanguage.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { "\($0.key.isEmpty ? "none (default)" : $0.key) \($0.value)" }
        if !languages.isEmpty {
            lines.append("  languages of active members: \(languages.joined(separator: ", "))")
        }
        var segmentCounts: [String: Int] = [:]
        for member in network.members.members where member.status == .active {
            for segment in member.segments { segmentCounts[segment, default: 0] += 1 }
        }
        if !segmentCounts.isEmpty {
            let text = segmentCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: ", ")
            lines.append("  segments: \(text)")
        }
        if let partners = network.partners {
            let kinds = PartnerKind.allCases.map { "\($0.rawValue) \(partners.stats.byKind[$0] ?? 0)" }
                .joined(separator: ", ")
            lines.append(
                "Partners: \(partners.stats.partners) (\(kinds)), \(counted(partners.stats.invalidRows, "row")) left out"
            )
        } else {
            lines.append("Partners: no partner list configured")
        }
        let from = LocalDateTime(now, in: zone)
        let untilDate = from.date.adding(days: weeks * 7)
        let through = LocalDateTime(date: untilDate, hour: 23, minute: 59, second: 59) ?? from
        let occurrences = network.events.flatMap { $0.occurrences(from: from, through: through, in: zone) }
        let cancelled = occurrences.filter(\.cancelled).count
        let recurring = network.events.filter { $0.recurrence != nil }.count
        lines.append(
            "Events: \(network.events.count) (\(recurring) repeating), \(counted(occurrences.count, "occurrence")) in the next \(weeks) weeks "
                + "(through \(untilDate))" + (cancelled > 0 ? ", \(cancelled) cancelled" : ""))
        if let mailbox = config.mailbox {
            let server = mailbox.server
            lines.append(
                "Mailbox: \(server.base)/\(server.folder) as \(mailbox.username), \(mailbox.tls.rawValue); "
                    + "read by inviter mailbox and before each run")
        }
        if let returnPath = config.delivery.returnPath {
            lines.append(
                "Return path: \(returnPath.prefix){token}\(returnPath.suffix) (a token per delivery)")
        }
        let errors = network.problems.filter { $0.severity == .error }.count
        let warnings = network.problems.count - errors + otherWarnings
        let leftOut = network.members.stats.invalidRows + (network.partners?.stats.invalidRows ?? 0)
        lines.append(
            "Problems: \(counted(errors, "error")) (\(counted(leftOut, "row")) left out), \(counted(warnings, "warning"))"
        )
        self.lines = lines
    }
}

/// "1 warning", "3 warnings": a count with its noun, for summaries a person reads.
public func counted(_ count: Int, _ noun: String) -> String {
    guard count != 1 else { return "\(count) \(noun)" }
    if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) {
        return "\(count) \(noun.dropLast())ies"
    }
    if noun.hasSuffix("s") || noun.hasSuffix("x") || noun.hasSuffix("sh") || noun.hasSuffix("ch") {
        return "\(count) \(noun)es"
    }
    return "\(count) \(noun)s"
}

extension MemberListResult {
    /// The extra columns found in the lists, which templates may name (`recipient.fields.phone`).
    /// A loop, not `flatMap`: that made an array of every member's keys first, 10,000 of them
    /// before a run could start.
    public var extraFields: Set<String> {
        var fields: Set<String> = []
        for member in members where !member.fields.isEmpty { fields.formUnion(member.fields.keys) }
        return fields
    }
}
