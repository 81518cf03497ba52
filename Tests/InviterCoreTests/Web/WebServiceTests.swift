import Foundation
import InviterTestSupport
import Testing

@testable import InviterCore

/// What each page of `inviter serve` says and records, against the in-memory ledger: the HTTP
/// side is tested over real HTTP in the end-to-end tests.
@Suite struct WebServiceTests {
    static let web = """

        [unsubscribe]
        mailto = "unsubscribe@example.org"
        secret_env = "INVITER_SECRET"

        [web]
        base_url = "https://example.org/inviter/"
        listen = "127.0.0.1:0"

        [signup]
        segments = ["Newcomers", "danes"]

        """

    let service: WebService
    let ledger = MemoryLedger()
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    init() throws {
        let members = NetworkFixture.members + "layla@example.org,Layla Haddad,ar,newcomers,,active\n"
        let fixture = try NetworkFixture([
            "inviter.toml": NetworkFixture.config + Self.web, "members.csv": members,
        ])
        let network = try NetworkLoader.load(configuration: fixture.configURL)
        let setup = try RenderSetup.load(network.configuration, environment: ["INVITER_SECRET": "s3cret"])
        service = try WebService(network: network, renderer: setup.renderer, ledger: ledger)
    }

    func token(_ address: AddressKey, _ list: MailingList) -> String {
        UnsubscribeLink.token(address: address, list: list, network: "Test Network", secret: Secret("s3cret"))
    }

    @Test func theConfigurationNamesWhereServeAnswers() {
        let web = service.network.configuration.web
        #expect(web?.baseURL == "https://example.org/inviter")
        #expect(web?.basePath == "/inviter")
        #expect(web?.port == 0)
        #expect(service.network.configuration.signup?.segments == ["newcomers", "danes"])
    }

