import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// `fallback_languages`: a Danish-default network whose newcomers read English sooner than Danish
/// writes to a reader of a language it has no text for in English, the template, the title and
/// the strings alike.
@Suite struct FallbackLanguagesTests {
    /// The fixture network with Danish as its default, and `fallback` as its `fallback_languages`.
    static func renderer(fallback: String?) throws -> (LoadedNetwork, MessageRenderer) {
        var config = NetworkFixture.config.replacingOccurrences(
            of: "default_language = \"en\"", with: "default_language = \"da\"")
        if let fallback {
            config = config.replacingOccurrences(
                of: "default_language = \"da\"",
                with: "default_language = \"da\"\nfallback_languages = \(fallback)")
        }
        let fixture = try NetworkFixture(["inviter.toml": config])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let renderer = try RenderSetup.load(network.configuration, environment: [:]).renderer
        return (network, renderer)
    }

    /// The invitation to the first Wednesday hygge (titled in English and Danish only) for a member
    /// who reads `language`.
    static func invitation(_ language: String?, fallback: String?) throws -> RenderedMessage {
        let (network, renderer) = try renderer(fallback: fallback)
        let zone = network.configuration.network.timeZone
        let first = try #require(LocalDate(iso: "2026-12-01"))
        let last = try #require(LocalDate(iso: "2026-12-03"))
        let from = try #require(LocalDateTime(date: first, hour: 0, minute: 0))
        let through = try #require(LocalDateTime(date: last, hour: 0, minute: 0))
        let occurrence = try #require(
            network.events.flatMap { $0.occurrences(from: from, through: through, in: zone) }.first {
                $0.id == "wednesday-hygge/2026-12-02"
            })
        let member = try RenderFixture.member("Tesfay", language)
        return try renderer.render(
            RenderRequest(
                mailing: Mailing(kind: .invitation, occurrence: occurrence, dueAt: RenderFixture.now),
                recipient: .member(member), now: RenderFixture.now))
    }

    @Test func aReaderOfALanguageWithoutTemplatesGetsTheFirstFallbackLanguage() throws {
        // Tigrinya: a valid code, and no templates or titles in it.
        let english = try Self.invitation("ti", fallback: "[\"en\"]")
        #expect(english.language.identifier == "en")
        #expect(english.message.subject.contains("Wednesday hygge"), "\(english.message.subject)")
        #expect(english.message.text.contains("Meet at the pub."))
        let danish = try Self.invitation("ti", fallback: nil)
        #expect(danish.language.identifier == "da", "without it, the default language")
        #expect(danish.message.subject.contains("Onsdagshygge"), "\(danish.message.subject)")
    }

    /// A Polish reader has Polish templates, but the event has no Polish title: the English one
    /// comes before the Danish default.
    @Test func aMissingEventTextComesFromTheFallbackLanguageBeforeTheDefault() throws {
        let withFallback = try Self.invitation("pl", fallback: "[\"en\"]")
        #expect(withFallback.language.identifier == "pl")
        #expect(withFallback.message.subject.contains("Wednesday hygge"), "\(withFallback.message.subject)")
        let without = try Self.invitation("pl", fallback: nil)
        #expect(without.message.subject.contains("Onsdagshygge"), "\(without.message.subject)")
    }

    /// Readers of the network's languages, and those whose list gives no language, are not
    /// affected: the default language is theirs.
    @Test func readersOfTheDefaultAndThoseWithoutALanguageKeepTheDefault() throws {
        for language in ["da", nil] {
            let message = try Self.invitation(language, fallback: "[\"en\"]")
            #expect(message.language.identifier == "da")
            #expect(message.message.subject.contains("Onsdagshygge"))
        }
    }

    @Test func theChainTriesEachFallbackAndItsBaseLanguageBeforeTheDefaultAndEnglish() throws {
        let fallback = LanguageFallback(
            default: try LanguageCode("da"), preferred: [try LanguageCode("de-AT"), try LanguageCode("en")])
        #expect(
            fallback.chain(for: try LanguageCode("pt-BR")).map(\.identifier)
                == ["pt-BR", "pt", "de-AT", "de", "en", "da"])
        #expect(LanguageFallback(default: .english).chain(for: .english) == [.english])
    }

    @Test func checkSaysWhichLanguageTheReadersGetInstead() throws {
        let (network, renderer) = try Self.renderer(fallback: "[\"en\"]")
        var members = network.members.members
        members.append(try RenderFixture.member("Tesfay", "ti", address: "tesfay@example.org"))
        let warnings = EventTextCheck.warnings(
            events: network.events, members: members,
            defaultLanguage: network.configuration.network.defaultLanguage,
            fallback: network.configuration.network.languageFallback,
            renderedIn: {
                renderer.templates.language(
                    of: "invitation", for: $0, fallback: network.configuration.network.languageFallback) ?? $0
            }
        ).map(\.description)
        // The Ukrainian reader and the Tigrinya one (rendered in English, which has the title) lack
        // nothing but the Ukrainian title, which they get in English, not Danish.
        #expect(
            warnings.contains {
                $0.contains("wednesday-hygge.title") && $0.contains("(uk 1)")
                    && $0.hasSuffix("they get it in en")
            }, "\(warnings)")
        #expect(!warnings.contains { $0.contains("ti ") }, "\(warnings)")
    }
}
