import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Who joined on the sign-up page: kept in the ledger, listed so the organizer can keep them.
    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the members who joined on the sign-up page (inviter serve).",
            discussion: """
                A row for the same address in a member list wins over the sign-up: --csv prints the \
                member list's columns, so the rows can go into the spreadsheet.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Print JSON: {\"members\": [{\"email\", \"name\", \"language\", \"segments\", …}]}.")
        var json = false
        @Flag(help: "Print CSV in the member list's columns.") var csv = false

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let joined: [JoinedMember]
            do {
                joined = try readLedger(configuration)?.joinedMembers() ?? []
            } catch {
                printError("error: cannot read the ledger in \(configuration.delivery.state.path): \(error)")
                throw ExitCodes.configError
            }
            if json {
                print(try JoinedMembersReport.json(joined))
            } else if csv {
                print(JoinedMembersReport.csv(joined), terminator: "")
            } else {
                for line in JoinedMembersReport.lines(joined, zone: configuration.network.timeZone) {
                    print(line)
                }
            }
        }
    }
}
