"""`make bench`'s third part: RSVP answers against `inviter serve`.

The issue's last seats: 500 members answer yes to an event of 120 seats at the same moment,
each POSTing `answer=yes` once to their own `/rsvp/{token}` of a release `inviter serve` on
loopback. Afterwards exactly 120 must be going and the other 380 waitlisted at positions 1 to
380 without a gap, every answer counted once: anything else makes this script exit non-zero
(after writing the figures). Nothing here asserts a time.

The client is a small asyncio one (standard library only), because wrk runs for a time rather
than a number of requests and would answer for some members twice. It opens its connections
first and releases every request at one instant, in two shapes: 500 connections with one answer
each (the burst), and 50 keep-alive connections with ten answers each. The reference is the same
shape of `GET /healthz` on the same server, before and after the answers. Every round starts from
a new ledger and a new `serve`; the figures replace the "RSVP answers" section of RESULTS.md.
"""

import argparse
import asyncio
import datetime
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

import bench
import network
import serve_bench

HERE = os.path.dirname(os.path.abspath(__file__))
SECTION = "## 7. RSVP answers (`inviter serve`)"
# network.py's one event starts 2027-03-03 18:00 in Copenhagen; network.NOW is two weeks before,
# so answers are still taken at the pages' clock (`serve --now`).
OCCURRENCE = f"{network.EVENT_ID}/2027-03-03"
# The client's two shapes: connections, and answers over each of them in turn.
SHAPES = {"burst": "one answer on each of {answers} connections", "keep-alive": "{per} answers on each of {connections} connections"}


def link_token(purpose, fields):
    """LinkToken's `2.` form (Sources/InviterCore/Web/LinkToken.swift), as serve_bench.token makes it."""
    payload = "\n".join(fields).encode()
    message = b"inviter-link-v2"
    for field in [purpose.encode(), serve_bench.NETWORK_NAME.encode(), payload]:
        message += len(field).to_bytes(4, "big") + field
    mac = hmac.new(serve_bench.SECRET.encode(), message, hashlib.sha256).digest()[:16]
    return f"2.{serve_bench.base64url(payload)}.{serve_bench.base64url(mac)}"


def rsvp_token(address):
    """A member's RSVP token for the occurrence (Sources/InviterCore/Web/RSVPLink.swift)."""
    return link_token("rsvp", [OCCURRENCE, address.lower()])


def write_network(folder, members, capacity, smtp_port):
    """serve_bench's network (a `[web]` section, no unsubscribe url), its event with RSVP and `capacity` seats."""
    config = serve_bench.write_network(folder, members, smtp_port)
    events = os.path.join(folder, "sources", "events.toml")
    with open(events, encoding="utf-8") as handle:
        text = handle.read()
    if "capacity = 250\n" not in text:
        raise RuntimeError("network.py's event no longer says `capacity = 250`")
    with open(events, "w", encoding="utf-8") as handle:
        handle.write(text.replace("capacity = 250\n", f"capacity = {capacity}\nrsvp = true\n"))
    return config


# ---------------------------------------------------------------- the client


async def read_response(reader):
    """One HTTP/1.1 response: the status and the body (by Content-Length, chunked, or to the close)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        body = await reader.read()
    return status, body


async def load(url, requests, connections):
    """Sends `requests` over `connections` connections (the requests dealt out in turn), all opened
    first and released at one instant; each connection sends its next request once the previous
    is answered. Returns every request's status and latency (from its own write to the end of its
    answer), the wall time from the release to the last answer, and the errors."""
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname, parsed.port
    shares = [requests[index::connections] for index in range(connections)]
    gate = asyncio.Semaphore(64)  # connect in waves, so that serve's accept queue never overflows

    async def connect():
        async with gate:
            return await asyncio.open_connection(host, port)

    opened = await asyncio.gather(*(connect() for _ in shares))
    await asyncio.sleep(0.3)  # every connection accepted before the clock starts
    release = asyncio.Event()
    results, errors = [], []

    async def worker(connection, share):
        reader, writer = connection
        await release.wait()
        try:
            for request in share:
                sent = time.perf_counter()
                writer.write(request)
                status, body = await read_response(reader)
                answered = time.perf_counter()
                results.append({"status": status, "latency": answered - sent, "answered": answered})
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            errors.append(repr(error))
        finally:
            writer.close()

    tasks = [asyncio.create_task(worker(connection, share)) for connection, share in zip(opened, shares)]
    await asyncio.sleep(0)
    started = time.perf_counter()
    release.set()
    await asyncio.gather(*tasks)
    wall = max((result["answered"] for result in results), default=started) - started
    return results, wall, errors


def percentile(values, share):
    """Nearest rank: the smallest value at or above `share` of them."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * share // 100) - 1))]


