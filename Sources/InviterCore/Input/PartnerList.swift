import Foundation

/// The partners of one partner list, with what was left out and why.
public struct PartnerListResult: Sendable {
    /// One partner per address, in file order.
    public var partners: [Partner]
    /// Row-level problems: errors for rows that were left out, and warnings.
    public var problems: [InputProblem]
    /// Counts for the run's summary.
    public var stats: PartnerListStats

    public init(partners: [Partner], problems: [InputProblem], stats: PartnerListStats) {
        self.partners = partners
        self.problems = problems
        self.stats = stats
    }
}

/// Counts for "what did the partner list contain?".
public struct PartnerListStats: Sendable, Equatable {
    /// Data rows read, including invalid ones.
    public var rows: Int
    /// Rows left out because of an error.
    public var invalidRows: Int
    /// Partners loaded.
    public var partners: Int
    /// Partners by kind; every kind is present, with 0 when there are none.
    public var byKind: [PartnerKind: Int]

    public init(rows: Int = 0, invalidRows: Int = 0, partners: Int = 0, byKind: [PartnerKind: Int]? = nil) {
        self.rows = rows
        self.invalidRows = invalidRows
        self.partners = partners
        self.byKind = byKind ?? Dictionary(uniqueKeysWithValues: PartnerKind.allCases.map { ($0, 0) })
    }
}

/// Reads a partner list (CSV: `email,organisation,kind,contact,language`).
///
/// Unlike member lists, a partner list is one curated file, so the same
/// address twice is a mistake to fix (two organisations sharing an inbox
/// would get one copy, addressed to only one of them) rather than something
/// to merge: the later row is reported and left out.
public enum PartnerList {
    /// Columns a partner list cannot do without.
    static let requiredColumns = ["email", "organisation", "kind"]
    /// Columns that may be left out; other columns are ignored.
    static let optionalColumns = ["contact", "language"]

    /// Words people write for a kind, to suggest the right one; they are not accepted
    /// as kinds themselves, so that what a partner is stays unambiguous.
    static let kindSynonyms: [String: PartnerKind] = [
        "firm": .company, "business": .company, "employer": .company, "enterprise": .company,
        "corporation": .company, "virksomhed": .company, "firma": .company, "university": .school,
        "college": .school, "gymnasium": .school, "education": .school, "skole": .school,
        "uddannelse": .school, "universitet": .school, "language school": .laerdansk,
        "sprogskole": .laerdansk, "sprogcenter": .laerdansk, "andet": .other,
    ]

    /// Loads a partner list.
    ///
    /// - Parameter file: The list, with the name to show in messages.
    /// - Throws: `InputProblems` when the file cannot be read at all (missing, not UTF-8,
    ///   empty, an unclosed quote, or without the `email`, `organisation` or `kind` column).
    public static func load(_ file: (url: URL, displayName: String)) throws(InputProblems)
        -> PartnerListResult
    {
        let table = try CSVReader.read(contentsOf: file.url, file: file.displayName)
        let columns = try table.locateColumns(
            required: requiredColumns, optional: optionalColumns, kind: .data)

        var partners: [Partner] = []
        var problems: [InputProblem] = []
        var stats = PartnerListStats(rows: table.rowCount, invalidRows: table.problems.count)
        var lineByKey: [AddressKey: Int] = [:]
        var languages = ListValue.LanguageReader()
        if table.rowCount == 0 {
            problems.append(
                InputProblem(
                    file: table.file, line: table.header.line, message: "the list has a header but no rows",
                    severity: .warning, kind: .data))
        }

        var csvProblems = table.problems[...]
        for record in table.records {
            while let next = csvProblems.first, next.line < record.line {
                problems.append(next)
                csvProblems = csvProblems.dropFirst()
            }
            switch read(record, file: table.file, columns: columns, languages: &languages) {
            case .failure(let rowProblems):
                problems += rowProblems.problems
                stats.invalidRows += 1
            case .success(let partner):
                let key = partner.address.key
                if let earlier = lineByKey[key] {
                    problems.append(
                        InputProblem(
                            file: table.file, line: record.line, column: columns["email"].map { $0 + 1 },
                            field: "email",
                            message: "the address \(ListValue.shown(partner.address.address)) is already "
                                + "listed on line \(earlier); each partner address may appear once",
                            kind: .data))
                    stats.invalidRows += 1
                    continue
                }
                lineByKey[key] = record.line
                partners.append(partner)
                stats.byKind[partner.kind, default: 0] += 1
            }
        }
        problems += csvProblems
        stats.partners = partners.count
        return PartnerListResult(partners: partners, problems: problems, stats: stats)
    }

