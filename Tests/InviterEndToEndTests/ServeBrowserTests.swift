import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// The browser the pages are tested in.
private let chromium = ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium"

/// What went wrong driving the browser.
struct BrowserFailure: Error, CustomStringConvertible {
    let description: String
}

/// The pages of `inviter serve` in a real browser: headless Chromium, driven by
/// `Tests/Support/browser.py`, clicking the button as a person would.
@Suite(
    .serialized,
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: chromium),
        "needs Chromium at /usr/bin/chromium (or $CHROMIUM): apt-get install chromium"))
struct ServeBrowserTests {
    struct Shown: Decodable {
        let url: String
        let status: Int?
        let lang: String
        let dir: String
        let title: String
        let text: String
        let method: String?
    }

    /// Opens `url` in the browser (and clicks `click`), keeping a screenshot in `artifacts`.
    static func browse(
        _ url: String, click: String? = nil, acceptLanguage: String? = nil, screenshot: URL
    ) throws -> Shown {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        var arguments = [
            TestPaths.support.appendingPathComponent("browser.py").path, "--url", url, "--screenshot",
            screenshot.path, "--dump", screenshot.deletingPathExtension().appendingPathExtension("html").path,
            "--timeout", "40",
        ]
        if let click { arguments += ["--click", click] }
        if let acceptLanguage { arguments += ["--accept-language", acceptLanguage] }
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrowserFailure(
                description: "browser.py exited \(process.terminationStatus): \(problem)")
        }
        print("Screenshot: \(screenshot.path)")
        return try JSONDecoder().decode(Shown.self, from: data)
    }

    @Test func unsubscribingByTheButtonInDanishAndArabic() throws {
        let network = try ServeNetwork(rows: "amira@example.org,Amira Haddad,ar,newcomers,,active\n")
        defer { network.sink.stop() }
        try network.run(at: RunCommandTests.invitationDue)
        let mail = try network.mail()
        let serve = try network.serve()
        defer { serve.stop() }
        let artifacts = network.fixture.directory.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        print("Screenshots of the pages: \(artifacts.path)")

        let readers = [
            ("mette@example.org", "da", "ltr", "Du er nu afmeldt"),
            ("amira@example.org", "ar", "rtl", "تم ذلك"),
        ]
        for (address, language, direction, confirmation) in readers {
            let message = try #require(
                mail.first { $0.isFor(address) && $0.mailing.hasPrefix("invitation/") })
            let url = ServeNetwork.local(try #require(message.oneClickURL), on: serve)
            let page = try Self.browse(
                url, screenshot: artifacts.appendingPathComponent("\(language)-page.png"))
            #expect(page.status == 200 && page.method == "GET", "\(page)")
            #expect(page.lang == language && page.dir == direction, "\(page.lang) \(page.dir)")
            #expect(page.text.contains(address), "\(page.text)")
            #expect(
                !(try network.suppressions()).contains { $0.hasPrefix(address) },
                "opening the page changes nothing")

            let clicked = try Self.browse(
                url, click: "button", screenshot: artifacts.appendingPathComponent("\(language)-done.png"))
            #expect(clicked.method == "POST", "the button posts the form: \(clicked)")
            #expect(clicked.status == 200, "\(clicked)")
            #expect(clicked.lang == language, "\(clicked.lang)")
            #expect(clicked.dir == direction, "\(clicked.dir)")
            #expect(clicked.text.contains(confirmation), "\(clicked.text)")
            #expect(clicked.url == url, "no redirect: \(clicked.url)")
            let suppressed = try network.suppressions()
            #expect(suppressed.contains { $0.hasPrefix("\(address)  members only") }, "\(suppressed)")
        }
    }

    @Test func theSignUpPageInTheBrowsersLanguage() throws {
        let network = try ServeNetwork()
        defer { network.sink.stop() }
        let serve = try network.serve()
        defer { serve.stop() }
        let artifacts = network.fixture.directory.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let page = try Self.browse(
            ServeNetwork.url("/join", on: serve), acceptLanguage: "da",
            screenshot: artifacts.appendingPathComponent("join-da.png"))
        #expect(page.status == 200, "\(page)")
        #expect(page.lang == "da" && page.dir == "ltr", "\(page.lang) \(page.dir)")
        #expect(page.text.contains("Bliv medlem af Test Network"), "\(page.text)")
        #expect(page.title == "Bliv medlem af Test Network", "\(page.title)")
    }

    /// An RSVP link from a captured invitation, answered yes by the button: the one seat in
    /// Danish, then the waitlist in Arabic.
    @Test func answeringYesInDanishAndArabic() throws {
        let network = try ServeNetwork(
            rows: "anne@example.org,Anne Holm,da,newcomers,,active\n"
                + "amira@example.org,Amira Haddad,ar,newcomers,,active\n")
        defer { network.sink.stop() }
        let events = NetworkFixture.events.replacingOccurrences(
            of: "capacity = 120", with: "capacity = 1\nrsvp = true")
        try network.fixture.write("events.toml", bytes: Array(events.utf8))
        try network.run(at: ServeNetwork.christmasLunchDue)
        let mail = try network.mail()
        let serve = try network.serve(now: RSVPTests.answering)
        defer { serve.stop() }
        let links = try RSVPTests.yesLinks(mail, on: serve)
        let artifacts = network.fixture.directory.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let readers = [
            ("anne@example.org", "da", "ltr", "Du er tilmeldt"),
            ("amira@example.org", "ar", "rtl", "قائمة الانتظار برقم"),
        ]
        for (address, language, direction, answer) in readers {
            let url = try #require(links[address])
            let clicked = try Self.browse(
                url, click: "button", screenshot: artifacts.appendingPathComponent("rsvp-\(language).png"))
            #expect(clicked.method == "POST", "the button posts the form: \(clicked)")
            #expect(clicked.status == 200, "\(clicked)")
            #expect(clicked.lang == language && clicked.dir == direction, "\(clicked.lang) \(clicked.dir)")
            #expect(clicked.text.contains(answer), "\(clicked.text)")
        }
        let output = try network.tool(["attendees", RSVPTests.lunch, "--csv"]).standardOutput
        #expect(output.contains("going,,anne@example.org"), "\(output)")
        #expect(output.contains("waitlisted,1,amira@example.org"), "\(output)")
    }
}