    @Test func theUnsubscribePageChangesNothingAndThePostRecordsOnce() async throws {
        let token = token("olena@example.org", .members)
        for _ in 0..<10 {
            let page = service.unsubscribePage(token: token, acceptLanguage: "en")
            #expect(page.status == 200)
            #expect(page.html.contains("<html lang=\"uk\" dir=\"ltr\">"), "the member's own language")
            #expect(page.html.contains("olena@example.org"))
            #expect(page.html.contains("method=\"post\" action=\"/inviter/unsubscribe/\(token)\""))
        }
        #expect(try ledger.suppressed().isEmpty)
        let done = try await service.unsubscribe(
            token: token, request: .oneClick, acceptLanguage: nil, now: now)
        #expect(done.status == 200)
        #expect(done.html.contains("name=\"action\" value=\"undo\""), "it offers to undo")
        _ = try await service.unsubscribe(
            token: token, request: .page, acceptLanguage: nil, now: now.addingTimeInterval(60))
        let list = try ledger.suppressed()
        #expect(list.count == 1)
        #expect(list.first?.scope == .list(.members))
        #expect(
            list.first?.reason == "unsubscribed with the one-click link", "a repeat keeps the first record")
        #expect(list.first?.since == now)
        _ = try await service.unsubscribe(token: token, request: .undo, acceptLanguage: nil, now: now)
        #expect(try ledger.suppressed().isEmpty)
    }

    @Test func aPartnerTokenLeavesThePartnerCopiesOnly() async throws {
        _ = try await service.unsubscribe(
            token: token("hr@company.example.com", .partners), request: .oneClick, acceptLanguage: nil,
            now: now)
        #expect(try ledger.isSuppressed("hr@company.example.com", from: .partners))
        #expect(try !ledger.isSuppressed("hr@company.example.com", from: .members))
        // The first tokens, still in inboxes, name their list by what they were signed for.
        let old = UnsubscribeToken.make(
            address: "mette@example.org", network: "Test Network#partners", secret: Secret("s3cret"))
        _ = try await service.unsubscribe(token: old, request: .oneClick, acceptLanguage: nil, now: now)
        #expect(try ledger.isSuppressed("mette@example.org", from: .partners))
        #expect(try !ledger.isSuppressed("mette@example.org", from: .members))
    }

    @Test func forgedEditedAndMovedTokensChangeNothing() async throws {
        let mine = token("olena@example.org", .members)
        let theirs = token("mette@example.org", .members)
        var edited = Array(mine)
        edited[edited.count - 2] = edited[edited.count - 2] == "A" ? "B" : "A"
        let parts = mine.split(separator: ".")
        let other = theirs.split(separator: ".")
        let join = LinkToken.make(
            .join, fields: ["members", "olena@example.org"], network: "Test Network", secret: Secret("s3cret")
        )
        let candidates = [
            String(edited), "\(parts[0]).\(other[1]).\(parts[2])",
            UnsubscribeLink.token(
                address: "olena@example.org", list: .members, network: "Another", secret: Secret("s3cret")),
            UnsubscribeLink.token(
                address: "olena@example.org", list: .members, network: "Test Network", secret: Secret("other")
            ),
            join, "", "2..", "garbage",
        ]
        for token in candidates {
            #expect(service.unsubscribePage(token: token, acceptLanguage: nil).status == 400, "\(token)")
            let answer = try await service.unsubscribe(
                token: token, request: .oneClick, acceptLanguage: nil, now: now)
            #expect(answer.status == 400)
            #expect(!answer.html.contains("olena"), "a refused token says nothing about anybody")
        }
        #expect(try ledger.suppressed().isEmpty)
    }

    @Test func arabicPagesReadRightToLeft() {
        let page = service.unsubscribePage(token: token("layla@example.org", .members), acceptLanguage: "da")
        #expect(page.html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        let join = service.joinPage(occurrence: nil, acceptLanguage: "ar-EG, en;q=0.5", now: now)
        #expect(join.html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(join.html.contains("<option value=\"ar\" lang=\"ar\" selected>"))
    }

    @Test func theBrowsersLanguageChoosesTheFormsLanguage() {
        let languages = service.languages
        #expect(AcceptLanguage.best("fr-CH, de;q=0.9, en;q=0.8", among: languages)?.identifier == "de")
        #expect(AcceptLanguage.best("en;q=0.2, da", among: languages)?.identifier == "da")
        #expect(AcceptLanguage.best("fr, *;q=0.1", among: languages) == nil)
        #expect(AcceptLanguage.best("da;q=0", among: languages) == nil)
        #expect(AcceptLanguage.best(nil, among: languages) == nil)
    }

    func form(
        email: String = "nadia@example.com", name: String = "Nadia", language: String = "da",
        segments: [String] = ["newcomers"], occurrence: String? = nil
    ) -> WebService.JoinForm {
        WebService.JoinForm(
            email: email, name: name, language: language, segments: segments, occurrence: occurrence)
    }

    @Test func aSoundFormRecordsOneConfirmationAndAnswersTheSameForEveryone() throws {
        let (page, queued) = try service.join(form(), acceptLanguage: nil, now: now)
        #expect(page.status == 200)
        #expect(queued)
        let (again, queuedAgain) = try service.join(
            form(), acceptLanguage: nil, now: now.addingTimeInterval(5))
        #expect(!queuedAgain, "a double submit sends one mail")
        #expect(again == page)
        // A member of the lists gets the same answer, with their own address in it.
        let (member, _) = try service.join(form(email: "mette@example.org"), acceptLanguage: nil, now: now)
        #expect(
            member.html.replacingOccurrences(of: "mette@example.org", with: "nadia@example.com") == page.html)
        let waiting = try ledger.waiting(now: now.addingTimeInterval(10), resendUnknown: true)
        #expect(waiting.map(\.key.recipient) == ["mette@example.org", "nadia@example.com"])
    }

    @Test func badFormValuesAreRefusedAndNeverReflectedRaw() throws {
        let hostile = [
            form(email: "not an address"), form(email: "a@example.org\r\nBcc: x@example.org"),
            form(name: "Nadia\r\nBcc: x@example.org"), form(name: String(repeating: "n", count: 201)),
            form(name: "  "), form(language: "xx"), form(segments: ["admins"]),
            form(email: "<script>alert(1)</script>@example.org"),
        ]
        for bad in hostile {
            let (page, queued) = try service.join(bad, acceptLanguage: nil, now: now)
            #expect(page.status == 400, "\(bad)")
            #expect(!queued)
            #expect(!page.html.contains("<script>alert"), "values are escaped where they land")
        }
        #expect(try ledger.waiting(now: now, resendUnknown: true).isEmpty)
        let (ok, queued) = try service.join(
            form(name: "<script>alert(1)</script>"), acceptLanguage: nil, now: now)
        #expect(ok.status == 200 && queued)
        let key = try #require(try ledger.waiting(now: now, resendUnknown: true).first).key
        let request = try #require(try ledger.signupRequest(key))
        let message = try service.renderer.joinConfirmation(request, key: key, now: now)
        #expect(message.html?.contains("&lt;script&gt;alert(1)&lt;/script&gt;") ?? false)
        #expect(!(message.html?.contains("<script>") ?? true))
    }

    @Test func theConfirmationLinkMakesAMemberWhileItIsFresh() async throws {
        _ = try service.join(
            form(language: "ar", occurrence: "wednesday-hygge/2026-12-02"), acceptLanguage: nil, now: now)
        let entry = try #require(try ledger.waiting(now: now, resendUnknown: true).first)
        let link = try #require(service.renderer.joinConfirmationLink(entry.key))
        #expect(link.hasPrefix("https://example.org/inviter/join/2."))
        let token = String(link.dropFirst("https://example.org/inviter/join/".count))
        let page = try service.confirmationPage(token: token, acceptLanguage: nil, now: now)
        #expect(page.status == 200)
        #expect(page.html.contains("dir=\"rtl\""), "in the language chosen on the form")
        #expect(try ledger.joinedMembers().isEmpty, "the page changes nothing")
        #expect(try service.confirm(token: token, acceptLanguage: nil, now: now).status == 200)
        let joined = try ledger.joinedMembers()
        #expect(joined.map(\.request.occurrence?.description) == ["wednesday-hygge/2026-12-02"])
        let late = now.addingTimeInterval(WebService.confirmationLifetime + 1)
        #expect(try service.confirm(token: token, acceptLanguage: nil, now: late).status == 400)
        // An unsubscribe token cannot confirm, nor a confirmation token unsubscribe.
        #expect(
            try service.confirm(
                token: self.token("nadia@example.com", .members), acceptLanguage: nil, now: now
            ).status == 400)
        #expect(
            try await service.unsubscribe(token: token, request: .oneClick, acceptLanguage: nil, now: now)
                .status
                == 400)
    }

    @Test func theFormNamesTheOccurrenceAPartnerCopyLinkedTo() {
        let page = service.joinPage(occurrence: "wednesday-hygge/2026-12-02", acceptLanguage: "da", now: now)
        #expect(page.html.contains("Onsdagshygge"))
        #expect(page.html.contains("name=\"occurrence\" value=\"wednesday-hygge/2026-12-02\""))
        let unknown = service.joinPage(occurrence: "<b>x</b>/2026-12-02", acceptLanguage: "da", now: now)
        #expect(!unknown.html.contains("<b>x</b>"))
    }

    @Test func urlencodedBodiesAndOneClickRequests() {
        let fields = FormBody.fields(
            Array("email=a%40b.org&name=Anna+M%C3%B8ller&segments=x&segments=y&bad=%zz".utf8))
        #expect(fields.map(\.0) == ["email", "name", "segments", "segments", "bad"])
        #expect(fields.map(\.1) == ["a@b.org", "Anna Møller", "x", "y", "%zz"])
        let form = "application/x-www-form-urlencoded"
        #expect(
            FormBody.unsubscribeRequest(contentType: form, body: Array("List-Unsubscribe=One-Click".utf8))
                == .oneClick)
        #expect(
            FormBody.unsubscribeRequest(
                contentType: "multipart/form-data; boundary=x", body: Array("action=undo".utf8)) == .oneClick)
        #expect(FormBody.unsubscribeRequest(contentType: nil, body: []) == .oneClick)
        #expect(FormBody.unsubscribeRequest(contentType: form, body: Array("action=undo".utf8)) == .undo)
        #expect(FormBody.unsubscribeRequest(contentType: form, body: Array("confirm=1".utf8)) == .page)
    }

    @Test func aClientIsLimitedPerWindow() {
        let limiter = ClientLimiter(limit: 3, window: 60)
        #expect((0..<4).map { _ in limiter.admit("192.0.2.1", now: now) } == [true, true, true, false])
        #expect(limiter.admit("192.0.2.2", now: now))
        #expect(limiter.admit("192.0.2.1", now: now.addingTimeInterval(61)))
    }
}