    /// Everything wrong with one row.
    private struct RowFailure: Error {
        var problems: [InputProblem]
    }

    /// Reads a kind: the four names case-insensitively, and `lærdansk` as Danes write it.
    static func kind(_ text: String) -> Result<PartnerKind, RowMessage> {
        let lowered = text.lowercased()
        if let kind = PartnerKind(rawValue: lowered) { return .success(kind) }
        if lowered == "lærdansk" { return .success(.laerdansk) }
        let choices = PartnerKind.allCases.map(\.rawValue)
        let message =
            text.isEmpty
            ? "the kind is empty (use \(choices.dropLast().joined(separator: ", ")) or other)"
            : ListValue.unknownChoice(
                text, what: "a partner kind", choices: choices, suggestion: kindSynonyms[lowered]?.rawValue)
        return .failure(RowMessage(text: message))
    }

    /// A message for one cell, as an error so it can travel in a `Result`.
    struct RowMessage: Error {
        var text: String
    }

    /// Checks every column of a row and reports all that are wrong.
    private static func read(
        _ record: CSVRecord, file: String, columns: [String: Int], languages: inout ListValue.LanguageReader
    ) -> Result<Partner, RowFailure> {
        func value(_ column: String) -> String {
            columns[column].map { ListValue.trimmed(record[$0]) } ?? ""
        }
        func problem(_ column: String, _ message: String) -> InputProblem {
            InputProblem(
                file: file, line: record.line, column: columns[column].map { $0 + 1 }, field: column,
                message: message, kind: .data)
        }
        var problems: [InputProblem] = []
        for (column, index) in columns where column != "email" {
            if let message = ListValue.lengthProblem(record[index], column: column) {
                problems.append(problem(column, message))
            }
        }

        let contact = value("contact")
        if let message = ListValue.displayNameProblem(in: contact) {
            problems.append(
                problem("contact", message.replacingOccurrences(of: "the name", with: "the contact")))
        }

        var address: MailAddress?
        let email = value("email")
        if email.isEmpty {
            problems.append(problem("email", "the email address is empty"))
        } else {
            do throws(AddressError) {
                address = try MailAddress(
                    email, displayName: contact.isEmpty ? nil : contact,
                    source: "\(file):\(record.line): email")
            } catch {
                problems.append(
                    problem("email", "invalid address \(ListValue.shown(email)): \(error.reason)"))
            }
        }

        let organisation = value("organisation")
        if organisation.isEmpty { problems.append(problem("organisation", "the organisation is empty")) }

        var kind: PartnerKind?
        switch Self.kind(value("kind")) {
        case .success(let found): kind = found
        case .failure(let message): problems.append(problem("kind", message.text))
        }

        var language: LanguageCode?
        switch languages.read(value("language")) {
        case .success(let code): language = code
        case .failure(let message): problems.append(problem("language", message.text))
        }

        problems.sort { ($0.column ?? 0) < ($1.column ?? 0) }
        guard let address, let kind, problems.isEmpty else { return .failure(RowFailure(problems: problems)) }
        return .success(
            Partner(
                address: address, organisation: organisation, kind: kind,
                contact: contact.isEmpty ? nil : contact,
                language: language, source: "\(file):\(record.line)"))
    }
}
