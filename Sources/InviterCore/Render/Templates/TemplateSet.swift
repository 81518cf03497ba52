import Foundation
import Mustache

/// One template: a subject line and a Markdown body, both Mustache.
///
/// A template file reads
///
///     subject: Invitation: {{event.title}}, {{when.date_time}}
///     ---
///     {{t.greeting}}
///     …Markdown…
///
/// so an organizer edits text, not HTML: the body is the plain-text part as
/// it is, and becomes the HTML part through Markdown.
struct BodyTemplate: Sendable {
    let subject: MustacheTemplate
    let body: MustacheTemplate
    /// The file, for problems, and the source of both parts with their first lines, for the name check.
    let file: String
    let subjectSource: String
    let bodySource: String
    let bodyFirstLine: Int
}

/// All templates of a network: per kind (or announcement name) and language, plus the HTML layout.
public struct TemplateSet: Sendable {
    public let directory: URL
    let layout: MustacheTemplate
    let layoutSource: String
    let layoutFile: String
    /// Keyed by kind (`invitation`) or `announcements/<name>`.
    let templates: [String: [LanguageCode: BodyTemplate]]

    /// The names of the announcement templates (`announcements/<name>/`).
    public var announcements: [String] {
        templates.keys.filter { $0.hasPrefix("announcements/") }.map {
            String($0.dropFirst("announcements/".count))
        }.sorted()
    }

    /// The languages that have a template of `kind`.
    public func languages(for kind: String) -> [LanguageCode] {
        (templates[kind] ?? [:]).keys.sorted()
    }

    /// The language a reader of `language` gets `kind` in: theirs, its base language, `fallback`,
    /// or English, whichever has a template first.
    public func language(of kind: String, for language: LanguageCode, fallback: LanguageCode) -> LanguageCode?
    {
        template(kind, language: language, fallback: LanguageFallback(default: fallback))?.1
    }

    /// The same along the network's whole fallback chain: its `fallback_languages`, then its default.
    public func language(of kind: String, for language: LanguageCode, fallback: LanguageFallback)
        -> LanguageCode?
    {
        template(kind, language: language, fallback: fallback)?.1
    }

    /// The template for `kind` in `language`, else its base language, else `fallback`, else English.
    func template(_ kind: String, language: LanguageCode, fallback: LanguageCode) -> (
        BodyTemplate, LanguageCode
    )? {
        template(kind, language: language, fallback: LanguageFallback(default: fallback))
    }

    /// The template for `kind` in the first language of `fallback`'s chain for `language` that has one.
    func template(_ kind: String, language: LanguageCode, fallback: LanguageFallback) -> (
        BodyTemplate, LanguageCode
    )? {
        guard let byLanguage = templates[kind] else { return nil }
        for candidate in fallback.chain(for: language) {
            if let template = byLanguage[candidate] { return (template, candidate) }
        }
        return nil
    }

