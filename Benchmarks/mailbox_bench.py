#!/usr/bin/env python3
"""`make bench`'s fifth part: how fast `inviter mailbox` reads a bounce mailbox, and in how much memory.

A generated network (network.py's, at 10 000 members, with `[web]`, a VERP `return_path` and
`[mailbox]`) sends its invitation once to Postfix's smtp-sink on loopback, which captures each
message's envelope sender (its VERP address). Then, per round, a private Dovecot (STARTTLS with a
throwaway certificate, AUTH, on a free loopback port, its own config and Maildir) gets one
Postfix-shaped hard bounce (Tests/Fixtures/Mailbox/postfix-hard.eml) per member, addressed to
that member's VERP address, and one release `inviter mailbox` reads them all over libcurl IMAP
into a copy of the ledger as the send left it (on disk, as in production). Wall time and peak
RSS come from `/usr/bin/time -v`; the same at 1 000 bounces shows whether memory grows with the
count. After each round every member must be suppressed as bounced and every message read.

Targets (the issue's): 10 000 bounces in at most 10 s, and memory that does not grow with the
count. The figures replace the "The mailbox" section of RESULTS.md; nothing here asserts a time,
and the script fails only when a round's result is wrong.
"""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import bench
import network

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
SECTION = "## 9. The mailbox"
FIXTURE = os.path.join(REPOSITORY, "Tests", "Fixtures", "Mailbox", "postfix-hard.eml")
USER = "bounces@example.org"
PASSWORD = "benchmark-mailbox-password"
MAIL_OWNER = 65534  # nobody/nogroup: the static userdb's uid and gid


