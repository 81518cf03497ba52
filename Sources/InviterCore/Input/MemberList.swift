import Foundation

/// The members of all of a network's lists, merged, with what was left out and why.
public struct MemberListResult: Sendable {
    /// One member per address, in order of first appearance across the files.
    public var members: [Member]
    /// Row-level problems: errors for rows that were left out, and warnings
    /// (a conflicting language, a list without rows). Ordered by file, then line.
    public var problems: [InputProblem]
    /// Counts for the run's summary.
    public var stats: MemberListStats

    public init(members: [Member], problems: [InputProblem], stats: MemberListStats) {
        self.members = members
        self.problems = problems
        self.stats = stats
    }
}

/// Counts for "what did the lists contain?", as the summary and `inviter check` print them.
public struct MemberListStats: Sendable, Equatable {
    /// Files read.
    public var files: Int
    /// Data rows read, including invalid ones; blank lines and headers are not rows.
    public var rows: Int
    /// Rows left out because of an error.
    public var invalidRows: Int
    /// Valid rows folded into a member that an earlier row had already made.
    public var duplicatesMerged: Int
    /// Members who joined on the sign-up page and are on no list (counted in `members` too).
    public var joined: Int = 0
    /// Members after merging; `active + unsubscribed + bounced`.
    public var members: Int
    public var active: Int
    public var unsubscribed: Int
    public var bounced: Int
    /// Active members by language code (`da`, `pt-BR`); `""` counts those without one.
    public var byLanguage: [String: Int]

    public init(
        files: Int = 0, rows: Int = 0, invalidRows: Int = 0, duplicatesMerged: Int = 0, members: Int = 0,
        active: Int = 0, unsubscribed: Int = 0, bounced: Int = 0, byLanguage: [String: Int] = [:]
    ) {
        self.files = files
        self.rows = rows
        self.invalidRows = invalidRows
        self.duplicatesMerged = duplicatesMerged
        self.members = members
        self.active = active
        self.unsubscribed = unsubscribed
        self.bounced = bounced
        self.byLanguage = byLanguage
    }
}

/// Reads the member lists (CSV: `email,name,language,segments,organisation,status`)
/// and merges them into one list of people.
///
/// Networks such as "Together" were made from several older networks, each with
/// its own list, so the same person can appear in several files, or twice in one,
/// with different spellings of their address. They must still get each mailing
/// once, and an unsubscribe in any of the lists must hold. Merging rules:
///
/// - Rows are the same member when their addresses are equal ignoring case.
/// - Segments are united.
/// - Status: `bounced` beats `unsubscribed` beats `active`. An invalid row whose
///   address is readable still applies its `unsubscribed` or `bounced`: leaving
///   a row out must never undo an opt-out.
/// - Name, language and organisation: the first non-empty value wins; a later,
///   different language is reported as a warning naming both rows.
/// - Extra columns: the first non-empty value wins; their names are matched
///   case-insensitively across files and keep the spelling first seen.
///
/// Header names are matched trimmed and case-insensitively; only `email` is
/// required. A missing `status` column means everyone is active.
public enum MemberList {
    /// The columns with a meaning of their own; any other column is an extra field.
    static let knownColumns = ["email", "name", "language", "segments", "organisation", "status"]

    /// Words Danish organizers write for a status, to suggest the right one; they
    /// are not accepted, so that the list keeps one vocabulary.
    static let statusSynonyms: [String: MemberStatus] = [
        "aktiv": .active, "afmeldt": .unsubscribed, "frameldt": .unsubscribed, "opted out": .unsubscribed,
        "opt-out": .unsubscribed, "returneret": .bounced,
    ]

    /// Loads and merges member lists.
    ///
    /// A bad row is reported in `problems` and left out; everyone else loads.
    ///
    /// - Parameter files: The lists in order of precedence, each with the name to show in messages.
    /// - Throws: `InputProblems` when any file cannot be read at all (missing, not UTF-8,
    ///   empty, an unclosed quote, no `email` column). Every file is checked first, so
    ///   all such problems are reported together.
    public static func load(_ files: [(url: URL, displayName: String)]) throws(InputProblems)
        -> MemberListResult
    {
        var structural: [InputProblem] = []
        var tables: [(table: CSVTable, columns: [String: Int])] = []
        for file in files {
            do throws(InputProblems) {
                let table = try CSVReader.read(contentsOf: file.url, file: file.displayName)
                let columns = try table.locateColumns(
                    required: ["email"], optional: Array(knownColumns.dropFirst()), kind: .data)
                tables.append((table, columns))
            } catch {
                structural += error.problems
            }
        }
        if !structural.isEmpty { throw InputProblems(structural) }

        var merger = MemberMerger()
        for index in tables.indices {
            // The records move out of the table, so each row's strings are freed as it is merged:
            // a list and its members never both sit in memory whole (100,000 rows: about 30 MB).
            var records = tables[index].table.records
            tables[index].table.records = []
            merger.add(tables[index].table, records: &records, columns: tables[index].columns)
        }
        return merger.finish(files: files.count)
    }
}

