import Foundation

/// Removes credentials from protocol trace lines.
///
/// AUTH lines are already replaced where they are recognised; this is the
/// second guard: the password, and every base64 form in which an AUTH
/// exchange could carry it, are cut from any line, whatever its origin.
struct TraceRedactor: Sendable {
    private let needles: [String]

    init(username: String?, password: Secret?) {
        guard let password = password?.reveal(), !password.isEmpty else {
            needles = []
            return
        }
        let user = username ?? ""
        var forms = [password, Base64.encode(Array(password.utf8))]
        for plain in ["\0\(user)\0\(password)", "\(user)\0\(user)\0\(password)"] {
            forms.append(Base64.encode(Array(plain.utf8)))
        }
        // Longest first, so a form containing another is cut whole.
        needles = forms.sorted { $0.count > $1.count }
    }

    func scrub(_ line: String) -> String {
        var line = line
        for needle in needles where line.contains(needle) {
            line = line.replacingOccurrences(of: needle, with: "[redacted]")
        }
        return line
    }
}
