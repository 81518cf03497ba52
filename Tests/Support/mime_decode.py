"""Decodes a message with Python's email package (policy.default), an
independent MIME parser, and prints what a mail program would see as JSON:
every header decoded, each leaf part's type, parameters and content, and the
part it would show."""
import email
import email.policy
import json
import sys

data = sys.stdin.buffer.read()
message = email.message_from_bytes(data, policy=email.policy.default)
defects = [type(d).__name__ for d in message.defects]
headers = []
for name, value in message.items():
    headers.append([name, str(value)])
    defects += [type(d).__name__ for d in getattr(value, "defects", [])]

parts = []
for part in message.walk():
    if part.is_multipart():
        defects += [type(d).__name__ for d in part.defects]
        continue
    content = part.get_content()
    if isinstance(content, bytes):
        content = {"bytes": list(content)}
    else:
        content = content.replace("\r\n", "\n")
    parts.append({
        "type": part.get_content_type(),
        "params": {k: v for k, v in part.get_params()[1:]} if part.get_params() else {},
        "filename": part.get_filename(),
        "content": content,
    })
    defects += [type(d).__name__ for d in part.defects]

# The part a mail program shows: the HTML when there is one, else the text.
body = message.get_body(preferencelist=("html", "plain"))
json.dump({"headers": headers, "parts": parts, "defects": defects,
           "structure": [p.get_content_type() for p in message.walk()],
           "shown": body.get_content_type() if body is not None else None}, sys.stdout)
