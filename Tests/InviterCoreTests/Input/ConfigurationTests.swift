import Foundation
import InviterCore
import InviterTestSupport
import Testing

@Suite struct ConfigurationTests {
    @Test func loadsTheFixtureNetwork() throws {
        let fixture = try NetworkFixture()
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let config = network.configuration
        #expect(config.network.name == "Test Network")
        #expect(config.network.timeZone.identifier == "Europe/Copenhagen")
        #expect(config.network.from.address == "events@example.org")
        #expect(config.schedule.invitation == SendOffset(days: 14))
        #expect(config.schedule.grace == SendOffset(seconds: 6 * 3600))
        #expect(config.delivery.outbox.path == fixture.directory.appendingPathComponent("outbox").path)
        #expect(config.sources.members.map(\.lastPathComponent) == ["members.csv"])
        #expect(network.events.map(\.id) == ["wednesday-hygge", "christmas-lunch"])
        #expect(network.members.members.count == 2)
        #expect(network.problems.isEmpty, "\(network.problems)")
    }

    @Test func theExampleNetworkInConfigPassesCheck() throws {
        let url = TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent(
            "Config/inviter.toml")
        let network = try NetworkLoader.load(configuration: url)
        #expect(network.problems.isEmpty, "\(network.problems)")
        #expect(network.members.stats.members >= 50)
        #expect(Set(network.members.members.compactMap { $0.language?.identifier }).count >= 5)
        let summary = CheckSummary(network, now: Date(timeIntervalSince1970: 1_795_500_000)).lines.joined(
            separator: "\n")
        #expect(summary.contains("Events: 8"))
    }

    @Test(arguments: [
        ("14d", SendOffset(days: 14)), ("2d", SendOffset(days: 2)), ("6h", SendOffset(seconds: 21_600)),
        ("90m", SendOffset(seconds: 5_400)), ("1d12h", SendOffset(days: 1, seconds: 43_200)),
        ("2w", SendOffset(days: 14)),
        (" 3D ", SendOffset(days: 3)),
    ])
    func parsesDurations(_ text: String, _ expected: SendOffset) throws {
        #expect(try SendOffset(parsing: text) == expected)
    }

    @Test(arguments: ["", "14", "d", "14 days", "14x", "1d1d", "-2d", "99999d"])
    func refusesBadDurations(_ text: String) {
        #expect(throws: SendOffsetError.self) { try SendOffset(parsing: text) }
    }

    @Test(arguments: [
        ("30/min", 30, 60), ("5/s", 5, 1), ("2000/day", 2000, 86_400), ("500 / hour", 500, 3600),
    ])
    func parsesRates(_ text: String, _ messages: Int, _ per: Int) throws {
        #expect(try RateLimit(parsing: text) == RateLimit(messages: messages, per: per))
    }

    @Test(arguments: ["30", "30 per minute", "0/min", "x/min", "30/fortnight"])
    func refusesBadRates(_ text: String) {
        #expect(throws: RateLimitError.self) { try RateLimit(parsing: text) }
    }

