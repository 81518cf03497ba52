import Foundation

/// What `inviter check` says of RSVP events: templates that cannot carry the answers, and
/// occurrences with more members going than seats.
enum RSVPCheck {
    static func problems(network: LoadedNetwork, templates: TemplateSet, now: Date) -> [InputProblem] {
        let rsvpEvents = network.events.filter(\.takesAnswers)
        guard let first = rsvpEvents.first else { return [] }
        var problems: [InputProblem] = []
        let folder = templates.directory.appendingPathComponent(MailingKind.seat.rawValue)
        if templates.languages(for: MailingKind.seat.rawValue).isEmpty {
            let (file, line) = first.location
            problems.append(
                InputProblem(
                    file: file, line: line, field: "rsvp",
                    message:
                        "no seat template for the 'a seat is yours' notice: add \(InputFiles.displayName(folder))/en.mustache "
                        + "(copy it from the shipped Templates/seat/)",
                    kind: .configuration))
        }
        for language in templates.languages(for: MailingKind.invitation.rawValue) {
            guard let (template, _) = templates.template("invitation", language: language, fallback: language)
            else { continue }
            let missing = ["rsvp.yes_url", "rsvp.no_url"].filter { !template.bodySource.contains($0) }
            if !missing.isEmpty {
                problems.append(
                    InputProblem(
                        file: template.file, line: template.bodyFirstLine,
                        message:
                            "an RSVP event's invitation in \(language) has no \(missing.joined(separator: " or ")): "
                            + "members reading it cannot answer (see the shipped invitation templates' {{#rsvp}} section)",
                        severity: .warning, kind: .configuration))
            }
        }
        problems += overCapacity(network: network, events: rsvpEvents, now: now)
        return problems
    }

    /// Occurrences whose capacity was lowered below the members already going: nobody is moved
    /// out, so the organizer should know.
    private static func overCapacity(network: LoadedNetwork, events: [Event], now: Date) -> [InputProblem] {
        guard let ledger = try? SQLiteLedger.reading(directory: network.configuration.delivery.state),
            let counts = try? ledger.rsvpCounts(), !counts.isEmpty
        else { return [] }
        var problems: [InputProblem] = []
        let zone = network.configuration.network.timeZone
        for occurrence in RSVPOccurrences.open(in: DuePlan(network: network, now: now), zone: zone, now: now)
        {
            guard let capacity = occurrence.capacity, let going = counts[occurrence.id]?.going,
                going > capacity,
                let event = events.first(where: { $0.id == occurrence.eventID })
            else { continue }
            let (file, line) = event.location
            problems.append(
                InputProblem(
                    file: file, line: line, field: "capacity",
                    message:
                        "\(occurrence.id) has \(going) going for \(capacity) seats: the capacity was lowered after "
                        + "they had their seats, and nobody is moved out",
                    severity: .warning, kind: .configuration))
        }
        return problems
    }
}
