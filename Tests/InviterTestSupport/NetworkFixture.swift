import Foundation
import InviterCore

/// A small network written to a temporary folder, with pieces a test can replace.
public struct NetworkFixture {
    public static let config = """
        [network]
        name = "Test Network"
        time_zone = "Europe/Copenhagen"
        default_language = "en"
        from = "Test Network <events@example.org>"

        [sources]
        events = "events.toml"
        members = ["members.csv"]
        partners = "partners.csv"
        templates = "\(TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent("Templates").path)"

        [schedule]
        invitation = "14d"
        reminder = "2d"
        grace = "6h"

        [delivery]
        transport = "outbox"
        outbox = "outbox"
        state = "state"

        """

    public static let events = """
        [[event]]
        id = "wednesday-hygge"
        title = { en = "Wednesday hygge", da = "Onsdagshygge" }
        description = { en = "Meet at the pub.", da = "Vi mødes på pubben." }
        start = 2026-12-02T19:00:00
        end = 2026-12-02T22:00:00
        repeat = "FREQ=WEEKLY;BYDAY=WE"
        except = [2026-12-23]
        venue = "The Pub, Torvet 3, 7400 Herning"
        audience = ["all"]
        partners = ["company"]

        [[event.override]]
        date = 2026-12-16
        venue = "Café, Bredgade 1, 7400 Herning"

        [[event.override]]
        date = 2026-12-30
        cancelled = true

        [[event]]
        id = "christmas-lunch"
        title = "Christmas lunch"
        start = 2026-12-12T12:00:00
        end = 2026-12-12T16:00:00
        venue = "Congress Centre"
        audience = ["newcomers"]
        capacity = 120

        """

    public static let members = """
        email,name,language,segments,organisation,status
        mette@example.org,Mette Sørensen,da,danes,,active
        olena@example.org,Olena Kovalenko,uk,newcomers;spouses,,active

        """

    public static let partners = """
        email,organisation,kind,contact,language
        hr@company.example.com,Example A/S,company,Hanne,da

        """

    public let directory: URL
    public var configURL: URL { directory.appendingPathComponent("inviter.toml") }

    /// Writes the files, with any of them replaced by `overrides` (file name → contents).
    public init(_ overrides: [String: String] = [:]) throws {
        directory = try TestPaths.temporaryDirectory("network")
        let files = [
            "inviter.toml": Self.config, "events.toml": Self.events, "members.csv": Self.members,
            "partners.csv": Self.partners,
        ].merging(overrides) { $1 }
        for (name, contents) in files {
            try Data(contents.utf8).write(to: directory.appendingPathComponent(name))
        }
    }

    public func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    /// The problems loading reports, thrown or not, as `file:line: …` lines with the folder removed.
    public func problems() -> [String] {
        let found: [InputProblem]
        do {
            found = try NetworkLoader.load(configuration: configURL).problems
        } catch {
            found = error.problems
        }
        return found.map { $0.description.replacingOccurrences(of: directory.path + "/", with: "") }
    }
}
