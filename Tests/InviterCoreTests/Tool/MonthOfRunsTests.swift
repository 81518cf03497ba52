import Foundation
import Testing

/// The five networks Inviter is for, each playing a month of cron runs against a real smtp-sink.
/// See `MonthOfRuns` for what is checked.
@Suite(.serialized) struct MonthOfRunsTests {
    /// International Society Herning – Ikast-Brande (`Config/`): four weekly activities, a Cook'n
    /// talk dinner every third Friday, the Christmas lunch, partners of every kind, the December digest.
    @Test func herning() throws {
        typealias Planned = MonthOfRuns.Planned
        let everyone = ["company", "school", "laerdansk"]
        var occurrences: [Planned] = []
        for date in ["2026-12-02", "2026-12-09", "2026-12-16"] {
            occurrences.append(
                Planned(event: "wednesday-hygge", date: date, start: "\(date)T19:00", partners: everyone))
        }
        for date in ["2026-12-07", "2026-12-14"] {
            occurrences.append(
                Planned(
                    event: "sports-night", date: date, start: "\(date)T18:00",
                    audience: ["sports", "newcomers"]))
        }
        for date in ["2026-12-03", "2026-12-10"] {
            occurrences.append(
                Planned(event: "basketball", date: date, start: "\(date)T20:00", audience: ["sports"]))
        }
        // The hall is booked after the invitation went out: the invited are told, nobody is reminded.
        occurrences.append(
            Planned(
                event: "basketball", date: "2026-12-17", start: "2026-12-17T20:00", audience: ["sports"],
                changedAt: "2026-12-08T10:00", cancelled: true))
        for date in ["2026-12-05", "2026-12-12", "2026-12-19"] {
            occurrences.append(Planned(event: "board-games", date: date, start: "\(date)T14:00"))
        }
        for date in ["2026-12-04", "2026-12-25"] {
            occurrences.append(
                Planned(event: "cook-n-talk", date: date, start: "\(date)T18:00", partners: everyone))
        }
        // The Christmas lunch moves to a bigger hall after its invitation: an update, then the reminder.
        occurrences.append(
            Planned(
                event: "christmas-lunch", date: "2026-12-12", start: "2026-12-12T12:00", partners: everyone,
                changedAt: "2026-12-01T12:00"))
        let month = MonthOfRuns(
            name: "herning", folder: "Config", from: "2026-11-18", through: "2026-12-18",
            occurrences: occurrences,
            newsletters: [.init(date: "2026-12-01")],
            announcements: [
                .init(
                    template: "winter-programme", segments: ["newcomers", "spouses"], at: "2026-11-20T10:00")
            ],
            suppress: ["lukasz.wojcik@example.org"],
            edits: [
                .override("basketball", at: "2026-12-08T10:00", "date = 2026-12-17\ncancelled = true"),
                .override(
                    "christmas-lunch", at: "2026-12-01T12:00",
                    "date = 2026-12-12\nvenue = \"Herning Congress Centre, Hall B, Fuglsangs Allé 1, 7400 Herning\""
                ),
            ])
        let outcome = try month.play()
        print(MonthOfRuns.summary("Herning", outcome))
    }
}

extension MonthOfRunsTests {
    static func exampleText(_ path: String) throws -> String {
        try String(
            contentsOf: TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent(path),
            encoding: .utf8)
    }

    /// International Tuesday, Roskilde: the first Tuesday of every month at a changing venue, from
    /// September across the October daylight-saving change. The organizer moves November's evening
    /// to Wednesday and cancels December's, each after its invitation went out.
    @Test func roskilde() throws {
        typealias Planned = MonthOfRuns.Planned
        let original = try Self.exampleText("Config/examples/roskilde/events.toml")
        let (withoutMove, moveLines) = MonthOfRuns.Edit.splitOverride(original, date: "2026-11-03")
        let (before, cancelLines) = MonthOfRuns.Edit.splitOverride(withoutMove, date: "2026-12-01")
        #expect(!moveLines.isEmpty && !cancelLines.isEmpty, "the example moves one evening and cancels one")
        let event = "international-tuesday"
        let month = MonthOfRuns(
            name: "roskilde", folder: "Config/examples/roskilde", from: "2026-09-15", through: "2026-11-30",
            occurrences: [
                Planned(event: event, date: "2026-10-06", start: "2026-10-06T19:00"),
                // Invited for Tuesday in summer time; the reminder names Wednesday, in winter time.
                Planned(
                    event: event, date: "2026-11-03", start: "2026-11-04T19:00",
                    changedAt: "2026-10-22T12:00",
                    invitedStart: "2026-11-03T19:00"),
                Planned(
                    event: event, date: "2026-12-01", start: "2026-12-01T19:00",
                    changedAt: "2026-11-20T12:00",
                    cancelled: true),
            ],
            suppress: ["mads.winther@example.org"],
            edits: [
                .override(event, at: "2026-10-22T12:00", moveLines),
                .override(event, at: "2026-11-20T12:00", cancelLines),
            ],
            prepare: { folder in
                try before.write(
                    to: folder.appendingPathComponent("events.toml"), atomically: true, encoding: .utf8)
            })
        let outcome = try month.play()
        print(MonthOfRuns.summary("Roskilde", outcome))
    }
}
