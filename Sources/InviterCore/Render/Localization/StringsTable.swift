/// The short texts every template shares ("When", "Unsubscribe", "3 seats
/// left"), one table per language, read from `Templates/strings/<language>.toml`.
///
/// Keeping them here rather than in each template means a translator fixes a
/// word once, a new language is one file, and `inviter check` can tell which
/// language lacks which text (`missingKeys(in:)`).
///
/// Values come back **unescaped**: the same text lands in plain text, HTML
/// and headers, and only the caller knows which, so the caller escapes (and
/// must escape placeholder values such as a member's name too). The keys are
/// listed in `StringKey.all`.
public struct StringsTable: Sendable {
    /// One key's value in one language.
    enum Entry: Sendable, Hashable {
        case text(String)
        /// The forms by CLDR plural category (`one`, `few`, `other`, …).
        case plural([String: String])
    }

    let tables: [LanguageCode: [String: Entry]]

    init(tables: [LanguageCode: [String: Entry]]) { self.tables = tables }

    /// The languages that have a strings file, sorted by code.
    public var languages: [LanguageCode] { tables.keys.sorted() }

    /// The text for `key` with its `{placeholders}` filled from `values`.
    ///
    /// Looks in `language` (`pt-BR`), then its base language (`pt`), then
    /// `fallback` (the network's default language) and its base, then English,
    /// and takes the first table that has the key.
    ///
    /// - Returns: `nil` when no table in that chain has the key, or the key is a
    ///   counted one (use `plural(_:count:language:fallback:values:)`).
    ///   A placeholder missing from `values` stays in the text as `{name}`.
    public func text(
        _ key: String, language: LanguageCode, fallback: LanguageCode, values: [String: String] = [:]
    ) -> String? {
        text(key, language: language, fallback: LanguageFallback(default: fallback), values: values)
    }

    /// The same, along the network's whole fallback chain (its `fallback_languages`, then the default).
    public func text(
        _ key: String, language: LanguageCode, fallback: LanguageFallback, values: [String: String] = [:]
    ) -> String? {
        for code in fallback.chain(for: language) {
            guard let entry = tables[code]?[key] else { continue }
            guard case .text(let text) = entry else { return nil }
            return Placeholders.substitute(text, values)
        }
        return nil
    }

    /// The counted text for `key` and `count` ("1 seat left", "5 seats left").
    ///
    /// The language chain is the same as for `text(_:language:fallback:values:)`;
    /// the plural category follows the rules of the table actually used, so an
    /// English fallback for a Polish reader says "22 seats", not the Polish `few` form.
    /// `{count}` is the plain number (`1200`) unless `values` gives its own `count`.
    ///
    /// - Returns: `nil` when no table in the chain has the key or the key is not a counted one.
    public func plural(
        _ key: String, count: Int, language: LanguageCode, fallback: LanguageCode,
        values: [String: String] = [:]
    ) -> String? {
        plural(
            key, count: count, language: language, fallback: LanguageFallback(default: fallback),
            values: values)
    }

    /// The same, along the network's whole fallback chain.
    public func plural(
        _ key: String, count: Int, language: LanguageCode, fallback: LanguageFallback,
        values: [String: String] = [:]
    ) -> String? {
        for code in fallback.chain(for: language) {
            guard let entry = tables[code]?[key] else { continue }
            guard case .plural(let forms) = entry else { return nil }
            let category = StringsTable.pluralCategory(for: count, language: code.identifier)
            guard let form = forms[category] ?? forms["other"] else { return nil }
            var values = values
            if values["count"] == nil { values["count"] = String(count) }
            return Placeholders.substitute(form, values)
        }
        return nil
    }

    /// The keys of `StringKey.all` that neither `language` nor its base language
    /// defines, so they would come from the fallback: for "pl.toml lacks …" warnings.
    public func missingKeys(in language: LanguageCode) -> [String] {
        let own = tables[language] ?? [:]
        let base = tables[LanguageCode(verified: language.language)] ?? [:]
        return StringKey.all.map(\.name).filter { own[$0] == nil && base[$0] == nil }
    }

    /// The CLDR plural category (`zero`, `one`, `two`, `few`, `many` or `other`)
    /// for a whole number in a language such as `pl` or `pt-BR`.
    ///
    /// Hand-written rules cover the languages of Denmark's international
    /// communities (see `PluralRule`); any other language gets `other`, which
    /// every counted text has.
    public static func pluralCategory(for count: Int, language: String) -> String {
        PluralRule.rule(for: language).category(for: count)
    }

    /// The plural forms a translation into `language` must give, in CLDR order
    /// (`["one", "few", "many", "other"]` for Polish).
    public static func pluralCategories(for language: String) -> [String] {
        PluralRule.rule(for: language).requiredCategories
    }

    /// `pt-BR` → `pt-BR`, `pt`, the fallback (and its base), `en`; without repeats.
    static func chain(_ language: LanguageCode, fallback: LanguageCode) -> [LanguageCode] {
        LanguageFallback(default: fallback).chain(for: language)
    }
}
