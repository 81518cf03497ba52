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
