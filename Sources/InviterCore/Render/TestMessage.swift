import Foundation

/// The message `inviter send-test` sends: a short, bilingual note that
/// exercises what real invitations use (non-ASCII headers, text and HTML
/// parts, List-Unsubscribe), so an operator can check a relay end to end.
public enum TestMessage {
    public static func make(from: MailAddress, to: MailAddress, now: Date, timeZone: TimeZone) -> Message {
        let stamp = MessageEncoder.rfc5322Date(now, in: timeZone)
        let text = """
            This is a test message from Inviter. If you can read it, the mail
            settings work: invitations will reach members the same way.

            Dette er en testbesked fra Inviter. Kan du læse den, virker
            opsætningen: invitationerne når frem til medlemmerne på samme måde.

            Sent \(stamp).
            """
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Inviter test message</title></head>
            <body>
            <p>This is a test message from <strong>Inviter</strong>. If you can read it, the mail settings work.</p>
            <p lang="da">Dette er en testbesked fra <strong>Inviter</strong>. Kan du læse den, virker opsætningen.</p>
            <p><small>Sent \(stamp).</small></p>
            </body></html>
            """
        return Message(
            from: from,
            to: to,
            subject: "Inviter test message – testbesked",
            date: now,
            timeZone: timeZone,
            messageID: MessageID(
                stableKey: "send-test \(to.address) \(now.timeIntervalSince1970)", domain: from.domain),
            listUnsubscribe: ["mailto:\(from.address)?subject=unsubscribe"],
            extraHeaders: [Header("X-Inviter-Mailing", "send-test")],
            text: text,
            html: html
        )
    }
}
