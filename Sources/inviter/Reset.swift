import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// Forgets what a trial recorded, so that the real run sends everything.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Forget every mailing and delivery in the ledger, after a trial; the suppression list stays.",
            discussion: """
                For after a trial through the outbox: the next run then sends what is due as if nothing had \
                been sent. Never after real mail went out: everyone would get it again. On a terminal it asks \
                first; --yes for scripts.
                """
        )

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Forget without asking.") var yes = false

        func run() async throws {
            let configuration = try options.loadConfiguration()
            guard let reading = try readLedger(configuration) else {
                print("There is no ledger in \(configuration.delivery.state.path) yet: nothing to forget.")
                return
            }
            let sent = try reading.sentCount()
            let through = try reading.transport() ?? "an unknown transport"
            let question =
                "Forget the ledger in \(configuration.delivery.state.path): \(counted(sent, "delivery")) "
                + "recorded as sent through \(through)? The suppression list stays."
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    printError("error: \(question) Run it again with --yes to do so.")
                    throw ExitCodes.usage
                }
                guard confirmed(question) else {
                    print("Nothing was changed.")
                    return
                }
            }
            let (lock, ledger) = try lockedLedger(configuration)
            defer { withExtendedLifetime(lock) {} }
            let forgotten = try ledger.forgetDeliveries()
            let suppressed = try ledger.suppressed().count
            print(
                "Forgot \(counted(forgotten, "delivery")); the suppression list (\(counted(suppressed, "address"))) "
                    + "stays. The next run sends what is due as if nothing had been sent.")
        }
    }
}
