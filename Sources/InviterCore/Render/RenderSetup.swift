import Foundation

/// Everything rendering needs, loaded from the configuration: templates, strings, the unsubscribe secret.
public struct RenderSetup: Sendable {
    public var renderer: MessageRenderer
    /// Missing translations, an unset unsubscribe secret, a broken announcement: reported, not fatal.
    public var warnings: [InputProblem]
    /// The announcement templates that name something no message has, with their problems as
    /// errors: those announcements cannot be sent (or previewed) until fixed; everything else can.
    public var brokenAnnouncements: [String: [InputProblem]] = [:]

    /// - Throws: `InputProblems` for a broken template or strings file.
    ///
    /// - Parameter extraFields: The extra member columns found in the lists, which templates may use.
    public static func load(
        _ configuration: Configuration, extraFields: Set<String> = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(InputProblems) -> RenderSetup {
        var problems: [InputProblem] = []
        var templates: TemplateSet?
        var strings: StringsTable?
        do { templates = try TemplateSet.load(directory: configuration.sources.templates) } catch {
            problems += error.problems
        }
        do {
            strings = try StringsTable.load(
                directory: configuration.sources.templates.appendingPathComponent("strings"))
        } catch {
            problems += error.problems
        }
        guard let templates, let strings, !problems.contains(where: { $0.severity == .error }) else {
            throw InputProblems(problems)
        }
        var warnings = problems
        var secret: Secret?
        // Why the configured secret cannot be read, for return_path's error below.
        var unreadable: String?
        do {
            secret = try configuration.loadLinkSecret(environment: environment)
        } catch {
            let reason: String
            if case .configuration(let text) = error { reason = text } else { reason = "\(error)" }
            unreadable = reason
            let ownHandler = configuration.unsubscribe?.url != nil
            warnings.append(
                InputProblem(
                    file: InputFiles.displayName(configuration.file), line: 0,
                    field: ownHandler ? "unsubscribe.secret_env" : "web.secret_env",
                    message: "\(reason): messages get the mailto unsubscribe only, without the one-click link"
                        + (ownHandler ? "" : ", and inviter serve cannot start"),
                    severity: .warning, kind: .configuration))
        }
        if configuration.delivery.returnPath != nil, secret == nil {
            // Without the secret no token can be made: sending with the From address instead would
            // quietly give up what return_path was set for.
            throw InputProblems([
                InputProblem(
                    file: InputFiles.displayName(configuration.file), line: 0, field: "delivery.return_path",
                    message: "needs the link secret to sign each delivery's token"
                        + (unreadable.map { ", which cannot be read: \($0)" } ?? ""),
                    kind: .configuration)
            ])
        }
        var renderer = MessageRenderer(
            configuration: configuration, templates: templates, strings: strings, unsubscribeSecret: secret)
        // Checked when the configuration was read; a key changed since is an error here too.
        do { renderer.dkim = try DKIMSigner.load(configuration) } catch {
            throw InputProblems([
                InputProblem(
                    file: InputFiles.displayName(configuration.file), line: 0, field: "dkim.private_key_file",
                    message: error.description, kind: .configuration)
            ])
        }
        var unknownNames: [InputProblem] = []
        var broken: [String: [InputProblem]] = [:]
        for (announcement, problem) in renderer.templateProblemsByAnnouncement(extraFields: extraFields) {
            if let announcement {
                broken[announcement, default: []].append(problem)
            } else {
                unknownNames.append(problem)
            }
        }
        if !unknownNames.isEmpty { throw InputProblems(unknownNames + warnings) }
        renderer.brokenAnnouncements = Set(broken.keys)
        for (name, problems) in broken.sorted(by: { $0.key < $1.key }) {
            for problem in problems {
                var warning = problem
                warning.severity = .warning
                warning.message += " (the announcement \(name) cannot be sent until this is fixed)"
                warnings.append(warning)
            }
        }
        for language in strings.languages where language != .english {
            let missing = strings.missingKeys(in: language)
            if !missing.isEmpty {
                warnings.append(
                    InputProblem(
                        file: InputFiles.displayName(
                            configuration.sources.templates.appendingPathComponent("strings/\(language).toml")
                        ),
                        line: 0,
                        message: "missing \(missing.joined(separator: ", ")): English is used instead",
                        severity: .warning, kind: .configuration))
            }
        }
        return RenderSetup(renderer: renderer, warnings: warnings, brokenAnnouncements: broken)
    }
}
