import Foundation
import TOMLKit

/// A parsed TOML file as plain Swift values, with the line of every key.
///
/// TOMLKit reports positions only for syntax errors, yet every semantic
/// error (a bad duration, an unknown key) must name its line too. The
/// locator therefore reads the text once more and records where each key
/// path is defined.
struct TOMLDocument {
    let file: String
    let root: [String: TOMLNode]
    private let lines: [TOMLPath: Int]

    /// Parses `text`; a syntax error becomes an `InputProblem` with TOMLKit's line and column.
    init(text: String, file: String, kind: InputProblem.Kind) throws(InputProblems) {
        self.file = file
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw InputProblems([
                InputProblem(
                    file: file, line: error.source.begin.line, column: error.source.begin.column,
                    message: "not valid TOML: \(error.description)", kind: kind)
            ])
        } catch {
            throw InputProblems([
                InputProblem(file: file, line: 0, message: "not valid TOML: \(error)", kind: kind)
            ])
        }
        root = TOMLNode.convert(table)
        lines = TOMLLocator.locate(text)
    }

    /// Reads and parses the file at `url`.
    static func load(_ url: URL, displayName: String, kind: InputProblem.Kind) throws(InputProblems)
        -> TOMLDocument
    {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputProblems([
                InputProblem(
                    file: displayName, line: 0,
                    message: "cannot read the file: it does not exist or is not readable", kind: kind)
            ])
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw InputProblems([Self.notUTF8(Array(data), file: displayName, kind: kind)])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return try TOMLDocument(text: text, file: displayName, kind: kind)
    }

    /// The line where `path` (or its nearest enclosing table) is defined; 0 when unknown.
    func line(_ path: TOMLPath) -> Int {
        var path = path
        while !path.components.isEmpty {
            if let line = lines[path] { return line }
            path.components.removeLast()
        }
        return 0
    }
}

/// A key path such as `event[2].override[0].venue`.
struct TOMLPath: Hashable, CustomStringConvertible {
    enum Component: Hashable {
        case key(String)
        case index(Int)
    }

    var components: [Component]

    init(_ components: [Component] = []) { self.components = components }

    func appending(_ key: String) -> TOMLPath { TOMLPath(components + [.key(key)]) }
    func appending(index: Int) -> TOMLPath { TOMLPath(components + [.index(index)]) }

    /// The dotted form a person recognises from the file: `schedule.invitation`, `event.start`.
    var description: String {
        components.compactMap {
            if case .key(let key) = $0 { return key }
            return nil
        }.joined(separator: ".")
    }
}

/// TOML values, converted out of TOMLKit's reference types into plain Swift values.
enum TOMLNode {
    case table([String: TOMLNode])
    case array([TOMLNode])
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case date(TOMLDate)
    case time(TOMLTime)
    case dateTime(TOMLDateTime)

    static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var result: [String: TOMLNode] = [:]
        for key in table.keys {
            if let value = table[key] { result[key] = convert(value) }
        }
        return result
    }

    static func convert(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .table: return .table(value.table.map(convert) ?? [:])
        case .array: return .array(value.array.map { $0.map(convert) } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .boolean(value.bool ?? false)
        case .date: return value.date.map(TOMLNode.date) ?? .string("")
        case .time: return value.time.map(TOMLNode.time) ?? .string("")
        case .dateTime: return value.dateTime.map(TOMLNode.dateTime) ?? .string("")
        }
    }

    /// The word used in messages: "a string", "a table".
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "a list"
        case .string: "text"
        case .integer: "a whole number"
        case .float: "a decimal number"
        case .boolean: "true or false"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date and time"
        }
    }
}

