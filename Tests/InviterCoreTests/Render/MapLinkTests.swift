import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `event.map_url`: the organizer's map link, else an OpenStreetMap search for the venue.
@Suite struct MapLinkTests {
    static let events = NetworkFixture.events.replacingOccurrences(
        of: "venue = \"Congress Centre\"",
        with: "venue = \"Congress Centre\"\nmap = \"https://www.openstreetmap.org/way/123456\"")

    @Test func theOrganizersLinkElseASearchForTheVenue() throws {
        let fixture = try RenderFixture(events: Self.events)
        let reader = Recipient.member(try RenderFixture.member("Emily Carter", "en"))
        let lunch = try fixture.render(.invitation, "christmas-lunch/2026-12-12", reader).message
        #expect(lunch.text.contains("Where: Congress Centre <https://www.openstreetmap.org/way/123456>"))
        #expect(
            lunch.html?.contains("<a href=\"https://www.openstreetmap.org/way/123456\">Congress Centre</a>")
                == true)
        // The moved evening's own venue, searched for.
        let moved = try fixture.render(.invitation, "wednesday-hygge/2026-12-16", reader).message.text
        #expect(
            moved.contains(
                "Café, Bredgade 1, 7400 Herning <https://www.openstreetmap.org/search?query=Caf%C3%A9%2C%20Bredgade%201%2C%207400%20Herning>"
            ), "\(moved)")
    }

    @Test(arguments: ["javascript:alert(1)", "https://", "https://example.org/a b", "www.example.org"])
    func aMapThatIsNoLinkIsAnErrorWithItsLine(_ map: String) throws {
        let events = NetworkFixture.events.replacingOccurrences(
            of: "venue = \"Congress Centre\"", with: "venue = \"Congress Centre\"\nmap = \"\(map)\"")
        let fixture = try NetworkFixture(["events.toml": events])
        do {
            _ = try NetworkLoader.load(configuration: fixture.configURL)
            Issue.record("\(map) was accepted")
        } catch {
            let problem = try #require(
                error.problems.first { $0.description.contains("map") },
                "\(error.problems.map(\.description))")
            #expect(problem.line == 27, "the line of map: \(problem)")
            #expect(problem.description.contains("is not a link"))
        }
    }
}
