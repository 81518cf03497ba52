/// CLDR plural rules for whole numbers, written out by hand.
///
/// Foundation on Linux offers no public API for plural categories (the
/// `.stringsdict` machinery is Apple-only), and the counts here are always
/// whole numbers of seats, so only the integer part of each CLDR rule
/// (`v = 0`) is needed. Sources: CLDR 46 `plurals.xml`, the version ICU 76 ships.
enum PluralRule: Sendable {
    /// No forms to choose: Chinese, Japanese, Korean, Vietnamese, Thai, …
    case otherOnly
    /// `one` for 1 only: English, Danish, German, Swedish, Turkish, …
    case one
    /// `one` for 0 and 1: Hindi, Bengali, Persian, Amharic, Armenian, …
    case zeroAndOne
    /// `one` for 1, `many` for whole millions: Spanish, Italian, Catalan, European Portuguese.
    case oneAndMillions
    /// `one` for 0 and 1, `many` for whole millions: French, (Brazilian) Portuguese.
    case zeroOneAndMillions
    /// Russian, Ukrainian, Belarusian: 1, 21 / 2–4, 22–24 / 0, 5–20, 25–30 / fractions.
    case eastSlavic
    /// Polish: 1 / 2–4, 22–24 (not 12–14) / the other whole numbers / fractions.
    case polish
    /// Czech, Slovak: 1 / 2–4 / fractions / the rest.
    case czech
    /// Croatian, Serbian, Bosnian: 1, 21 / 2–4, 22–24 / the rest.
    case southSlavic
    /// Slovenian: 1, 101 / 2, 102 / 3–4, 103–104 / the rest.
    case slovenian
    /// Macedonian: 1, 21, 31 (not 11) / the rest.
    case macedonian
    /// Lithuanian: 1, 21 / 2–9, 22–29 / fractions / 0, 10–20, 30.
    case lithuanian
    /// Latvian: 0, 10–20, 30 / 1, 21, 31 / the rest.
    case latvian
    /// Icelandic: 1, 21, 31 (not 11) / the rest.
    case icelandic
    /// Filipino, Tagalog: `other` only for numbers ending in 4, 6 or 9.
    case filipino
    /// Romanian: 1 / 0 and numbers ending in 01–19 / the rest ("20 de locuri").
    case romanian
    /// Hebrew: 1 / 2 / the rest.
    case hebrew
    /// Arabic: 0 / 1 / 2 / 3–10 / 11–99 (of each hundred) / the rest.
    case arabic

    /// The rule for a language code such as `pl`, `pt-PT` or `pt_BR`; `otherOnly` when unknown.
    static func rule(for language: String) -> PluralRule {
        let code = String(language.lowercased().map { $0 == "_" ? "-" : $0 })
        if code == "pt-pt" { return .oneAndMillions }
        let base = String(code.prefix { $0 != "-" })
        return byLanguage[base] ?? .otherOnly
    }

    private static let byLanguage: [String: PluralRule] = {
        var table: [String: PluralRule] = [:]
        let groups: [(PluralRule, [String])] = [
            (
                .one,
                [
                    "af", "az", "bg", "ckb", "da", "de", "el", "en", "eo", "et", "eu", "fi", "fo", "fy",
                    "gl", "hu", "ka", "kk", "ku", "ky", "lb", "ml", "mn", "nb", "ne", "nl", "nn", "no",
                    "om", "ps", "so", "sq", "sv", "sw", "ta", "te", "tk", "tr", "ug", "ur", "uz",
                ]
            ),
            (.zeroAndOne, ["am", "bn", "fa", "gu", "hi", "hy", "kn", "ln", "ti", "zu"]),
            (.oneAndMillions, ["ca", "es", "it"]),
            (.zeroOneAndMillions, ["fr", "pt"]),
            (.eastSlavic, ["be", "ru", "uk"]),
            (.polish, ["pl"]),
            (.czech, ["cs", "sk"]),
            (.southSlavic, ["bs", "hr", "sh", "sr"]),
            (.slovenian, ["sl"]),
            (.macedonian, ["mk"]),
            (.lithuanian, ["lt"]),
            (.latvian, ["lv"]),
            (.icelandic, ["is"]),
            (.filipino, ["fil", "tl"]),
            (.romanian, ["ro", "mo"]),
            (.hebrew, ["he", "iw"]),
            (.arabic, ["ar", "ars"]),
            (.otherOnly, ["id", "ja", "km", "ko", "lo", "ms", "my", "th", "vi", "yo", "zh"]),
        ]
        for (rule, languages) in groups {
            for language in languages { table[language] = rule }
        }
        return table
    }()

