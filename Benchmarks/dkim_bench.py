#!/usr/bin/env python3
"""`make bench`'s fourth part: what DKIM signing costs a run.

End to end at 10 000 members against Postfix's smtp-sink on a free loopback port, as bench.py
measures Inviter's sending rate: `inviter run` from a fresh ledger (on tmpfs) to done, unsigned,
signed with one RSA-2048 key and signed with one Ed25519 key (keys made by the binary's own
`inviter dkim keygen` into a temporary folder). Each round runs the three in turn, the order
reversed every other round so that a drifting load favours none; wall time, CPU seconds (user
plus system, from `/usr/bin/time -v`) per message and messages/s per run.

`openssl speed -seconds 2 rsa2048 ed25519`, before the first round and after each, gives one
signature's own CPU cost on this machine. The host is shared and drifts within minutes (the same
run's CPU per message moved by a fifth from one round to the next), so each round is compared
with the signature cost measured on either side of it. From these:

- the rate the CPU allows a signed run: cores / (unsigned CPU seconds per message + one
  signature), and the signed run's rate as a percentage of it, per round against the round's own
  unsigned run and signature cost (target: their median >= 80 %);
- Ed25519's rate as a percentage of unsigned (target >= 85 %);
- the cost per message beyond the signature: (signed - unsigned CPU per message) - signature.

The figures replace the "DKIM signing" section of RESULTS.md; nothing here asserts a time, and
the script fails only when a run does (every message must be accepted by the sink).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import bench
import network

HERE = os.path.dirname(os.path.abspath(__file__))
SECTION = "## 8. DKIM signing"
DOMAIN = "example.org"  # network.py's From is events@example.org: aligned
KINDS = {"unsigned": None, "rsa": "RSA-2048", "ed25519": "Ed25519"}
SPEED_SECONDS = 2


def make_keys(inviter, folder):
    """One key per algorithm, as an operator makes them: `inviter dkim keygen` (mode 600)."""
    keys = {}
    for algorithm in ("rsa", "ed25519"):
        path = os.path.join(folder, f"{algorithm}.pem")
        subprocess.run(
            [inviter, "dkim", "keygen", "--domain", DOMAIN, "--selector", f"bench-{algorithm}", "--out", path,
             "--algorithm", algorithm],
            check=True, capture_output=True, text=True, timeout=120,
        )
        keys[algorithm] = path
    return keys


def write_config(path, sources, sink, state, templates, kind, keys):
    """network.py's inviter.toml, with a `[dkim]` section for one key unless `kind` is unsigned."""
    network.write_config(path, sources, sink.port, state, templates)
    if kind != "unsigned":
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(
                "\n[dkim]\n"
                f'domain = "{DOMAIN}"\n'
                f'selector = "bench-{kind}"\n'
                f"private_key_file = {network.toml_string(keys[kind])}\n"
            )
    return path


def check_signed(args, sink, folders, keys):
    """A preview of a few members per configuration: each message carries exactly the signature
    its configuration asks for, so the runs measure what they claim to."""
    sources = os.path.join(folders["disk"], "network-check")
    network.write_sources(sources, 2 * len(network.LANGUAGES))
    for kind in KINDS:
        config = write_config(
            os.path.join(bench.fresh_folder(folders["disk"], "config"), "inviter.toml"), sources, sink,
            bench.fresh_folder(folders["tmpfs"], "unused-ledger"), args.templates, kind, keys,
        )
        output = bench.fresh_folder(folders["tmpfs"], f"check-{kind}")
        bench.timed([args.inviter, "preview", "--config", config, "--now", network.NOW, "--out", output],
                    bench.inviter_environment())
        for name in (name for name in os.listdir(output) if name.endswith(".eml")):
            with open(os.path.join(output, name), "rb") as handle:
                head = handle.read().split(b"\r\n\r\n", 1)[0]
            found = re.findall(rb"^DKIM-Signature: v=1; a=([a-z0-9-]+);", head, re.MULTILINE)
            wanted = {"unsigned": [], "rsa": [b"rsa-sha256"], "ed25519": [b"ed25519-sha256"]}[kind]
            if found != wanted:
                raise RuntimeError(f"{kind}: {name} has DKIM-Signature algorithms {found}, not {wanted}")


