import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Who is coming to an RSVP occurrence: the list for the door.
    struct Attendees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List who is going, waiting and not coming to an RSVP occurrence.",
            discussion: """
                OCCURRENCE is <event>/<date>, the date the occurrence has in the series (as in \
                `inviter events` and the mailing ids). Going members are listed in the order they \
                answered, the waitlist in the order seats are offered.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The occurrence, such as christmas-lunch/2026-12-12.") var occurrence: String
        @Flag(
            help:
                "Print JSON: {\"occurrence\", \"capacity\", \"going\": [...], \"waitlist\": [...], \"declined\": [...]}."
        )
        var json = false
        @Flag(help: "Print CSV: status,position,email,name,language,answered.") var csv = false

        func run() async throws {
            let network = try loadNetwork(options)
            guard let id = OccurrenceID(occurrence) else {
                printError(
                    "error: \(occurrence.debugDescription) is not an occurrence such as christmas-lunch/2026-12-12"
                )
                throw ExitCodes.usage
            }
            guard let event = network.events.first(where: { $0.id == id.eventID }) else {
                let ids = network.events.map(\.id)
                printError(
                    "error: no event \(id.eventID.debugDescription) in the events file"
                        + Suggestion.didYouMean(id.eventID, among: ids))
                throw ExitCodes.usage
            }
            guard let found = network.occurrence(id) else {
                printError("error: \(event.id) has no occurrence on \(id.date) (\(event.source))")
                throw ExitCodes.usage
            }
            guard found.rsvp else {
                printError("error: \(id) takes no answers: set rsvp = true on the event (\(event.source))")
                throw ExitCodes.usage
            }
            let records: [RSVPRecord]
            do {
                records = try readLedger(network.configuration)?.rsvps(of: id) ?? []
            } catch {
                printError(
                    "error: cannot read the ledger in \(network.configuration.delivery.state.path): \(error)")
                throw ExitCodes.configError
            }
            let report = AttendeesReport(occurrence: found, records: records, network: network)
            if json {
                print(try report.json())
            } else if csv {
                print(report.csv(), terminator: "")
            } else {
                for line in report.lines(zone: network.configuration.network.timeZone) { print(line) }
            }
        }
    }
}
