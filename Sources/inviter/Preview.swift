import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Renders what `run` would send, so an organizer sees every message before it goes.
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Render what a run would send into a folder: .eml files and an index.html. Sends nothing.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to preview, ISO 8601 with offset (default: now).") var now: String?
        @Option(help: "The folder to write to.") var out: String = "var/preview"
        @Option(help: "One mailing, such as invitation/wednesday-hygge/2026-12-02, whether due or not.")
        var mailing: String?
        @Option(help: "Only this recipient's address.") var recipient: String?
        @Option(help: "Only messages in this language.") var language: String?
        @Option(help: "Preview the announcement template Templates/announcements/NAME instead.")
        var announcement: String?
        @Option(help: "With --announcement: a member segment to send it to (repeatable; default: all).")
        var segment: [String] = []
        @Flag(
            help:
                "Render and encode every message, write nothing, and print how many there are per mailing and language and their size."
        )
        var summary = false

        func run() async throws {
            let instant = try options.instant(now)
            let network = try loadNetwork(options)
            let renderer = try makeRenderer(network)
            var languageFilter: LanguageCode?
            if let language {
                do { languageFilter = try LanguageCode(language) } catch {
                    printError("error: --language: \(error)")
                    throw ExitCodes.usage
                }
            }
            let output = URL(fileURLWithPath: out)
            let ledger = try readLedger(network.configuration)
            var request = PreviewRequest(
                now: instant, output: output, mailing: mailing, recipient: recipient, language: languageFilter
            )
            request.announcement = announcement
            request.segments = segment.isEmpty ? ["all"] : segment.map { $0.lowercased() }
            request.writesFiles = !summary
            do {
                let (entries, upcoming) = try InviterCore.Preview.write(
                    request, network: network, renderer: renderer, ledger: ledger)
                let mailings = Set(entries.map(\.mailing.id))
                if summary {
                    for line in PreviewSummary.lines(entries) { print(line) }
                    print(
                        "Rendered \(counted(entries.count, "message")) for \(counted(mailings.count, "mailing")); "
                            + "nothing was written or sent.")
                } else {
                    print(
                        "Wrote \(counted(entries.count, "message")) for \(counted(mailings.count, "mailing")) "
                            + "to \(output.path)/")
                }
                if entries.isEmpty, mailing == nil {
                    // ISO 8601 in the network's zone, so a time can be copied into --now.
                    let times = ISO8601DateFormatter()
                    times.timeZone = network.configuration.network.timeZone
                    print("Nothing is due at this moment. Next mailings:")
                    for next in upcoming.prefix(5) {
                        print("  \(next.id)  due \(times.string(from: next.dueAt))")
                    }
                }
                if !summary {
                    print("Open \(output.appendingPathComponent("index.html").path) in a browser.")
                }
            } catch {
                printError("error: \(error)")
                switch error {
                case .unknownMailing, .unknownAnnouncement: throw ExitCodes.usage
                case .brokenAnnouncement: throw ExitCodes.configError
                default: break
                }
                throw ExitCodes.dataError
            }
        }
    }
}

/// Loads the network, printing problems the way `check` does; exits when it cannot be used.
func loadNetwork(_ options: ConfigOptions) throws -> LoadedNetwork {
    do {
        let network = try NetworkLoader.load(configuration: options.configURL)
        for problem in network.problems { printError("\(problem)") }
        return network
    } catch {
        for problem in error.problems { printError("\(problem)") }
        throw error.problems.contains { $0.kind == .configuration }
            ? ExitCodes.configError : ExitCodes.dataError
    }
}

/// The renderer for a network: templates, strings and the unsubscribe secret.
func makeRenderer(_ network: LoadedNetwork) throws -> MessageRenderer {
    do {
        let setup = try RenderSetup.load(network.configuration, extraFields: network.members.extraFields)
        for warning in setup.warnings { printError("\(warning)") }
        return setup.renderer
    } catch {
        for problem in error.problems { printError("\(problem)") }
        throw ExitCodes.configError
    }
}