    /// Every category the language has in CLDR, in CLDR order; a translation may give any of them.
    var categories: [String] {
        switch self {
        case .otherOnly: ["other"]
        case .one, .zeroAndOne, .macedonian, .icelandic, .filipino: ["one", "other"]
        case .oneAndMillions, .zeroOneAndMillions: ["one", "many", "other"]
        case .eastSlavic, .polish, .czech, .lithuanian: ["one", "few", "many", "other"]
        case .southSlavic, .romanian: ["one", "few", "other"]
        case .slovenian: ["one", "two", "few", "other"]
        case .latvian: ["zero", "one", "other"]
        case .hebrew: ["one", "two", "other"]
        case .arabic: ["zero", "one", "two", "few", "many", "other"]
        }
    }

    /// The categories a translation must give: those a count below a million can
    /// reach, plus `other`, which is the last resort for every lookup.
    ///
    /// Czech `many` (fractions) and French `many` (whole millions) are therefore
    /// optional; a count that needs a missing form gets `other`.
    var requiredCategories: [String] {
        let reached = Set((0...1_099).map { category(for: $0) })
        return categories.filter { reached.contains($0) || $0 == "other" }
    }

    /// The CLDR category of a whole number (the sign is ignored).
    func category(for count: Int) -> String {
        let n = count.magnitude
        let mod10 = n % 10
        let mod100 = n % 100
        switch self {
        case .otherOnly:
            return "other"
        case .one:
            return n == 1 ? "one" : "other"
        case .zeroAndOne:
            return n <= 1 ? "one" : "other"
        case .oneAndMillions, .zeroOneAndMillions:
            if n == 1 || (n == 0 && self == .zeroOneAndMillions) { return "one" }
            return n != 0 && n % 1_000_000 == 0 ? "many" : "other"
        case .eastSlavic:
            if mod10 == 1 && mod100 != 11 { return "one" }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return "few" }
            return "many"
        case .polish:
            if n == 1 { return "one" }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return "few" }
            return "many"
        case .czech:
            if n == 1 { return "one" }
            return (2...4).contains(n) ? "few" : "other"
        case .southSlavic:
            if mod10 == 1 && mod100 != 11 { return "one" }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return "few" }
            return "other"
        case .slovenian:
            switch mod100 {
            case 1: return "one"
            case 2: return "two"
            case 3, 4: return "few"
            default: return "other"
            }
        case .macedonian, .icelandic:
            return mod10 == 1 && mod100 != 11 ? "one" : "other"
        case .lithuanian:
            if (11...19).contains(mod100) { return "other" }
            if mod10 == 1 { return "one" }
            return mod10 == 0 ? "other" : "few"
        case .latvian:
            if mod10 == 0 || (11...19).contains(mod100) { return "zero" }
            return mod10 == 1 ? "one" : "other"
        case .filipino:
            return [4, 6, 9].contains(mod10) ? "other" : "one"
        case .romanian:
            if n == 1 { return "one" }
            return n == 0 || (1...19).contains(mod100) ? "few" : "other"
        case .hebrew:
            if n == 1 { return "one" }
            return n == 2 ? "two" : "other"
        case .arabic:
            switch n {
            case 0: return "zero"
            case 1: return "one"
            case 2: return "two"
            default: break
            }
            if (3...10).contains(mod100) { return "few" }
            return (11...99).contains(mod100) ? "many" : "other"
        }
    }
}
