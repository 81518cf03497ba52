import Foundation

/// Checks and clean-ups shared by the member and partner lists.
enum ListValue {
    /// A value longer than these is a broken row (typically a quote left open, which swallows
    /// the lines after it), not a name or a field anybody meant: refused, with where it starts.
    static let nameLimit = 200
    static let fieldLimit = 1000

    /// Why `value` is too long for `column` (a name, organisation or contact: 200 characters;
    /// anything else: 1 000); nil when it is not.
    static func lengthProblem(_ value: String, column: String) -> String? {
        let limit = ["name", "organisation", "contact"].contains(column) ? nameLimit : fieldLimit
        let length = value.count
        guard length > limit else { return nil }
        return "\(length) characters, more than the \(limit) a \(column) may have "
            + "(a quote left open swallows the lines after it): \(shown(value))"
    }

    /// Trims spaces, tabs and no-break spaces (web forms and Excel leave them), but
    /// not line breaks: those must reach validation so it can refuse them.
    static func trimmed(_ text: String) -> String {
        text.trimmingSpaceSeparators()
    }

    /// A value quoted and escaped for a message, shortened when long, so that a
    /// line break shows as `\n` and a 1 MB cell does not flood the log.
    static func shown(_ value: String) -> String {
        let limit = 60
        guard value.count > limit else { return value.debugDescription }
        return String(value.prefix(limit)).debugDescription + "… (\(value.count) characters)"
    }

    /// Why a name cannot be a display name, or `nil` when it can.
    ///
    /// A name ends up in the `To:` header; rather than quietly changing what the
    /// organizer wrote, a line break or control character makes the row invalid.
    static func displayNameProblem(in name: String) -> String? {
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x85, 0x2028, 0x2029:
                return
                    "the name contains a line break; a name goes into the mail header, so it must be one line"
            case 0x00..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: 4 - hex.count) + hex
                return "the name contains the control character \(code); a name goes into the mail header, "
                    + "so it must be plain text"
            default: continue
            }
        }
        return nil
    }

    /// A language problem's message, as an error so it can travel in a `Result`.
    struct LanguageMessage: Error {
        var text: String
    }

    /// Reads optional languages, remembering each spelling once: a list of 100 000
    /// rows holds a handful of codes, and checking one goes through Foundation.
    struct LanguageReader {
        private var known: [String: Result<LanguageCode?, LanguageMessage>] = [:]

        /// Reads a trimmed cell: empty means none (the network's default applies).
        mutating func read(_ text: String) -> Result<LanguageCode?, LanguageMessage> {
            guard !text.isEmpty else { return .success(nil) }
            if let result = known[text] { return result }
            let result: Result<LanguageCode?, LanguageMessage>
            do throws(LanguageCodeError) {
                result = .success(try LanguageCode(text))
            } catch {
                result = .failure(LanguageMessage(text: error.description))
            }
            known[text] = result
            return result
        }
    }

    /// Segments from a `;`-separated cell; a `,` is accepted too, since people type it.
    static func segments(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        let pieces = text.split { $0 == ";" || $0 == "," }
            .map { ListValue.trimmed(String($0)).lowercased() }
            .filter { !$0.isEmpty }
        return pieces.count <= 1 ? pieces : Array(Set(pieces)).sorted()
    }

    /// A message for a value that is not one of a fixed set, suggesting the closest.
    static func unknownChoice(_ value: String, what: String, choices: [String], suggestion: String? = nil)
        -> String
    {
        var message = "\(shown(value)) is not \(what)"
        if let suggested = suggestion ?? closest(to: value.lowercased(), among: choices) {
            message += "; did you mean \(suggested.debugDescription)?"
        }
        let listed = choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
        return message + " (use \(listed))"
    }

    /// The choice a typo most likely meant: one the value begins (`unsub`), or a
    /// few edits away by the same measure as every other "did you mean" in Inviter.
    static func closest(to value: String, among choices: [String]) -> String? {
        guard !value.isEmpty, value.count <= 40 else { return nil }
        if value.count >= 3, let prefixed = choices.first(where: { $0.hasPrefix(value) }) { return prefixed }
        return Suggestion.closest(to: value, among: choices)
    }
}
