import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Validates everything a run would read, so mistakes are found before anything is sent.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the configuration, events and lists; print every problem as file:line.",
            discussion: """
                Exit status: 0 when everything is usable (warnings allowed), 65 when events or list rows \
                have errors, 78 when the configuration has errors.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to check from, ISO 8601 with offset (default: now).") var now: String?

        func run() async throws {
            let instant = try options.instant(now)
            let network: LoadedNetwork
            do {
                network = try NetworkLoader.load(configuration: options.configURL)
            } catch {
                for problem in error.problems { print(problem) }
                let errors = error.problems.filter { $0.severity == .error }
                printError(
                    "\(counted(errors.count, "error")): nothing can be sent until they are fixed"
                )
                throw errors.contains { $0.kind == .configuration }
                    ? ExitCodes.configError : ExitCodes.dataError
            }
            for problem in network.problems { print(problem) }
            let extraFields = Set(network.members.members.flatMap(\.fields.keys))
            let setup: RenderSetup
            do {
                setup = try RenderSetup.load(network.configuration, extraFields: extraFields)
            } catch {
                for problem in error.problems { print(problem) }
                printError("the templates have errors: nothing can be sent until they are fixed")
                throw ExitCodes.configError
            }
            let templateWarnings =
                setup.warnings
                + setup.renderer.fallbackWarnings(
                    members: network.members.members, partners: network.partners?.partners ?? [])
            for warning in templateWarnings { print(warning) }
            let defaultLanguage = network.configuration.network.defaultLanguage
            let templates = setup.renderer.templates
            let textWarnings = EventTextCheck.warnings(
                events: network.events, members: network.members.members, defaultLanguage: defaultLanguage,
                renderedIn: {
                    templates.language(
                        of: MailingKind.invitation.rawValue, for: $0, fallback: defaultLanguage) ?? $0
                })
            for warning in textWarnings { print(warning) }
            for line in CheckSummary(network, now: instant).lines { print(line) }
            let languages = setup.renderer.templates.languages(for: MailingKind.invitation.rawValue).map(
                \.identifier)
            print(
                "Templates: \(languages.joined(separator: ", ")); "
                    + "\(counted(templateWarnings.count, "template warning")), "
                    + "\(counted(textWarnings.count, "event text warning"))"
            )
            if network.problems.contains(where: { $0.severity == .error }) {
                throw ExitCodes.dataError
            }
        }
    }
}

/// The options every command that reads a network shares.
struct ConfigOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $INVITER_CONFIG, else Config/inviter.toml).")
    var config: String?

    var configURL: URL { URL(fileURLWithPath: Configuration.defaultPath(explicit: config)) }

    /// The configuration alone (for commands that need no lists), problems printed, exit 78 when broken.
    func loadConfiguration() throws -> Configuration {
        do {
            return try Configuration.load(configURL).0
        } catch {
            for problem in error.problems { printError("\(problem)") }
            throw ExitCodes.configError
        }
    }

    /// Parses `--now` (ISO 8601 with an offset), or the current time.
    func instant(_ text: String?) throws -> Date {
        guard let text else { return Date() }
        guard let date = ISO8601Parsing.date(text) else {
            printError(
                "error: --now \(text.debugDescription) is not ISO 8601 with an offset, such as 2026-11-17T09:00:00+01:00"
            )
            throw ExitCodes.usage
        }
        return date
    }
}

/// ISO 8601 instants as scripts write them.
enum ISO8601Parsing {
    static func date(_ text: String) -> Date? {
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
