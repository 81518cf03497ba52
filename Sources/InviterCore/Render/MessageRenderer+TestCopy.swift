import Foundation

extension MessageRenderer {
    /// A `[TEST]` copy of `mailing` as `sample` would get it, addressed to `target` alone: what an
    /// organizer checks in their own mail program before the real thing goes to everyone.
    public func testCopy(of mailing: Mailing, for sample: Recipient, to target: MailAddress, now: Date)
        throws(RenderError) -> Message
    {
        var message = try render(RenderRequest(mailing: mailing, recipient: sample, now: now)).message
        message.to = target
        message.subject = "[TEST] " + message.subject
        return message
    }
}
