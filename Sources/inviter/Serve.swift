import ArgumentParser
import Foundation
import InviterCore
import InviterWeb

extension Inviter {
    /// The way back in: one-click unsubscribes and the sign-up page, written to the ledger that
    /// cron's `run` reads.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer unsubscribe links and the sign-up page over HTTP (behind an HTTPS proxy).",
            discussion: """
                Needs [web] in the configuration and its secret in the environment. Runs until \
                SIGTERM or SIGINT; logs one line per request, without tokens or addresses.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Option(help: "Where to listen, HOST:PORT (default: [web] listen). Port 0 picks a free one.")
        var listen: String?
        @Option(
            help: ArgumentHelp(
                "Answer as if it were this moment (ISO 8601 with an offset), the clock moving on from there.",
                discussion: "For trying pages before or after an event starts; leave it out in production."))
        var now: String?

        func run() async throws {
            let network = try loadNetwork(options)
            let renderer = try makeRenderer(network)
            let configuration = network.configuration
            guard let web = configuration.web else {
                printError("error: inviter serve needs a [web] section with base_url (see the README)")
                throw ExitCodes.configError
            }
            var host = web.host
            var port = web.port
            if let listen {
                guard let parsed = Configuration.listenAddress(listen) else {
                    printError(
                        "error: --listen \(listen.debugDescription) is not HOST:PORT such as 127.0.0.1:8080")
                    throw ExitCodes.usage
                }
                (host, port) = parsed
            }
            let ledger = try openLedger(configuration)
            let service: WebService
            do {
                service = try WebService(network: network, renderer: renderer, ledger: ledger)
            } catch {
                printError("error: \(error)")
                throw ExitCodes.configError
            }
            let logger = ToolLogging.makeLogger(label: "inviter.serve", trace: false)
            let sender = ConfirmationSender(
                network: network, renderer: renderer, ledger: ledger, logger: logger)
            let clock: @Sendable () -> Date
            if let now {
                let moment = try options.instant(now)
                let started = Date()
                clock = { moment.addingTimeInterval(Date().timeIntervalSince(started)) }
            } else {
                clock = { Date() }
            }
            let server = WebServer(service: service, sender: sender, logger: logger, clock: clock)
            try await server.run(host: host, port: port) { address in
                // Written straight to the descriptor, so a script waiting for it sees it at once.
                FileHandle.standardOutput.write(
                    Data("Listening on http://\(address) for \(web.baseURL)\n".utf8))
            }
        }
    }
}