def openssl_speed():
    """Signatures per second on one core, from `openssl speed -seconds 2 rsa2048 ed25519`."""
    completed = subprocess.run(
        ["openssl", "speed", "-seconds", str(SPEED_SECONDS), "rsa2048", "ed25519"],
        capture_output=True, text=True, timeout=300,
    )
    bench.check_exit(["openssl", "speed"], completed.returncode, completed.stdout, completed.stderr)
    number = r"([0-9.]+)s?"
    # "rsa 2048 bits 0.000234s 0.000014s   4269.0  70465.8": sign, verify, sign/s, verify/s.
    rsa = re.search(rf"^rsa 2048 bits\s+{number}\s+{number}\s+([0-9.]+)\s+([0-9.]+)", completed.stdout, re.MULTILINE)
    # " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  40091.5  15434.6"
    ed = re.search(rf"EdDSA \(Ed25519\)\s+{number}\s+{number}\s+([0-9.]+)\s+([0-9.]+)", completed.stdout)
    if not rsa or not ed:
        raise RuntimeError(f"cannot read openssl speed's output:\n{completed.stdout}")
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    return {"rsa": float(rsa.group(3)), "ed25519": float(ed.group(3)), "version": version}


def run(args, sink, sources, folders, kind, keys, log):
    """One `inviter run` of the whole list from a fresh ledger on tmpfs, with the sink's CPU beside it."""
    state = bench.fresh_folder(folders["tmpfs"], f"ledger-{kind}")
    config = write_config(
        os.path.join(bench.fresh_folder(folders["disk"], "config"), "inviter.toml"), sources, sink, state,
        args.templates, kind, keys,
    )
    sink_before = sink.cpu_seconds()
    result = bench.run_inviter(args.inviter, config, args.members)
    shutil.rmtree(state, ignore_errors=True)
    result["sink_cpu"] = sink.cpu_seconds() - sink_before
    result["cpu_per_message"] = (result["user"] + result["system"]) / args.members
    result["sink_cpu_per_message"] = result["sink_cpu"] / args.members
    log(
        f"  {kind:9s}{result['rate']:7.0f} msg/s  ({result['seconds']:.2f} s, user {result['user']:.2f} s, "
        f"system {result['system']:.2f} s: {result['cpu_per_message'] * 1e6:.0f} µs CPU/msg; "
        f"sink {result['sink_cpu']:.2f} s)"
    )
    return dict((key, value) for key, value in result.items() if key != "stdout")


def analyse(runs, speeds, cores):
    """The figures of the section: from every run's and every speed measurement's medians, and per
    round, from the round's runs and the speed measured before and after it."""
    median = lambda kind, key: statistics.median(run[key] for run in runs[kind])
    signature = {kind: statistics.mean(1 / speed[kind] for speed in speeds) for kind in ("rsa", "ed25519")}
    # Round i ran between speed measurements i and i + 1.
    round_signature = lambda kind, index: statistics.mean((1 / speeds[index][kind], 1 / speeds[index + 1][kind]))
    unsigned_cpu = median("unsigned", "cpu_per_message")
    unsigned_rate = median("unsigned", "rate")
    figures = {"signature_s": signature, "unsigned_cpu": unsigned_cpu, "unsigned_rate": unsigned_rate}
    for kind in ("rsa", "ed25519"):
        allowed = cores / (unsigned_cpu + signature[kind])
        rate = median(kind, "rate")
        cpu = median(kind, "cpu_per_message")
        # Per round, against the unsigned run of the same round: the spread of the ratios.
        rounds = list(zip(runs["unsigned"], runs[kind]))
        of_allowed_rounds = [
            mine["rate"] / (cores / (plain["cpu_per_message"] + round_signature(kind, index)))
            for index, (plain, mine) in enumerate(rounds)]
        figures[kind] = {
            "rate": rate,
            "cpu": cpu,
            "allowed": allowed,
            "of_allowed_of_medians": rate / allowed,
            "of_allowed": statistics.median(of_allowed_rounds),
            "of_allowed_rounds": of_allowed_rounds,
            "of_unsigned": rate / unsigned_rate,
            # The relay shares the two cores: its CPU per message of this kind's runs, and the
            # rate the CPU allows once it is counted too.
            "relay_cpu": median(kind, "sink_cpu_per_message"),
            "allowed_with_relay": cores
            / (unsigned_cpu + median(kind, "sink_cpu_per_message") + signature[kind]),
            "of_unsigned_rounds": [mine["rate"] / plain["rate"] for plain, mine in rounds],
            "extra_cpu": cpu - unsigned_cpu,
            "beyond_signature": cpu - unsigned_cpu - signature[kind],
            "beyond_signature_rounds": [
                mine["cpu_per_message"] - plain["cpu_per_message"] - round_signature(kind, index)
                for index, (plain, mine) in enumerate(rounds)],
        }
    for kind in ("rsa", "ed25519"):
        figures[kind]["of_allowed_with_relay"] = figures[kind]["rate"] / figures[kind]["allowed_with_relay"]
    return figures


