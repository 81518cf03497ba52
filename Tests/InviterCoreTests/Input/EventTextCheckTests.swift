import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Which events lack text in a language their readers get: the title, and the description too.
@Suite struct EventDescriptionCheckTests {
    @Test func warnsAboutATitleOrADescriptionMissingInAReadersLanguage() throws {
        let events = """
            [[event]]
            id = "dinner"
            title = { en = "Dinner", da = "Middag", uk = "Вечеря" }
            description = { en = "Bring a dish.", da = "Tag en ret med." }
            start = 2026-12-02T19:00:00
            end = 2026-12-02T22:00:00
            venue = "Hall"
            """
        let network = try NetworkLoader.load(
            configuration: try NetworkFixture(["events.toml": events]).configURL)
        let warnings = EventTextCheck.warnings(
            events: network.events, members: network.members.members, defaultLanguage: .english)
        // Mette reads Danish (both there); Olena reads Ukrainian: the title is, the description is not.
        #expect(warnings.map { $0.field ?? "" } == ["dinner.description"], "\(warnings)")
        #expect(warnings.first?.message == "no text in the language of 1 recipient (uk 1); they get it in en")
        #expect(warnings.first?.line == 1)
    }
}