/// Finds the line of each key path in TOML text, following table headers,
/// arrays of tables, dotted keys and inline tables, and skipping multi-line strings.
enum TOMLLocator {
    static func locate(_ text: String) -> [TOMLPath: Int] {
        var result: [TOMLPath: Int] = [:]
        var current = TOMLPath()
        var arrayCounts: [TOMLPath: Int] = [:]
        var inMultilineString: String?

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            var line = Substring(rawLine)
            if let delimiter = inMultilineString {
                if line.contains(delimiter) { inMultilineString = nil }
                continue
            }
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") || line.isEmpty { continue }

            if line.hasPrefix("[") {
                let isArray = line.hasPrefix("[[")
                let keys = splitKey(line.dropFirst(isArray ? 2 : 1).prefix { $0 != "]" })
                // Walk the dotted name, stepping into the latest element of every array of tables on the way.
                var path = TOMLPath()
                for key in keys.dropLast() {
                    path = path.appending(key)
                    if let count = arrayCounts[path] { path = path.appending(index: count - 1) }
                }
                path = path.appending(keys.last ?? "")
                if isArray {
                    let index = arrayCounts[path, default: 0]
                    arrayCounts[path] = index + 1
                    result[path] = result[path] ?? lineNumber
                    path = path.appending(index: index)
                }
                current = path
                result[current] = result[current] ?? lineNumber
                continue
            }
            guard let equals = indexOfEquals(in: line) else { continue }
            var path = current
            for key in splitKey(line[..<equals]) { path = path.appending(key) }
            result[path] = result[path] ?? lineNumber
            let value = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { inMultilineString = delimiter }
            }
            if value.hasPrefix("{") { locateInline(value, under: path, line: lineNumber, into: &result) }
        }
        return result
    }

    /// Records `key = …` pairs of an inline table on one line.
    private static func locateInline(
        _ value: Substring, under path: TOMLPath, line: Int, into result: inout [TOMLPath: Int]
    ) {
        var rest = value.dropFirst()
        while let equals = indexOfEquals(in: rest) {
            let keyText = rest[..<equals].split(separator: ",").last ?? rest[..<equals]
            var keyPath = path
            for key in splitKey(keyText) { keyPath = keyPath.appending(key) }
            result[keyPath] = result[keyPath] ?? line
            rest = rest[rest.index(after: equals)...]
            // Skip the value: up to the next comma outside quotes.
            let index = firstUnquoted([","], in: rest) ?? rest.endIndex
            rest = rest[index...].dropFirst()
        }
    }

    /// The `=` that separates a key from its value, outside quoted keys and before any comment.
    private static func indexOfEquals(in line: Substring) -> Substring.Index? {
        guard let index = firstUnquoted(["=", "#"], in: line), line[index] == "=" else { return nil }
        return index
    }

    /// The first of `targets` in `text` that is not inside single or double quotes.
    private static func firstUnquoted(_ targets: Set<Character>, in text: Substring) -> Substring.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if targets.contains(character) {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// `a.b."c d"` → `["a", "b", "c d"]`.
    private static func splitKey(_ text: Substring) -> [String] {
        var keys: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                keys.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        keys.append(current.trimmingCharacters(in: .whitespaces))
        return keys.filter { !$0.isEmpty }
    }
}

extension TOMLDocument {
    /// Where the first byte that is not UTF-8 is, by line and column (in characters), and what
    /// it is: a configuration saved as Latin-1 by an old editor writes `æ` as one such byte.
    static func notUTF8(_ bytes: [UInt8], file: String, kind: InputProblem.Kind) -> InputProblem {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        var column = 1
        var badLength = 1
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error(let length):
                badLength = length
                break parsing
            case .emptyInput:
                break parsing
            }
        }
        let shown = bytes[offset..<min(offset + max(1, badLength), bytes.count)]
            .map { "0x" + (($0 < 16) ? "0" : "") + String($0, radix: 16, uppercase: true) }
            .joined(separator: " ")
        return InputProblem(
            file: file, line: line,
            message:
                "the file is not UTF-8 text from column \(column) (the byte \(shown) there is not valid UTF-8; a Danish "
                + "letter saved as Latin-1 looks like this); save it as UTF-8",
            kind: kind)
    }
}
