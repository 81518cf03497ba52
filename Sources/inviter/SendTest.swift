import ArgumentParser
import Foundation
import InviterCore
import Logging

extension Inviter {
    /// Sends one test message, to check relay settings before the first real run.
    struct SendTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-test",
            abstract: "Send one test message through the outbox or an SMTP relay.",
            discussion: """
                Without --outbox and --smtp-url it sends as the configuration says (--config, like every \
                other command): its transport, relay, password source and sender. With --outbox DIR the \
                message is written to DIR as an .eml file. With --smtp-url it goes to that relay; the \
                password comes from --password-env or --password-file, never from the command line. \
                --trace prints the SMTP conversation with AUTH redacted.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "The recipient address.") var to: String
        @Option(help: "The sender, as \"Name <address>\" or an address (default: the configuration's).")
        var from: String?
        @Option(help: "Write the message into this folder instead of sending it.") var outbox: String?
        @Option(help: "The relay, smtp://host:port or smtps://host:port.") var smtpURL: String?
        @Option(help: "starttls (required), implicit or none.") var tls: String = "starttls"
        @Option(help: "The SMTP user name; leave out to send without AUTH.") var username: String?
        @Option(help: "The environment variable that holds the SMTP password.") var passwordEnv: String?
        @Option(help: "A file that holds the SMTP password (mode 600).") var passwordFile: String?
        @Option(help: "A PEM file of certificates to trust for the relay.") var caFile: String?
        @Option(help: "The name to send in EHLO.") var ehlo: String?
        @Option(
            help: "The time zone for the Date header (default: the configuration's, else Europe/Copenhagen).")
        var timeZone: String?
        @Flag(help: "Print the SMTP conversation (AUTH redacted) to standard error.") var trace = false

        func run() async throws {
            let logger = ToolLogging.makeLogger(label: "inviter.send-test", trace: trace)
            // The configuration, when it is named or the command leaves something to it.
            let needsConfiguration = from == nil || (outbox == nil && smtpURL == nil) || options.config != nil
            let configuration = needsConfiguration ? try options.loadConfiguration() : nil
            let sender: MailAddress
            let recipient: MailAddress
            do {
                // Without --from the configuration is loaded, so its sender is there.
                sender =
                    try from.map { try MailAddress(parsing: $0, source: "--from") } ?? configuration?.network
                    .from
                    ?? MailAddress(parsing: "", source: "--from")
                recipient = try MailAddress(parsing: to, source: "--to")
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            let zoneName = timeZone ?? configuration?.network.timeZone.identifier ?? "Europe/Copenhagen"
            guard let zone = TimeZone(identifier: zoneName) else {
                printError("error: --time-zone: unknown time zone \(zoneName.debugDescription)")
                throw ExitCodes.configError
            }
            let transport: any Transport
            if outbox == nil, smtpURL == nil, let configuration {
                transport = try configuredTransport(configuration, trace: trace)
            } else {
                do throws(TransportError) {
                    transport = try makeTransport(logger: logger)
                } catch {
                    printError("error: \(error)")
                    throw ExitCodes.code(for: error)
                }
            }
            let message = TestMessage.make(from: sender, to: recipient, now: Date(), timeZone: zone)
            // Signed as the network's mail is, so the test shows what a receiver will check.
            let signer: DKIMSigner?
            do { signer = try configuration.flatMap { try DKIMSigner.load($0) } } catch {
                printError("error: dkim: \(error)")
                throw ExitCodes.configError
            }
            let envelope: Envelope
            do {
                let bytes = try MessageEncoder().encode(message)
                envelope = Envelope(
                    message: message, mailing: .sendTest,
                    data: try signer.map { try $0.sign(bytes, at: message.date) } ?? bytes)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            if let signer {
                for record in signer.dnsRecords { print("DKIM: signed; the DNS record it needs: \(record)") }
                for (selector, valid) in signer.verify(envelope.data) {
                    print(
                        valid
                            ? "DKIM: the message verifies against the \(selector) key it was signed with"
                            : "DKIM: the message does NOT verify against the \(selector) key; report this as a bug"
                    )
                }
            }
            logger.debug(
                "sending", metadata: ["to": "\(recipient.address)", "bytes": "\(envelope.data.count)"])
            let results: [DeliveryResult]
            do {
                results = try await transport.deliver([envelope])
            } catch let error as TransportError {
                printError("error: \(error)")
                throw ExitCodes.code(for: error)
            }
            guard let result = results.first else {
                printError("error: the message was not sent")
                throw ExitCodes.temporaryFailure
            }
            if result.outcome == .delivered {
                print(
                    !(transport is OutboxTransport)
                        ? "sent to \(recipient.address): \(result)"
                        : "wrote the test message: \(result.detail)")
            } else {
                printError("error: \(recipient.address): \(result)")
                throw ExitCodes.code(for: result.outcome)
            }
        }

        private func makeTransport(logger: Logger) throws(TransportError) -> any Transport {
            if let outbox {
                guard smtpURL == nil else {
                    throw .configuration("give either --outbox or --smtp-url, not both")
                }
                return OutboxTransport(directory: URL(fileURLWithPath: outbox))
            }
            guard let smtpURL else { throw .configuration("give --outbox DIR or --smtp-url URL") }
            guard let mode = SMTPSettings.TLSMode(rawValue: tls) else {
                throw .configuration("--tls must be starttls, implicit or none, not \(tls.debugDescription)")
            }
            let password = try Secret.Source.given(environment: passwordEnv, file: passwordFile).map {
                source throws(TransportError) in try Secret.load(from: source)
            }
            let traceSink: (@Sendable (String) -> Void)? =
                trace ? { @Sendable line in logger.trace("\(line)") } : nil
            let settings = SMTPSettings(
                url: smtpURL, tls: mode, username: username, password: password, caFile: caFile,
                ehloName: ehlo,
                trace: traceSink)
            return try SMTPTransport(settings: settings)
        }
    }
}