def write_section(args, runs, speeds, figures, info, started, finished, conditions, cores):
    spread = bench.median_range

    micro = lambda seconds: f"{seconds * 1e6:,.0f} µs"

    def share(ratio, rounds):
        """A ratio, with the range of the rounds' own ratios."""
        return f"{ratio * 100:.0f} % (rounds {min(rounds) * 100:.0f}–{max(rounds) * 100:.0f} %)"

    rsa, ed = figures["rsa"], figures["ed25519"]
    lines = [
        SECTION,
        "",
        f"Written by `Benchmarks/dkim_bench.py` on {started:%Y-%m-%d, %H:%M}–{finished:%H:%M} UTC, measuring "
        f"commit {info['commit']}; {conditions.text()}. "
        f"`inviter run` end to end at {args.members:,} members (the network of sections 1–2, ledger on tmpfs, "
        f"{bench.CONNECTIONS} connections to smtp-sink), from a fresh ledger to done, unsigned and with one `[dkim]` "
        f"key made by `inviter dkim keygen`: RSA-2048 (rsa-sha256) or Ed25519 (ed25519-sha256). {args.rounds} rounds, "
        "each running the three in turn, the order reversed every other round; a preview first checked that each "
        "configuration's messages carry exactly its signature. CPU is user plus system of the whole process "
        f"(`/usr/bin/time -v`), on {cores} cores; medians, with the range in brackets.",
        "",
        "| messages | wall | CPU per message | messages/s | of unsigned |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, label in KINDS.items():
        mine = runs[kind]
        ratio = "–" if kind == "unsigned" else share(figures[kind]["of_unsigned"], figures[kind]["of_unsigned_rounds"])
        lines.append(
            f"| {label or 'unsigned'} | {spread([run['seconds'] for run in mine], 2, 1, ' s')} | "
            f"{spread([run['cpu_per_message'] for run in mine], 0, 1e6, ' µs')} | "
            f"{spread([run['rate'] for run in mine])} | {ratio} |"
        )
    order = "; ".join(
        f"round {index + 1}: " + ", ".join(f"{kind} {rate:,.0f}" for kind, rate in entries)
        for index, entries in enumerate(args.sequence)
    )
    sink = [run["sink_cpu"] / run["seconds"] for kind in KINDS for run in runs[kind]]
    lines += [
        "",
        f"Every run in order (msg/s): {order}. smtp-sink used {spread(sink, 0, 100, ' %')} of one core during the runs, "
        "on the same two cores (not counted in Inviter's CPU).",
        "",
        f"One signature's own cost, `openssl speed -seconds {SPEED_SECONDS} rsa2048 ed25519` ({speeds[0]['version']}) "
        "on one core, before the first round and after each: RSA-2048 "
        + ", ".join(f"{speed['rsa']:,.0f}" for speed in speeds)
        + " signatures/s, Ed25519 "
        + ", ".join(f"{speed['ed25519']:,.0f}" for speed in speeds)
        + f"/s; their mean cost {micro(figures['signature_s']['rsa'])} and {micro(figures['signature_s']['ed25519'])} "
        "per signature. (Inviter makes its RSA signatures through the same libcrypto, and its Ed25519 ones through "
        "swift-crypto's BoringSSL; the cost beyond the signature below includes any difference.)",
        "",
        "| | RSA-2048 | Ed25519 |",
        "|---|---:|---:|",
        f"| CPU the rate allows: {cores} cores / (unsigned {micro(figures['unsigned_cpu'])} + one signature) | "
        f"{rsa['allowed']:,.0f} msg/s | {ed['allowed']:,.0f} msg/s |",
        f"| signed run, msg/s | {rsa['rate']:,.0f} | {ed['rate']:,.0f} |",
        f"| signed run / what the CPU allows, from the medians above | {rsa['of_allowed_of_medians'] * 100:.0f} % "
        f"| {ed['of_allowed_of_medians'] * 100:.0f} % |",
        "| the same per round, against the round's own unsigned run and the signature cost measured on either "
        f"side of it: median | {share(rsa['of_allowed'], rsa['of_allowed_rounds'])} "
        f"| {share(ed['of_allowed'], ed['of_allowed_rounds'])} |",
        f"| the same, counting the relay's CPU too: {cores} cores / (unsigned + smtp-sink's "
        f"{micro(rsa['relay_cpu'])} and {micro(ed['relay_cpu'])} + one signature) | "
        f"{rsa['allowed_with_relay']:,.0f} msg/s, {rsa['of_allowed_with_relay'] * 100:.0f} % of it | "
        f"{ed['allowed_with_relay']:,.0f} msg/s, {ed['of_allowed_with_relay'] * 100:.0f} % of it |",
        f"| signed run / unsigned ({figures['unsigned_rate']:,.0f} msg/s) | "
        f"{share(rsa['of_unsigned'], rsa['of_unsigned_rounds'])} | {share(ed['of_unsigned'], ed['of_unsigned_rounds'])} |",
        f"| CPU per message added by signing | {micro(rsa['extra_cpu'])} | {micro(ed['extra_cpu'])} |",
        f"| of which beyond the signature (canonicalization, body hash, the field) | "
        f"{micro(rsa['beyond_signature'])} (rounds {min(rsa['beyond_signature_rounds']) * 1e6:,.0f}–"
        f"{max(rsa['beyond_signature_rounds']) * 1e6:,.0f} µs) | "
        f"{micro(ed['beyond_signature'])} (rounds {min(ed['beyond_signature_rounds']) * 1e6:,.0f}–"
        f"{max(ed['beyond_signature_rounds']) * 1e6:,.0f} µs) |",
        "",
        f"- RSA-2048 signed run ≥ 80 % of the rate the CPU allows (the median of the rounds): "
        f"{rsa['of_allowed'] * 100:.0f} %: "
        f"{bench.verdict(rsa['of_allowed'] >= 0.8)}.",
        f"- Ed25519 signed run ≥ 85 % of unsigned: {ed['of_unsigned'] * 100:.0f} %: {bench.verdict(ed['of_unsigned'] >= 0.85)}.",
        f"- Per message beyond the signature: {micro(rsa['beyond_signature'])} with RSA-2048, "
        f"{micro(ed['beyond_signature'])} with Ed25519 (unsigned, the whole message costs {micro(figures['unsigned_cpu'])}).",
        "",
    ]
    section = "\n".join(lines)
    bench.replace_section(args.results, SECTION, section)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inviter", required=True, help="the release build of inviter")
    parser.add_argument("--members", type=int, default=10_000, help="members on the list (default 10 000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three runs (default 3)")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    args.inviter = os.path.abspath(args.inviter)
    started = datetime.datetime.now(datetime.timezone.utc)
    conditions = bench.Conditions()
    cores = os.cpu_count()
    # The tree measured, read as the runs start (just after make built the binary), not after them.
    info = bench.machine()

    def log(text):
        print(text, flush=True)

    folders = {
        "tmpfs": tempfile.mkdtemp(prefix="inviter-dkim-bench-", dir="/dev/shm"),
        "disk": tempfile.mkdtemp(prefix="inviter-dkim-bench-", dir="/tmp"),
    }
    sink = None
    runs = {kind: [] for kind in KINDS}
    speeds = []
    args.sequence = []
    try:
        args.templates = shutil.copytree(bench.TEMPLATES, os.path.join(folders["disk"], "Templates"))
        keys = make_keys(args.inviter, bench.fresh_folder(folders["disk"], "keys"))
        sink = bench.Sink(folders["disk"])
        log(f"DKIM: smtp-sink on {sink.url}; openssl speed:")
        speeds.append(openssl_speed())
        log(f"  RSA-2048 {speeds[-1]['rsa']:,.0f} signatures/s, Ed25519 {speeds[-1]['ed25519']:,.0f}/s")
        check_signed(args, sink, folders, keys)
        sources = os.path.join(folders["disk"], f"network-{args.members}")
        network.write_sources(sources, args.members)
        log(f"DKIM: end to end, {args.members:,} members, {args.rounds} rounds:")
        for index in range(args.rounds):
            order = list(KINDS) if index % 2 == 0 else list(reversed(KINDS))
            entries = []
            for kind in order:
                result = run(args, sink, sources, folders, kind, keys, log)
                runs[kind].append(result)
                entries.append((kind, result["rate"]))
            args.sequence.append(entries)
            speeds.append(openssl_speed())
            log(f"  openssl speed: RSA-2048 {speeds[-1]['rsa']:,.0f}/s, Ed25519 {speeds[-1]['ed25519']:,.0f}/s")
    finally:
        if sink:
            sink.stop()
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)
    finished = datetime.datetime.now(datetime.timezone.utc)
    figures = analyse(runs, speeds, cores)
    write_section(args, runs, speeds, figures, info, started, finished, conditions.finish(), cores)
    raw = os.path.join(HERE, "bin", "dkim-results.json")
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as handle:
        json.dump({"runs": runs, "openssl_speed": speeds, "figures": figures}, handle, indent=1)
    rsa, ed = figures["rsa"], figures["ed25519"]
    log(
        f"DKIM: RSA-2048 {rsa['of_allowed']:.0%} of what the CPU allows ({rsa['allowed']:,.0f} msg/s), "
        f"Ed25519 {ed['of_unsigned']:.0%} of unsigned; beyond the signature {rsa['beyond_signature'] * 1e6:.0f} µs "
        f"(RSA), {ed['beyond_signature'] * 1e6:.0f} µs (Ed25519). Wrote the DKIM section of "
        f"{os.path.relpath(args.results)} (raw figures in {os.path.relpath(raw)})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