/// Builds the merged list one table at a time.
private struct MemberMerger {
    /// The index in `members` of each address, lowercased.
    private var indexByKey: [AddressKey: Int] = [:]
    /// Where a member's language came from, when not from their first row (by index in `members`).
    private var laterLanguageSource: [Int: String] = [:]
    private var members: [Member] = []
    private var problems: [InputProblem] = []
    /// Opt-outs from rows that were left out, applied at the end whatever the order.
    private var heldStatus: [AddressKey: MemberStatus] = [:]
    private var stats = MemberListStats()
    /// The spelling of each extra column as first seen, so `City` in one list and
    /// `city` in another fill the same field.
    private var fieldNames: [String: String] = [:]
    /// Rows checked together before they are merged: enough to keep every core busy, few enough
    /// that a chunk's records and checked values take little memory beside the list.
    private static let chunkSize = 4_096

    mutating func add(_ table: CSVTable, records: inout [CSVRecord], columns: [String: Int]) {
        stats.rows += records.count + table.problems.count
        stats.invalidRows += table.problems.count
        if records.isEmpty && table.problems.isEmpty {
            problems.append(
                InputProblem(
                    file: table.file, line: table.header.line, message: "the list has a header but no rows",
                    severity: .warning, kind: .data))
            return
        }
        var names = table.columnNames
        let extras = names.indices.filter { index in
            !names[index].isEmpty && !columns.values.contains(index)
        }
        for index in extras {
            let key = names[index].lowercased()
            if let first = fieldNames[key] { names[index] = first } else { fieldNames[key] = names[index] }
        }
        members.reserveCapacity(members.count + records.count)
        indexByKey.reserveCapacity(members.count + records.count)
        var csvProblems = table.problems[...]
        let file = table.file
        let columnNames = names
        while !records.isEmpty {
            // Each row is checked on its own, on every core (it is most of what loading costs);
            // the rows are merged one by one, in file order, since which row comes first decides
            // a member's name and language. A chunk at a time, so that the records' strings are
            // freed as they are merged and a list and its members never both sit in memory whole
            // (100,000 rows: about 30 MB).
            let chunk = Array(records.prefix(Self.chunkSize))
            records.removeFirst(chunk.count)
            let read = chunk.concurrentSlices { slice in
                var languages = ListValue.LanguageReader()
                return slice.map { record in
                    MemberRow(
                        record: record, file: file, columns: columns, extras: extras, names: columnNames
                    )
                    .read(languages: &languages)
                }
            }
            for (record, result) in zip(chunk, read) {
                while let next = csvProblems.first, next.line < record.line {
                    problems.append(next)
                    csvProblems = csvProblems.dropFirst()
                }
                switch result {
                case .success(let values): merge(values, record: record, file: file, columns: columns)
                case .failure(let rowProblems):
                    problems += rowProblems.problems
                    stats.invalidRows += 1
                    if let key = rowProblems.key, let status = rowProblems.status, status != .active {
                        heldStatus[key] = MemberStatus.strongest(heldStatus[key] ?? .active, status)
                    }
                }
            }
        }
        problems += csvProblems
    }

    private mutating func merge(
        _ values: MemberRow.Values, record: CSVRecord, file: String, columns: [String: Int]
    ) {
        let key = values.address.key
        guard let index = indexByKey[key] else {
            indexByKey[key] = members.count
            var member = Member(
                address: values.address, name: values.name, language: values.language,
                segments: values.segments, organisation: values.organisation, status: values.status,
                fields: values.fields)
            member.addSource(file: file, line: record.line)
            members.append(member)
            return
        }
        stats.duplicatesMerged += 1
        var member = members[index]
        member.addSource(file: file, line: record.line)
        member.segments = Array(Set(member.segments).union(values.segments)).sorted()
        member.status = MemberStatus.strongest(member.status, values.status)
        if member.name == nil, let name = values.name {
            member.name = name
            member.address = (try? MailAddress(member.address.address, displayName: name)) ?? member.address
        }
        if member.organisation == nil { member.organisation = values.organisation }
        if let language = values.language {
            if let kept = member.language {
                if kept != language {
                    problems.append(
                        InputProblem(
                            file: file, line: record.line, column: columns["language"].map { $0 + 1 },
                            field: "language",
                            message: "\(language.identifier.debugDescription) differs from "
                                + "\(kept.identifier.debugDescription) given for the same address at "
                                + "\(laterLanguageSource[index] ?? member.sources[0]); keeping "
                                + "\(kept.identifier.debugDescription)",
                            severity: .warning, kind: .data))
                }
            } else {
                member.language = language
                laterLanguageSource[index] = "\(file):\(record.line)"
            }
        }
        for (name, value) in values.fields where !value.isEmpty && (member.fields[name] ?? "").isEmpty {
            member.fields[name] = value
        }
        members[index] = member
    }

