/// One entry of the strings tables: its name, whether it is counted, and the
/// placeholders its text may use.
///
/// The list lives in code rather than being taken from `en.toml`, so that a
/// typo in any file (even the English one) is an error with a suggestion, a
/// placeholder the renderer never fills is caught when the files are loaded,
/// and templates have one documented list of what they can ask for.
public struct StringKey: Sendable, Hashable {
    /// The key as written in `Templates/strings/<language>.toml`.
    public let name: String
    /// A counted text: a table with one form per CLDR plural category, rather than one text.
    public let isPlural: Bool
    /// The `{placeholder}` names the text may contain.
    public let placeholders: Set<String>
    /// Placeholders every translation must contain, because the text is useless
    /// without them (an unsubscribe line without its link).
    public let requiredPlaceholders: Set<String>

    init(
        _ name: String, plural: Bool = false, placeholders: Set<String> = [],
        required: Set<String> = []
    ) {
        self.name = name
        self.isPlural = plural
        self.placeholders = plural ? placeholders.union(["count"]) : placeholders
        self.requiredPlaceholders = required
    }

    /// Every key, in the order the shipped files list them.
    public static let all: [StringKey] = [
        StringKey("when"),
        StringKey("where"),
        StringKey("seats_left", plural: true),
        StringKey("seats_total", plural: true),
        StringKey("add_to_calendar"),
        StringKey("unsubscribe"),
        StringKey("unsubscribe_line", placeholders: ["network", "link"], required: ["link"]),
        StringKey(
            "partner_unsubscribe_line", placeholders: ["organisation", "network", "link"],
            required: ["link"]),
        StringKey("partner_note", placeholders: ["network", "organisation"]),
        // To a partner contact who got the partner copy, when the occurrence is cancelled or
        // changed: pass it on to those the invitation was forwarded to.
        StringKey("partner_cancelled_note", placeholders: ["network", "organisation"]),
        StringKey("partner_changed_note", placeholders: ["network", "organisation"]),
        StringKey("invitation_heading"),
        StringKey("reminder_heading"),
        StringKey("cancelled_heading"),
        StringKey("changed_heading"),
        StringKey("newsletter_heading"),
        StringKey("note"),
        StringKey("capacity_full"),
        StringKey("reply_to_sign_up"),
        StringKey("interpreters_offered", placeholders: ["languages"]),
        // The same offer in a partner's forwardable copy: a reply to a forward reaches the partner
        // contact, not the network, so it names the network's address.
        StringKey("interpreters_offered_forward", placeholders: ["languages", "email"]),
        // `{name}` is a member's first name (a partner contact's whole name), `{full_name}` the whole
        // name: a language whose formal register does not go with a first name greets by both.
        StringKey("greeting", placeholders: ["name", "full_name"]),
        StringKey("greeting_anonymous"),
        StringKey("sign_off"),
        StringKey("view_in_language", placeholders: ["language"]),
        StringKey("also_on"),
        // How a series repeats (``Repetition``): the rule, then the line with the time and the
        // dates without a meeting. `{weekdays}` and `{weekday}` are the weekday names as the
        // language writes them standing alone; `{week}` is one of the `week_…` words.
        StringKey("repeat_weekly", placeholders: ["weekdays"]),
        StringKey("repeat_weeks", plural: true, placeholders: ["weekdays"]),
        StringKey("repeat_monthly_weekday", placeholders: ["week", "weekday"]),
        StringKey("repeat_monthly_day", placeholders: ["day"]),
        StringKey("week_1"),
        StringKey("week_2"),
        StringKey("week_3"),
        StringKey("week_4"),
        StringKey("week_last"),
        StringKey("repeat_line", placeholders: ["rule", "time"]),
        StringKey("repeat_line_except", placeholders: ["rule", "time", "dates"]),
        // The pages of `inviter serve` and the sign-up confirmation mail.
        StringKey("rsvp_question"),
        StringKey("rsvp_yes"),
        StringKey("rsvp_no"),
        StringKey("rsvp_full"),
        StringKey("seat_heading"),
        StringKey("seat_text"),
        StringKey("seat_cannot_come"),
        StringKey("page_rsvp_question", placeholders: ["title"]),
        StringKey("page_rsvp_button"),
        StringKey("page_rsvp_going", placeholders: ["title", "date"]),
        StringKey("page_rsvp_waitlisted", placeholders: ["position"], required: ["position"]),
        StringKey("page_rsvp_declined", placeholders: ["title", "date"]),
        StringKey("page_rsvp_change"),
        StringKey("page_rsvp_started", placeholders: ["title"]),
        StringKey("page_rsvp_cancelled", placeholders: ["title", "date"]),
        StringKey("page_unsubscribe_members", placeholders: ["network", "email"]),
        StringKey("page_unsubscribe_partners", placeholders: ["network", "email"]),
        StringKey("page_unsubscribe_button"),
        StringKey("page_unsubscribed_members", placeholders: ["network", "email"]),
        StringKey("page_unsubscribed_partners", placeholders: ["network", "email"]),
        StringKey("page_undo_question"),
        StringKey("page_undo_button"),
        StringKey("page_resubscribed", placeholders: ["network", "email"]),
        StringKey("page_join_title", placeholders: ["network"]),
        StringKey("page_join_intro", placeholders: ["network"]),
        StringKey("page_join_occurrence", placeholders: ["title", "date"]),
        StringKey("page_field_email"),
        StringKey("page_field_name"),
        StringKey("page_field_language"),
        StringKey("page_field_segments"),
        StringKey("page_join_button"),
        StringKey("page_join_check_mail", placeholders: ["email"]),
        StringKey("page_join_invalid_email"),
        StringKey("page_join_invalid_name"),
        StringKey("page_join_confirm", placeholders: ["network", "email"]),
        StringKey("page_join_confirm_button"),
        StringKey("page_join_confirmed", placeholders: ["network", "email"]),
        StringKey("page_link_invalid"),
        StringKey("page_too_many"),
        StringKey("page_not_found"),
        StringKey("page_too_large"),
        StringKey("page_error"),
        StringKey("join_mail_subject", placeholders: ["network"]),
        StringKey("join_mail_body", placeholders: ["network"]),
        StringKey("join_mail_ignore"),
        StringKey("join_here", placeholders: ["link"], required: ["link"]),
        // In the forwardable part of a partner's cancellation and update.
        StringKey("forward_cancelled"),
        StringKey("forward_changed"),
    ]

    /// The keys by name.
    static let byName: [String: StringKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
