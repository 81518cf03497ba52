import Foundation

/// Languages written right to left, for `dir="rtl"`.
enum LanguageDirection {
    static let rightToLeft: Set<String> = ["ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug"]

    static func isRightToLeft(_ language: LanguageCode) -> Bool { rightToLeft.contains(language.language) }
}