    mutating func finish(files: Int) -> MemberListResult {
        for (key, status) in heldStatus {
            guard let index = indexByKey[key] else { continue }
            members[index].status = MemberStatus.strongest(members[index].status, status)
        }
        stats.files = files
        stats.members = members.count
        for member in members {
            switch member.status {
            case .active:
                stats.active += 1
                stats.byLanguage[member.language?.identifier ?? "", default: 0] += 1
            case .unsubscribed: stats.unsubscribed += 1
            case .bounced: stats.bounced += 1
            }
        }
        return MemberListResult(members: members, problems: problems, stats: stats)
    }
}

/// One data row of a member list, checked column by column.
private struct MemberRow {
    /// A row's values once every check has passed.
    struct Values {
        var address: MailAddress
        var name: String?
        var language: LanguageCode?
        var segments: [String]
        var organisation: String?
        var status: MemberStatus
        var fields: [String: String]
    }

    /// Everything wrong with a row, and what of it can still be trusted for opt-outs.
    struct Failure: Error {
        var problems: [InputProblem]
        /// The address key, when the address itself was valid.
        var key: AddressKey?
        /// The status, when it could be read.
        var status: MemberStatus?
    }

    let record: CSVRecord
    let file: String
    let columns: [String: Int]
    let extras: [Int]
    let names: [String]

    /// The trimmed value of a known column, or `""` when the file has no such column.
    private func value(_ column: String) -> String {
        guard let index = columns[column] else { return "" }
        return ListValue.trimmed(record[index])
    }

    private func problem(_ column: String, _ message: String) -> InputProblem {
        InputProblem(
            file: file, line: record.line, column: columns[column].map { $0 + 1 }, field: column,
            message: message, kind: .data)
    }

    /// Checks every column and reports all that are wrong, so one pass fixes the row.
    func read(languages: inout ListValue.LanguageReader) -> Result<Values, Failure> {
        var problems: [InputProblem] = []
        for (column, index) in columns where column != "email" {
            if let message = ListValue.lengthProblem(record[index], column: column) {
                problems.append(problem(column, message))
            }
        }
        for index in extras {
            if let message = ListValue.lengthProblem(record[index], column: names[index]) {
                problems.append(
                    InputProblem(
                        file: file, line: record.line, column: index + 1, field: names[index],
                        message: message,
                        kind: .data))
            }
        }

        let name = value("name")
        if let message = ListValue.displayNameProblem(in: name) { problems.append(problem("name", message)) }

        var address: MailAddress?
        let email = value("email")
        if email.isEmpty {
            problems.append(problem("email", "the email address is empty"))
        } else {
            do throws(AddressError) {
                address = try MailAddress(
                    email, displayName: name.isEmpty ? nil : name, source: "\(file):\(record.line): email")
            } catch {
                problems.append(
                    problem("email", "invalid address \(ListValue.shown(email)): \(error.reason)"))
            }
        }

        var language: LanguageCode?
        switch languages.read(value("language")) {
        case .success(let code): language = code
        case .failure(let message): problems.append(problem("language", message.text))
        }

        var status: MemberStatus? = .active
        let statusText = value("status").lowercased()
        if !statusText.isEmpty {
            status = MemberStatus(rawValue: statusText)
            if status == nil {
                let choices = MemberStatus.allCases.map(\.rawValue)
                let suggestion = MemberList.statusSynonyms[statusText]?.rawValue
                problems.append(
                    problem(
                        "status",
                        ListValue.unknownChoice(
                            value("status"), what: "a status", choices: choices, suggestion: suggestion)))
            }
        }

        var fields: [String: String] = [:]
        for index in extras { fields[names[index]] = ListValue.trimmed(record[index]) }

        problems.sort { ($0.column ?? 0) < ($1.column ?? 0) }
        guard let address, let status, problems.isEmpty else {
            return .failure(Failure(problems: problems, key: address?.key, status: status))
        }
        let organisation = value("organisation")
        return .success(
            Values(
                address: address, name: name.isEmpty ? nil : name, language: language,
                segments: ListValue.segments(value("segments")),
                organisation: organisation.isEmpty ? nil : organisation,
                status: status, fields: fields))
    }
}
