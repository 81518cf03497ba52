import Foundation

/// What `inviter run --dry-run` prints: the due plan, recipients per language, nothing changed.
public enum DryRun {
    public static func lines(_ plan: DuePlan, network: LoadedNetwork) -> [String] {
        let configuration = network.configuration
        let zone = configuration.network.timeZone
        var lines: [String] = []
        if plan.due.isEmpty, plan.cancellations.isEmpty {
            lines.append("Nothing is due at \(MessageEncoder.rfc5322Date(plan.now, in: zone)).")
        }
        // A cancellation reaches only those who got the invitation, which the ledger knows and a
        // dry run does not read: say so instead of counting the whole audience.
        for mailing in plan.cancellations {
            lines.append("\(mailing.id): to those who got the invitation, once, when a run first sees it")
        }
        for mailing in plan.due {
            let recipients = Planner.recipients(
                of: mailing, members: network.members.members, partners: network.partners?.partners ?? [])
            let languages = LanguageCount.summary(
                recipients, defaultLanguage: configuration.network.defaultLanguage)
            lines.append("\(mailing.id): \(recipients.count) recipients (\(languages))")
        }
        lines.append("Dry run: nothing was sent or recorded.")
        return lines
    }
}
