import Foundation

/// `inviter check`: everything a run would read, validated, every problem as `file:line`.
///
/// Configuration, events and lists first (a network that does not load stops here), then the
/// templates, the languages members would get them in, the event texts per language, and a summary.
public struct NetworkCheck: Sendable {
    /// What the check came to, for the exit status.
    public enum Verdict: Sendable, Equatable {
        /// Everything is usable; warnings allowed.
        case usable
        /// Events or list rows have errors (65).
        case dataErrors
        /// The configuration or the templates have errors (78).
        case configurationErrors
    }

    /// The report, for standard output.
    public var lines: [String] = []
    /// The closing word on errors, for standard error.
    public var errorLines: [String] = []
    public var verdict = Verdict.usable

    /// Checks the network configured in `configuration` as it stands at `now`.
    public init(configuration: URL, now: Date) {
        let network: LoadedNetwork
        do {
            network = try NetworkLoader.load(configuration: configuration)
        } catch {
            lines = error.problems.map(\.description)
            let errors = error.problems.filter { $0.severity == .error }
            errorLines = ["\(counted(errors.count, "error")): nothing can be sent until they are fixed"]
            verdict = errors.contains { $0.kind == .configuration } ? .configurationErrors : .dataErrors
            return
        }
        // The demo's example values left in: the network loads, but its mail would reach nobody.
        let exampleWarnings = network.configuration.exampleValues
        lines = network.problems.map(\.description) + exampleWarnings.map(\.description)
        let setup: RenderSetup
        do {
            setup = try RenderSetup.load(network.configuration, extraFields: network.members.extraFields)
        } catch {
            lines += error.problems.map(\.description)
            errorLines = ["the templates have errors: nothing can be sent until they are fixed"]
            verdict = .configurationErrors
            return
        }
        let rsvpProblems = RSVPCheck.problems(network: network, templates: setup.renderer.templates, now: now)
        let templateWarnings =
            setup.warnings + rsvpProblems.filter { $0.severity == .warning }
            + setup.renderer.fallbackWarnings(
                members: network.members.members, partners: network.partners?.partners ?? [])
        lines += templateWarnings.map(\.description)
        let defaultLanguage = network.configuration.network.defaultLanguage
        let fallback = network.configuration.network.languageFallback
        let templates = setup.renderer.templates
        let textWarnings = EventTextCheck.warnings(
            events: network.events, members: network.members.members, defaultLanguage: defaultLanguage,
            fallback: fallback,
            renderedIn: {
                templates.language(of: MailingKind.invitation.rawValue, for: $0, fallback: fallback) ?? $0
            })
        lines += textWarnings.map(\.description)
        lines +=
            CheckSummary(
                network, now: now,
                otherWarnings: exampleWarnings.count + templateWarnings.count + textWarnings.count
            ).lines
        let languages = templates.languages(for: MailingKind.invitation.rawValue).map(\.identifier)
        lines.append(
            "Templates: \(languages.joined(separator: ", ")); "
                + "\(counted(templateWarnings.count, "template warning")), "
                + "\(counted(textWarnings.count, "event text warning"))")
        if network.problems.contains(where: { $0.severity == .error }) { verdict = .dataErrors }
        let rsvpErrors = rsvpProblems.filter { $0.severity == .error }
        if !rsvpErrors.isEmpty {
            lines += rsvpErrors.map(\.description)
            errorLines.append("the RSVP events cannot be sent until the templates are fixed")
            verdict = .configurationErrors
        }
        for name in setup.brokenAnnouncements.keys.sorted() {
            errorLines.append(
                "the announcement \(name) has template errors: it cannot be sent until they are fixed; "
                    + "everything else can")
            verdict = .configurationErrors
        }
    }
}
