import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// What `inviter check` says of RSVP events.
@Suite struct RSVPCheckTests {
    static let web = """
        [web]
        base_url = "https://example.org/inviter"
        secret_env = "INVITER_TEST_SECRET"

        """
    static let events = NetworkFixture.events.replacingOccurrences(
        of: "capacity = 120", with: "capacity = 120\nrsvp = true")

    /// The fixture network with RSVP on the Christmas lunch and `templates` (the shipped ones when nil).
    static func check(templates: URL? = nil, web: Bool = true) throws -> NetworkCheck {
        var config = NetworkFixture.config + (web ? Self.web : "")
        if let templates {
            config = config.replacingOccurrences(of: RenderFixture.templates.path, with: templates.path)
        }
        let fixture = try NetworkFixture(["inviter.toml": config, "events.toml": Self.events])
        return NetworkCheck(configuration: fixture.configURL, now: RenderFixture.now)
    }

    @Test func theShippedTemplatesCarryTheAnswers() throws {
        let check = try Self.check()
        #expect(check.verdict == .usable, "\(check.lines)\(check.errorLines)")
        #expect(!check.lines.contains { $0.contains("rsvp") }, "\(check.lines)")
    }

    @Test func anInvitationWithoutTheLinksIsAWarningAndNoSeatTemplateAnError() throws {
        let templates = try RenderFixture.copyOfTemplates()
        let file = templates.appendingPathComponent("invitation/de.mustache")
        let text = try String(contentsOf: file, encoding: .utf8)
        let start = try #require(text.range(of: "{{#rsvp}}"))
        let end = try #require(text.range(of: "{{/rsvp}}\n"))
        try (String(text[..<start.lowerBound]) + String(text[end.upperBound...])).write(
            to: file, atomically: true, encoding: .utf8)
        let warned = try Self.check(templates: templates)
        #expect(warned.verdict == .usable)
        let warning = try #require(warned.lines.first { $0.contains("rsvp.yes_url") }, "\(warned.lines)")
        #expect(warning.contains("invitation/de.mustache:3: warning:"), "\(warning)")

        try FileManager.default.removeItem(at: templates.appendingPathComponent("seat"))
        let refused = try Self.check(templates: templates)
        #expect(refused.verdict == .configurationErrors)
        #expect(
            refused.lines.contains { $0.contains("events.toml:21: rsvp: no seat template") },
            "\(refused.lines)")
    }

    @Test func anRSVPEventWithoutWebIsAConfigurationError() throws {
        let check = try Self.check(web: false)
        #expect(check.verdict == .configurationErrors)
        #expect(
            check.lines.contains { $0.contains("events.toml:21: rsvp: answers need inviter serve") },
            "\(check.lines)")
    }

    /// A capacity lowered below those going moves nobody out: check and attendees say so.
    @Test func aLoweredCapacityIsReportedNotApplied() throws {
        let fixture = try NetworkFixture([
            "inviter.toml": NetworkFixture.config + Self.web,
            "events.toml": Self.events.replacingOccurrences(of: "capacity = 120", with: "capacity = 2"),
        ])
        let ledger = try SQLiteLedger(directory: fixture.directory.appendingPathComponent("state"))
        let lunch: OccurrenceID = "christmas-lunch/2026-12-12"
        let seat = SeatNotice(
            occurrence: lunch, start: RenderFixture.now.addingTimeInterval(30 * 86_400),
            now: RenderFixture.now,
            messageDomain: "example.org")
        for address in ["a@example.org", "b@example.org"] {
            _ = try ledger.answerRSVP(
                .yes, occurrence: lunch, address: AddressKey(address), capacity: 2, seat: seat,
                now: RenderFixture.now)
        }
        let lowered = Self.events.replacingOccurrences(of: "capacity = 120", with: "capacity = 1")
        try fixture.write("events.toml", bytes: Array(lowered.utf8))
        let check = NetworkCheck(configuration: fixture.configURL, now: RenderFixture.now)
        #expect(
            check.lines.contains {
                $0.contains("warning: capacity: christmas-lunch/2026-12-12 has 2 going for 1 seats")
            }, "\(check.lines)")
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let report = AttendeesReport(
            occurrence: try #require(network.occurrence(lunch)), records: try ledger.rsvps(of: lunch),
            network: network)
        #expect(report.overCapacity == 1)
        #expect(report.lines(zone: .gmt).contains { $0.hasPrefix("warning: 1 member over capacity") })
        #expect(try ledger.rsvpCounts()[lunch]?.going == 2, "nobody moved out")
    }
}
