/// One problem found in the organizer's files, with where it is.
///
/// Written as `file:line: field: message`, the form compilers use, so editors
/// and scripts can jump to it and a person can find the cell in the spreadsheet.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// How serious: an error stops the run (or leaves a row out); a warning is reported and the run goes on.
    public enum Severity: String, Sendable, Hashable { case error, warning }
    /// What kind of file: configuration problems exit 78 (EX_CONFIG), data problems 65 (EX_DATAERR).
    public enum Kind: String, Sendable, Hashable { case configuration, data }

    /// The file as the user should see it (relative to the working directory where possible).
    public var file: String
    /// 1-based line; 0 when the problem concerns the file as a whole.
    public var line: Int
    /// 1-based column, when known.
    public var column: Int?
    /// The key or column name, such as `schedule.invitation` or `email`.
    public var field: String?
    public var message: String
    public var severity: Severity
    public var kind: Kind

    public init(
        file: String, line: Int, column: Int? = nil, field: String? = nil, message: String,
        severity: Severity = .error, kind: Kind
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.severity = severity
        self.kind = kind
    }

    public var description: String {
        var text = line > 0 ? "\(file):\(line): " : "\(file): "
        if severity == .warning { text += "warning: " }
        if let field {
            text += column.map { "\(field) (column \($0)): " } ?? "\(field): "
        }
        return text + message
    }
}

/// Several problems at once: loading reports everything it finds, not just the first.
public struct InputProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [InputProblem]

    public init(_ problems: [InputProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
