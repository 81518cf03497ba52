"""`make bench`'s second part: one-click unsubscribes against `inviter serve`.

wrk (Debian's package) POSTs RFC 8058's `List-Unsubscribe=One-Click` to
`/unsubscribe/{token}` of a release `inviter serve` on loopback, each request
for the next of 200 000 former members (addresses on no list), beside a trivial route of the same server
(`GET /healthz`) as the reference measured in the same stretch of time; then
POSTs for the 20 000 members while `inviter run` sends them the invitation
through smtp-sink. Afterwards the ledger must hold a suppression for every member a
POST named: a POST answered 200 and not recorded would be the worst bug
(listmonk #3063). The figures replace the "One-click unsubscribes" section of
RESULTS.md; nothing here asserts a time.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

import bench
import network

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
SECRET = "benchmark-secret"
NETWORK_NAME = "International Society Benchmark"
SECTION = "## 6. One-click unsubscribes (`inviter serve`)"

# One request after another, from one wrk thread, so that the members named are exactly the
# first `requests` of the list (the check afterwards relies on it); the connections keep it busy.
WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("SERVE_BENCH_PATHS")) do paths[#paths + 1] = line end
local index = 0
local method = os.getenv("SERVE_BENCH_METHOD")
request = function()
  index = index % #paths + 1
  if method == "GET" then return wrk.format("GET", paths[index]) end
  return wrk.format("POST", paths[index],
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, "List-Unsubscribe=One-Click")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def base64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(address):
    """LinkToken's `2.` form for a member's one-click unsubscribe (Sources/InviterCore/Web/LinkToken.swift)."""
    payload = f"members\n{address}".encode()
    message = b"inviter-link-v2"
    for field in [b"unsubscribe", NETWORK_NAME.encode(), payload]:
        message += len(field).to_bytes(4, "big") + field
    mac = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()[:16]
    return f"2.{base64url(payload)}.{base64url(mac)}"


def write_network(folder, members, smtp_port):
    sources = os.path.join(folder, "sources")
    network.write_sources(sources, members)
    config = network.write_config(
        os.path.join(folder, "inviter.toml"), sources, smtp_port, os.path.join(folder, "state"),
        os.path.join(REPOSITORY, "Templates"))
    with open(config, encoding="utf-8") as handle:
        text = handle.read()
    text = text.replace('url = "https://example.org/unsubscribe/{token}"\n', "")
    text += '\n[web]\nbase_url = "https://example.org/inviter"\nlisten = "127.0.0.1:0"\n'
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(text)
    return config


def start_serve(inviter, config, environment, log):
    process = subprocess.Popen(
        [inviter, "serve", "--config", config, "--listen", "127.0.0.1:0"], env=environment,
        stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    match = re.search(r"Listening on (http://[0-9.]+:[0-9]+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"inviter serve did not start: {line!r}")
    return process, match.group(1)


def wrk(url, paths_file, method, seconds, connections, script):
    environment = dict(os.environ, SERVE_BENCH_PATHS=paths_file, SERVE_BENCH_METHOD=method)
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
        env=environment, capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def recorded(state, addresses):
    """How many of `addresses` the ledger has suppressed for the members' list."""
    with sqlite3.connect(os.path.join(state, "ledger.sqlite")) as db:
        rows = {row[0] for row in db.execute("SELECT address FROM suppression WHERE scope = 'members'")}
    return sum(1 for address in addresses if address in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inviter", required=True, help="the release build of inviter")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=8, help="each wrk phase (default 8)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    folder = tempfile.mkdtemp(prefix="inviter-serve-bench-", dir="/tmp")
    sink = bench.Sink(folder)
    environment = dict(os.environ, INVITER_SECRET=SECRET)
    addresses = [f"member{index:06d}@example.org" for index in range(args.members)]
    config = write_network(folder, args.members, sink.port)
    script = os.path.join(folder, "one-click.lua")
    with open(script, "w") as handle:
        handle.write(WRK_SCRIPT)
    # The first phase unsubscribes addresses that are no member (a token is all `serve` checks),
    # so that every member is still to be sent to when the run starts.
    strangers = [f"former{index:06d}@example.org" for index in range(200_000)]
    post_paths = os.path.join(folder, "post-paths")
    with open(post_paths, "w") as handle:
        handle.writelines(f"/inviter/unsubscribe/{token(address)}\n" for address in strangers)
    health_paths = os.path.join(folder, "health-paths")
    with open(health_paths, "w") as handle:
        handle.write("/inviter/healthz\n")
    log = open(os.path.join(folder, "serve.log"), "w")
    serve, url = start_serve(args.inviter, config, environment, log)
    results = {}
    try:
        # Warm up, then the reference and the POSTs alone, alternating, reference first.
        wrk(url, health_paths, "GET", 1, args.connections, script)
        results["healthz"] = wrk(url, health_paths, "GET", args.seconds, args.connections, script)
        results["alone"] = wrk(url, post_paths, "POST", args.seconds, args.connections, script)
        results["healthz_after"] = wrk(url, health_paths, "GET", args.seconds, args.connections, script)
        # Requests complete out of order over the connections, and a few are in flight when wrk
        # stops: the members named are the first `requests` or so, and every one answered must
        # be recorded, so the ledger holds at least as many of the list as there were answers.
        results["alone"]["named"] = min(results["alone"]["requests"], len(strangers))
        results["alone"]["recorded"] = recorded(os.path.join(folder, "state"), strangers)
        # Unsubscribe those again (idempotent) while a run sends to everyone not yet unsubscribed.
        run_started = time.monotonic()
        run = subprocess.Popen(
            [args.inviter, "run", "--config", config, "--now", network.NOW, "--json"], env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # These POSTs name the members: new records, made while the run reads and writes the same
        # ledger, each holding for every message of that member not yet handed over.
        rest = addresses
        during_paths = os.path.join(folder, "during-paths")
        with open(during_paths, "w") as handle:
            handle.writelines(f"/inviter/unsubscribe/{token(address)}\n" for address in rest)
        time.sleep(0.5)  # past loading the lists, into sending
        during = wrk(url, during_paths, "POST", args.seconds, args.connections, script)
        stdout, stderr = run.communicate(timeout=600)
        run_seconds = time.monotonic() - run_started
        if run.returncode != 0:
            raise RuntimeError(f"inviter run failed ({run.returncode}): {stderr[-2000:]}")
        summary = json.loads(stdout)
        during["named"] = min(during["requests"], len(rest))
        during["recorded"] = recorded(os.path.join(folder, "state"), rest)
        during["run_seconds"] = run_seconds
        during["run_sent"] = summary.get("sent", 0)
        during["run_skipped"] = summary.get("skipped", 0)
        results["during"] = during
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        log.close()
        sink.stop()
    finished = datetime.datetime.now(datetime.timezone.utc)
    write_section(args, results, bench.machine(), started, finished)
    print(json.dumps(results, indent=2))


def write_section(args, results, info, started, finished):
    def ms(us):
        return f"{us / 1000:.1f} ms"

    alone, during = results["alone"], results["during"]
    reference = (results["healthz"]["rate"] + results["healthz_after"]["rate"]) / 2
    lines = [
        SECTION,
        "",
        f"Written by `Benchmarks/serve_bench.py` on {started:%Y-%m-%d, %H:%M}–{finished:%H:%M} UTC, measuring "
        f"commit {info['commit']}. A release `inviter serve` on loopback with {args.members:,} members; "
        f"wrk 4.1 with one thread and {args.connections} connections for {args.seconds} s per phase, each POST "
        "`List-Unsubscribe=One-Click` to the next address's `/unsubscribe/{token}` (alone: addresses on no "
        "list; during the run: the members it sends to, in the order it sends); the reference is "
        "`GET /healthz` of the same server, measured before and after.",
        "",
        "| phase | requests/s | p50 | p99 | max | errors | suppressions recorded |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in [("healthz", "`GET /healthz` (reference, before)"), ("alone", "one-click POSTs"),
                        ("healthz_after", "`GET /healthz` (reference, after)"),
                        ("during", f"one-click POSTs during a {args.members:,}-member run")]:
        figures = results[name]
        errors = figures["errors"] + figures["non2xx"]
        stored = f"{figures['recorded']:,} for {figures['named']:,} answers" if "named" in figures else "–"
        lines.append(
            f"| {label} | {figures['rate']:,.0f} | {ms(figures['p50_us'])} | {ms(figures['p99_us'])} | "
            f"{ms(figures['max_us'])} | {errors} | {stored} |")
    met = lambda ok: "met" if ok else "**not met**"
    lines += [
        "",
        f"- POSTs alone: {alone['rate']:,.0f}/s, {alone['rate'] / reference * 100:.0f} % of the trivial route "
        f"({reference:,.0f}/s); target ≥ 1 000/s: {met(alone['rate'] >= 1000)}.",
        f"- During the run (it took {during['run_seconds']:.1f} s, sent {during['run_sent']:,} and skipped "
        f"{during['run_skipped']:,} unsubscribed): p99 {ms(during['p99_us'])}, "
        f"{during['errors'] + during['non2xx']} errors; target p99 < 100 ms and no errors: "
        f"{met(during['p99_us'] < 100_000 and during['errors'] + during['non2xx'] == 0)}.",
        f"- Every POST answered is recorded: "
        f"{met(alone['recorded'] >= alone['named'] and during['recorded'] >= during['named'])}.",
        "",
    ]
    section = "\n".join(lines)
    bench.replace_section(args.results, SECTION, section)


if __name__ == "__main__":
    sys.exit(main())
