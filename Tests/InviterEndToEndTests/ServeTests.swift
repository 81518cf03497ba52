import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// A network with `[web]` and `[signup]` that sends through its own smtp-sink, for `inviter serve`.
///
/// Every process it starts (run, serve, preview) gets the link secret in its environment. The
/// links in its mail point at `http://127.0.0.1:9/inviter`; ``local(_:on:)`` points them at the
/// serve process the test started.
struct ServeNetwork {
    static let secret = "serve-tests-secret-4f1c"
    static let environment = ["INVITER_SECRET": secret]
    /// The scheme and host of `[web] base_url`, as links in mail have it.
    static let mailHost = "http://127.0.0.1:9"
    static let web = """
        [unsubscribe]
        mailto = "unsubscribe@example.org"
        secret_env = "INVITER_SECRET"

        [web]
        base_url = "\(mailHost)/inviter"

        [signup]
        segments = ["newcomers", "danes"]
        """
    /// When the reminders of Wednesday 2026-12-02 are due (2 days before).
    static let reminderDue = "2026-11-30T19:00:00+01:00"
    /// When the invitations of Wednesday 2026-12-09 (and its partner copy) are due.
    static let nextInvitationDue = "2026-11-25T19:00:00+01:00"
    /// When the invitations to the Christmas lunch (audience: newcomers) are due.
    static let christmasLunchDue = "2026-11-28T12:00:00+01:00"

    let sink: SMTPSink
    let fixture: NetworkFixture

    /// - Parameters:
    ///   - rows: member rows added after the fixture's two (mette, da; olena, uk).
    ///   - count: generated members `memberN@example.org` (en, newcomers).
    ///   - faults: smtp-sink options, such as a delay.
    init(rows: String = "", count: Int = 0, faults: [String] = []) throws {
        sink = try SMTPSink(faults: faults)
        fixture = try RunCommandTests.network(sinkURL: sink.url, members: count, extra: Self.web)
        if !rows.isEmpty {
            let members = fixture.directory.appendingPathComponent("members.csv")
            let text = try String(contentsOf: members, encoding: .utf8) + rows
            try fixture.write("members.csv", bytes: Array(text.utf8))
        }
    }

    /// Runs the tool on this network, with the secret.
    @discardableResult
    func tool(_ arguments: [String]) throws -> CommandTests.Output {
        try CommandTests.run(arguments + ["--config", fixture.configURL.path], environment: Self.environment)
    }

    /// `inviter run --now now`, which must succeed.
    @discardableResult
    func run(at now: String) throws -> CommandTests.Output {
        let output = try tool(["run", "--now", now])
        #expect(output.status == 0, "run at \(now): \(output.standardOutput)\(output.standardError)")
        return output
    }

    /// - Parameter now: `serve --now`: the pages answer as at that moment.
    func serve(now: String? = nil) throws -> ServeProcess {
        try ServeProcess(
            executable: CommandTests.executable, config: fixture.configURL, environment: Self.environment,
            logDirectory: fixture.directory, arguments: now.map { ["--now", $0] } ?? [])
    }

    /// The lines of `inviter suppress list`, or none when nobody is suppressed.
    func suppressions() throws -> [String] {
        let output = try tool(["suppress", "list"])
        #expect(output.status == 0, "\(output.standardError)")
        return output.standardOutput.split(separator: "\n").map(String.init).filter {
            $0 != "No address is suppressed."
        }
    }

    /// `inviter members --json`: who joined on the sign-up page.
    func joined() throws -> [[String: Any]] {
        let output = try tool(["members", "--json"])
        #expect(output.status == 0, "\(output.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
        return (object as? [String: Any])?["members"] as? [[String: Any]] ?? []
    }

    /// What the sink received so far, in the order of its capture files.
    func mail() throws -> [CapturedMail] {
        try sink.messages().map { CapturedMail(recipients: $0.recipients, text: $0.text) }
    }

    /// What the sink received besides `earlier` (capture files are not in the order they came).
    func mail(after earlier: [CapturedMail]) throws -> [CapturedMail] {
        let seen = Set(earlier.map(\.text))
        return try mail().filter { !seen.contains($0.text) }
    }

