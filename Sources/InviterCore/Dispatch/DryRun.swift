import Foundation

/// What `inviter run --dry-run` prints: the ``RunPlan``, recipients per language, what is left out
/// and why; nothing changed.
public enum DryRun {
    public static func lines(_ plan: RunPlan, network: LoadedNetwork) -> [String] {
        let configuration = network.configuration
        let zone = configuration.network.timeZone
        let language = configuration.network.defaultLanguage
        var lines: [String] = []
        if plan.items.isEmpty {
            lines.append("Nothing is due at \(MessageEncoder.rfc5322Date(plan.now, in: zone)).")
        }
        for item in plan.items {
            var line =
                item.recipients.isEmpty
                ? "\(item.mailing.id): nothing to send"
                : "\(item.mailing.id): \(counted(item.recipients.count, "recipient")) "
                    + "(\(LanguageCount.summary(item.recipients, defaultLanguage: language)))"
            switch item.cause {
            case .due: break
            case .joined: line += ", to members who joined since it went out"
            case .change:
                line +=
                    (item.mailing.kind.isCancellation
                        ? ", cancelled after the invitation: " : ", moved after the invitation: ")
                    + (item.mailing.id.isForPartners
                        ? "to the partner contacts who got the partner copy" : "to those who got it")
            case .seat: line += ", seats freed by a raised capacity: to the first on the waitlist"
            case .waiting: line += ", recorded by an earlier run and waiting"
            case .missed: break
            }
            if item.alreadySent > 0 { line += "; \(item.alreadySent) already sent" }
            if !item.skipped.isEmpty {
                line +=
                    "; left out: "
                    + item.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(
                        separator: ", ")
            }
            lines.append(line)
        }
        if let rate = configuration.delivery.rate, plan.messageCount > rate.messages {
            lines.append(
                "The rate limit (\(rate)) lets part of it wait for later runs.")
        }
        lines.append("Dry run: nothing was sent or recorded.")
        return lines
    }
}
