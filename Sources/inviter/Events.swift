import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Lists upcoming occurrences, so an organizer can see where "first Tuesday" really lands.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the occurrences of the events in local time.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "First date to list, YYYY-MM-DD (default: today).") var from: String?
        @Option(help: "Last date to list, YYYY-MM-DD (default: eight weeks after --from).") var to: String?

        func run() async throws {
            let configuration: Configuration
            let events: [Event]
            do {
                configuration = try Configuration.load(options.configURL).0
                events = try EventFile.load(
                    configuration.sources.events, zone: configuration.network.timeZone
                ).events
            } catch {
                for problem in error.problems { printError("\(problem)") }
                throw error.problems.contains { $0.kind == .configuration }
                    ? ExitCodes.configError : ExitCodes.dataError
            }
            let zone = configuration.network.timeZone
            let today = LocalDateTime(Date(), in: zone).date
            guard let first = from.map({ LocalDate(iso: $0) }) ?? today else {
                printError("error: --from \(from ?? "") is not a date such as 2026-12-01")
                throw ExitCodes.usage
            }
            guard let last = to.map({ LocalDate(iso: $0) }) ?? first.adding(days: 56) else {
                printError("error: --to \(to ?? "") is not a date such as 2027-01-31")
                throw ExitCodes.usage
            }
            guard let start = LocalDateTime(date: first, hour: 0, minute: 0),
                let end = LocalDateTime(date: last, hour: 23, minute: 59, second: 59)
            else { throw ExitCodes.usage }
            let occurrences = events.flatMap { $0.occurrences(from: start, through: end, in: zone) }
                .sorted { ($0.start, $0.eventID) < ($1.start, $1.eventID) }
            let language = configuration.network.defaultLanguage
            for occurrence in occurrences {
                print(OccurrenceLine.format(occurrence, language: language))
            }
            print(
                "\(counted(occurrences.count, "occurrence")) from \(first) through \(last) (\(zone.identifier))"
            )
        }
    }
}
