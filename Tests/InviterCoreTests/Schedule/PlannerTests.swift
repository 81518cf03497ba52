import Foundation
import InviterCore
import InviterTestSupport
import Testing

@Suite struct PlannerTests {
    let zone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt

    func network() throws -> LoadedNetwork {
        try NetworkLoader.load(configuration: try NetworkFixture().configURL)
    }

    /// An ISO 8601 instant with offset.
    func at(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        return try #require(formatter.date(from: text))
    }

    func due(_ network: LoadedNetwork, _ instant: String) throws -> [MailingID] {
        Planner.due(
            at: try at(instant), events: network.events, schedule: network.configuration.schedule, zone: zone
        ).map(\.id)
    }

    @Test func invitationsAreDueFromTheirTimeUntilGraceEnds() throws {
        let network = try network()
        // wednesday-hygge 2026-12-02 19:00 (UTC+1): the invitation is due 14 calendar days earlier, 2026-11-18 19:00.
        #expect(
            try !due(network, "2026-11-18T18:59:59+01:00").contains("invitation/wednesday-hygge/2026-12-02"))
        #expect(
            try due(network, "2026-11-18T19:00:00+01:00").contains("invitation/wednesday-hygge/2026-12-02"))
        #expect(
            try due(network, "2026-11-19T00:59:59+01:00").contains("invitation/wednesday-hygge/2026-12-02"))
        #expect(
            try !due(network, "2026-11-19T01:00:00+01:00").contains("invitation/wednesday-hygge/2026-12-02"),
            "missed beyond grace")
        #expect(try due(network, "2026-11-18T19:00:00+01:00").contains("partner/wednesday-hygge/2026-12-02"))
        // The reminder, 2 days before.
        #expect(try due(network, "2026-11-30T19:30:00+01:00").contains("reminder/wednesday-hygge/2026-12-02"))
    }

    /// A weekly activity can go without a reminder, have its own invitation time, or be announced
    /// through the newsletter alone, which then lists its dates.
    @Test func anEventCanSetItsOwnScheduleOrBeAnnouncedByTheNewsletterOnly() throws {
        let text = """
            [[event]]
            id = "language-cafe"
            title = "Language café"
            start = 2026-12-02T17:00:00
            end = 2026-12-02T19:00:00
            repeat = "FREQ=WEEKLY;BYDAY=WE"
            venue = "Library"
            invitation = "7d"
            reminder = "none"

            [[event]]
            id = "board-games"
            title = "Board games"
            start = 2026-12-03T19:00:00
            end = 2026-12-03T22:00:00
            repeat = "FREQ=WEEKLY;BYDAY=TH"
            venue = "Café"
            partners = ["company"]
            announce = "newsletter"
            """
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["events.toml": text]).configURL)
        #expect(
            network.problems.contains {
                $0.field == "announce" && $0.description.contains("[schedule] has no newsletter")
            }, "without a newsletter such an event reaches nobody: \(network.problems)")
        var schedule = network.configuration.schedule
        schedule.newsletter = try RecurrenceRule(parsing: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9")
        let mailings = Planner.mailings(
            around: try at("2026-11-20T12:00:00+01:00"), events: network.events, schedule: schedule,
            zone: zone,
            horizonDays: 30)
        let ids = mailings.map(\.id.description)
        #expect(ids.contains("invitation/language-cafe/2026-12-02"))
        #expect(!ids.contains { $0.hasPrefix("reminder/language-cafe/") }, "reminder = none")
        #expect(!ids.contains { $0.contains("/board-games/") }, "newsletter only: \(ids)")
        let invitation = try #require(mailings.first { $0.id == "invitation/language-cafe/2026-12-02" })
        #expect(invitation.dueAt == (try at("2026-11-25T17:00:00+01:00")), "7 calendar days before")
        let newsletter = try #require(mailings.first { $0.id == "newsletter/2026-12-01" })
        #expect(
            newsletter.digest.contains { $0.id == "board-games/2026-12-03" }, "the newsletter lists its dates"
        )
        #expect(newsletter.digest.contains { $0.id == "board-games/2026-12-10" })
    }

    @Test func nothingIsDueOnceTheOccurrenceHasStarted() throws {
        let text = """
            [[event]]
            id = "late"
            title = "Late"
            start = 2026-12-02T19:00:00
            end = 2026-12-02T22:00:00
            venue = "V"
            """
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["events.toml": text]).configURL)
        var schedule = network.configuration.schedule
        schedule.reminder = SendOffset(seconds: 3600)
        schedule.grace = SendOffset(seconds: 4 * 3600)
        let before = Planner.due(
            at: try at("2026-12-02T18:30:00+01:00"), events: network.events, schedule: schedule, zone: zone)
        #expect(before.map(\.id) == ["reminder/late/2026-12-02"])
        let after = Planner.due(
            at: try at("2026-12-02T19:00:00+01:00"), events: network.events, schedule: schedule, zone: zone)
        #expect(after.isEmpty, "grace would allow it, but the event has started")
    }

    @Test func daysBeforeAreCalendarDaysAcrossDaylightSaving() throws {
        let text = """
            [[event]]
            id = "after-change"
            title = "After the change"
            start = 2026-11-04T19:00:00
            end = 2026-11-04T21:00:00
            venue = "V"
            """
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["events.toml": text]).configURL)
        let mailings = Planner.mailings(
            around: try at("2026-10-21T12:00:00Z"), events: network.events,
            schedule: network.configuration.schedule, zone: zone)
        let invitation = try #require(mailings.first { $0.kind == .invitation })
        #expect(
            invitation.dueAt == (try at("2026-10-21T19:00:00+02:00")),
            "19:00 summer time, 14 days before 19:00 winter time")
    }

    @Test func aCancelledOccurrenceGetsACancellationNotAnInvitation() throws {
        let network = try network()
        let ids = try due(network, "2026-12-16T19:00:00+01:00")
        #expect(ids.contains("cancellation/wednesday-hygge/2026-12-30"))
        #expect(!ids.contains("invitation/wednesday-hygge/2026-12-30"))
    }

    @Test func audiencesFollowSegmentsAndStatus() throws {
        let network = try network()
        let mailings = Planner.mailings(
            around: try at("2026-11-28T12:00:00+01:00"), events: network.events,
            schedule: network.configuration.schedule,
            zone: zone)
        let lunch = try #require(mailings.first { $0.id == "invitation/christmas-lunch/2026-12-12" })
        let members =
            network.members.members + [
                Member(
                    address: try MailAddress("gone@example.org"), name: "Gone", language: nil,
                    segments: ["newcomers"],
                    organisation: nil, status: .unsubscribed, fields: [:], sources: [])
            ]
        let recipients = Planner.recipients(
            of: lunch, members: members, partners: network.partners?.partners ?? [])
        #expect(recipients.map(\.address.address) == ["olena@example.org"], "only active newcomers")
        let hygge = try #require(mailings.first { $0.id == "partner/wednesday-hygge/2026-12-02" })
        let partners = Planner.recipients(
            of: hygge, members: members, partners: network.partners?.partners ?? [])
        #expect(partners.map(\.address.address) == ["hr@company.example.com"])
    }
}

