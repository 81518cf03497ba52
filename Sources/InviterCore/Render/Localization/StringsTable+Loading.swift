import Foundation

extension StringsTable {
    /// Reads every `<language>.toml` in `directory` (normally `Templates/strings`).
    ///
    /// Everything wrong is reported at once, each problem with file and line, so
    /// a translator can fix a file in one go: a file that is not TOML, a file
    /// name that is not a language code, an unknown key (with the likely key
    /// meant), a value that is not text, a counted text without the plural forms
    /// its language needs, a `{placeholder}` the renderer does not fill, and a
    /// missing `en.toml` (English is the last fallback for every text).
    /// Keys a language leaves out are no error: they fall back, and
    /// `missingKeys(in:)` lists them for warnings.
    ///
    /// - Throws: `InputProblems`, all of kind `.configuration` (a broken strings
    ///   file stops the run before anything is sent).
    public static func load(directory: URL) throws(InputProblems) -> StringsTable {
        let folder = InputFiles.displayName(directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw InputProblems([
                InputProblem(
                    file: folder, line: 0,
                    message: "cannot read the strings folder: it does not exist or is not readable",
                    kind: .configuration)
            ])
        }
        var problems: [InputProblem] = []
        var tables: [LanguageCode: [String: Entry]] = [:]
        var files: [LanguageCode: String] = [:]
        for name in names.sorted() where name.hasSuffix(".toml") {
            let url = directory.appendingPathComponent(name)
            let display = InputFiles.displayName(url)
            let language: LanguageCode
            do {
                language = try LanguageCode(String(name.dropLast(".toml".count)))
            } catch {
                problems.append(
                    InputProblem(
                        file: display, line: 0,
                        message: "the file name must be a language code such as da.toml: \(error)",
                        kind: .configuration))
                continue
            }
            if let earlier = files[language] {
                problems.append(
                    InputProblem(
                        file: display, line: 0,
                        message: "\(earlier) already holds the texts for \(language); keep one of the two",
                        kind: .configuration))
                continue
            }
            files[language] = display
            do {
                let document = try TOMLDocument.load(url, displayName: display, kind: .configuration)
                let log = ProblemLog()
                tables[language] = readTable(document, language: language, log: log)
                problems += log.problems
            } catch {
                problems += error.problems
            }
        }
        if files[.english] == nil {
            problems.append(
                InputProblem(
                    file: InputFiles.displayName(directory.appendingPathComponent("en.toml")), line: 0,
                    message: "is missing: English is the last fallback for every text", kind: .configuration))
        }
        guard problems.isEmpty else { throw InputProblems(problems) }
        return StringsTable(tables: tables)
    }

    /// The entries of one file; problems go to `log`.
    private static func readTable(
        _ document: TOMLDocument, language: LanguageCode, log: ProblemLog
    ) -> [String: Entry] {
        let root = TableReader(
            document: document, path: TOMLPath(), table: document.root, log: log, kind: .configuration)
        var entries: [String: Entry] = [:]
        for key in StringKey.all where root.has(key.name) {
            if key.isPlural {
                if let forms = readForms(root, key: key, language: language) {
                    entries[key.name] = .plural(forms)
                }
            } else if let text = root.string(key.name), check(text, key: key, field: key.name, in: root) {
                entries[key.name] = .text(text)
            }
        }
        let known = StringKey.all.map(\.name)
        for name in root.table.keys.sorted() where StringKey.byName[name] == nil {
            root.problem(name, "unknown key\(Suggestion.didYouMean(name, among: known))")
        }
        return entries
    }

    /// A counted text's forms, or `nil` (with problems) when a form is wrong or missing.
    private static func readForms(
        _ root: TableReader, key: StringKey, language: LanguageCode
    ) -> [String: String]? {
        let rule = PluralRule.rule(for: language.identifier)
        let required = rule.requiredCategories
        let name = language.englishName
        guard case .table(let contents) = root.value(key.name) else {
            let example = required.map { "\($0) = \"…\"" }.joined(separator: ", ")
            root.problem(
                key.name,
                "a counted text needs one form per plural category: \(key.name) = { \(example) }")
            return nil
        }
        let reader = TableReader(
            document: root.document, path: root.path.appending(key.name), table: contents, log: root.log,
            kind: .configuration)
        var forms: [String: String] = [:]
        var valid = true
        for category in rule.categories where contents[category] != nil {
            guard let text = reader.string(category),
                check(text, key: key, field: category, in: reader)
            else {
                valid = false
                continue
            }
            forms[category] = text
        }
        for category in contents.keys.sorted() where !rule.categories.contains(category) {
            valid = false
            let uses = rule.categories.joined(separator: ", ")
            reader.problem(
                category,
                "\(name) has no \"\(category)\" plural form; it uses \(uses)"
                    + Suggestion.didYouMean(category, among: rule.categories))
        }
        let missing = required.filter { contents[$0] == nil }
        if !missing.isEmpty {
            valid = false
            let forms = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            root.problem(
                key.name,
                "lacks the \(forms) form\(missing.count == 1 ? "" : "s"): "
                    + "\(name) needs \(required.joined(separator: ", "))")
        }
        return valid ? forms : nil
    }

    /// Whether `text` is a usable value for `key`; reports why not.
    private static func check(_ text: String, key: StringKey, field: String, in reader: TableReader) -> Bool {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.problem(field, "must not be empty; leave the key out to use the fallback language")
            return false
        }
        let names = Placeholders.names(in: text)
        var valid = true
        for unknown in names where !key.placeholders.contains(unknown) {
            valid = false
            let allowed = key.placeholders.sorted().map { "{\($0)}" }
            let usable =
                allowed.isEmpty ? "takes no placeholders" : "can use \(allowed.joined(separator: ", "))"
            let suggestion = Suggestion.closest(to: unknown, among: key.placeholders)
            reader.problem(
                field,
                "unknown placeholder {\(unknown)}: \(key.name) \(usable)"
                    + (suggestion.map { "; did you mean {\($0)}?" } ?? ""))
        }
        for required in key.requiredPlaceholders.sorted() where !names.contains(required) {
            valid = false
            let reason = required == "link" ? ": without it the reader has no way to unsubscribe" : ""
            reader.problem(field, "must contain {\(required)}\(reason)")
        }
        return valid
    }
}