class CaptureSink:
    """smtp-sink writing each message to a file (`-d`): only for the one send that sets the bench
    up, so the envelope senders can be read back; the measured part never touches it."""

    def __init__(self, folder):
        self.folder = os.path.join(folder, "capture")
        os.makedirs(self.folder)
        os.chmod(self.folder, 0o777)
        self.port = bench.free_port()
        arguments = ["/usr/sbin/smtp-sink"]
        if os.geteuid() == 0:
            arguments += ["-u", "nobody"]
        arguments += ["-d", self.folder + "/%M.", f"127.0.0.1:{self.port}", "100"]
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not bench.listening(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("smtp-sink did not start")
            time.sleep(0.02)

    def envelopes(self):
        """{recipient: envelope sender} of every captured message, once the files stop growing."""
        previous = None
        while True:
            sizes = {name: os.path.getsize(os.path.join(self.folder, name)) for name in os.listdir(self.folder)}
            if sizes == previous:
                break
            previous = sizes
            time.sleep(0.3)
        senders = {}
        for name in sizes:
            sender, recipients = "", []
            with open(os.path.join(self.folder, name), encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if not line.startswith("X-"):
                        break
                    if line.startswith("X-Mail-Args: "):
                        sender = line[13:].split()[0].strip("<>")
                    if line.startswith("X-Rcpt-Args: "):
                        recipients.append(line[13:].split()[0].strip("<>"))
            for recipient in recipients:
                senders[recipient] = sender
        return senders

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Dovecot:
    """A private Dovecot as Tests/InviterTestSupport/DovecotServer.swift starts one."""

    def __init__(self, folder, certificate, key):
        self.folder = folder
        self.home = os.path.join(folder, "home")
        self.maildir = os.path.join(self.home, "Maildir")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.maildir, sub))
        for path in (self.home, self.maildir, *[os.path.join(self.maildir, s) for s in ("new", "cur", "tmp")]):
            os.chown(path, MAIL_OWNER, MAIL_OWNER)
        os.chmod(folder, 0o755)
        passwd = os.path.join(folder, "passwd")
        with open(passwd, "w") as handle:
            handle.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        os.chmod(passwd, 0o644)
        self.certificate, self.key = certificate, key
        self.process = None

    def deliver(self, messages):
        """Each message into the Maildir as a delivery agent writes it: tmp/, then new/."""
        stamp = int(time.time())
        for number, data in enumerate(messages):
            name = f"{stamp}.{number:06d}.bench"
            temporary = os.path.join(self.maildir, "tmp", name)
            with open(temporary, "wb") as handle:
                handle.write(data)
                os.fchown(handle.fileno(), MAIL_OWNER, MAIL_OWNER)
            os.rename(temporary, os.path.join(self.maildir, "new", name))

    def start(self):
        for _ in range(5):
            self.port = bench.free_port()
            config = os.path.join(self.folder, "dovecot.conf")
            with open(config, "w") as handle:
                handle.write(f"""base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/passwd
}}
userdb {{
  driver = static
  args = uid={MAIL_OWNER} gid={MAIL_OWNER} home={self.home}
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
ssl = required
ssl_cert = <{self.certificate}
ssl_key = <{self.key}
disable_plaintext_auth = yes
""")
            self.process = subprocess.Popen(
                ["dovecot", "-F", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.process.poll() is None:
                if bench.listening(self.port):
                    return
                time.sleep(0.02)
            self.stop()
        raise RuntimeError(f"dovecot did not start; see {self.folder}/dovecot.log")

    def seen(self):
        """How many messages carry \\Seen (`:2,…S` in cur/), and how many there are."""
        names = os.listdir(os.path.join(self.maildir, "cur")) + os.listdir(os.path.join(self.maildir, "new"))
        return sum(1 for name in names if ":2," in name and "S" in name.split(":2,")[1]), len(names)

    def stop(self):
        """The master and its children at once (on SIGTERM the master waits seconds for its log)."""
        if self.process and self.process.poll() is None:
            children = [
                int(pid) for pid in os.listdir("/proc") if pid.isdigit()
                and self._parent(pid) == self.process.pid]
            self.process.kill()
            for child in children:
                try:
                    os.kill(child, 9)
                except ProcessLookupError:
                    pass
            self.process.wait()

    @staticmethod
    def _parent(pid):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                return int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None


def write_config(path, sources, sink_port, state, templates, mailbox_port, certificate):
    network.write_config(path, sources, sink_port, state, templates)
    text = open(path, encoding="utf-8").read().replace(
        f"state = {network.toml_string(state)}",
        f'state = {network.toml_string(state)}\nreturn_path = "bounces+{{token}}@example.org"')
    text += f"""
[web]
base_url = "http://127.0.0.1:9/inviter"
secret_env = "INVITER_SECRET"

[mailbox]
url = "imap://127.0.0.1:{mailbox_port}/INBOX"
username = "{USER}"
password_env = "INVITER_MAILBOX_PASSWORD"
ca_file = {network.toml_string(certificate)}
"""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def bounces(senders, count):
    """`count` hard bounces, one per member, each to that member's VERP address."""
    template = open(FIXTURE, "rb").read()
    messages = []
    for recipient, sender in sorted(senders.items())[:count]:
        data = template
        for placeholder, value in (
            ("VERP_ADDRESS", sender), ("FROM_ADDRESS", "events@example.org"), ("RECIPIENT", recipient),
            ("MESSAGE_ID", f"returned-{recipient}"), ("MAILING", "invitation/spring-dinner/2027-03-03"),
            ("UNSUBSCRIBE_ADDRESS", "hello@example.org"), ("UNSUBSCRIBE_SUBJECT", "unsubscribe"),
            ("DATE", "Wed, 17 Feb 2027 18:30:00 +0100"),
        ):
            data = data.replace(b"{{" + placeholder.encode() + b"}}", value.encode())
        messages.append(data)
    return messages


def one_round(args, parent, sent_state, senders, count, certificate, key, index, log):
    folder = bench.fresh_folder(parent, f"round-{count}-{index}")
    os.chmod(folder, 0o755)  # Dovecot's auth process (user dovecot) reads the passwd file below it
    state = os.path.join(folder, "state")
    shutil.copytree(sent_state, state)
    dovecot = Dovecot(os.path.join(folder, "dovecot"), certificate, key)
    try:
        dovecot.deliver(bounces(senders, count))
        dovecot.start()
        config = os.path.join(folder, "inviter.toml")
        write_config(config, args.sources, 9, state, args.templates, dovecot.port, certificate)
        environment = dict(bench.inviter_environment(), INVITER_MAILBOX_PASSWORD=PASSWORD)
        result = bench.timed([args.inviter, "mailbox", "--config", config], environment)
        seen, total = dovecot.seen()
    finally:
        dovecot.stop()
    summary = result["stdout"].strip().splitlines()[-1] if result["stdout"].strip() else ""
    ledger = sqlite3.connect(os.path.join(state, "ledger.sqlite"))
    try:
        suppressed = ledger.execute(
            "SELECT COUNT(*) FROM suppression WHERE reason LIKE 'bounced: 5.1.1%'").fetchone()[0]
        recorded = ledger.execute("SELECT COUNT(*) FROM inbound WHERE disposition = 'bounce'").fetchone()[0]
    finally:
        ledger.close()
    result.update(
        count=count, rate=count / result["seconds"], seen=seen, total=total, suppressed=suppressed,
        recorded=recorded, summary=summary,
        holds=suppressed == count and recorded == count and seen == count and total == count)
    log(f"  {count:>6,} bounces: {result['seconds']:.2f} s, {result['rate']:,.0f}/s, "
        f"peak {result['rss_kb'] / 1024:.1f} MB; {suppressed:,} suppressed, {seen:,} of {total:,} read"
        + ("" if result["holds"] else "  ** wrong **"))
    if result["holds"]:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inviter", required=True, help="the release build of inviter")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="the smaller count, for memory growth")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    args.inviter = os.path.abspath(args.inviter)
    started = datetime.datetime.now(datetime.timezone.utc)
    conditions = bench.Conditions()

    def log(text):
        print(text, flush=True)

    parent = tempfile.mkdtemp(prefix="inviter-mailbox-bench-", dir="/tmp")
    args.templates = os.path.join(parent, "Templates")
    shutil.copytree(bench.TEMPLATES, args.templates)
    args.sources = os.path.join(parent, "network")
    network.write_sources(args.sources, args.members)
    certificate, key = os.path.join(parent, "mail.crt"), os.path.join(parent, "mail.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=inviter-bench",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate],
        check=True, capture_output=True)
    os.chmod(key, 0o644)
    os.chmod(parent, 0o755)

    log(f"The mailbox: sending the invitation to {args.members:,} members once, with VERP return paths...")
    sink = CaptureSink(parent)
    sent_state = os.path.join(parent, "sent-state")
    try:
        config = os.path.join(parent, "send", "inviter.toml")
        write_config(config, args.sources, sink.port, sent_state, args.templates, 9, certificate)
        bench.timed([args.inviter, "run", "--config", config, "--now", network.NOW],
                    dict(bench.inviter_environment(), INVITER_MAILBOX_PASSWORD=PASSWORD))
        senders = sink.envelopes()
    finally:
        sink.stop()
    if len(senders) != args.members or not all(s.startswith("bounces+") for s in senders.values()):
        raise RuntimeError(f"expected {args.members} VERP senders, captured {len(senders)}")
    rounds = {args.small: [], args.members: []}
    for index in range(args.rounds):
        # Alternate the order, so that a drifting load favours neither size.
        for count in ([args.small, args.members] if index % 2 == 0 else [args.members, args.small]):
            rounds[count].append(one_round(args, parent, sent_state, senders, count, certificate, key, index, log))
    finished = datetime.datetime.now(datetime.timezone.utc)
    held = all(result["holds"] for results in rounds.values() for result in results)
    write_section(args, rounds, bench.machine(), started, finished, conditions.finish(), held)
    raw = os.path.join(HERE, "bin", "mailbox-results.json")
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as handle:
        json.dump({str(k): v for k, v in rounds.items()}, handle, indent=1)
    if held:
        shutil.rmtree(parent, ignore_errors=True)
        log(f"Wrote the mailbox section of {os.path.relpath(args.results)} (raw figures in {os.path.relpath(raw)}).")
        return 0
    log(f"A round's result is wrong: see {os.path.relpath(raw)} and {parent}.")
    return 1


def write_section(args, rounds, info, started, finished, conditions, held):
    def spread(values, digits=0, suffix=""):
        return bench.median_range(values, digits, suffix=suffix)

    large, small = rounds[args.members], rounds[args.small]
    seconds = statistics.median(r["seconds"] for r in large)
    peak_large = statistics.median(r["rss_kb"] for r in large) / 1024
    peak_small = statistics.median(r["rss_kb"] for r in small) / 1024
    lines = [
        SECTION,
        "",
        f"Written by `Benchmarks/mailbox_bench.py` on {started:%Y-%m-%d, %H:%M}–{finished:%H:%M} UTC, measuring "
        f"commit {info['commit']}; {conditions.text()}. "
        f"One release `inviter mailbox` reading a private Dovecot on loopback (STARTTLS, AUTH, a Maildir on ext4) "
        f"that holds one Postfix-shaped hard bounce per member, each to the member's own VERP address, into a copy "
        f"of the ledger (on disk) that the network's {args.members:,}-member invitation left; from the process's "
        f"start to its exit: three connections (one searches 1,000 UIDs at a time and sets flags, two fetch "
        f"50-message chunks ahead on the folder opened read-only), then per chunk one `UID STORE` and one "
        f"ledger transaction (the bounces, the suppressions, the position). {args.rounds} rounds of each count, alternating; medians, with the "
        "range in brackets. Peak RSS from `/usr/bin/time -v`; CPU is Inviter's alone (user plus system), Dovecot "
        "runs on the same two cores.",
        "",
        "| bounces | wall | bounces/s | CPU per bounce | peak RSS | result |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for count, results in ((args.small, small), (args.members, large)):
        cpu = [(r["user"] + r["system"]) / count * 1e6 for r in results]
        good = sum(1 for r in results if r["holds"])
        lines.append(
            f"| {count:,} | {spread([r['seconds'] for r in results], 2, ' s')} | {spread([r['rate'] for r in results])} | "
            f"{spread(cpu, 0, ' µs')} | {spread([r['rss_kb'] / 1024 for r in results], 1, ' MB')} | "
            f"every member suppressed and every message read in {good} of {len(results)} rounds |")
    lines += [
        "",
        f"- {args.members:,} bounces in at most 10 s: {seconds:.2f} s: " + ("met." if seconds <= 10 else "**not met**."),
        f"- Memory that does not grow with the count: peak {peak_small:.1f} MB at {args.small:,}, "
        f"{peak_large:.1f} MB at {args.members:,} ({peak_large - peak_small:+.1f} MB for "
        f"{args.members - args.small:,} more): " + ("met." if peak_large - peak_small < 10 else "**not met**."),
        "",
    ]
    section = "\n".join(lines)
    bench.replace_section(args.results, SECTION, section)


if __name__ == "__main__":
    sys.exit(main())
