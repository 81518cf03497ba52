import Foundation

/// A language as members and templates name it: an ISO 639 code (`da`, `en`,
/// `uk`, `fil`), optionally with a region (`pt-BR`).
///
/// Validated against ICU's list of ISO 639 codes, so the common mistake of
/// writing the country code (`dk` for Danish, `ua` for Ukrainian) is caught
/// when the list is read rather than when a member gets the English fallback.
public struct LanguageCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalised code: lowercase language, uppercase region, joined by `-`.
    public let identifier: String

    /// The language part without a region (`pt` for `pt-BR`).
    public var language: String { String(identifier.prefix { $0 != "-" }) }

    private static let known: Set<String> = Set(Locale.LanguageCode.isoLanguageCodes.map(\.identifier))

    /// Well-known slips, to suggest the right code in the error.
    private static let countryCodeSlips = [
        "dk": "da", "ua": "uk", "se": "sv", "gr": "el", "cz": "cs", "jp": "ja", "cn": "zh", "ee": "et",
        "si": "sl", "rs": "sr", "al": "sq", "ir": "fa", "gb": "en", "us": "en",
    ]

    /// - Throws: a message for a person, such as `"dk" is not a language code; Danish is "da"`.
    public init(_ text: String) throws(LanguageCodeError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, parts.count <= 2 else {
            throw LanguageCodeError(value: text, suggestion: nil)
        }
        let language = first.lowercased()
        guard LanguageCode.known.contains(language), (2...3).contains(language.count) else {
            throw LanguageCodeError(value: text, suggestion: LanguageCode.countryCodeSlips[language])
        }
        if parts.count == 2 {
            let region = parts[1].uppercased()
            let isRegion =
                (region.count == 2 && region.allSatisfy(\.isLetter))
                || (region.count == 3 && region.allSatisfy(\.isNumber))
            guard isRegion else { throw LanguageCodeError(value: text, suggestion: language) }
            identifier = "\(language)-\(region)"
        } else {
            identifier = language
        }
    }

    public static let english = LanguageCode(verified: "en")

    /// For codes known at compile time.
    init(verified identifier: String) { self.identifier = identifier }

    public var description: String { identifier }

    public static func < (lhs: LanguageCode, rhs: LanguageCode) -> Bool { lhs.identifier < rhs.identifier }

    /// This language's name as a reader of `reader` writes it ("rumænsk" for a Danish reader), so a
    /// list of offered languages reads naturally in every invitation.
    public func name(in reader: LanguageCode) -> String {
        Locale(identifier: reader.identifier).localizedString(forIdentifier: identifier) ?? identifier
    }

    /// The language's own name in English, for summaries (`Danish`).
    public var englishName: String {
        Locale(identifier: "en").localizedString(forLanguageCode: language) ?? identifier
    }
}

/// A language code that is not ISO 639.
public struct LanguageCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let suggestion: String?

    public var description: String {
        var text = "\(value.debugDescription) is not an ISO 639 language code"
        if let suggestion {
            let name = Locale(identifier: "en").localizedString(forLanguageCode: suggestion) ?? suggestion
            text += "; did you mean \(suggestion.debugDescription) (\(name))?"
        }
        return text
    }
}
