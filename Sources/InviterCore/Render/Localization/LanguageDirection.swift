import Foundation

/// Languages written right to left, for `dir="rtl"`.
enum LanguageDirection {
    static let rightToLeft: Set<String> = ["ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"]

    static func isRightToLeft(_ language: LanguageCode) -> Bool { rightToLeft.contains(language.language) }

    /// The comma between a date and a time, or in a list: the Arabic comma in Arabic script.
    static func comma(_ language: LanguageCode) -> String {
        ["ar", "fa", "ur", "ps", "ckb"].contains(language.language) ? "، " : ", "
    }
}
