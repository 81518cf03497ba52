import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// RSVP end to end: the links in real invitations, answered over real HTTP by `inviter serve`,
/// the waitlist moving, the seat notice and the reminders of the next runs, and the door list.
@Suite(.serialized) struct RSVPTests {
    /// The Christmas lunch (audience: newcomers) with RSVP and `capacity` seats.
    static func network(capacity: Int, members: Int) throws -> ServeNetwork {
        let network = try ServeNetwork(count: members)
        let events = NetworkFixture.events.replacingOccurrences(
            of: "capacity = 120", with: "capacity = \(capacity)\nrsvp = true")
        try network.fixture.write("events.toml", bytes: Array(events.utf8))
        return network
    }

    static let lunch = "christmas-lunch/2026-12-12"
    /// After the invitations went out, while answers come in.
    static let answering = "2026-12-01T10:00:00+01:00"

    /// Each member's yes link from their invitation, pointed at `serve`.
    static func yesLinks(_ mail: [CapturedMail], on serve: ServeProcess) throws -> [String: String] {
        var links: [String: String] = [:]
        for message in mail where message.mailing == "invitation/\(lunch)" {
            let text = try message.part("text/plain")
            let link = try #require(text.firstLink(startingWith: ServeNetwork.mailHost + "/inviter/rsvp/"))
            #expect(link.hasSuffix("?answer=yes"), "\(link)")
            let address = try #require(message.recipients.first?.trimmingCharacters(in: ["<", ">"]))
            links[address] = ServeNetwork.local(link, on: serve)
        }
        return links
    }

    static func answer(_ link: String, _ answer: String) throws -> BlockingHTTP.Response {
        let url = String(link.prefix { $0 != "?" })
        return try BlockingHTTP.postForm(url, [("answer", answer)])
    }

