/// Whether a member may be sent to.
///
/// When several rows describe the same person, the strongest status wins:
/// `bounced` beats `unsubscribed` beats `active` (see `MemberStatus.strongest`).
public enum MemberStatus: String, Sendable, CaseIterable {
    /// Receives mailings.
    case active
    /// Asked not to receive mail; never sent to.
    case unsubscribed
    /// The address does not accept mail; never sent to.
    case bounced

    /// How strongly the status holds back mail, for merging rows of the same person.
    ///
    /// A bounce outranks an unsubscribe because it is a fact about the address
    /// (nothing can be delivered there), while an unsubscribe is the person's wish;
    /// both stop mail, so either beats `active`. A single row saying "stop" in any
    /// of the merged lists is enough: nobody gets mail they opted out of because
    /// an older list still had them as active.
    var rank: Int {
        switch self {
        case .active: return 0
        case .unsubscribed: return 1
        case .bounced: return 2
        }
    }

    /// The status that holds when two rows for the same person disagree.
    static func strongest(_ lhs: MemberStatus, _ rhs: MemberStatus) -> MemberStatus {
        rhs.rank > lhs.rank ? rhs : lhs
    }
}

/// One person on the network's member lists, after the lists are merged.
///
/// A member is keyed by their address compared case-insensitively, so the
/// same person on three old lists is one member who gets each mailing once.
public struct Member: Sendable, Hashable {
    /// The address to send to; its `displayName` is `name`.
    public var address: MailAddress
    /// The person's name as given in the first row that had one.
    public var name: String?
    /// The language to write to them in; `nil` means the network's default.
    public var language: LanguageCode?
    /// Audience segments, lowercased, trimmed, without duplicates and sorted.
    public var segments: [String]
    /// The member's organisation or employer, when given.
    public var organisation: String?
    /// Whether they may be sent to.
    public var status: MemberStatus
    /// Extra columns by header name, for templates; the first non-empty value wins.
    public var fields: [String: String]
    /// `file:line` of every row merged into this member, for "where does this come from?".
    public var sources: [String] {
        get { rows.map(\.description) }
        set { rows = newValue.map(RowSource.init(parsing:)) }
    }

    /// The rows behind `sources`, kept as the list's file name (one string shared by all its
    /// members) and a line number: a `file:line` string per member cost 10 MB at 100,000.
    private var rows: [RowSource] = []

    public init(
        address: MailAddress, name: String? = nil, language: LanguageCode? = nil, segments: [String] = [],
        organisation: String? = nil, status: MemberStatus = .active, fields: [String: String] = [:],
        sources: [String] = []
    ) {
        self.address = address
        self.name = name
        self.language = language
        self.segments = segments
        self.organisation = organisation
        self.status = status
        self.fields = fields
        self.sources = sources
    }

    /// Records one more row merged into this member.
    mutating func addSource(file: String, line: Int) {
        rows.append(RowSource(file: file, line: line))
    }

    /// Whether mailings go to this member.
    public var isActive: Bool { status == .active }
}

/// Where a member's row is: a list's file and a line.
struct RowSource: Sendable, Hashable, CustomStringConvertible {
    var file: String
    var line: Int

    init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// From `file:line`; text without a line number is kept whole as the file.
    init(parsing text: String) {
        if let colon = text.lastIndex(of: ":"), let line = Int(text[text.index(after: colon)...]) {
            self.init(file: String(text[..<colon]), line: line)
        } else {
            self.init(file: text, line: 0)
        }
    }

    var description: String { line > 0 ? "\(file):\(line)" : file }
}
