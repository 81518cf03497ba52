"""Verifies every DKIM-Signature of messages with dkimpy, an independent implementation.

The public keys come from the command line instead of DNS: `--record SELECTOR=TXT` for each
selector (the text `inviter dkim keygen` prints). Prints JSON: for each file, one entry per
signature, in the order they stand in the header, with the algorithm, the signed fields and
whether it verified.
"""

import argparse
import json
import logging
import sys

import dkim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("messages", nargs="+")
    parser.add_argument("--record", action="append", default=[], help="SELECTOR=v=DKIM1; k=…; p=…")
    arguments = parser.parse_args()
    records = {}
    for item in arguments.record:
        selector, _, text = item.partition("=")
        records[selector] = text.encode()

    def dns(name, timeout=5):
        selector = name.decode() if isinstance(name, bytes) else name
        return records.get(selector.split("._domainkey.")[0], b"")

    logging.disable(logging.CRITICAL)
    results = {}
    for path in arguments.messages:
        with open(path, "rb") as handle:
            results[path] = verify(handle.read(), dns)
    json.dump(results, sys.stdout)


def verify(message, dns):
    checker = dkim.DKIM(message)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    results = []
    for index in range(count):
        ok = False
        error = ""
        try:
            ok = bool(checker.verify(idx=index, dnsfunc=dns))
        except Exception as problem:  # a verifier that cannot read it fails it, with why
            error = str(problem)
        signature = checker.signature_fields or {}
        results.append({
            "ok": ok,
            "error": error,
            "algorithm": signature.get(b"a", b"").decode(),
            "selector": signature.get(b"s", b"").decode(),
            "fields": "".join(signature.get(b"h", b"").decode().split()).split(":"),
            "length": signature.get(b"l", b"").decode(),
        })
    return results


if __name__ == "__main__":
    main()
