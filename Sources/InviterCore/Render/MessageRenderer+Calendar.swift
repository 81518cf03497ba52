import Foundation

/// The calendar entry an invitation, reminder, update, cancellation or partner copy carries.
extension MessageRenderer {
    /// The calendar entry as a body part and as an `.ics` attachment; none for a message that is
    /// not about one occurrence.
    func calendarParts(for request: RenderRequest, language: LanguageCode) -> (
        alternatives: [BodyPart], attachments: [MessageAttachment]
    ) {
        guard let calendar = calendarPart(for: request, language: language) else { return ([], []) }
        return (
            [
                BodyPart(
                    mediaType: "text/calendar", parameters: ["method": calendar.method], text: calendar.text)
            ],
            [
                MessageAttachment(
                    // The registered type, which mail programs offer to import (RFC 5545 section 8.1).
                    filename: "invite.ics", mediaType: "text/calendar",
                    parameters: ["method": calendar.method],
                    data: Array(calendar.text.utf8))
            ]
        )
    }

    private func calendarPart(for request: RenderRequest, language: LanguageCode) -> (
        method: String, text: String
    )? {
        // Only messages about one occurrence carry a calendar entry.
        guard let occurrence = request.occurrence, request.kind.isAboutOccurrence else { return nil }
        let fallback = network.languageFallback
        // A partner copy's entry goes with the forward to whoever the contact sends it to: staff,
        // students and course participants who share English more often than Danish, so it is in
        // English (the forwardable text's first language), whatever the contact's own language.
        let language = request.kind.isPartnerCopy ? LanguageCode.english : language
        let method: CalendarMethod =
            request.kind.isCancellation || occurrence.cancelled ? .cancel : .publish
        let entry = CalendarEntry(
            uid: "\(occurrence.id)@\(network.from.domain)",
            // A cancellation must outrank the announcement it withdraws, or calendar programs ignore it.
            sequence: method == .cancel ? max(request.sequence, 1) : request.sequence,
            start: occurrence.start,
            end: occurrence.end,
            summary: occurrence.title.resolve(language, fallback: fallback)?.text ?? occurrence.eventID,
            location: occurrence.venue,
            description: occurrence.description.resolve(language, fallback: fallback)?.text ?? "",
            organizer: network.from,
            url: nil)
        return (
            method.rawValue,
            ICalendar.build(entry, method: method, zone: network.timeZone, stamp: request.now, cache: cache)
        )
    }
}