    func attendees(_ network: ServeNetwork) throws -> [String: [[String: Any]]] {
        let output = try network.tool(["attendees", Self.lunch, "--json"])
        #expect(output.status == 0, "\(output.standardError)")
        let object =
            try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["occurrence"] as? String == Self.lunch)
        var lists: [String: [[String: Any]]] = [:]
        for key in ["going", "waitlist", "declined"] { lists[key] = object?[key] as? [[String: Any]] ?? [] }
        return lists
    }

    func emails(_ entries: [[String: Any]]?) -> [String] {
        (entries ?? []).compactMap { $0["email"] as? String }
    }

    @Test func twoSeatsThreeYesOneNoOneSeatNoticeAndRemindersToTheRightPeople() throws {
        // Newcomers: olena (uk) and member0…member3 (en).
        let network = try Self.network(capacity: 2, members: 4)
        defer { network.sink.stop() }
        try network.run(at: ServeNetwork.christmasLunchDue)
        let invitations = try network.mail().filter { $0.mailing == "invitation/\(Self.lunch)" }
        #expect(invitations.count == 5)
        let english = try #require(invitations.first { $0.isFor("member0@example.org") })
        #expect(try english.part("text/plain").contains("2 seats left."))
        #expect(try english.part("text/html").contains("/inviter/rsvp/2."))

        let serve = try network.serve(now: Self.answering)
        defer { serve.stop() }
        let links = try Self.yesLinks(invitations, on: serve)
        #expect(links.count == 5)

        // The page, fetched by a link scanner or opened: preselected, changing nothing.
        let olena = try #require(links["olena@example.org"])
        let page = try BlockingHTTP.get(olena)
        #expect(page.status == 200)
        #expect(page.body.contains("value=\"yes\" required checked"), "the linked answer is preselected")
        #expect(page.body.contains("lang=\"uk\""))
        expectSafetyHeaders(page, "the RSVP page")
        #expect(try attendees(network)["going"]?.isEmpty == true, "a GET records nothing")

        let first = try Self.answer(try #require(links["member0@example.org"]), "yes")
        #expect(first.status == 200)
        #expect(first.body.contains("You are going to"), "\(first.body)")
        #expect(try Self.answer(try #require(links["member1@example.org"]), "yes").status == 200)
        let waiting = try Self.answer(olena, "yes")
        #expect(waiting.status == 200)
        #expect(waiting.body.contains("номером <bdi>1</bdi>"), "olena is first on the waitlist")
        // A double click records one answer.
        #expect(try Self.answer(try #require(links["member0@example.org"]), "yes").status == 200)
        var lists = try attendees(network)
        #expect(emails(lists["going"]) == ["member0@example.org", "member1@example.org"])
        #expect(emails(lists["waitlist"]) == ["olena@example.org"])

        // Bad answers and forged tokens change nothing.
        #expect(try Self.answer(olena, "maybe").status == 400)
        let forged = olena.replacingOccurrences(of: "/rsvp/2.", with: "/rsvp/2.A")
        #expect(try Self.answer(forged, "no").status == 400)
        #expect(emails(try attendees(network)["waitlist"]) == ["olena@example.org"])

        // A going member declines: olena gets the seat, and the next run sends her one notice.
        let declined = try Self.answer(try #require(links["member1@example.org"]), "no")
        #expect(declined.body.contains("you are not going to"), "\(declined.body)")
        lists = try attendees(network)
        #expect(emails(lists["going"]) == ["member0@example.org", "olena@example.org"])
        #expect(emails(lists["declined"]) == ["member1@example.org"])
        let before = try network.mail()
        try network.run(at: "2026-12-01T11:00:00+01:00")
        let seats = try network.mail(after: before)
        #expect(seats.map(\.mailing) == ["seat/\(Self.lunch)"])
        #expect(seats.first?.isFor("olena@example.org") == true)
        let notice = try #require(seats.first)
        #expect(try notice.part("text/plain").contains("Звільнилося місце"))
        #expect(try notice.decoded().parts.contains { $0.type == "text/calendar" }, "with the calendar entry")
        let afterSeat = try network.mail()
        try network.run(at: "2026-12-01T12:00:00+01:00")
        #expect(try network.mail(after: afterSeat).isEmpty, "the seat notice goes once")

        // member2 waits now; member3 never answered.
        let member2 = try Self.answer(try #require(links["member2@example.org"]), "yes")
        #expect(member2.body.contains("number <bdi>1</bdi> on the waitlist"), "\(member2.body)")

        let status = try network.tool(["status", "--json"])
        let mailings =
            (try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])?[
                "mailings"] as? [[String: Any]] ?? []
        let invitation = mailings.first { $0["id"] as? String == "invitation/\(Self.lunch)" }
        let answers = invitation?["rsvp"] as? [String: Int]
        #expect(answers == ["going": 2, "waitlisted": 1, "declined": 1], "\(String(describing: answers))")

        // The reminder: to the going and the unanswered, never to the declined or the waitlisted.
        let beforeReminder = try network.mail()
        let reminderRun = try network.run(at: "2026-12-10T12:00:00+01:00")
        let reminders = try network.mail(after: beforeReminder).filter {
            $0.mailing == "reminder/\(Self.lunch)"
        }
        #expect(
            reminders.flatMap(\.recipients).sorted() == [
                "<member0@example.org>", "<member3@example.org>", "<olena@example.org>",
            ], "\(reminderRun.standardOutput)")

        // For the door: text and CSV.
        let text = try network.tool(["attendees", Self.lunch])
        #expect(
            text.standardOutput.hasPrefix("\(Self.lunch): 2 going of 2 seats, 1 on the waitlist, 1 declined"))
        #expect(text.standardOutput.contains("  1. member2@example.org  Member 2  en  answered "))
        let csv = try network.tool(["attendees", Self.lunch, "--csv"]).standardOutput
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "status,position,email,name,language,answered")
        #expect(
            rows.dropFirst().map {
                $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3).joined(separator: ",")
            } == [
                "going,,member0@example.org", "going,,olena@example.org", "waitlisted,1,member2@example.org",
                "declined,,member1@example.org",
            ])
    }

    /// The last seats: many members answering yes at the same moment leave exactly `capacity`
    /// going, and the rest waitlisted at positions 1…n with no gaps.
    @Test func fiftyConcurrentYesForTwentySeats() async throws {
        let network = try Self.network(capacity: 20, members: 49)
        defer { network.sink.stop() }
        try network.run(at: ServeNetwork.christmasLunchDue)
        let serve = try network.serve(now: Self.answering)
        defer { serve.stop() }
        let links = try Self.yesLinks(try network.mail(), on: serve)
        #expect(links.count == 50)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for link in links.values {
                group.addTask { try Self.answer(link, "yes").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        let output = try network.tool(["attendees", Self.lunch, "--csv"]).standardOutput
        let rows = output.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        #expect(rows.filter { $0[0] == "going" }.count == 20)
        let positions = rows.filter { $0[0] == "waitlisted" }.compactMap { Int($0[1]) }
        #expect(positions == Array(1...30))
    }

    @Test func anOccurrenceThatHasStartedTakesNoAnswer() throws {
        let network = try Self.network(capacity: 2, members: 1)
        defer { network.sink.stop() }
        try network.run(at: ServeNetwork.christmasLunchDue)
        let serve = try network.serve(now: "2026-12-12T12:30:00+01:00")
        defer { serve.stop() }
        let link = try #require(try Self.yesLinks(try network.mail(), on: serve)["member0@example.org"])
        let page = try BlockingHTTP.get(link)
        #expect(page.status == 200)
        #expect(page.body.contains("has started"))
        #expect(!page.body.contains("<form"))
        #expect(try Self.answer(link, "yes").status == 409)
        #expect(try attendees(network)["going"]?.isEmpty == true)
    }
}