def figures(results, wall, errors, expected):
    latencies = [result["latency"] for result in results]
    statuses = {}
    for result in results:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return {
        "requests": len(results),
        "expected": expected,
        "wall_s": wall,
        "rate": len(results) / wall if wall > 0 else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000 if latencies else 0.0,
        "p99_ms": percentile(latencies, 99) * 1000 if latencies else 0.0,
        "max_ms": max(latencies) * 1000 if latencies else 0.0,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "errors": errors,
    }


def measure(url, requests, connections):
    return figures(*asyncio.run(load(url, requests, connections)), len(requests))


def post(path, host):
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 10\r\n\r\nanswer=yes"
    ).encode()


def get(path, host):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


# ---------------------------------------------------------------- the invariant


def check(inviter, config, environment, state, addresses, capacity):
    """What the ledger holds after the answers, through `inviter attendees` and the table itself."""
    def attendees(flag):
        result = subprocess.run(
            [inviter, "attendees", OCCURRENCE, flag, "--config", config], env=environment,
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"inviter attendees {flag} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result.stdout

    lists = json.loads(attendees("--json"))
    rows = [row.split(",") for row in attendees("--csv").splitlines()[1:] if row]
    going = [entry["email"] for entry in lists["going"]]
    waitlist = [entry["email"] for entry in lists["waitlist"]]
    positions = [int(row[1]) for row in rows if row[0] == "waitlisted"]
    with sqlite3.connect(os.path.join(state, "ledger.sqlite")) as db:
        orders = sorted(
            row[0] for row in db.execute(
                "SELECT waitOrder FROM rsvp WHERE occurrence = ? AND status = 'waitlisted'", (OCCURRENCE,)))
        stored = db.execute("SELECT COUNT(*) FROM rsvp WHERE occurrence = ?", (OCCURRENCE,)).fetchone()[0]
        # The answered times (as stored, below the millisecond) down the waitlist: an answer that
        # read the clock earlier but reached the ledger later stands behind one that read it
        # later. Reported, not part of the invariant: `serve` takes the time as a request arrives.
        answered = [
            row[0] for row in db.execute(
                "SELECT answeredAt FROM rsvp WHERE occurrence = ? AND status = 'waitlisted' ORDER BY waitOrder",
                (OCCURRENCE,))]
    waiting = len(addresses) - capacity
    inversions = [earlier - later for earlier, later in zip(answered, answered[1:]) if later < earlier]
    outcome = {
        "capacity": lists.get("capacity"),
        "going": len(going),
        "waitlisted": len(waitlist),
        "declined": len(lists["declined"]),
        "stored": stored,
        "positions_ok": positions == list(range(1, waiting + 1)),
        "wait_orders_ok": orders == list(range(1, waiting + 1)),
        "everyone_once": sorted(going + waitlist) == sorted(addresses),
        "answered_inversions": len(inversions),
        "largest_inversion_ms": max(inversions, default=0.0) * 1000,
    }
    outcome["holds"] = (
        outcome["capacity"] == capacity and outcome["going"] == capacity and outcome["waitlisted"] == waiting
        and outcome["declined"] == 0 and stored == len(addresses) and outcome["positions_ok"]
        and outcome["wait_orders_ok"] and outcome["everyone_once"])
    return outcome


# ---------------------------------------------------------------- one round


def round_trip(args, folder, sink, environment, shape, log):
    """A new ledger and a new `serve`; the reference, the answers, the reference again; the check."""
    addresses = [f"member{index:06d}@example.org" for index in range(args.answers)]
    config = write_network(folder, args.members, args.capacity, sink.port)
    state = os.path.join(folder, "state")
    connections = args.answers if shape == "burst" else args.connections
    with open(os.path.join(folder, "serve.log"), "w") as serve_log:
        process = subprocess.Popen(
            [args.inviter, "serve", "--config", config, "--listen", "127.0.0.1:0", "--now", network.NOW],
            env=environment, stdout=subprocess.PIPE, stderr=serve_log, text=True)
        try:
            line = process.stdout.readline()
            if "Listening on http://" not in line:
                raise RuntimeError(f"inviter serve did not start: {line!r}")
            url = line.split("Listening on ", 1)[1].split()[0]
            host = urllib.parse.urlsplit(url).netloc
            health = [get("/inviter/healthz", host)] * args.answers
            answers = [post(f"/inviter/rsvp/{rsvp_token(address)}", host) for address in addresses]
            # Warm up: the trivial route, and one RSVP page (a GET changes nothing).
            measure(url, health[:50], min(50, connections))
            page = measure(url, [get(f"/inviter/rsvp/{rsvp_token(addresses[0])}?answer=yes", host)], 1)
            if page["statuses"] != {"200": 1}:
                raise RuntimeError(f"the RSVP page did not answer 200: {page}")
            result = {
                "healthz": measure(url, health, connections),
                "answers": measure(url, answers, connections),
                "healthz_after": measure(url, health, connections),
            }
        finally:
            process.terminate()
            process.wait(timeout=30)
    result["ledger"] = check(args.inviter, config, environment, state, addresses, args.capacity)
    answers = result["answers"]
    result["all_answered"] = answers["statuses"] == {"200": args.answers} and not answers["errors"]
    result["reference"] = (result["healthz"]["rate"] + result["healthz_after"]["rate"]) / 2
    with open(os.path.join(folder, "serve.log")) as serve_log:
        result["serve_log"] = serve_log.read()[-2000:]
    log(
        f"  {shape}: {answers['rate']:,.0f} answers/s (p50 {answers['p50_ms']:.1f} ms, p99 "
        f"{answers['p99_ms']:.1f} ms, max {answers['max_ms']:.1f} ms, statuses {answers['statuses']}, "
        f"{len(answers['errors'])} errors), /healthz {result['reference']:,.0f}/s; "
        f"{result['ledger']['going']} going, {result['ledger']['waitlisted']} waitlisted: "
        f"{'holds' if result['ledger']['holds'] and result['all_answered'] else 'BROKEN'}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inviter", required=True, help="the release build of inviter")
    parser.add_argument("--members", type=int, default=2_000, help="members on the list (default 2 000)")
    parser.add_argument("--answers", type=int, default=500, help="members answering yes (default 500)")
    parser.add_argument("--capacity", type=int, default=120, help="seats (default 120)")
    parser.add_argument("--connections", type=int, default=50, help="connections of the keep-alive shape")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each shape (default 5)")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    if not args.capacity < args.answers <= args.members:
        parser.error("needs capacity < answers <= members")
    args.inviter = os.path.abspath(args.inviter)
    started = datetime.datetime.now(datetime.timezone.utc)
    conditions = bench.Conditions()

    def log(text):
        print(text, flush=True)

    parent = tempfile.mkdtemp(prefix="inviter-rsvp-bench-", dir="/tmp")
    sink = bench.Sink(parent)  # serve's sign-up confirmations would go here; none are sent
    environment = dict(os.environ, INVITER_SECRET=serve_bench.SECRET)
    rounds = {shape: [] for shape in SHAPES}
    try:
        log(f"RSVP: {args.answers} yes for {args.capacity} seats, {args.rounds} rounds of each shape:")
        for index in range(args.rounds):
            for shape in SHAPES:
                folder = os.path.join(parent, f"{shape}-{index + 1}")
                rounds[shape].append(round_trip(args, folder, sink, environment, shape, log))
    finally:
        sink.stop()
    finished = datetime.datetime.now(datetime.timezone.utc)
    held = all(result["ledger"]["holds"] and result["all_answered"] for results in rounds.values() for result in results)
    write_section(args, rounds, bench.machine(), started, finished, conditions.finish(), held)
    raw = os.path.join(HERE, "bin", "rsvp-results.json")
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as handle:
        json.dump(rounds, handle, indent=1)
    if held:
        shutil.rmtree(parent, ignore_errors=True)
        log(f"Wrote the RSVP section of {os.path.relpath(args.results)} (raw figures in {os.path.relpath(raw)}).")
        return 0
    log(f"The invariant does not hold: see {os.path.relpath(raw)} and the serve logs in {parent}.")
    return 1


# ---------------------------------------------------------------- the report


def write_section(args, rounds, info, started, finished, conditions, held):
    def spread(values, digits=0, suffix=""):
        return bench.median_range(values, digits, suffix=suffix)

    waiting = args.answers - args.capacity
    per = args.answers // args.connections
    lines = [
        SECTION,
        "",
        f"Written by `Benchmarks/rsvp_bench.py` on {started:%Y-%m-%d, %H:%M}–{finished:%H:%M} UTC, measuring "
        f"commit {info['commit']}; {conditions.text()}. "
        f"A release `inviter serve --now` on loopback, an event with `rsvp = true` and `capacity = {args.capacity}`, "
        f"{args.members:,} members of whom the first {args.answers} each POST `answer=yes` once to their own "
        "`/rsvp/{token}`. The client is the script's own (Python asyncio, on the same two cores as the server): "
        "it opens every connection first and releases all requests at one instant; latency runs from a "
        "request's write to the end of its answer, answers/s is all answers over the time from the release "
        "to the last answer. The reference is the same shape of `GET /healthz` on the same server, before "
        f"and after. {args.rounds} rounds of each shape, each with a new ledger (ext4, /tmp) and a new `serve`; "
        "medians, with the range in brackets.",
        "",
        "| shape | answers/s | p50 | p99 | max | `GET /healthz`/s | answers / healthz | not 200 or failed | invariant |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for shape, template in SHAPES.items():
        results = rounds[shape]
        answers = [result["answers"] for result in results]
        failures = [
            result["answers"]["expected"] - result["answers"]["statuses"].get("200", 0) for result in results]
        ratios = [result["answers"]["rate"] / result["reference"] * 100 for result in results]
        holding = sum(1 for result in results if result["ledger"]["holds"] and result["all_answered"])
        label = template.format(answers=args.answers, per=per, connections=args.connections)
        lines.append(
            f"| {label} | {spread([a['rate'] for a in answers])} | {spread([a['p50_ms'] for a in answers], 1, ' ms')} | "
            f"{spread([a['p99_ms'] for a in answers], 1, ' ms')} | {spread([a['max_ms'] for a in answers], 1, ' ms')} | "
            f"{spread([result['reference'] for result in results])} | {spread(ratios, 0, ' %')} | "
            f"{sum(failures)} | {holding} of {len(results)} rounds |")
    everything = [result for results in rounds.values() for result in results]
    ledgers = [result["ledger"] for result in everything]
    inversions = sum(ledger["answered_inversions"] for ledger in ledgers)
    largest = max(ledger["largest_inversion_ms"] for ledger in ledgers)
    lines += [
        "",
        f"- The invariant, after every round: exactly {args.capacity} going, {waiting} waitlisted at positions "
        f"1–{waiting} without a gap (in `inviter attendees --csv` and in the ledger's own wait order), none "
        f"declined, each of the {args.answers} members once, and every POST answered 200: "
        + ("holds in every round." if held else "**broken** (the script exits non-zero; raw figures in "
           "Benchmarks/bin/rsvp-results.json)."),
        f"- Going and waitlisted per round: "
        + ", ".join(sorted({f"{ledger['going']} and {ledger['waitlisted']}" for ledger in ledgers})) + ".",
        f"- Down the waitlists, {inversions} places (over {len(ledgers)} rounds, {waiting - 1} neighbours each) "
        f"where the member behind has an earlier answered time than the one ahead, by at most {largest:.1f} ms: "
        "positions follow the order in which answers reach the ledger, the answered time is read as the "
        "request arrives, before its page is prepared.",
        "",
    ]
    section = "\n".join(lines)
    bench.replace_section(args.results, SECTION, section)


if __name__ == "__main__":
    sys.exit(main())
