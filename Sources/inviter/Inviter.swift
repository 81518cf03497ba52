import ArgumentParser
import InviterCore

/// The command-line tool: parses arguments, builds the pieces, calls the core
/// and maps errors to exit codes. Everything else lives in `InviterCore`.
@main
struct Inviter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inviter",
        abstract: "Invitations and newsletters for international networks.",
        subcommands: [
            Run.self, Status.self, Check.self, Events.self, Preview.self, Announce.self, Suppress.self,
            SendTest.self, Reset.self, Serve.self, Members.self, Attendees.self, DKIM.self, Mailbox.self,
            Inbound.self,
        ]
    )
}
