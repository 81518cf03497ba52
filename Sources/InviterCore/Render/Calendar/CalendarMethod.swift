/// The iTIP method of a calendar part (RFC 5546), which tells a mail program what to do with it.
///
/// Invitations are published rather than sent as `REQUEST`: members are not
/// attendees whose replies Inviter could collect, and a `REQUEST` would make
/// mail programs offer Accept/Decline buttons that answer to nobody.
public enum CalendarMethod: String, Sendable {
    /// A new or changed occurrence, to add to (or update in) the recipient's calendar.
    case publish = "PUBLISH"
    /// An occurrence that no longer takes place; it removes the entry with the same UID.
    case cancel = "CANCEL"
}
