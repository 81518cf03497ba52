import ArgumentParser
import Foundation
import InviterCore
import Logging

extension Inviter {
    /// Reads the bounce mailbox over IMAP: bounces and mailto unsubscribes become suppressions.
    struct Mailbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Read the new messages of [mailbox] over IMAP: bounces and unsubscribe mails become suppressions.",
            discussion: """
                Auto-replies are marked read and ignored; everything else is left unread for a person. \
                Exit status: 0 when read; 75 when the server cannot be reached; 77 when it was refused \
                for security (no STARTTLS, a certificate that does not verify, the login refused); 78 for \
                a configuration error.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to record, ISO 8601 with offset (default: now).") var now: String?
        @Flag(help: "Print the IMAP conversation (login redacted) to standard error.") var trace = false

        func run() async throws {
            let configuration = try options.loadConfiguration()
            guard configuration.mailbox != nil else {
                printError(
                    "error: \(configuration.file.path): there is no [mailbox] section: "
                        + "name the IMAP folder where bounces arrive (see the README)")
                throw ExitCodes.configError
            }
            let instant = try options.instant(now)
            let (lock, ledger) = try lockedLedger(configuration)
            defer { withExtendedLifetime(lock) {} }
            let summary = try readMailbox(
                configuration, ledger: ledger, now: instant, trace: trace, verbose: true)
            print(summary)
        }
    }

    /// One message from standard input, for an MTA alias or pipe.
    struct Inbound: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read one received message on standard input (for a mail server's alias or pipe).",
            discussion: """
                The VERP token is looked for in the message's headers and in $ORIGINAL_RECIPIENT and \
                $RECIPIENT, which Postfix sets for a pipe. Exit status: 0 when the message was handled or \
                ignored; 65 when it cannot be read; 75 when the ledger is busy beyond its wait; 78 for a \
                configuration error.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The moment to record, ISO 8601 with offset (default: now).") var now: String?

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let instant = try options.instant(now)
            let bytes = FileHandle.standardInput.readData(ofLength: InboundMIME.maximumSize + 1)
            guard bytes.count <= InboundMIME.maximumSize else {
                printError("error: the message is over \(InboundMIME.maximumSize / 1_048_576) MB; not read")
                throw ExitCodes.dataError
            }
            let environment = ProcessInfo.processInfo.environment
            let recipients = ["ORIGINAL_RECIPIENT", "RECIPIENT"].compactMap { environment[$0] }
            let handler = try inboundHandler(configuration, ledger: try openLedger(configuration))
            do {
                let (record, applied) = try handler.handle(
                    Array(bytes), envelopeRecipients: recipients, position: nil, now: instant)
                print(
                    "\(record.disposition.rawValue): \(record.summary)"
                        + (applied.duplicate ? " (recorded before)" : ""))
                if record.summary.hasPrefix("not read:") { throw ExitCodes.dataError }
            } catch  where SQLiteLedger.isBusy(error) {
                printError("error: the ledger is busy beyond its wait; the mail server will try again")
                throw ExitCodes.temporaryFailure
            }
        }
    }
}

/// The handler for received mail, with the link secret the tokens were signed with.
func inboundHandler(_ configuration: InviterCore.Configuration, ledger: any Ledger) throws -> InboundHandler {
    do {
        return InboundHandler(
            configuration: configuration, ledger: ledger, secret: try configuration.loadLinkSecret())
    } catch {
        printError("error: \(error)")
        throw ExitCodes.code(for: error)
    }
}

/// Reads `[mailbox]` into the ledger and says what it found in one line; a problem ends the command
/// with its exit status.
func readMailbox(
    _ configuration: InviterCore.Configuration, ledger: any Ledger, now: Date, trace: Bool, verbose: Bool
) throws -> String {
    guard let settings = configuration.mailbox else { return "" }
    let password: Secret
    do { password = try Secret.load(from: settings.password, what: "mailbox password") } catch {
        printError("error: \(error)")
        throw ExitCodes.configError
    }
    let reader = MailboxReader(settings: settings, handler: try inboundHandler(configuration, ledger: ledger))
    var traceLine: (@Sendable (String) -> Void)?
    if trace {
        let logger = ToolLogging.makeLogger(label: "inviter.imap", trace: true)
        traceLine = { line in logger.trace("\(line)") }
    }
    do {
        let progress: ((String) -> Void)? = verbose ? { print($0) } : nil
        let summary = try reader.read(password: password, now: now, trace: traceLine, progress: progress)
        return MailboxText.summary(summary)
    } catch let error as MailboxError {
        printError("error: \(error)")
        switch error {
        case .security: throw ExitCodes.permissionDenied
        case .unreachable: throw ExitCodes.temporaryFailure
        case .configuration: throw ExitCodes.configError
        }
    }
}

enum MailboxText {
    static func summary(_ summary: MailboxSummary) -> String {
        guard summary.total > 0 else { return "Mailbox: no new messages." }
        let order: [(InboundDisposition, String)] = [
            (.bounce, "bounces"), (.unsubscribe, "unsubscribes"), (.report, "delay reports"),
            (.autoReply, "auto-replies ignored"), (.person, "left unread for a person"),
        ]
        var parts = order.compactMap { disposition, label in
            summary.counts[disposition].map { "\($0) \(label)" }
        }
        if summary.duplicates > 0 { parts.append("\(summary.duplicates) read before") }
        if summary.gone > 0 { parts.append("\(summary.gone) gone from the folder before being read") }
        return "Mailbox: read \(summary.total) messages: " + parts.joined(separator: ", ")
            + "; \(summary.suppressed) addresses suppressed."
    }
}