    /// Loads `directory`: `layout.html.mustache`, `<kind>/<language>.mustache` and
    /// `announcements/<name>/<language>.mustache`.
    ///
    /// The files are read and parsed on every core: parsing the Mustache of every kind in every
    /// language was a tenth of a second on one core before a run's first message, while the
    /// other waited. The problems come in the files' order all the same.
    ///
    /// - Throws: `InputProblems` (kind `.configuration`) for an unreadable or malformed template:
    ///   a broken template stops the run before anything is sent.
    public static func load(directory: URL) throws(InputProblems) -> TemplateSet {
        let log = ProblemLog()
        let layoutURL = directory.appendingPathComponent("layout.html.mustache")
        let layoutFile = InputFiles.displayName(layoutURL)
        // Every kind and announcement has an entry, empty when its folder has no file.
        var templates: [String: [LanguageCode: BodyTemplate]] = [:]
        var files: [TemplateFile] = []
        for kind in MailingKind.allCases where kind != .announcement {
            templates[kind.rawValue] = [:]
            files += templateFiles(in: directory.appendingPathComponent(kind.rawValue), key: kind.rawValue)
        }
        let announcements = directory.appendingPathComponent("announcements")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: announcements.path))?.sorted() ?? []
        {
            var isDirectory: ObjCBool = false
            let folder = announcements.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                continue
            }
            templates["announcements/\(name)"] = [:]
            files += templateFiles(in: folder, key: "announcements/\(name)")
        }
        // The layout is one more file among them, first, as its problems come first.
        let loaded = ([.layout(layoutURL)] + files).concurrentSlices { slice in
            slice.map { file in
                let log = ProblemLog()
                let parsed: ParsedFile
                switch file {
                case .layout(let url): parsed = .layout(loadLayout(url, log: log))
                case .body(let key, let url): parsed = .body(key: key, load(url, log: log))
                }
                return (parsed, log.problems)
            }
        }
        var layout: (template: MustacheTemplate, source: String)?
        for (parsed, problems) in loaded {
            log.add(contentsOf: problems)
            switch parsed {
            case .layout(let parsed): layout = parsed
            case .body(let key, let body):
                if let (language, template) = body { templates[key, default: [:]][language] = template }
            }
        }
        for kind in MailingKind.required where (templates[kind.rawValue] ?? [:]).isEmpty {
            log.add(
                InputProblem(
                    file: InputFiles.displayName(directory.appendingPathComponent(kind.rawValue)), line: 0,
                    message: "no \(kind.rawValue) template: add \(kind.rawValue)/en.mustache",
                    kind: .configuration))
        }
        guard !log.hasErrors, let layout else { throw InputProblems(log.problems) }
        return TemplateSet(
            directory: directory, layout: layout.template, layoutSource: layout.source,
            layoutFile: layoutFile, templates: templates)
    }

    /// One template file to load: the layout, or a body of a kind (or announcement).
    private enum TemplateFile: Sendable {
        case layout(URL)
        case body(key: String, url: URL)
    }

    /// What loading one file made of it, nil where it has problems.
    private enum ParsedFile: Sendable {
        case layout((template: MustacheTemplate, source: String)?)
        case body(key: String, (LanguageCode, BodyTemplate)?)
    }

    /// The `*.mustache` files of `folder`, sorted by name.
    private static func templateFiles(in folder: URL, key: String) -> [TemplateFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        return names.filter { $0.hasSuffix(".mustache") }.map {
            .body(key: key, url: folder.appendingPathComponent($0))
        }
    }

    /// One `<language>.mustache`, with its language; a file name that is no language code is an
    /// error, with the file named.
    private static func load(_ url: URL, log: ProblemLog) -> (LanguageCode, BodyTemplate)? {
        let name = InputFiles.displayName(url)
        let language: LanguageCode
        do {
            language = try LanguageCode(String(url.lastPathComponent.dropLast(".mustache".count)))
        } catch {
            log.add(
                InputProblem(
                    file: name, line: 0, message: "the file name must be a language code: \(error)",
                    kind: .configuration))
            return nil
        }
        guard let text = readText(url, log: log),
            let template = parseBodyFile(text, file: name, log: log)
        else { return nil }
        return (language, template)
    }

    private static func loadLayout(_ url: URL, log: ProblemLog) -> (
        template: MustacheTemplate, source: String
    )? {
        guard let text = readText(url, log: log),
            let template = parse(text, file: InputFiles.displayName(url), firstLine: 1, log: log)
        else { return nil }
        return (template, text)
    }

    /// Splits `subject: …` / `---` / body and parses both parts.
    static func parseBodyFile(_ text: String, file: String, log: ProblemLog) -> BodyTemplate? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.lowercased().hasPrefix("subject:") else {
            log.add(
                InputProblem(
                    file: file, line: 1, message: "the first line must be the subject: \"subject: …\"",
                    kind: .configuration))
            return nil
        }
        guard lines.count > 1, lines[1].trimmingCharacters(in: .whitespaces) == "---" else {
            log.add(
                InputProblem(
                    file: file, line: 2,
                    message: "the second line must be --- (between the subject and the body)",
                    kind: .configuration))
            return nil
        }
        let subjectSource = first.dropFirst("subject:".count).trimmingCharacters(in: .whitespaces)
        let bodySource = lines.dropFirst(2).joined(separator: "\n")
        guard
            let subject = parse(subjectSource, asText: true, file: file, firstLine: 1, log: log),
            let body = parse(bodySource, asText: true, file: file, firstLine: 3, log: log)
        else { return nil }
        if subjectSource.isEmpty {
            log.add(InputProblem(file: file, line: 1, message: "the subject is empty", kind: .configuration))
            return nil
        }
        return BodyTemplate(
            subject: subject, body: body, file: file, subjectSource: subjectSource, bodySource: bodySource,
            bodyFirstLine: 3)
    }

    /// `source` parsed, nil with its problems logged: those ``TemplateSyntax`` finds at the tag
    /// at fault, else the parser's. `asText` parses it as plain text (a subject, a Markdown body),
    /// which Mustache does not HTML-escape: the renderer escapes each value where it lands.
    private static func parse(
        _ source: String, asText: Bool = false, file: String, firstLine: Int, log: ProblemLog
    ) -> MustacheTemplate? {
        let problems = TemplateSyntax.problems(in: source, file: file, firstLine: firstLine)
        guard problems.isEmpty else {
            log.add(contentsOf: problems)
            return nil
        }
        let prefix = asText ? "{{% CONTENT_TYPE: TEXT}}" : ""
        do {
            return try MustacheTemplate(string: prefix + source)
        } catch let error as MustacheTemplate.ParserError {
            // The prefix stands on the first line: columns there are the source's own.
            let shift = error.context.lineNumber == 1 ? prefix.count : 0
            log.add(
                InputProblem(
                    file: file, line: firstLine + error.context.lineNumber - 1,
                    column: max(1, error.context.columnNumber - shift),
                    message: "template syntax: \(TemplateSyntax.describe(error.error))", kind: .configuration)
            )
        } catch {
            log.add(
                InputProblem(
                    file: file, line: firstLine, message: "template syntax: \(error)", kind: .configuration))
        }
        return nil
    }

    private static func readText(_ url: URL, log: ProblemLog) -> String? {
        let file = InputFiles.displayName(url)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            log.add(
                InputProblem(file: file, line: 0, message: "cannot read the template", kind: .configuration))
            return nil
        }
        guard var text = String(data: data, encoding: .utf8) else {
            log.add(
                InputProblem(
                    file: file, line: 0, message: "the template is not UTF-8 text", kind: .configuration))
            return nil
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
