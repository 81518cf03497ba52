/// Where a reader's texts come from when something is not written in their language: the
/// network's `fallback_languages` in order, then its default language, then English.
///
/// One order for every text a message is made of (the template, the event's title and
/// description, the strings table), so that a Danish-default network with
/// `fallback_languages = ["en"]` writes to a reader of a language it has no text for in English
/// throughout, rather than in Danish, which a newcomer is the least likely to read.
public struct LanguageFallback: Sendable, Hashable {
    /// The languages tried after the reader's own, in order: the fallbacks, then the default.
    public let languages: [LanguageCode]

    /// - Parameters:
    ///   - defaultLanguage: The network's default language, for readers without a language too.
    ///   - preferred: The network's `fallback_languages`, tried before the default.
    public init(default defaultLanguage: LanguageCode, preferred: [LanguageCode] = []) {
        languages = preferred + [defaultLanguage]
    }

    /// The order in which a text for a reader of `language` is looked for: that language, its
    /// base language (`pt` for `pt-BR`), each fallback language and its base, then English;
    /// without repeats.
    public func chain(for language: LanguageCode) -> [LanguageCode] {
        var result: [LanguageCode] = []
        for code in [language] + languages + [.english] {
            for candidate in [code, LanguageCode(verified: code.language)] where !result.contains(candidate) {
                result.append(candidate)
            }
        }
        return result
    }
}
