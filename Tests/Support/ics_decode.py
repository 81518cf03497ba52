"""Decodes an iCalendar part with Python's icalendar package, an independent
RFC 5545 parser, and prints what a calendar program would see as JSON.

Times given with a TZID are converted to UTC twice: through the part's own
VTIMEZONE (built by dateutil from the STANDARD/DAYLIGHT rules, ignoring the
TZID's name) and through the tz database under that name, so a test can see
that Inviter's VTIMEZONE agrees with the real zone.

icalendar 6.1 unescapes a content line twice (an escaped backslash before an
escaped semicolon comes back as a bare semicolon, and `%3A` in any value as a
colon; collective/icalendar#355), so the output also has
`strict`: the VEVENT as read by the small RFC 5545 reader below, which unfolds,
splits at the first colon outside quotes and unescapes TEXT in one pass."""
import json
import re
import sys
from datetime import timezone

import icalendar

data = sys.stdin.buffer.read()
calendar = icalendar.Calendar.from_ical(data)



def text(value):
    """icalendar's to_ical() returns bytes for some value types and str for others."""
    return value.decode() if isinstance(value, bytes) else value


definitions = {}
timezones = []
for component in calendar.walk("VTIMEZONE"):
    tzid = str(component["TZID"])
    definitions[tzid] = component.to_tz(lookup_tzid=False)
    timezones.append({
        "tzid": tzid,
        "observances": [
            {
                "kind": sub.name,
                "dtstart": sub["DTSTART"].dt.isoformat(),
                "from": text(sub["TZOFFSETFROM"].to_ical()),
                "to": text(sub["TZOFFSETTO"].to_ical()),
                "name": str(sub.get("TZNAME", "")),
                "rrule": text(sub["RRULE"].to_ical()) if "RRULE" in sub else None,
            }
            for sub in component.subcomponents
        ],
    })


def moment(prop):
    """A DTSTART/DTEND as written (local wall clock and TZID) and as UTC both ways."""
    value = prop.dt
    tzid = prop.params.get("TZID")
    result = {"local": value.replace(tzinfo=None).isoformat(), "tzid": tzid}
    if tzid is not None:
        own = value.replace(tzinfo=definitions[tzid]) if tzid in definitions else None
        result["utc"] = own.astimezone(timezone.utc).isoformat() if own else None
        result["utc_tzdb"] = value.astimezone(timezone.utc).isoformat() if value.tzinfo else None
    elif value.tzinfo is not None:
        result["utc"] = result["utc_tzdb"] = value.astimezone(timezone.utc).isoformat()
    return result


events = []
for event in calendar.walk("VEVENT"):
    organizer = event.get("ORGANIZER")
    events.append({
        "properties": [name for name, _ in event.property_items(recursive=False)][1:-1],
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "dtstamp": event["DTSTAMP"].dt.astimezone(timezone.utc).isoformat(),
        "dtstart": moment(event["DTSTART"]),
        "dtend": moment(event["DTEND"]),
        "summary": str(event["SUMMARY"]),
        "location": str(event["LOCATION"]),
        "description": str(event["DESCRIPTION"]),
        "organizer": str(organizer),
        "organizer_cn": organizer.params.get("CN"),
        "url": str(event["URL"]) if "URL" in event else None,
        "status": str(event["STATUS"]),
        "transp": str(event["TRANSP"]),
    })


def strict_read(text):
    """Reads the content lines by the letter of RFC 5545 3.1 and 3.3.11."""
    errors = []
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    stack = []
    components = []
    event = []
    for line in unfolded.split("\r\n")[:-1]:
        match = re.match(r"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:\"[^\"]*\"|[^\";:,]*))*):(.*)\Z", line, re.S)
        if not match:
            errors.append(f"not a content line: {line!r}")
            continue
        name, raw_params, value = match.group(1).upper(), match.group(2), match.group(3)
        params = {
            key.upper(): quoted if quoted or bare == "" else bare
            for key, quoted, bare in re.findall(r';([A-Za-z0-9-]+)=(?:"([^"]*)"|([^";:,]*))', raw_params)
        }
        if name == "BEGIN":
            stack.append(value)
            components.append(value)
        elif name == "END":
            if not stack or stack.pop() != value:
                errors.append(f"END:{value} does not close the open component")
        elif stack and stack[-1] == "VEVENT":
            if name in ("UID", "SUMMARY", "LOCATION", "DESCRIPTION"):
                value = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
            event.append({"name": name, "params": params, "value": value})
    if stack:
        errors.append(f"components left open: {stack}")
    if not unfolded.endswith("\r\n"):
        errors.append("the text does not end with CRLF")
    return {"errors": errors, "components": components, "event": event}


json.dump({
    "strict": strict_read(data.decode("utf-8")),
    "version": str(calendar["VERSION"]),
    "prodid": str(calendar["PRODID"]),
    "method": str(calendar["METHOD"]),
    "calscale": str(calendar["CALSCALE"]),
    "components": [component.name for component in calendar.walk()],
    "calendar_properties": [name for name, _ in calendar.property_items(recursive=False)][1:-1],
    "errors": [error for component in calendar.walk() for error in component.errors],
    "timezones": timezones,
    "events": events,
}, sys.stdout)
