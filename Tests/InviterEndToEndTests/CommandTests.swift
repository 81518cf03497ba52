import Foundation
import InviterCore
import InviterTestSupport
import Testing

/// Runs the real `inviter` executable, as an organizer or cron would, and checks output and exit status.
@Suite struct CommandTests {
    /// The tool built next to the test bundle by `swift build --build-tests`.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !directory.path.isEmpty, directory.path != "/" {
            let candidate = directory.appendingPathComponent("inviter")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent(".build/debug/inviter")
    }

    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// - Parameter input: What the command reads on standard input (written from another thread,
    ///   so that a large input and the command's output cannot block each other); none by default.
    static func run(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil) throws
        -> Output
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = input.map { _ in Pipe() }
        if let inputPipe { process.standardInput = inputPipe }
        try process.run()
        if let input, let inputPipe {
            let writer = inputPipe.fileHandleForWriting
            let data = Data(input)
            Thread.detachNewThread {
                // A command that stops reading early (a message over the limit) closes its end: ignore EPIPE.
                signal(SIGPIPE, SIG_IGN)
                try? writer.write(contentsOf: data)
                try? writer.close()
            }
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }

    @Test func checkPassesTheExampleNetwork() throws {
        let config = TestPaths.testsRoot.deletingLastPathComponent().appendingPathComponent(
            "Config/inviter.toml"
        ).path
        let result = try Self.run(["check", "--config", config, "--now", "2026-11-24T09:00:00+01:00"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("Members: 1 list, 60 rows, 60 unique members"))
        #expect(result.standardOutput.contains("Partners: 10 (company 4, school 3, laerdansk 2, other 1)"))
        #expect(result.standardOutput.contains("25 occurrences in the next 8 weeks"))
        // The demo is an example, and says so: a copy of it still sends from example.org.
        #expect(
            result.standardOutput.contains(
                "inviter.toml:8: warning: network.from: \"events@example.org\" is the demo's example value"),
            "\(result.standardOutput)")
    }

    /// The example values are `check`'s to point out; a run from cron does not repeat them.
    @Test func onlyCheckWarnsAboutExampleValues() throws {
        let fixture = try NetworkFixture()
        let check = try Self.run(["check", "--config", fixture.configURL.path])
        #expect(
            check.standardOutput.contains("network.from: \"events@example.org\" is the demo's example value"))
        let dry = try Self.run([
            "run", "--dry-run", "--config", fixture.configURL.path, "--now", "2026-11-18T19:00:00+01:00",
        ])
        #expect(dry.status == 0, "\(dry.standardOutput)\(dry.standardError)")
        #expect(!(dry.standardOutput + dry.standardError).contains("example value"), "\(dry.standardError)")
    }

    @Test func checkExits78ForConfigurationErrors() throws {
        let fixture = try NetworkFixture([
            "inviter.toml": NetworkFixture.config.replacingOccurrences(of: "reminder", with: "remindr")
        ])
        let result = try Self.run(["check", "--config", fixture.configURL.path])
        #expect(result.status == 78)
        #expect(
            result.standardOutput.contains(
                "inviter.toml:15: schedule.remindr: unknown setting; did you mean \"reminder\"?"))
        #expect(result.standardError.contains("nothing can be sent"))
    }

    @Test func checkExits65ForDataErrorsAndNamesTheRow() throws {
        let members =
            NetworkFixture.members + "bad@@example.org,Bad Row,da,,,active\nok@example.org,Ok,dk,,,active\n"
        let fixture = try NetworkFixture(["members.csv": members])
        let result = try Self.run(["check", "--config", fixture.configURL.path])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("members.csv:4: email (column 1):"))
        #expect(result.standardOutput.contains("members.csv:5: language (column 3):"))
        #expect(result.standardOutput.contains("2 rows left out"))
    }

    @Test func checkReadsTheConfigPathFromTheEnvironment() throws {
        let fixture = try NetworkFixture()
        let result = try Self.run(["check"], environment: ["INVITER_CONFIG": fixture.configURL.path])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("Test Network"))
    }

    @Test func eventsListsOccurrencesInLocalTime() throws {
        let fixture = try NetworkFixture()
        let result = try Self.run([
            "events", "--config", fixture.configURL.path, "--from", "2026-12-01", "--to", "2026-12-31",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "Wed 2026-12-02 19:00–22:00  wednesday-hygge/2026-12-02  Wednesday hygge @ The Pub, Torvet 3, 7400 Herning"
        )
        #expect(lines.contains { $0.hasPrefix("Sat 2026-12-12 12:00–16:00  christmas-lunch/2026-12-12") })
        #expect(lines.contains { $0.hasPrefix("Wed 2026-12-30") && $0.hasSuffix("[CANCELLED]") })
        #expect(!lines.contains { $0.contains("2026-12-23") })
        #expect(lines.last == "5 occurrences from 2026-12-01 through 2026-12-31 (Europe/Copenhagen)")
    }

    @Test func rejectsANowWithoutAnOffset() throws {
        let fixture = try NetworkFixture()
        let result = try Self.run([
            "check", "--config", fixture.configURL.path, "--now", "2026-11-17T09:00:00",
        ])
        #expect(result.status == 64)
        #expect(result.standardError.contains("ISO 8601 with an offset"))
    }

    @Test func sendTestWritesToTheOutbox() throws {
        let directory = try TestPaths.temporaryDirectory("send-test")
        let result = try Self.run([
            "send-test", "--outbox", directory.path, "--from", "Events <events@example.org>", "--to",
            "Mette <mette@example.org>",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".eml")
        }
        #expect(files.count == 1)
    }

    @Test func sendTestRefusesAnInjectedAddress() throws {
        let directory = try TestPaths.temporaryDirectory("send-test")
        let result = try Self.run([
            "send-test", "--outbox", directory.path, "--from", "events@example.org", "--to",
            "a@example.org\r\nRCPT TO:<b@example.org>",
        ])
        #expect(result.status == 65)
        #expect(result.standardError.contains("--to: invalid address"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