    /// Waits up to `timeout` seconds for mail that `condition` accepts.
    func waitForMail(timeout: TimeInterval = 10, _ condition: (CapturedMail) -> Bool) throws -> CapturedMail?
    {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let found = try mail().first(where: condition) { return found }
            usleep(200_000)
        } while Date() < deadline
        return nil
    }

    /// A link from mail (`http://127.0.0.1:9/inviter/…`), pointed at `serve`.
    static func local(_ link: String, on serve: ServeProcess) -> String {
        link.replacingOccurrences(of: mailHost, with: serve.baseURL)
    }

    /// `http://127.0.0.1:PORT/inviter` + `tail`.
    static func url(_ tail: String, on serve: ServeProcess) -> String {
        serve.baseURL + "/inviter" + tail
    }
}

/// A message as smtp-sink captured it, with its headers unfolded.
struct CapturedMail {
    let recipients: [String]
    let text: String

    /// The header lines, each unfolded onto one line.
    var headerLines: [String] {
        let head = text.components(separatedBy: "\n\n").first ?? ""
        var lines: [String] = []
        for line in head.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n") {
            if let first = line.first, first == " " || first == "\t", let last = lines.popLast() {
                lines.append(last + " " + line.trimmingCharacters(in: .whitespaces))
            } else {
                lines.append(String(line))
            }
        }
        return lines
    }

    /// The value of the first header called `name`.
    func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        return headerLines.first { $0.lowercased().hasPrefix(prefix) }.map {
            $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
    }

    var mailing: String { header("X-Inviter-Mailing") ?? "" }

    func isFor(_ address: String) -> Bool { recipients.contains("<\(address)>") }

    /// The http(s) link of `List-Unsubscribe`, as the message has it.
    var oneClickURL: String? {
        guard let value = header("List-Unsubscribe") else { return nil }
        return CapturedMail.links(in: value).first { $0.contains("/unsubscribe/") }
    }

    /// The token of the one-click link.
    var token: String? { oneClickURL.flatMap { $0.components(separatedBy: "/unsubscribe/").last } }

    /// The decoded parts, as Python's email package reads them.
    func decoded() throws -> DecodedMessage { try DecodedMessage.decode(Array(text.utf8)) }

    /// The decoded content of the first part of `type` (`text/plain`, `text/html`).
    func part(_ type: String) throws -> String {
        for part in try decoded().parts where part.type == type {
            if case .text(let text) = part.content { return text }
        }
        return ""
    }

    /// The `<http…>` links in a header value.
    static func links(in value: String) -> [String] {
        value.components(separatedBy: "<").dropFirst().compactMap { piece in
            guard let end = piece.firstIndex(of: ">") else { return nil }
            let link = String(piece[..<end])
            return link.hasPrefix("http://") || link.hasPrefix("https://") ? link : nil
        }
    }
}

extension String {
    /// The first substring from `start` up to (not including) the first character in `stops`.
    func firstLink(startingWith start: String, stops: Set<Character> = [" ", "\n", "\"", "<", ">", ")"])
        -> String?
    {
        guard let range = range(of: start) else { return nil }
        let tail = self[range.lowerBound...]
        return String(tail.prefix { !stops.contains($0) })
    }
}

/// The checks every answer of serve must pass.
func expectSafetyHeaders(_ response: BlockingHTTP.Response, _ what: String) {
    #expect(
        response.header("Content-Security-Policy")?.contains("default-src 'none'") == true,
        "\(what): CSP \(response.header("Content-Security-Policy") ?? "missing")")
    #expect(response.header("X-Frame-Options") == "DENY", "\(what)")
    #expect(response.header("Referrer-Policy") == "no-referrer", "\(what)")
}

/// `inviter serve` end to end: the links in real mail, answered by the real server, recorded in
/// the ledger that the next `inviter run` reads.
@Suite(.serialized) struct ServeTests {
    static let oneClick = Array("List-Unsubscribe=One-Click".utf8)
    static let urlencoded = "application/x-www-form-urlencoded"

