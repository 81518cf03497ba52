import Foundation
import TOMLKit

/// Collects the problems found while reading one or more files.
final class ProblemLog {
    private(set) var problems: [InputProblem] = []

    func add(_ problem: InputProblem) { problems.append(problem) }
    func add(contentsOf problems: [InputProblem]) { self.problems += problems }

    var hasErrors: Bool { problems.contains { $0.severity == .error } }
}

/// Reads the keys of one TOML table, reporting wrong types, bad values and
/// unknown keys with file, line and key instead of failing at the first.
///
/// Every accessor marks its key as known; `finish()` then reports the keys
/// nobody asked for, with the closest known key as a suggestion, so a typo
/// (`invitaton = "14d"`) is an error rather than a setting silently ignored.
struct TableReader {
    let document: TOMLDocument
    let path: TOMLPath
    let table: [String: TOMLNode]
    let log: ProblemLog
    let kind: InputProblem.Kind
    private let known = KeySet()

    /// Tracks the keys asked for; a class so that copies of the reader share it.
    private final class KeySet {
        var keys: Set<String> = []
    }

    init(
        document: TOMLDocument, path: TOMLPath, table: [String: TOMLNode], log: ProblemLog,
        kind: InputProblem.Kind
    ) {
        self.document = document
        self.path = path
        self.table = table
        self.log = log
        self.kind = kind
    }

    /// The line of `key`, or of this table when the key is absent.
    func line(_ key: String? = nil) -> Int {
        document.line(key.map { path.appending($0) } ?? path)
    }

    /// Reports a problem with `key`.
    func problem(_ key: String?, _ message: String, severity: InputProblem.Severity = .error) {
        let field = key.map { path.appending($0).description } ?? path.description
        log.add(
            InputProblem(
                file: document.file, line: line(key), field: field.isEmpty ? nil : field, message: message,
                severity: severity, kind: kind))
    }

    /// The raw value of `key`, marking it as known.
    func value(_ key: String) -> TOMLNode? {
        known.keys.insert(key)
        return table[key]
    }

    func has(_ key: String) -> Bool { table[key] != nil }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let node = value(key) else {
            if required { problem(key, "is required") }
            return nil
        }
        guard case .string(let text) = node else {
            problem(key, "must be text in quotes, not \(node.typeName)")
            return nil
        }
        if required, text.trimmingCharacters(in: .whitespaces).isEmpty {
            problem(key, "must not be empty")
            return nil
        }
        return text
    }

    func integer(_ key: String, range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let node = value(key) else {
            if required { problem(key, "is required") }
            return nil
        }
        guard case .integer(let number) = node else {
            problem(key, "must be a whole number, not \(node.typeName)")
            return nil
        }
        guard range.contains(number) else {
            problem(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
            return nil
        }
        return number
    }

    func boolean(_ key: String) -> Bool? {
        guard let node = value(key) else { return nil }
        guard case .boolean(let flag) = node else {
            problem(key, "must be true or false, not \(node.typeName)")
            return nil
        }
        return flag
    }

    /// A list of strings; a single string is accepted as a list of one.
    func strings(_ key: String, required: Bool = false) -> [String]? {
        guard let node = value(key) else {
            if required { problem(key, "is required") }
            return nil
        }
        switch node {
        case .string(let text):
            return [text]
        case .array(let items):
            var result: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    problem(key, "item \(index + 1) must be text in quotes, not \(item.typeName)")
                    return nil
                }
                result.append(text)
            }
            return result
        default:
            problem(key, "must be a list of texts such as [\"a\", \"b\"], not \(node.typeName)")
            return nil
        }
    }

    /// A sub-table, or `nil` (with a problem when present but of another type).
    func table(_ key: String, required: Bool = false) -> TableReader? {
        guard let node = value(key) else {
            if required { problem(key, "is required (a [\(path.appending(key))] section)") }
            return nil
        }
        guard case .table(let contents) = node else {
            problem(key, "must be a table, not \(node.typeName)")
            return nil
        }
        return TableReader(
            document: document, path: path.appending(key), table: contents, log: log, kind: kind)
    }

    /// An array of tables (`[[event]]`).
    func tables(_ key: String) -> [TableReader] {
        guard let node = value(key) else { return [] }
        guard case .array(let items) = node else {
            problem(key, "must be a list of [[\(key)]] tables, not \(node.typeName)")
            return []
        }
        var readers: [TableReader] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.appending(key).appending(index: index)
            guard case .table(let contents) = item else {
                log.add(
                    InputProblem(
                        file: document.file, line: document.line(itemPath), field: itemPath.description,
                        message: "must be a table, not \(item.typeName)", kind: kind))
                continue
            }
            readers.append(
                TableReader(document: document, path: itemPath, table: contents, log: log, kind: kind))
        }
        return readers
    }

    /// A local date (`2026-12-23`).
    func date(_ key: String, node: TOMLNode? = nil) -> LocalDate? {
        guard let node = node ?? value(key) else { return nil }
        switch node {
        case .date(let date):
            return LocalDate(year: date.year, month: date.month, day: date.day)
        case .string(let text):
            if let date = LocalDate(iso: text) { return date }
            problem(key, "\(text.debugDescription) is not a date; write it as 2026-12-23 (without quotes)")
            return nil
        default:
            problem(key, "must be a date such as 2026-12-23, not \(node.typeName)")
            return nil
        }
    }

    /// A local date and time (`2026-12-02T19:00:00`); an offset is refused,
    /// because events are in the network's zone on both sides of a daylight-saving change.
    func localDateTime(_ key: String, required: Bool = false) -> LocalDateTime? {
        guard let node = value(key) else {
            if required { problem(key, "is required, as a local date and time such as 2026-12-02T19:00:00") }
            return nil
        }
        switch node {
        case .dateTime(let value):
            if value.offset != nil {
                problem(
                    key,
                    "write the local time without an offset or Z (2026-12-02T19:00:00): the network's time zone applies"
                )
                return nil
            }
            guard let date = LocalDate(year: value.date.year, month: value.date.month, day: value.date.day),
                let result = LocalDateTime(
                    date: date, hour: value.time.hour, minute: value.time.minute, second: value.time.second)
            else {
                problem(key, "is not a valid date and time")
                return nil
            }
            return result
        case .date:
            problem(key, "needs a time of day too, such as 2026-12-02T19:00:00")
            return nil
        default:
            problem(
                key,
                "must be a local date and time such as 2026-12-02T19:00:00 (without quotes), not \(node.typeName)"
            )
            return nil
        }
    }

    /// Reports every key that no accessor asked for.
    func finish() {
        for key in table.keys.sorted() where !known.keys.contains(key) {
            problem(key, "unknown setting\(Suggestion.didYouMean(key, among: known.keys))")
        }
    }
}