@Suite struct NewsletterPlanTests {
    @Test func newslettersFollowTheirRuleAndListTheComingWeeks() throws {
        let config = NetworkFixture.config.replacingOccurrences(
            of: "grace = \"6h\"", with: "grace = \"6h\"\nnewsletter = \"FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9\"")
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["inviter.toml": config]).configURL)
        let zone = network.configuration.network.timeZone
        let formatter = ISO8601DateFormatter()
        let now = try #require(formatter.date(from: "2026-12-01T09:30:00+01:00"))
        let due = Planner.due(
            at: now, events: network.events, schedule: network.configuration.schedule, zone: zone)
        let newsletter = try #require(due.first { $0.kind == .newsletter })
        #expect(newsletter.id == "newsletter/2026-12-01")
        #expect(newsletter.dueAt == formatter.date(from: "2026-12-01T09:00:00+01:00"))
        #expect(newsletter.digest.first?.id == "wednesday-hygge/2026-12-02")
        #expect(!newsletter.digest.contains { $0.cancelled }, "a cancelled occurrence is not advertised")
        #expect(newsletter.digest.contains { $0.id == "christmas-lunch/2026-12-12" })
        let recipients = Planner.recipients(of: newsletter, members: network.members.members, partners: [])
        #expect(recipients.count == 2, "both members have something in the digest")
        let mette = try #require(network.members.members.first { $0.address.address == "mette@example.org" })
        #expect(
            !newsletter.digest.meant(for: mette).contains { $0.eventID == "christmas-lunch" },
            "newcomers only")
        let tooEarly = try #require(formatter.date(from: "2026-12-01T08:59:00+01:00"))
        #expect(
            !Planner.due(
                at: tooEarly, events: network.events, schedule: network.configuration.schedule, zone: zone
            )
            .contains { $0.kind == .newsletter })
    }
}
