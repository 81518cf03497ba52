/// Finds events whose title or description is missing in a language their audience reads.
///
/// Such members still get the event, in the fallback language; the warning
/// tells the organizer who would be better served by a translation. A reader
/// is counted in the language their message is rendered in (`renderedIn`: the
/// template language they fall back to), since that is the title they see: a
/// Tigrinya title helps nobody while there is no Tigrinya template.
public enum EventTextCheck {
    /// - Parameter fallback: Where a missing text comes from (the network's `fallback_languages`,
    ///   then `defaultLanguage`); by default `defaultLanguage` alone.
    public static func warnings(
        events: [Event], members: [Member], defaultLanguage: LanguageCode,
        fallback: LanguageFallback? = nil,
        renderedIn: (LanguageCode) -> LanguageCode = { $0 }
    )
        -> [InputProblem]
    {
        let fallback = fallback ?? LanguageFallback(default: defaultLanguage)
        var warnings: [InputProblem] = []
        for event in events {
            let invited = Audience(event.audience)
            let audience = members.filter(invited.includes)
            var readers: [LanguageCode: Int] = [:]
            for member in audience {
                readers[renderedIn(member.language ?? defaultLanguage), default: 0] += 1
            }
            let (file, line) = event.location
            // The title, and the description when the event has one: a translated title over an
            // English description still leaves the reader with English.
            var texts: [(field: String, text: LocalizedText)] = [("title", event.title)]
            if !event.description.isEmpty { texts.append(("description", event.description)) }
            for (field, text) in texts {
                var missing: [(LanguageCode, Int)] = []
                var fallbackUsed: Set<LanguageCode> = []
                for (language, count) in readers.sorted(by: { $0.key < $1.key }) {
                    guard let resolved = text.resolve(language, fallback: fallback) else { continue }
                    if resolved.language != language,
                        resolved.language != LanguageCode(verified: language.language)
                    {
                        missing.append((language, count))
                        fallbackUsed.insert(resolved.language)
                    }
                }
                guard !missing.isEmpty else { continue }
                let total = missing.reduce(0) { $0 + $1.1 }
                let list = missing.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                let used = fallbackUsed.map(\.identifier).sorted().joined(separator: "/")
                warnings.append(
                    InputProblem(
                        file: file, line: line, field: "\(event.id).\(field)",
                        message:
                            "no text in the language of \(counted(total, "recipient")) (\(list)); they get it in \(used)",
                        severity: .warning, kind: .data))
            }
        }
        return warnings
    }
}
