import Foundation
import InviterTestSupport
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
        // Cook'n talk takes answers: three seats at first (80 in the example), five from the 28th.
        occurrences.append(
            Planned(
                event: "cook-n-talk", date: "2026-12-04", start: "2026-12-04T18:00", partners: everyone,
                capacity: [("2026-11-18T00:00", 3), ("2026-11-28T10:00", 5)]))
        occurrences.append(
            Planned(
                event: "cook-n-talk", date: "2026-12-25", start: "2026-12-25T18:00", partners: everyone,
                capacity: [("2026-11-18T00:00", 3), ("2026-11-28T10:00", 5)]))
        let cooking = "cook-n-talk/2026-12-04"
        var answers: [MonthOfRuns.Answer] = []
        for (hour, member) in [
            "mette.sorensen", "emily.carter", "james.okafor", "priya.raman", "anne.mikkelsen", "soren.aero",
        ].enumerated() {
            answers.append(
                .init(
                    at: "2026-11-21T1\(hour):00", occurrence: cooking, member: member + "@example.org",
                    answer: "yes"))
        }
        answers += [
            // A double click, a no from someone who never said yes, and a going member who cannot come.
            .init(
                at: "2026-11-22T09:00", occurrence: cooking, member: "emily.carter@example.org", answer: "yes"
            ),
            .init(
                at: "2026-11-22T09:00", occurrence: cooking, member: "lars.kristensen@example.org",
                answer: "no"),
            .init(
                at: "2026-11-24T20:00", occurrence: cooking, member: "james.okafor@example.org", answer: "no"),
            // Changing their mind after a no: to the end of the waitlist.
            .init(
                at: "2026-11-26T08:00", occurrence: cooking, member: "james.okafor@example.org", answer: "yes"
            ),
        ]
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
            answers: answers,
            suppress: ["lukasz.wojcik@example.org"],
            edits: [
                .replace("capacity = 3", with: "capacity = 5", at: "2026-11-28T10:00"),
                .override("basketball", at: "2026-12-08T10:00", "date = 2026-12-17\ncancelled = true"),
                .override(
                    "christmas-lunch", at: "2026-12-01T12:00",
                    "date = 2026-12-12\nvenue = \"Herning Congress Centre, Hall B, Fuglsangs Allé 1, 7400 Herning\""
                ),
            ],
            prepare: { folder in
                // Three seats, so the month fills them and the waitlist moves.
                let file = folder.appendingPathComponent("events.toml")
                let text = try String(contentsOf: file, encoding: .utf8)
                try text.replacingOccurrences(of: "capacity = 80", with: "capacity = 3").write(
                    to: file, atomically: true, encoding: .utf8)
            })
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

extension MonthOfRunsTests {
    /// Together, Ringkøbing-Skjern: three overlapping member lists merged into one audience (the
    /// same people in other letter case, one unsubscribed in one list only, one bounced), the
    /// welcome announcement to everyone, and a citizens' meeting with interpreters.
    @Test func together() throws {
        typealias Planned = MonthOfRuns.Planned
        let month = MonthOfRuns(
            name: "together", folder: "Config/examples/together", from: "2026-11-24", through: "2027-01-03",
            occurrences: [
                Planned(event: "community-dinner", date: "2026-11-26", start: "2026-11-26T18:00"),
                // New Year's Eve's dinner is moved to the 17th in the example itself, before any invitation.
                Planned(
                    event: "community-dinner", date: "2026-12-31", start: "2026-12-17T18:00",
                    partners: ["laerdansk", "other"]),
                Planned(
                    event: "citizens-meeting", date: "2026-12-10", start: "2026-12-10T19:00",
                    partners: ["company", "school", "laerdansk", "other"]),
                Planned(
                    event: "family-winter-games", date: "2027-01-16", start: "2027-01-16T13:00",
                    audience: ["families", "refugees"], partners: ["school", "laerdansk"]),
            ],
            announcements: [.init(template: "together-welcome", segments: ["all"], at: "2026-11-25T10:00")],
            suppress: ["yonas.tesfaye@example.org"],
            defaultLanguage: "da")
        let outcome = try month.play()
        print(MonthOfRuns.summary("Together", outcome))
        // Amina is on all three lists, in three spellings: one welcome, one invitation.
        let amina = outcome.mail.filter { $0.recipients == ["amina.hassan@example.org"] }
        #expect(amina.filter { $0.mailing.hasPrefix("announcement/") }.count == 1)
        #expect(amina.filter { $0.mailing == "invitation/citizens-meeting/2026-12-10" }.count == 1)
    }