    @Test func oneClickUnsubscribesOnceAndTheNextRunLeavesThemOut() throws {
        let network = try ServeNetwork(count: 2)
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let first = try network.mail()
        let serve = try network.serve()
        defer { serve.stop() }
        func link(_ address: String) throws -> String {
            let message = try #require(
                first.first { $0.isFor(address) && $0.mailing.hasPrefix("invitation/") })
            let url = try #require(
                message.oneClickURL,
                "List-Unsubscribe of \(address): \(message.header("List-Unsubscribe") ?? "")")
            #expect(url.hasPrefix(ServeNetwork.mailHost + "/inviter/unsubscribe/2."))
            return ServeNetwork.local(url, on: serve)
        }
        let olena = try link("olena@example.org")

        // Link scanners and mail previews fetch every link: a GET changes nothing.
        for _ in 0..<10 {
            let page = try BlockingHTTP.get(olena)
            #expect(page.status == 200)
            #expect(page.body.contains("name=\"confirm\" value=\"1\""), "the page's button posts confirm=1")
        }
        #expect(try network.suppressions().isEmpty, "GETs unsubscribe nobody")

        let done = try BlockingHTTP.post(olena, contentType: Self.urlencoded, body: Self.oneClick)
        #expect(done.status == 200)
        #expect(done.header("Location") == nil, "never a redirect")
        #expect(!done.body.lowercased().contains("http-equiv=\"refresh\""))
        #expect(done.body.contains("name=\"action\" value=\"undo\""), "the page offers to undo")
        #expect(done.body.contains("olena@example.org"))
        let again = try BlockingHTTP.post(olena, contentType: Self.urlencoded, body: Self.oneClick)
        #expect(again.status == 200, "a repeat is answered like the first")
        let afterTwo = try network.suppressions()
        #expect(afterTwo.count == 1, "\(afterTwo)")
        #expect(afterTwo.first?.hasPrefix("olena@example.org  members only") == true, "\(afterTwo)")
        #expect(afterTwo.first?.contains("one-click") == true, "\(afterTwo)")

        // What other mail programs send: multipart, or no body at all.
        let boundary = "----inviter-test-boundary"
        let multipart =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
            + "One-Click\r\n--\(boundary)--\r\n"
        let viaMultipart = try BlockingHTTP.post(
            try link("member0@example.org"), contentType: "multipart/form-data; boundary=\(boundary)",
            body: Array(multipart.utf8))
        #expect(viaMultipart.status == 200)
        #expect(viaMultipart.header("Location") == nil)
        let empty = try BlockingHTTP.post(try link("member1@example.org"), contentType: nil, body: [])
        #expect(empty.status == 200)
        #expect(empty.header("Location") == nil)
        let suppressed = try network.suppressions()
        #expect(suppressed.count == 3, "\(suppressed)")
        for address in ["olena@example.org", "member0@example.org", "member1@example.org"] {
            #expect(
                suppressed.contains { $0.hasPrefix("\(address)  members only") }, "\(address): \(suppressed)")
        }

        // The reminder goes to those still subscribed only.
        try network.run(at: ServeNetwork.reminderDue)
        let reminders = try network.mail(after: first)
        #expect(reminders.contains { $0.isFor("mette@example.org") && $0.mailing.hasPrefix("reminder/") })
        for address in ["olena@example.org", "member0@example.org", "member1@example.org"] {
            #expect(!reminders.contains { $0.isFor(address) }, "\(address) unsubscribed")
        }
    }

    @Test func refusesForgedEditedAndMovedTokensAndPartnerTokensLeavePartnerCopiesOnly() throws {
        // The partner contact is also a member: one address on both lists.
        let network = try ServeNetwork(rows: "hr@company.example.com,Hanne,da,danes,,active\n")
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let first = try network.mail()
        let serve = try network.serve()
        defer { serve.stop() }
        func token(_ address: String, _ kind: String) throws -> String {
            let message = try #require(first.first { $0.isFor(address) && $0.mailing.hasPrefix(kind) })
            return try #require(message.token)
        }
        let olena = try token("olena@example.org", "invitation/")
        let mette = try token("mette@example.org", "invitation/")
        let partner = try token("hr@company.example.com", "partner/")
        #expect(try token("hr@company.example.com", "invitation/") != partner, "one token per list")

        let olenaParts = olena.split(separator: ".").map(String.init)
        let metteParts = mette.split(separator: ".").map(String.init)
        try #require(olenaParts.count == 3 && metteParts.count == 3)
        var mac = Array(olenaParts[2])
        mac[0] = mac[0] == "A" ? "B" : "A"
        let refused = [
            "forged": "2.\(olenaParts[1]).AAAAAAAAAAAAAAAAAAAAAA",
            "edited": "2.\(olenaParts[1]).\(String(mac))",
            "moved": "2.\(olenaParts[1]).\(metteParts[2])",
            "garbage": "not-a-token",
            "truncated": String(olena.dropLast(3)),
            "unsigned": "2.\(olenaParts[1])",
        ]
        for (what, forged) in refused.sorted(by: { $0.key < $1.key }) {
            let url = ServeNetwork.url("/unsubscribe/\(forged)", on: serve)
            let page = try BlockingHTTP.get(url)
            #expect((400..<500).contains(page.status), "GET \(what): \(page.status)")
            let post = try BlockingHTTP.post(url, contentType: Self.urlencoded, body: Self.oneClick)
            #expect((400..<500).contains(post.status), "POST \(what): \(post.status)")
            #expect(!post.body.contains("olena@example.org"), "\(what): the page names nobody")
            let empty = try BlockingHTTP.post(url, contentType: nil, body: [])
            #expect((400..<500).contains(empty.status), "POST \(what) without a body: \(empty.status)")
        }
        #expect(try network.suppressions().isEmpty, "no refused token unsubscribed anybody")

        let left = try BlockingHTTP.post(
            ServeNetwork.url("/unsubscribe/\(partner)", on: serve), contentType: Self.urlencoded,
            body: Self.oneClick)
        #expect(left.status == 200)
        let suppressed = try network.suppressions()
        #expect(suppressed.count == 1, "\(suppressed)")
        #expect(suppressed.first?.hasPrefix("hr@company.example.com  partners only") == true, "\(suppressed)")

        // Next week's invitations: Hanne still gets hers as a member, but no partner copy.
        try network.run(at: ServeNetwork.nextInvitationDue)
        let next = try network.mail(after: first).filter { $0.isFor("hr@company.example.com") }
        #expect(next.map(\.mailing) == ["invitation/wednesday-hygge/2026-12-09"], "\(next.map(\.mailing))")
        let members = try network.mail(after: first).filter { $0.mailing.hasPrefix("invitation/") }
        #expect(members.count == 3, "mette, olena and hanne get next week's invitation")
    }

    @Test func undoSubscribesAgain() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let first = try network.mail()
        let serve = try network.serve()
        defer { serve.stop() }
        let message = try #require(first.first { $0.isFor("olena@example.org") })
        let url = ServeNetwork.local(try #require(message.oneClickURL), on: serve)
        let done = try BlockingHTTP.post(url, contentType: Self.urlencoded, body: Self.oneClick)
        #expect(done.status == 200)
        #expect(try network.suppressions().count == 1)

        let undone = try BlockingHTTP.postForm(url, [("action", "undo")])
        #expect(undone.status == 200)
        #expect(undone.header("Location") == nil)
        #expect(undone.body.contains("name=\"confirm\" value=\"1\""), "the page offers to unsubscribe again")
        #expect(try network.suppressions().isEmpty, "the undo removed the suppression")

        // The page's own button unsubscribes again, and a second undo brings her back once more.
        let button = try BlockingHTTP.postForm(url, [("confirm", "1")])
        #expect(button.status == 200)
        let lines = try network.suppressions()
        #expect(lines.count == 1 && lines.first?.contains("unsubscribe page") == true, "\(lines)")
        #expect(try BlockingHTTP.postForm(url, [("action", "undo")]).status == 200)
        #expect(try network.suppressions().isEmpty)

        try network.run(at: ServeNetwork.reminderDue)
        let reminders = try network.mail(after: first)
        #expect(
            reminders.contains { $0.isFor("olena@example.org") }, "subscribed again, she gets the reminder")
    }

    @Test func everyAnswerCarriesTheSafetyHeadersAndTheLogHoldsNoTokenOrAddress() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let message = try #require(try network.mail().first { $0.isFor("mette@example.org") })
        let token = try #require(message.token)
        let serve = try network.serve()
        defer { serve.stop() }
        let url = { (tail: String) in ServeNetwork.url(tail, on: serve) }
        let bogus = "2.bm90aGluZw.AAAAAAAAAAAAAAAAAAAAAA"

        var requests: [(String, BlockingHTTP.Response)] = []
        func record(_ what: String, _ response: BlockingHTTP.Response, status: Int) {
            #expect(response.status == status, "\(what): \(response.status) \(response.body.prefix(300))")
            expectSafetyHeaders(response, what)
            requests.append((what, response))
        }
        let health = try BlockingHTTP.get(url("/healthz"))
        record("GET /healthz", health, status: 200)
        record("GET /unsubscribe", try BlockingHTTP.get(url("/unsubscribe/\(token)")), status: 200)
        record("GET /join", try BlockingHTTP.get(url("/join")), status: 200)
        record(
            "GET /join?occurrence",
            try BlockingHTTP.get(url("/join?occurrence=wednesday-hygge/2026-12-02")), status: 200)
        record("GET /join/{bogus}", try BlockingHTTP.get(url("/join/\(bogus)")), status: 400)
        record(
            "POST /join/{bogus}", try BlockingHTTP.post(url("/join/\(bogus)"), contentType: nil, body: []),
            status: 400)
        record("GET /nothing", try BlockingHTTP.get(url("/nothing")), status: 404)
        record("GET outside the base path", try BlockingHTTP.get(serve.baseURL + "/elsewhere"), status: 404)
        record(
            "POST /healthz", try BlockingHTTP.post(url("/healthz"), contentType: nil, body: []), status: 404)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 20_000)
        record(
            "POST /unsubscribe 20 000 bytes",
            try BlockingHTTP.post(url("/unsubscribe/\(token)"), contentType: Self.urlencoded, body: big),
            status: 413)
        record(
            "POST /join 20 000 bytes",
            try BlockingHTTP.post(url("/join"), contentType: Self.urlencoded, body: big),
            status: 413)
        #expect(try network.suppressions().isEmpty, "a body over the limit unsubscribes nobody")
        record(
            "POST /join",
            try BlockingHTTP.postForm(
                url("/join"),
                [
                    ("email", "newcomer@example.org"), ("name", "Nadia"), ("language", "en"),
                    ("segments", "newcomers"),
                ]),
            status: 200)
        record(
            "POST /unsubscribe",
            try BlockingHTTP.post(
                url("/unsubscribe/\(token)"), contentType: Self.urlencoded, body: Self.oneClick),
            status: 200)
        #expect(health.body == "ok\n")
        #expect(try network.waitForMail { $0.mailing.hasPrefix("join/") } != nil, "the sign-up was mailed")

        serve.stop()
        #expect(serve.terminationStatus == 0, "SIGTERM stops serve cleanly: \(serve.terminationStatus)")
        let log = serve.standardError
        let lines = serve.requestLog
        #expect(lines.count == requests.count, "one log line per request:\n\(log)")
        for (line, (what, response)) in zip(lines, requests) {
            #expect(line.hasSuffix(" ms"))
            #expect(line.contains(" \(response.status) "), "\(what): \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("GET /inviter/unsubscribe/… 200 ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("POST /inviter/join 200 ") }, "\(lines)")
        for secret in [token, bogus, String(token.split(separator: ".")[1])] {
            #expect(!log.contains(secret), "the log holds a token:\n\(log)")
        }
        for address in ["mette@example.org", "newcomer@example.org", "olena@example.org", "@example.org"] {
            #expect(!log.contains(address), "the log holds an address:\n\(log)")
        }
        #expect(!log.contains(ServeNetwork.secret))
    }

    @Test func signUpIsConfirmedByMailAndTheNextRunInvitesTheNewcomer() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        let serve = try network.serve()
        defer { serve.stop() }
        let form = try BlockingHTTP.get(
            ServeNetwork.url("/join", on: serve), headers: ["Accept-Language": "en"])
        #expect(form.status == 200)
        for field in ["email", "name", "language", "segments"] {
            #expect(form.body.contains("name=\"\(field)\""), "the form has \(field)")
        }
        #expect(form.body.contains("value=\"newcomers\"") && form.body.contains("value=\"danes\""))
        #expect(form.body.contains("<form method=\"post\" action=\"/inviter/join\">"))

        let fields = [
            ("email", "nadia@example.org"), ("name", "Nadia Haddad"), ("language", "en"),
            ("segments", "newcomers"),
        ]
        let asked = try BlockingHTTP.postForm(ServeNetwork.url("/join", on: serve), fields)
        #expect(asked.status == 200)
        #expect(asked.header("Location") == nil)
        #expect(asked.body.contains("nadia@example.org"))
        let started = Date()
        let confirmation = try #require(
            try network.waitForMail(timeout: 10) { $0.mailing.hasPrefix("join/") },
            "no confirmation within 10 s")
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 10, "sent within seconds: \(waited)")
        #expect(confirmation.recipients == ["<nadia@example.org>"])

        // The same request again, right after: the same page, and no second mail.
        let repeated = try BlockingHTTP.postForm(ServeNetwork.url("/join", on: serve), fields)
        #expect(repeated.status == 200)
        #expect(repeated.body == asked.body, "the same answer")
        usleep(3_000_000)
        #expect(
            try network.mail().filter { $0.mailing.hasPrefix("join/") }.count == 1, "one confirmation only")

        // A member's address gets the very same answer as a stranger's.
        let member = try BlockingHTTP.postForm(
            ServeNetwork.url("/join", on: serve),
            [("email", "mette@example.org"), ("name", "Mette"), ("language", "en"), ("segments", "danes")])
        let stranger = try BlockingHTTP.postForm(
            ServeNetwork.url("/join", on: serve),
            [("email", "stranger@example.org"), ("name", "Mette"), ("language", "en"), ("segments", "danes")])
        #expect(member.status == stranger.status)
        #expect(
            member.body.replacingOccurrences(of: "mette@example.org", with: "X")
                == stranger.body.replacingOccurrences(of: "stranger@example.org", with: "X"),
            "the page does not tell who is a member")

        let text = try confirmation.part("text/plain")
        let link = try #require(
            text.firstLink(startingWith: ServeNetwork.mailHost + "/inviter/join/"), "no link in:\n\(text)")
        let local = ServeNetwork.local(link, on: serve)
        let page = try BlockingHTTP.get(local)
        #expect(page.status == 200)
        #expect(page.body.contains("<form method=\"post\""))
        #expect(page.body.contains("nadia@example.org"))
        #expect(try network.joined().isEmpty, "opening the link is not confirming")

        let confirmed = try BlockingHTTP.post(local, contentType: Self.urlencoded, body: [])
        #expect(confirmed.status == 200)
        let joined = try network.joined()
        #expect(joined.count == 1, "\(joined)")
        #expect(joined.first?["email"] as? String == "nadia@example.org")
        #expect(joined.first?["name"] as? String == "Nadia Haddad")
        #expect(joined.first?["language"] as? String == "en")
        #expect(joined.first?["segments"] as? [String] == ["newcomers"])
        #expect(
            try BlockingHTTP.post(local, contentType: Self.urlencoded, body: []).status == 200,
            "twice is fine")
        #expect(try network.joined().count == 1)

        // The Christmas lunch is for newcomers: she is invited with olena.
        let before = try network.mail()
        try network.run(at: ServeNetwork.christmasLunchDue)
        let sent = try network.mail(after: before)
        let lunch = sent.filter { $0.mailing == "invitation/christmas-lunch/2026-12-12" }
        #expect(
            Set(lunch.flatMap(\.recipients)) == ["<olena@example.org>", "<nadia@example.org>"],
            "\(sent.map { "\($0.mailing) \($0.recipients)" })")
    }

    @Test func hostileFormValuesAreRefusedOrEscaped() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        let serve = try network.serve()
        defer { serve.stop() }
        let join = ServeNetwork.url("/join", on: serve)
        func ask(_ email: String, _ name: String) throws -> BlockingHTTP.Response {
            try BlockingHTTP.postForm(
                join, [("email", email), ("name", name), ("language", "en"), ("segments", "newcomers")])
        }
        let invalid: [(String, String, String)] = [
            ("CR LF in the name", "eve@example.org", "Eve\r\nBcc: x@example.com"),
            ("LF in the name", "eve@example.org", "Eve\nBcc: x@example.com"),
            ("CR LF in the email", "eve@example.org\r\nBcc: x@example.com", "Eve"),
            ("script as the email", "<script>alert(1)</script>@example.org", "Eve"),
            ("script and CR LF", "eve@example.org", "<script>alert(1)</script>\r\n"),
        ]
        for (what, email, name) in invalid {
            let answer = try ask(email, name)
            #expect(answer.status == 400, "\(what): \(answer.status)")
            #expect(!answer.body.contains("<script"), "\(what): the page reflects a raw <script>")
        }
        let huge = try ask("eve@example.org", String(repeating: "x", count: 1_000_000))
        #expect(huge.status == 413, "a 1 MB name: \(huge.status)")
        usleep(2_500_000)
        #expect(try network.mail().isEmpty, "no confirmation for invalid input")

        // Sound requests with unpleasant names: escaped in the page and the mail, no header gained.
        let script = try ask("sam@example.org", "<script>alert(1)</script>")
        #expect(script.status == 200)
        #expect(!script.body.contains("<script"))
        let bcc = try ask("bo@example.org", "Bcc: x@example.com")
        #expect(bcc.status == 200)
        let deadline = Date().addingTimeInterval(10)
        var confirmations: [CapturedMail] = []
        while confirmations.count < 2, Date() < deadline {
            confirmations = try network.mail().filter { $0.mailing.hasPrefix("join/") }
            if confirmations.count < 2 { usleep(200_000) }
        }
        #expect(confirmations.count == 2, "\(confirmations.map(\.recipients))")
        #expect(Set(confirmations.flatMap(\.recipients)) == ["<sam@example.org>", "<bo@example.org>"])
        for message in confirmations {
            let decoded = try message.decoded()
            #expect(decoded.values("Bcc").isEmpty, "no Bcc header: \(message.headerLines)")
            #expect(decoded.values("Cc").isEmpty)
            #expect(decoded.values("To").count == 1)
            #expect(!message.text.contains("x@example.com>"), "x@example.com is no recipient")
        }
        let sam = try #require(confirmations.first { $0.isFor("sam@example.org") })
        let html = try sam.part("text/html")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(html)")
        #expect(!html.contains("<script"))
        let bo = try #require(confirmations.first { $0.isFor("bo@example.org") })
        let to = try bo.decoded().values("To").first ?? ""
        #expect(to.contains("bo@example.org"), "\(to)")
        #expect(!bo.headerLines.contains { $0.lowercased().hasPrefix("bcc:") })
    }

    @Test func theJoinLinkOfAPartnerCopyNamesTheEvent() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let copy = try #require(try network.mail().first { $0.mailing.hasPrefix("partner/") })
        let text = try copy.part("text/plain")
        #expect(text.contains("/join?occurrence=wednesday-hygge/2026-12-02"), "\(text)")
        let link = try #require(text.firstLink(startingWith: ServeNetwork.mailHost + "/inviter/join?"))
        #expect(link == ServeNetwork.mailHost + "/inviter/join?occurrence=wednesday-hygge/2026-12-02")
        let serve = try network.serve()
        defer { serve.stop() }
        let page = try BlockingHTTP.get(
            ServeNetwork.local(link, on: serve), headers: ["Accept-Language": "en"])
        #expect(page.status == 200)
        #expect(page.body.contains("Wednesday hygge"), "\(page.body)")
        #expect(page.body.contains("name=\"occurrence\" value=\"wednesday-hygge/2026-12-02\""))
        let danish = try BlockingHTTP.get(
            ServeNetwork.local(link, on: serve), headers: ["Accept-Language": "da"])
        #expect(danish.body.contains("Onsdagshygge"))
        #expect(danish.body.contains("<html lang=\"da\""))
        // An occurrence that does not exist is left out, not an error.
        let unknown = try BlockingHTTP.get(ServeNetwork.url("/join?occurrence=nothing/2026-12-02", on: serve))
        #expect(unknown.status == 200)
        #expect(!unknown.body.contains("You came from the invitation"))
    }

    @Test func pagesAndTheConfirmationMailHaveNoEmptyUnsubscribeLink() throws {
        // The confirmation "carries no unsubscribe" and the pages have none to offer: a link
        // without an address would only lead back to the page it is on.
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let message = try #require(try network.mail().first { $0.isFor("olena@example.org") })
        let serve = try network.serve()
        defer { serve.stop() }
        let unsubscribe = ServeNetwork.local(try #require(message.oneClickURL), on: serve)
        let pages = [
            ("the unsubscribe page", try BlockingHTTP.get(unsubscribe)),
            ("the sign-up page", try BlockingHTTP.get(ServeNetwork.url("/join", on: serve))),
            (
                "the page after a one-click",
                try BlockingHTTP.post(unsubscribe, contentType: Self.urlencoded, body: Self.oneClick)
            ),
        ]
        for (what, page) in pages {
            #expect(page.status == 200)
            #expect(!page.body.contains("href=\"\""), "\(what) has a link to nowhere")
        }
        let asked = try BlockingHTTP.postForm(
            ServeNetwork.url("/join", on: serve),
            [
                ("email", "nadia@example.org"), ("name", "Nadia"), ("language", "en"),
                ("segments", "newcomers"),
            ])
        #expect(asked.status == 200)
        let confirmation = try #require(try network.waitForMail { $0.mailing.hasPrefix("join/") })
        #expect(confirmation.header("List-Unsubscribe") == nil)
        let html = try confirmation.part("text/html")
        #expect(!html.contains("href=\"\""), "the confirmation has an Unsubscribe link to nowhere")
    }

    @Test func anUnsubscribeDuringARunIsAnsweredAtOnceAndHoldsForTheRestOfIt() throws {
        // 2 000 members and a sink that now and then stalls a second before accepting a message:
        // a run of some seconds. The last member, on the list's last row and last in any order.
        let last = "zz-last@example.org"
        let network = try ServeNetwork(
            rows: "\(last),Zoe Last,en,newcomers,,active\n", count: 2000, faults: ["-W", ".:1:1"])
        defer { network.sink.stop() }
        // Her link, from the preview of her very invitation.
        let previews = try TestPaths.temporaryDirectory("serve-preview")
        let preview = try network.tool([
            "preview", "--now", RunCommandTests.invitationDue, "--recipient", last, "--out", previews.path,
        ])
        #expect(preview.status == 0, "\(preview.standardError)")
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: previews.path).first { $0.hasSuffix(".eml") })
        let eml = try String(contentsOf: previews.appendingPathComponent(file), encoding: .utf8)
        let previewed = CapturedMail(
            recipients: ["<\(last)>"], text: eml.replacingOccurrences(of: "\r\n", with: "\n"))
        let serve = try network.serve()
        defer { serve.stop() }
        let url = ServeNetwork.local(try #require(previewed.oneClickURL), on: serve)

        let started = Date()
        let run = Process()
        run.executableURL = CommandTests.executable
        run.arguments = [
            "run", "--now", RunCommandTests.invitationDue, "--config", network.fixture.configURL.path,
        ]
        run.environment = ProcessInfo.processInfo.environment.merging(ServeNetwork.environment) { $1 }
        let output = Pipe()
        run.standardOutput = output
        run.standardError = FileHandle.nullDevice
        try run.run()
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) } }
        // Sending: the sink has the first messages.
        let capture = network.sink.captureDirectory.path
        while run.isRunning, Date().timeIntervalSince(started) < 30 {
            let files = try FileManager.default.contentsOfDirectory(atPath: capture).filter {
                !$0.hasSuffix(".err")
            }
            if files.count >= 50 { break }
            usleep(50_000)
        }
        #expect(run.isRunning, "the run is still sending")
        let asked = Date()
        let answer = try BlockingHTTP.post(
            url, contentType: Self.urlencoded, body: Self.oneClick, timeout: 10)
        let took = Date().timeIntervalSince(asked)
        print("One-click POST during the run answered in \(String(format: "%.3f", took)) s")
        let stillRunning = run.isRunning
        #expect(answer.status == 200)
        #expect(took < 2, "answered at once during the run: \(took) s")
        #expect(stillRunning, "the answer came while the run was sending")

        let summary = output.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "\(String(decoding: summary, as: UTF8.self))")
        let received = try network.sink.messages()
        #expect(!received.contains { $0.recipients.contains("<\(last)>") }, "she got nothing after her click")
        #expect(
            received.count == 2003, "everyone else got theirs (2 002 members, 1 partner): \(received.count)")
        let status = try network.tool(["status", "--recipient", last, "--now", RunCommandTests.invitationDue])
        let record = status.standardOutput.split(separator: "\n").first { $0.hasPrefix("invitation/") } ?? ""
        print("status --recipient \(last): \(record)")
        #expect(
            record.hasPrefix("invitation/wednesday-hygge/2026-12-02: skipped")
                && record.contains("suppressed"),
            "the ledger says why: \(status.standardOutput)")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 60, "the run took \(elapsed) s")
    }
}
