"""Reads what a month of `inviter run` left behind, independently of Inviter's
own code, and prints it as JSON for the end-to-end tests.

    month_report.py mail CAPTURE_DIR
        Every message smtp-sink captured (-d): the envelope recipients, the
        mailing header, the Date header (the run's --now) in UTC, the subject,
        the HTML part's lang attribute, the text part and, when there is one,
        the calendar part's METHOD, SEQUENCE, UID and DTSTART as written
        (TZID and local wall-clock time).

    month_report.py lists MEMBERS.csv [MEMBERS.csv ...] --partners PARTNERS.csv
        The member lists merged the way the README says they are (addresses
        compared case-insensitively; bounced beats unsubscribed beats active;
        the first non-empty name and language win; segments are joined) and
        the partner list, so a test can work out who should get what without
        asking Inviter.
"""
import csv
import email
import email.policy
import email.utils
import io
import json
import os
import re
import sys
from datetime import timezone


def read_capture(path):
    """One smtp-sink dump: X- lines with the envelope, a Received header, the message."""
    with open(path, "rb") as handle:
        raw = handle.read()
    lines = raw.split(b"\n")
    recipients = []
    index = 0
    while index < len(lines) and lines[index].startswith(b"X-"):
        if lines[index].startswith(b"X-Rcpt-Args: "):
            recipients.append(lines[index][13:].decode().strip().strip("<>").lower())
        index += 1
    if index < len(lines) and lines[index].startswith(b"Received:"):
        index += 1
        while index < len(lines) and lines[index].startswith(b"\t"):
            index += 1
    body = b"\r\n".join(lines[index:])
    return recipients, email.message_from_bytes(body, policy=email.policy.default)


def unfold(calendar):
    return re.sub(r"\r?\n[ \t]", "", calendar)


def calendar_fields(text):
    fields = {}
    for line in unfold(text).splitlines():
        name, _, value = line.partition(":")
        key = name.split(";")[0]
        if key == "METHOD":
            fields["method"] = value
        elif key == "BEGIN" and value == "VEVENT":
            fields["in_event"] = True
        elif fields.get("in_event") and key in ("DTSTART", "SEQUENCE", "UID", "STATUS", "LOCATION"):
            if key == "DTSTART":
                params = dict(p.split("=", 1) for p in name.split(";")[1:] if "=" in p)
                fields["tzid"] = params.get("TZID", "")
                fields["dtstart"] = value
            else:
                fields[key.lower()] = value.replace("\\,", ",").replace("\\;", ";")
    fields.pop("in_event", None)
    return fields


def mail(directory):
    result = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".err"):
            continue
        recipients, message = read_capture(os.path.join(directory, name))
        date = email.utils.parsedate_to_datetime(str(message["Date"]))
        entry = {
            "file": name,
            "recipients": recipients,
            "mailing": str(message.get("X-Inviter-Mailing", "")),
            "date": date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "subject": str(message["Subject"]),
            "lang": "",
            "text": "",
            "calendar": None,
            "attachments": [],
            "defects": [type(d).__name__ for d in message.defects],
        }
        for part in message.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            if part.get_filename():
                entry["attachments"].append(part.get_filename())
            if kind == "text/plain" and not entry["text"]:
                entry["text"] = part.get_content().replace("\r\n", "\n")
            elif kind == "text/html":
                match = re.search(r'<html[^>]*\blang="([^"]+)"', part.get_content())
                entry["lang"] = match.group(1) if match else ""
            elif kind == "text/calendar" and entry["calendar"] is None:
                content = part.get_content()
                if isinstance(content, bytes):
                    content = content.decode()
                entry["calendar"] = calendar_fields(content)
        result.append(entry)
    json.dump(result, sys.stdout, ensure_ascii=False)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in rows]


RANK = {"active": 0, "unsubscribed": 1, "bounced": 2}


def lists(members, partners):
    merged = {}
    order = []
    for path in members:
        for row in read_csv(path):
            address = row.get("email", "").lower()
            if not address or "@" not in address:
                continue
            status = (row.get("status") or "active").lower()
            segments = [s.strip().lower() for s in re.split(r"[;|]", row.get("segments", "")) if s.strip()]
            if address not in merged:
                order.append(address)
                merged[address] = {"email": address, "name": "", "language": "", "status": "active",
                                   "segments": []}
            member = merged[address]
            member["name"] = member["name"] or row.get("name", "")
            member["language"] = member["language"] or row.get("language", "")
            if RANK.get(status, 0) > RANK[member["status"]]:
                member["status"] = status
            member["segments"] += [s for s in segments if s not in member["segments"]]
    result = {"members": [merged[a] for a in order], "partners": []}
    for path in partners:
        for row in read_csv(path):
            result["partners"].append({
                "email": row.get("email", "").lower(), "kind": row.get("kind", "").lower(),
                "language": row.get("language", ""),
            })
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    if sys.argv[1] == "mail":
        mail(sys.argv[2])
    elif sys.argv[1] == "lists":
        arguments = sys.argv[2:]
        partners = []
        if "--partners" in arguments:
            at = arguments.index("--partners")
            partners = arguments[at + 1:]
            arguments = arguments[:at]
        lists(arguments, partners)
    else:
        sys.exit("usage: month_report.py mail DIR | lists MEMBERS... [--partners PARTNERS...]")