    /// Working in Lemvig: information evenings that name their interpreter languages in each reader's
    /// language, a job club for accompanying spouses only, and a party night that partners pass on.
    @Test func lemvig() throws {
        typealias Planned = MonthOfRuns.Planned
        let evenings = ["company", "laerdansk"]
        let month = MonthOfRuns(
            name: "lemvig", folder: "Config/examples/lemvig", from: "2026-11-19", through: "2026-12-31",
            occurrences: [
                Planned(
                    event: "tax-evening", date: "2026-12-03", start: "2026-12-03T18:30",
                    audience: ["workers", "spouses"], partners: evenings),
                Planned(
                    event: "labour-market-evening", date: "2027-01-14", start: "2027-01-14T18:30",
                    audience: ["workers", "spouses"], partners: evenings),
                Planned(
                    event: "partner-job-club", date: "2026-12-08", start: "2026-12-08T09:30",
                    audience: ["spouses"]),
                Planned(
                    event: "partner-job-club", date: "2027-01-05", start: "2027-01-05T09:30",
                    audience: ["spouses"]),
                Planned(
                    event: "international-party-night", date: "2026-12-12", start: "2026-12-12T19:00",
                    partners: ["company", "school", "laerdansk", "other"]),
            ],
            suppress: ["ionela.dumitrescu@example.org"])
        let outcome = try month.play()
        print(MonthOfRuns.summary("Lemvig", outcome))
        let offered = [
            "ro": "Se oferă interpret în limbile: română și poloneză.",
            "pl": "Tłumacz jest dostępny w językach: rumuński i polski.",
            "da": "Der kan være tolk på disse sprog: rumænsk og polsk.",
            "en": "An interpreter is offered in these languages: Romanian and Polish.",
        ]
        let tax = outcome.mail.filter { $0.mailing == "invitation/tax-evening/2026-12-03" }
        #expect(Set(tax.map(\.lang)).isSuperset(of: ["ro", "pl"]), "Romanian and Polish readers are invited")
        for message in tax {
            if let sentence = offered[message.lang] {
                #expect(message.text.contains(sentence), "\(message.recipients): \(message.text)")
            }
        }
    }

    /// Region Midtjylland: members in 19 municipalities (a generated list), regional events for a few
    /// municipalities each, the monthly digest listing what is on for each member, and "Invite the
    /// world inside" to host families and guests. The list is smaller than the example's 20 000 so
    /// the month stays quick; `make bench` sends to the large ones.
    @Test func region() throws {
        typealias Planned = MonthOfRuns.Planned
        let python = TestPaths.python
        let month = MonthOfRuns(
            name: "region", folder: "Config/examples/region", from: "2026-11-18", through: "2026-12-14",
            occurrences: [
                Planned(
                    event: "green-energy-aarhus", date: "2026-12-03", start: "2026-12-03T17:00",
                    audience: [
                        "aarhus", "favrskov", "skanderborg", "odder", "syddjurs", "norddjurs", "randers",
                        "samso",
                    ],
                    partners: ["company", "school"]),
                Planned(
                    event: "careers-herning", date: "2026-12-09", start: "2026-12-09T17:00",
                    audience: [
                        "herning", "ikast-brande", "ringkobing-skjern", "holstebro", "lemvig", "struer",
                    ],
                    partners: ["company", "school"]),
                Planned(
                    event: "christmas-afternoon", date: "2026-12-13", start: "2026-12-13T14:00",
                    partners: ["laerdansk", "school"]),
            ],
            newsletters: [.init(date: "2026-12-01")],
            announcements: [
                .init(
                    template: "invite-the-world-inside", segments: ["hosts", "guests"], at: "2026-12-02T10:00"
                )
            ],
            prepare: { folder in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [
                    folder.appendingPathComponent("make-members.py").path, "--count", "1000", "--out",
                    folder.appendingPathComponent("members.csv").path,
                ]
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "make-members.py")
            })
        let outcome = try month.play()
        print(MonthOfRuns.summary("Region", outcome))
        // The digest lists the Aarhus meeting (by its title in any language) only to members of its
        // municipalities, and the Christmas afternoon to everyone.
        let events = try Self.exampleText("Config/examples/region/events.toml")
        let block = events.components(separatedBy: "id = \"green-energy-aarhus\"")[1]
            .components(separatedBy: "[event.title]")[1].components(separatedBy: "\n\n")[0]
        let titles = block.split(separator: "\n").compactMap { $0.split(separator: "\"").dropFirst().first }
        #expect(titles.count >= 2)
        let aarhus = Set(
            outcome.mail.filter { $0.mailing == "reminder/green-energy-aarhus/2026-12-03" }.flatMap(
                \.recipients))
        for digest in outcome.mail where digest.mailing == "newsletter/2026-12-01" {
            let lists = titles.contains { digest.text.contains($0) }
            #expect(lists == aarhus.contains(digest.recipients[0]), "\(digest.recipients): \(digest.text)")
        }
    }
}