    @Test func daysAreCalendarDaysAcrossDaylightSaving() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Copenhagen"))
        // An event at 19:00 on 2026-11-04 (winter time); 14d before is 19:00 on 2026-10-21 (summer time).
        let eventDay = try #require(LocalDate(year: 2026, month: 11, day: 4))
        let start = try #require(LocalDateTime(date: eventDay, hour: 19, minute: 0))
        let due = SendOffset(days: 14).before(start, in: zone)
        #expect(LocalDateTime(due, in: zone).description == "2026-10-21T19:00:00")
        #expect(due.timeIntervalSince1970 == 1_792_602_000)  // 17:00Z
        // Hours are elapsed time: 6 hours before 04:00 on the night the clocks go back is 23:00 the evening before.
        let changeDay = try #require(LocalDate(year: 2026, month: 10, day: 25))
        let after = try #require(LocalDateTime(date: changeDay, hour: 4, minute: 0))
        let sixHours = SendOffset(seconds: 6 * 3600).before(after, in: zone)
        #expect(LocalDateTime(sixHours, in: zone).description == "2026-10-24T23:00:00")
    }

    /// Each broken configuration, the line its error must name, and words the message must contain.
    static let brokenConfigurations:
        [(name: String, replace: String, with: String, line: Int, words: [String])] = [
            ("TOML syntax", "name = \"Test Network\"", "name = \"Test Network", 2, ["not valid TOML"]),
            (
                "unknown key", "reminder = \"2d\"", "remindr = \"2d\"", 15,
                ["schedule.remindr", "unknown setting", "did you mean \"reminder\""]
            ),
            (
                "unknown section", "[delivery]", "[delivry]", 18,
                ["delivry", "unknown setting", "did you mean \"delivery\""]
            ),
            (
                "bad duration", "invitation = \"14d\"", "invitation = \"14 days\"", 14,
                ["schedule.invitation", "not a duration"]
            ),
            (
                "duration as a number", "grace = \"6h\"", "grace = 6", 16,
                ["schedule.grace", "text in quotes"]
            ),
            (
                "reminder before invitation", "reminder = \"2d\"", "reminder = \"20d\"", 15,
                ["reminder", "must come after the invitation"]
            ),
            (
                "time zone typo", "Europe/Copenhagen", "Europe/Copenhagn", 3,
                ["not a time zone", "Europe/Copenhagen"]
            ),
            (
                "country code as language", "default_language = \"en\"", "default_language = \"dk\"", 4,
                ["\"dk\" is not an ISO 639", "\"da\""]
            ),
            (
                "country code as a fallback language", "default_language = \"en\"",
                "default_language = \"en\"\nfallback_languages = [\"de\", \"dk\"]", 5,
                ["network.fallback_languages", "\"dk\" is not an ISO 639", "\"da\""]
            ),
            (
                "fallback languages not a list", "default_language = \"en\"",
                "default_language = \"en\"\nfallback_languages = 3", 5,
                ["network.fallback_languages", "must be a list"]
            ),
            (
                "invalid sender", "Test Network <events@example.org>", "events@@example.org", 5,
                ["network.from", "more than one '@'"]
            ),
            ("missing section", "[sources]", "[sourcez]", 7, ["sourcez", "did you mean \"sources\""]),
            (
                "bad transport", "transport = \"outbox\"", "transport = \"smpt\"", 19,
                ["not a transport", "did you mean \"smtp\""]
            ),
            (
                "bad connections", "state = \"state\"", "state = \"state\"\nconnections = 0", 22,
                ["connections", "between 1 and 64"]
            ),
            (
                "bad rate", "state = \"state\"", "state = \"state\"\nrate = \"30 per minute\"", 22,
                ["delivery.rate", "not a rate"]
            ),
            (
                "empty member lists", "members = [\"members.csv\"]", "members = []", 9,
                ["sources.members", "at least one"]
            ),
        ]

    @Test(arguments: 0..<brokenConfigurations.count)
    func reportsBrokenConfigurations(_ index: Int) throws {
        let broken = Self.brokenConfigurations[index]
        #expect(NetworkFixture.config.contains(broken.replace), "fixture changed: \(broken.name)")
        let fixture = try NetworkFixture([
            "inviter.toml": NetworkFixture.config.replacingOccurrences(of: broken.replace, with: broken.with)
        ])
        let problems = fixture.problems()
        let match = problems.first { problem in
            problem.hasPrefix("inviter.toml:\(broken.line): ")
                && broken.words.allSatisfy { problem.contains($0) }
        }
        #expect(match != nil, "\(broken.name): got \(problems)")
        #expect(throws: InputProblems.self, "\(broken.name)") {
            try NetworkLoader.load(configuration: fixture.configURL)
        }
    }

    static let smtpSection = """
        [smtp]
        url = "smtp://relay.example.org:587"
        tls = "starttls"
        username = "events@example.org"
        password_env = "INVITER_SMTP_PASSWORD"

        """

    static let brokenSMTP: [(name: String, replace: String, with: String, words: [String])] = [
        (
            "password in the config", "password_env = \"INVITER_SMTP_PASSWORD\"", "password = \"hunter2\"",
            ["never goes in the configuration"]
        ),
        (
            "both password sources", "password_env = \"INVITER_SMTP_PASSWORD\"",
            "password_env = \"A\"\npassword_file = \"pw\"", ["either password_env or password_file"]
        ),
        ("tls typo", "tls = \"starttls\"", "tls = \"startls\"", ["must be \"starttls\""]),
        (
            "smtps with starttls", "smtp://relay.example.org:587", "smtps://relay.example.org:465",
            ["implicit TLS"]
        ),
        ("AUTH in clear text", "tls = \"starttls\"", "tls = \"none\"", ["unencrypted"]),
        (
            "user without password", "password_env = \"INVITER_SMTP_PASSWORD\"", "",
            ["needs password_env or password_file"]
        ),
    ]

    @Test(arguments: 0..<brokenSMTP.count)
    func reportsBrokenSMTPSettings(_ index: Int) throws {
        let broken = Self.brokenSMTP[index]
        let config =
            NetworkFixture.config
            + Self.smtpSection.replacingOccurrences(of: broken.replace, with: broken.with)
        let fixture = try NetworkFixture(["inviter.toml": config])
        let problems = fixture.problems()
        #expect(
            problems.contains { $0.hasPrefix("inviter.toml:") && broken.words.allSatisfy($0.contains) },
            "\(broken.name): \(problems)")
        // The password itself never appears in a message.
        #expect(!problems.joined().contains("hunter2"))
    }

    @Test func refusesAPasswordFileOthersCanRead() throws {
        let config =
            NetworkFixture.config
            + Self.smtpSection.replacingOccurrences(
                of: "password_env = \"INVITER_SMTP_PASSWORD\"", with: "password_file = \"smtp-password\"")
        let fixture = try NetworkFixture(["inviter.toml": config, "smtp-password": "s3cret\n"])
        let file = fixture.directory.appendingPathComponent("smtp-password").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let problems = fixture.problems()
        #expect(
            problems.contains { $0.contains("smtp.password_file") && $0.contains("chmod 600") }, "\(problems)"
        )
        #expect(!problems.joined().contains("s3cret"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(fixture.problems().isEmpty)
    }

    @Test func refusesUnsubscribeURLsThatCannotWork() throws {
        let config =
            NetworkFixture.config + """
                [unsubscribe]
                mailto = "unsubscribe@example.org"
                url = "http://example.org/unsubscribe"

                """
        let problems = try NetworkFixture(["inviter.toml": config]).problems()
        #expect(problems.contains { $0.contains("unsubscribe.url") && $0.contains("https://") })
        #expect(problems.contains { $0.contains("unsubscribe.url") && $0.contains("{token}") })
        #expect(problems.contains { $0.contains("unsubscribe.secret_env") && $0.contains("required") })
    }

    /// The demo's example values left in a copied configuration: a warning for each, at its line,
    /// kept apart from the problems a run prints every time.
    @Test func warnsAboutEachExampleValueLeftIn() throws {
        let config =
            NetworkFixture.config.replacingOccurrences(
                of: "from = \"Test Network <events@example.org>\"",
                with: "from = \"Test Network <events@example.org>\"\nreply_to = \"hello@Herning.Example.COM\""
            )
                + """
                [smtp]
                url = "smtp://relay.example.invalid:587"
                tls = "starttls"
                username = "events@real-network.dk"
                password_env = "INVITER_SMTP_PASSWORD"

                [unsubscribe]
                mailto = "unsubscribe@real-network.dk"

                """
        let fixture = try NetworkFixture(["inviter.toml": config])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let warnings = network.configuration.exampleValues.map {
            $0.description.replacingOccurrences(of: fixture.directory.path + "/", with: "")
        }
        #expect(
            warnings == [
                "inviter.toml:5: warning: network.from: \"events@example.org\" is the demo's example value "
                    + "(example.org reaches nobody): put the network's own here before real mail goes out",
                "inviter.toml:6: warning: network.reply_to: \"hello@Herning.Example.COM\" is the demo's example "
                    + "value (Herning.Example.COM reaches nobody): put the network's own here before real mail "
                    + "goes out",
                "inviter.toml:24: warning: smtp.url: \"smtp://relay.example.invalid:587\" is the demo's example "
                    + "value (relay.example.invalid reaches nobody): put the network's own here before real mail "
                    + "goes out",
            ], "\(warnings)")
        #expect(network.problems.isEmpty, "a run does not print them: \(network.problems)")
    }

    @Test func aNetworkWithItsOwnAddressesHasNoExampleValues() throws {
        let config = NetworkFixture.config.replacingOccurrences(
            of: "events@example.org", with: "events@examples-of-kindness.org")
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["inviter.toml": config]).configURL)
        #expect(network.configuration.exampleValues.isEmpty, "\(network.configuration.exampleValues)")
    }

    @Test func reportsAMissingConfigurationFile() {
        let url = URL(fileURLWithPath: "/nonexistent/inviter.toml")
        #expect {
            try Configuration.load(url)
        } throws: { error in
            guard let problems = error as? InputProblems else { return false }
            return problems.description.contains("/nonexistent/inviter.toml: cannot read the file")
                && problems.problems.allSatisfy { $0.kind == .configuration }
        }
    }

    @Test func usesTheEnvironmentForTheDefaultPath() {
        #expect(Configuration.defaultPath(explicit: nil, environment: [:]) == "Config/inviter.toml")
        #expect(
            Configuration.defaultPath(explicit: nil, environment: ["INVITER_CONFIG": "/etc/inviter.toml"])
                == "/etc/inviter.toml")
        #expect(
            Configuration.defaultPath(
                explicit: "x.toml", environment: ["INVITER_CONFIG": "/etc/inviter.toml"]) == "x.toml")
    }
}
