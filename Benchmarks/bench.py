#!/usr/bin/env python3
"""`make bench`: how fast Inviter sends, against what libcurl alone can do.

Measures, on generated networks of fictional members at example.org, sending
to Postfix's smtp-sink on a free loopback port (nothing leaves the machine):

1. end to end: `inviter run` from a fresh ledger to done, messages/s;
2. the libcurl limit: Benchmarks/curl_reference.c sending Inviter's own
   rendered messages over the same connections, and Inviter as a
   percentage of it;
3. rendering alone: `inviter preview --summary` (render and encode every
   message, write nothing) and `inviter preview` into tmpfs, messages/s;
4. memory: peak RSS from `/usr/bin/time -v`;
5. the ledger's cost: the same run with its state folder on tmpfs and on disk.

The machine is shared, so absolute figures drift with the neighbours' load.
Only comparisons made in the same stretch of time count: every Inviter run is
bracketed by two runs of the C reference (C, I, C, I, C, ...) and its ratio
is taken against the mean of those two, and the order of the ledger variants
alternates from round to round. Medians and ranges are reported, never a
single best run.

Usage (the Makefile passes the paths):
    bench.py --inviter .build/release/inviter --reference Benchmarks/bin/curl_reference
    bench.py ... --quick            # 10 000 members only
    bench.py ... --profile          # also `perf record -g` one 10 000-member run
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import network

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
# The repository's own templates. main() copies them into the run's folder
# first (args.templates), so an edit to Templates/ while the benchmark runs
# cannot change the messages half-way through.
TEMPLATES = os.path.join(REPOSITORY, "Templates")
CONNECTIONS = 4
# Any fixed value works: it signs the one-click unsubscribe links, which are part of the work measured.
SECRET = "benchmark-secret-not-used-anywhere-else"
# A run that takes longer than this is stuck, not slow.
RUN_TIMEOUT = 3600
# GNU time, from Debian's `time` package; see `timed` for when it is missing.
TIME = "/usr/bin/time"


# ---------------------------------------------------------------- the sink


class Sink:
    """Postfix's smtp-sink on a free loopback port, discarding every message.

    No `-d`: writing each message to disk would make the sink, not the
    client, the thing being measured (the smtp-sink manual warns of orders of
    magnitude). smtp-sink ignores SIGTERM, so it is stopped with SIGKILL.
    """

    def __init__(self, folder):
        self.log = os.path.join(folder, "smtp-sink.err")
        last_error = "no answer"
        # Another process may take the port between the probe and the start: try a few.
        for _ in range(5):
            self.port = free_port()
            arguments = ["/usr/sbin/smtp-sink"]
            if os.geteuid() == 0:
                arguments += ["-u", "nobody"]  # as root it must be told whom to run as
            arguments += [f"127.0.0.1:{self.port}", "100"]
            # Its complaints go to a file: a pipe nobody reads would fill up and stall the sink mid-run.
            with open(self.log, "w") as errors:
                self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=errors)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                # Exactly one listener: two sinks on one port would silently split the traffic.
                if listening(self.port) and listeners(self.port) == 1:
                    return
                time.sleep(0.02)
            with open(self.log) as errors:
                last_error = errors.read() or last_error
            self.stop()
        raise RuntimeError(f"smtp-sink did not start: {last_error}")

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def cpu_seconds(self):
        """User plus system CPU time the sink has used so far, to tell whether it was the bottleneck."""
        with open(f"/proc/{self.process.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


def free_port():
    """A loopback port nobody listens on: bind to port 0 and read what the kernel chose."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listeners(port):
    """How many sockets listen on TCP `port` (IPv4 and IPv6), from /proc/net."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                next(handle)
                for line in handle:
                    fields = line.split()
                    # local_address is ADDRESS:PORT in hex; state 0A is LISTEN.
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                        count += 1
        except FileNotFoundError:
            pass
    return count


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------- runs


def timed(arguments, environment=None):
    """Runs a command; returns wall seconds, peak RSS, CPU times and its output.

    The wall time is taken here around the whole process (start-up, loading the
    lists and the ledger's creation included: "from a fresh ledger to done").
    Peak RSS and CPU times come from `/usr/bin/time -v`, which reads them from
    the kernel's rusage of the process; where the `time` package is missing,
    the same rusage is read here with wait4.
    """
    if not os.access(TIME, os.X_OK):
        return timed_by_wait4(arguments, environment)
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as report:
        began = time.monotonic()
        completed = subprocess.run(
            [TIME, "-v", "-o", report.name] + arguments,
            env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT,
        )
        seconds = time.monotonic() - began
        usage = report.read()

    def field(name):
        match = re.search(rf"{re.escape(name)}: ([0-9.]+)", usage)
        return float(match.group(1)) if match else None

    check_exit(arguments, completed.returncode, completed.stdout, completed.stderr)
    return {
        "seconds": seconds,
        "rss_kb": int(field("Maximum resident set size (kbytes)") or 0),
        "user": field("User time (seconds)"),
        "system": field("System time (seconds)"),
        "stdout": completed.stdout,
    }


def timed_by_wait4(arguments, environment):
    """`timed` without /usr/bin/time: the child's rusage straight from wait4 (ru_maxrss is in KB on Linux)."""
    with tempfile.TemporaryFile(mode="w+") as stdout, tempfile.TemporaryFile(mode="w+") as stderr:
        began = time.monotonic()
        process = subprocess.Popen(arguments, env=environment, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output = stdout.read()
        check_exit(arguments, process.returncode, output, stderr.read())
    return {
        "seconds": seconds,
        "rss_kb": usage.ru_maxrss,
        "user": usage.ru_utime,
        "system": usage.ru_stime,
        "stdout": output,
    }


def check_exit(arguments, status, stdout, stderr):
    if status != 0:
        raise RuntimeError(f"{' '.join(arguments)} exited {status}\n{stdout}\n{stderr}")


def inviter_environment():
    environment = dict(os.environ, INVITER_SECRET=SECRET)
    environment.pop("INVITER_CONFIG", None)
    return environment


def run_inviter(inviter, config, members):
    """One `inviter run` from a fresh ledger to done; checks that every member was sent to."""
    result = timed([inviter, "run", "--config", config, "--now", network.NOW, "--json"], inviter_environment())
    summary = json.loads(result["stdout"])
    if summary["sent"] != members:
        raise RuntimeError(f"inviter sent {summary['sent']} of {members}: {summary}")
    result["rate"] = members / result["seconds"]
    return result


def run_reference(reference, sink, samples, members):
    """One run of the C reference: `members` messages, the sample messages in turn."""
    cpu_before = sink.cpu_seconds()
    result = timed([reference, sink.url + "/", str(CONNECTIONS), str(members)] + samples)
    report = json.loads(result["stdout"])
    if report["sent"] != members:
        raise RuntimeError(f"curl_reference sent {report['sent']} of {members}: {report}")
    result["rate"] = members / result["seconds"]
    # Share of one core the sink used: near 100 % would mean the sink, not libcurl, set the limit.
    result["sink_busy"] = (sink.cpu_seconds() - cpu_before) / result["seconds"]
    return result


def sync_latency(folder, count=100):
    """Median seconds of an append plus fdatasync in `folder`: what one ledger commit waits for.

    SQLite in WAL mode with synchronous = FULL syncs the WAL once per commit, so
    this probe, taken just before each disk run, says what the disk offered
    that run; a neighbour's build can make it several times slower.
    """
    timings = []
    with tempfile.NamedTemporaryFile(dir=folder) as probe:
        page = b"x" * 4096
        for _ in range(count):
            began = time.perf_counter()
            probe.write(page)
            probe.flush()
            os.fdatasync(probe.fileno())
            timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def fresh_folder(parent, label):
    return tempfile.mkdtemp(prefix=f"{label}-", dir=parent)


def end_to_end(args, sink, samples, members, rounds, variants, folders, log):
    """C, then per round each ledger variant followed by C: every Inviter run sits between two C runs.

    Returns {"load": the `inviter check` run, "runs": the runs in order, each {"kind": "c" | variant, ...}}.
    """
    sources = os.path.join(folders["disk"], f"network-{members}")
    network.write_sources(sources, members)
    runs = []
    # Loading alone (configuration, lists, templates), to tell its memory and time apart from the run's.
    config = network.write_config(
        os.path.join(fresh_folder(folders["disk"], "config"), "inviter.toml"),
        sources, sink.port, fresh_folder(folders["tmpfs"], "unused-ledger"), args.templates,
    )
    load = timed([args.inviter, "check", "--config", config, "--now", network.NOW], inviter_environment())
    log(f"  loading alone (inviter check): {load['seconds']:.2f} s, peak RSS {load['rss_kb'] / 1024:.0f} MB")

    def reference():
        result = run_reference(args.reference, sink, samples, members)
        log(f"  C reference        {result['rate']:8.0f} msg/s  ({result['seconds']:.1f} s, sink busy {result['sink_busy']:.0%})")
        runs.append(dict(result, kind="c"))

    reference()
    for round_number in range(rounds):
        # Alternate which ledger variant goes first, so a drifting load favours neither.
        order = variants if round_number % 2 == 0 else list(reversed(variants))
        for variant in order:
            state = fresh_folder(folders[variant], f"ledger-{members}")
            config = network.write_config(
                os.path.join(fresh_folder(folders["disk"], "config"), "inviter.toml"),
                sources, sink.port, state, args.templates,
            )
            sync = sync_latency(state)
            result = run_inviter(args.inviter, config, members)
            result["sync_ms"] = sync * 1000
            log(
                f"  Inviter, ledger on {variant:5s}{result['rate']:7.0f} msg/s  ({result['seconds']:.1f} s, "
                f"peak RSS {result['rss_kb'] / 1024:.0f} MB, fdatasync {sync * 1000:.2f} ms)"
            )
            runs.append(dict(result, kind=variant))
            shutil.rmtree(state, ignore_errors=True)
            reference()
    return {"load": load, "runs": runs}


def ratios(runs, variant):
    """Each Inviter run's throughput over the mean of the C runs just before and after it."""
    values = []
    for index, run in enumerate(runs):
        if run["kind"] == variant:
            before, after = runs[index - 1], runs[index + 1]
            values.append(run["rate"] / ((before["rate"] + after["rate"]) / 2))
    return values


def render(args, sink, members, folders, repetitions, log):
    """`inviter preview` of the whole list: `--summary` (render and encode only), then into tmpfs (with files).

    Returns {"summary": [runs], "files": [runs]}, alternating the two.
    """
    sources = os.path.join(folders["disk"], f"network-{members}")
    if not os.path.exists(sources):
        network.write_sources(sources, members)
    config = network.write_config(
        os.path.join(fresh_folder(folders["disk"], "config"), "inviter.toml"),
        sources, sink.port, fresh_folder(folders["tmpfs"], "unused-ledger"), args.templates,
    )
    results = {"summary": [], "files": []}
    for _ in range(repetitions):
        result = timed(
            [args.inviter, "preview", "--config", config, "--now", network.NOW, "--summary"],
            inviter_environment(),
        )
        rendered = re.search(r"Rendered (\d+) messages?", result["stdout"])
        if not rendered or int(rendered.group(1)) != members:
            raise RuntimeError(f"preview --summary rendered {rendered and rendered.group(1)} messages, not {members}")
        result["rate"] = members / result["seconds"]
        log(
            f"  inviter preview --summary {result['rate']:8.0f} msg/s  ({result['seconds']:.1f} s, "
            f"user {result['user']:.1f} s, system {result['system']:.1f} s, peak RSS {result['rss_kb'] / 1024:.0f} MB)"
        )
        results["summary"].append(result)

        output = fresh_folder(folders["tmpfs"], "preview")
        result = timed(
            [args.inviter, "preview", "--config", config, "--now", network.NOW, "--out", output],
            inviter_environment(),
        )
        written = [name for name in os.listdir(output) if name.endswith(".eml")]
        if len(written) != members:
            raise RuntimeError(f"preview wrote {len(written)} messages, not {members}")
        sizes = [os.path.getsize(os.path.join(output, name)) for name in written]
        result["rate"] = members / result["seconds"]
        result["mean_size"] = sum(sizes) / len(sizes)
        log(
            f"  inviter preview           {result['rate']:8.0f} msg/s  ({result['seconds']:.1f} s, "
            f"user {result['user']:.1f} s, system {result['system']:.1f} s, peak RSS {result['rss_kb'] / 1024:.0f} MB)"
        )
        results["files"].append(result)
        shutil.rmtree(output, ignore_errors=True)
    return results


def sample_messages(args, sink, folders):
    """Inviter's own rendered invitations, 10 per language, for the C reference to send.

    Rendered from the same generator's network, so the C program sends the
    same bytes per message (same templates, languages in the same proportion)
    as Inviter does.
    """
    sources = os.path.join(folders["disk"], "network-sample")
    network.write_sources(sources, 10 * len(network.LANGUAGES))
    config = network.write_config(
        os.path.join(sources, "inviter.toml"), sources, sink.port,
        fresh_folder(folders["tmpfs"], "unused-ledger"), args.templates,
    )
    output = os.path.join(folders["tmpfs"], "samples")
    timed([args.inviter, "preview", "--config", config, "--now", network.NOW, "--out", output], inviter_environment())
    samples = sorted(os.path.join(output, name) for name in os.listdir(output) if name.endswith(".eml"))
    with open(samples[0], "rb") as handle:
        if b"\r\n" not in handle.read(2000):
            raise RuntimeError("the sample messages lack CRLF line ends; libcurl would send bare LF")
    return samples


def profile(args, sink, members, folders, log):
    """`perf record -g` of one `inviter run` (ledger on tmpfs), and the top of `perf report`."""
    if shutil.which("perf") is None:
        log("  perf is not installed: skipping the profile")
        return None
    sources = os.path.join(folders["disk"], f"network-{members}")
    if not os.path.exists(sources):
        network.write_sources(sources, members)
    config = network.write_config(
        os.path.join(fresh_folder(folders["disk"], "config"), "inviter.toml"),
        sources, sink.port, fresh_folder(folders["tmpfs"], "ledger-profile"), args.templates,
    )
    data = os.path.join(HERE, "bin", "perf.data")
    subprocess.run(
        ["perf", "record", "-F", "499", "-g", "-o", data, "--", args.inviter, "run", "--config", config,
         "--now", network.NOW],
        env=inviter_environment(), check=True, capture_output=True, timeout=RUN_TIMEOUT,
    )
    report = os.path.join(HERE, "bin", "perf-report.txt")
    for mode, flag in (("children", "--children"), ("self", "--no-children")):
        with open(report.replace(".txt", f"-{mode}.txt"), "w") as handle:
            subprocess.run(
                ["perf", "report", "-i", data, flag, "--sort", "symbol", "--stdio", "-g", "none",
                 "--percent-limit", "0.5"],
                stdout=handle, stderr=subprocess.DEVNULL, check=True,
            )
    log(f"  perf data in {data}; reports in {report.replace('.txt', '-children.txt')} and -self.txt")
    return data


# ---------------------------------------------------------------- the report


def cpu_times():
    """The machine's CPU time so far, in ticks, as /proc/stat's first line gives it: user, nice,
    system, idle, iowait, irq, softirq, steal (guest time is counted in user already); None where
    there is no /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
        return [int(value) for value in fields[1:9]] if fields and fields[0] == "cpu" else None
    except (OSError, ValueError):
        return None


class Conditions:
    """What the machine was like while a benchmark ran: its load average at the start and the
    end, and the share of its CPU time that the hypervisor gave to other guests (steal). On a
    shared host steal can reach a third of the time; it spreads every rate and CPU figure of the
    run, so a record that does not say it cannot be compared with another."""

    def __init__(self):
        self.load = [os.getloadavg()[0]]
        self.start = cpu_times()
        self.steal = None

    def finish(self):
        self.load.append(os.getloadavg()[0])
        end = cpu_times()
        if self.start and end and len(end) == len(self.start) == 8:
            spent = [after - before for before, after in zip(self.start, end)]
            if sum(spent) > 0:
                self.steal = spent[7] / sum(spent)
        return self

    def text(self):
        """`load average 1.07 at the start, 1.40 at the end; 3 % of the CPU time stolen by the
        host`, for a section's header."""
        text = f"load average {self.load[0]:.2f} at the start, {self.load[-1]:.2f} at the end"
        if self.steal is not None:
            text += f"; {self.steal * 100:.0f} % of the CPU time stolen by the host for other machines (steal)"
        return text


def machine():
    def output(arguments):
        try:
            return subprocess.run(arguments, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"

    model = re.search(r"Model name:\s*(.+)", output(["lscpu"]))
    with open("/proc/meminfo") as handle:
        memory_kb = int(re.search(r"MemTotal:\s*(\d+)", handle.read()).group(1))
    # The tree measured: the other half of every figure, and whether it differs from its commit.
    code = ["Sources", "Templates", "Package.swift"]
    commit = output(["git", "-C", REPOSITORY, "rev-parse", "--short", "HEAD"])
    last_change = output(["git", "-C", REPOSITORY, "log", "-1", "--format=%h", "--"] + code)
    dirty = output(["git", "-C", REPOSITORY, "status", "--porcelain", "--"] + code)
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": memory_kb / 1024 / 1024,
        "kernel": platform.release(),
        "swift": output(["swift", "--version"]).splitlines()[0] if shutil.which("swift") else "unknown",
        "curl": output(["curl-config", "--version"]) or "unknown",
        "postfix": output(["/usr/sbin/postconf", "-d", "-h", "mail_version"]),
        "disk": output(["findmnt", "-no", "SOURCE,FSTYPE", "--target", "/tmp"]),
        "commit": f"{commit} (Sources and Templates as of {last_change})"
        + (" with uncommitted changes to them" if dirty else ""),
    }


def median_range(values, digits=0, scale=1.0, suffix=""):
    """`median (min–max)`, or the median alone for one value: the other benchmarks' sections,
    whose headers say how many rounds there were."""
    shown = [value * scale for value in values]
    text = f"{statistics.median(shown):,.{digits}f}{suffix}"
    if len(shown) > 1:
        text += f" ({min(shown):,.{digits}f}–{max(shown):,.{digits}f})"
    return text


def spread(values, digits=0, scale=1.0, suffix=""):
    """`median (min–max, n runs)`."""
    if not values:
        return "–"
    shown = [value * scale for value in values]
    text = f"{statistics.median(shown):,.{digits}f}{suffix}"
    if len(shown) > 1:
        text += f" ({min(shown):,.{digits}f}–{max(shown):,.{digits}f}, {len(shown)} runs)"
    else:
        text += " (1 run)"
    return text


def replace_section(path, title, section):
    """Writes `section` into the results file at `path` in place of the section headed `title`
    (up to the next `## ` heading), or at its end: each benchmark rewrites its own part only."""
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmark results\n"
    if title in text:
        start = text.index(title)
        following = text.find("\n## ", start + len(title))
        text = text[:start] + section + (text[following + 1:] if following >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def verdict(met):
    return "met" if met else "**not met**"


def megabytes(run):
    return run["rss_kb"] / 1024


def write_results(path, info, started, finished, args, sizes, results, rendering, sample_kb, conditions):
    """Benchmarks/RESULTS.md: the set-up, then one section per question of the issue, then the targets."""
    mode = " BENCH_QUICK=1" if args.quick else ""
    out = []
    add = out.append
    add("# Benchmark results\n")
    add(
        f"Written by `make bench{mode}` (Benchmarks/bench.py) on {started:%Y-%m-%d}, "
        f"{started:%H:%M}–{finished:%H:%M} UTC ({(finished - started).total_seconds() / 60:.1f} min), "
        f"measuring commit {info['commit']}. Figures are medians, with the range (min–max) and the "
        "number of runs in brackets.\n"
    )
    add("## Machine\n")
    add(f"- CPU: {info['cpu']}, {info['cores']} cores; {info['memory_gb']:.0f} GB memory; Linux {info['kernel']}")
    add(f"- {info['swift']}; libcurl {info['curl'].replace('libcurl ', '')}; Postfix smtp-sink {info['postfix']}")
    add(f"- Ledger \"on disk\": /tmp, {info['disk']}; \"on tmpfs\": /dev/shm")
    add(
        f"- {conditions.text()[:1].upper()}{conditions.text()[1:]}. The machine is "
        "shared, so absolute rates drift; ratios compare each Inviter run with C runs made right before and after it.\n"
    )
    add("## Set-up\n")
    add(
        "- Network (`Benchmarks/network.py`): fictional members at example.org; languages en, da, de, pl, uk, ar in "
        f"equal shares; one event whose invitation is due at `--now {network.NOW}`; the repository's `Templates/`. "
        "Each invitation has text, HTML and calendar parts, an .ics attachment and a signed one-click unsubscribe link."
    )
    if rendering and rendering["runs"]["files"]:
        add(
            f"- Message size: {rendering['runs']['files'][0]['mean_size'] / 1024:.1f} KB on average over all {rendering['members']:,} "
            f"rendered; the C reference's 60 samples average {sample_kb:.1f} KB. Ukrainian and Arabic parts are base64 and larger."
        )
    add(
        f"- Delivery: `transport = \"smtp\"`, `connections = {CONNECTIONS}`, `rate = \"1000000/s\"` (never throttles), "
        "`tls = \"none\"`, to Postfix `smtp-sink` on a free loopback port, which discards the messages."
    )
    add(
        "- Inviter: release build; every run starts from a fresh ledger folder. C reference (`Benchmarks/curl_reference.c`, "
        f"`cc -O2`): the libcurl multi interface with {CONNECTIONS} easy handles, each reused for message after message "
        "(one connection each), one transaction per recipient, sending Inviter's own rendered invitations (10 per language, in turn)."
    )
    add("\nCommands (paths shortened):\n")
    add("```sh")
    add("smtp-sink -u nobody 127.0.0.1:$PORT 100")
    add(f"/usr/bin/time -v inviter run --config $NET/inviter.toml --now {network.NOW} --json")
    add(f"/usr/bin/time -v Benchmarks/bin/curl_reference smtp://127.0.0.1:$PORT/ {CONNECTIONS} $N $SAMPLES/*.eml")
    add(f"/usr/bin/time -v inviter preview --config $NET/inviter.toml --now {network.NOW} --out /dev/shm/…")
    add(f"/usr/bin/time -v inviter check --config $NET/inviter.toml --now {network.NOW}")
    add("```\n")

    add("## 1–2. End to end, and Inviter against the libcurl limit\n")
    add(
        "Per size: C, then for each round one Inviter run per ledger variant (the variant that goes first alternates), "
        "each followed by C. Rates are messages over the whole process's wall time (start-up, loading and a fresh "
        "ledger included). A ratio is an Inviter run's rate over the mean of the C runs just before and after it.\n"
    )
    add("| members | ledger | Inviter msg/s | C reference msg/s | Inviter / C |")
    add("|---:|---|---:|---:|---:|")
    for members in sizes:
        runs = results[members]["runs"]
        c_rates = [run["rate"] for run in runs if run["kind"] == "c"]
        for variant in ("tmpfs", "disk"):
            mine = [run["rate"] for run in runs if run["kind"] == variant]
            if mine:
                add(
                    f"| {members:,} | {variant} | {spread(mine)} | {spread(c_rates)} | "
                    f"{spread(ratios(runs, variant), 1, 100, ' %')} |"
                )
    add("\nEvery run in order (msg/s):\n")
    for members in sizes:
        sequence = ", ".join(
            f"{'C' if run['kind'] == 'c' else 'Inviter/' + run['kind']} {run['rate']:,.0f}"
            for run in results[members]["runs"]
        )
        add(f"- {members:,}: {sequence}")
    busy = [run["sink_busy"] for members in sizes for run in results[members]["runs"] if run["kind"] == "c"]
    add(
        f"\nsmtp-sink used {spread(busy, 0, 100, ' %')} of one core during the C runs: well below 100 %, so "
        "the sink did not set the limit." if busy and max(busy) < 0.9 else
        f"\nsmtp-sink used {spread(busy, 0, 100, ' %')} of one core during the C runs: near 100 %, the sink "
        "may have set the C limit, which makes the ratios flattering."
    )

    add("\n## 3. Rendering alone\n")
    if rendering:
        load = results[rendering["members"]]["load"]
        for key, what in (
            ("summary", "`inviter preview --summary` (every message rendered and encoded as a run would, nothing written)"),
            ("files", "`inviter preview` into /dev/shm (an .eml and an .html file per message, and an index.html)"),
        ):
            runs = rendering["runs"][key]
            add(
                f"- {what}, {rendering['members']:,} members: {spread([run['rate'] for run in runs])} messages/s; "
                f"wall {spread([run['seconds'] for run in runs], 1, 1, ' s')}, of which user "
                f"{spread([run['user'] for run in runs], 1, 1, ' s')} and system "
                f"{spread([run['system'] for run in runs], 1, 1, ' s')} (on both cores); peak RSS "
                f"{spread([megabytes(run) for run in runs], 0, 1, ' MB')}."
            )
        add(
            f"- Both include loading the network (`inviter check` of the same network takes {load['seconds']:.1f} s, "
            "on one core). The files, 200,000 of them at 100,000 members, are what the system time mostly is.\n"
        )

    add("## 4. Memory\n")
    add("| members | `inviter run` peak RSS | loading alone (`inviter check`) |")
    add("|---:|---:|---:|")
    peaks = {}
    for members in sizes:
        runs = [run for run in results[members]["runs"] if run["kind"] not in ("c",)]
        peaks[members] = statistics.median(megabytes(run) for run in runs)
        add(
            f"| {members:,} | {spread([megabytes(run) for run in runs], 0, 1, ' MB')} | "
            f"{megabytes(results[members]['load']):.0f} MB |"
        )
    add("")

    add("## 5. Ledger on tmpfs and on disk\n")
    measured = False
    for members in sizes:
        runs = results[members]["runs"]
        tmpfs = [run["rate"] for run in runs if run["kind"] == "tmpfs"]
        disk = [run["rate"] for run in runs if run["kind"] == "disk"]
        if tmpfs and disk:
            measured = True
            # What the disk adds to each message, next to what one sync cost: their quotient is
            # roughly the number of synchronous commits per message.
            extra_ms = (1 / statistics.median(disk) - 1 / statistics.median(tmpfs)) * 1000
            syncs = [run["sync_ms"] for run in runs if run["kind"] == "disk"]
            add(
                f"- {members:,} members: tmpfs {spread(tmpfs)} msg/s, disk {spread(disk)} msg/s: on disk a run "
                f"reaches {statistics.median(disk) / statistics.median(tmpfs):.0%} of the tmpfs rate, "
                f"{extra_ms:.2f} ms more per message."
            )
            add(
                f"- An append plus `fdatasync` on /tmp, probed just before each disk run: {spread(syncs, 2, 1, ' ms')}; "
                f"the extra time per message is {extra_ms / statistics.median(syncs):.1f} times the median sync."
            )
    if not measured:
        add("- Not measured in this run.")
    add("")

    add("## Targets\n")
    for members in sizes:
        for variant in ("tmpfs", "disk"):
            values = ratios(results[members]["runs"], variant)
            if values:
                median = statistics.median(values)
                add(
                    f"- End to end ≥ 80 % of the C limit ({members:,} members, ledger on {variant}): "
                    f"{median:.1%}: {verdict(median >= 0.8)}."
                )
    largest = max(sizes)
    if largest >= 100_000:
        add(f"- Peak RSS ≤ 150 MB at {largest:,} members: {peaks[largest]:.0f} MB: {verdict(peaks[largest] <= 150)}.")
        if 10_000 in peaks:
            factor = peaks[largest] / peaks[10_000]
            add(f"- Peak RSS at {largest:,} < 2 × the 10,000 figure: {factor:.2f} ×: {verdict(factor < 2)}.")
    else:
        add("- The memory targets need the 100,000-member run, which this run left out.")
    if rendering:
        rate = statistics.median([run["rate"] for run in rendering["runs"]["summary"]])
        add(f"- Rendering ≥ 10,000 messages/s (`preview --summary`): {rate:,.0f}: {verdict(rate >= 10_000)}.")
        rate = statistics.median([run["rate"] for run in rendering["runs"]["files"]])
        add(f"- The same with a file per message (`preview` into tmpfs): {rate:,.0f} messages/s.")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inviter", required=True, help="the release build of inviter")
    parser.add_argument("--reference", required=True, help="the compiled curl_reference")
    parser.add_argument("--quick", action="store_true", help="10 000 members only")
    parser.add_argument("--rounds", type=int, default=3, help="rounds at 10 000 members (default 3)")
    parser.add_argument("--large-rounds", type=int, default=1, help="rounds at 100 000 members (default 1)")
    parser.add_argument("--sizes", help="comma-separated list sizes instead (for trying the harness out)")
    parser.add_argument("--profile", action="store_true", help="also perf-record one 10 000-member run")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    args.inviter = os.path.abspath(args.inviter)
    args.reference = os.path.abspath(args.reference)

    started = datetime.datetime.now(datetime.timezone.utc)
    conditions = Conditions()

    def log(text):
        print(text, flush=True)

    # Ledgers and previews on tmpfs or disk as each measurement needs; lists and configurations on disk.
    folders = {
        "tmpfs": tempfile.mkdtemp(prefix="inviter-bench-", dir="/dev/shm"),
        "disk": tempfile.mkdtemp(prefix="inviter-bench-", dir="/tmp"),
    }
    sink = None
    try:
        args.templates = shutil.copytree(TEMPLATES, os.path.join(folders["disk"], "Templates"))
        sink = Sink(folders["disk"])
        log(f"smtp-sink on {sink.url}")
        samples = sample_messages(args, sink, folders)
        sizes = [10_000] if args.quick else [10_000, 100_000]
        if args.sizes:
            sizes = [int(size) for size in args.sizes.split(",")]
        results = {}
        for members in sizes:
            log(f"End to end, {members:,} members:")
            large = members >= 100_000
            # At 100 000 one Inviter run takes minutes while Inviter renders slowly; the disk
            # variant is measured at 10 000 only, where it takes seconds.
            variants = ["tmpfs"] if large else ["tmpfs", "disk"]
            rounds = args.large_rounds if large else args.rounds
            results[members] = end_to_end(args, sink, samples, members, rounds, variants, folders, log)
        rendered = max(sizes)
        log(f"Rendering, {rendered:,} members:")
        rendering = {"members": rendered, "runs": render(args, sink, rendered, folders, 1, log)}
        sample_kb = statistics.mean(os.path.getsize(sample) for sample in samples) / 1024
        if args.profile:
            log("Profile, 10,000 members:")
            profile(args, sink, 10_000, folders, log)
    finally:
        if sink:
            sink.stop()
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)

    finished = datetime.datetime.now(datetime.timezone.utc)
    write_results(
        args.results, machine(), started, finished, args, sizes, results, rendering, sample_kb,
        conditions.finish(),
    )
    raw = os.path.join(HERE, "bin", "results.json")
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as handle:
        strip = lambda run: {key: value for key, value in run.items() if key != "stdout"}
        json.dump(
            {
                "results": {
                    str(size): {"load": strip(measured["load"]), "runs": [strip(run) for run in measured["runs"]]}
                    for size, measured in results.items()
                },
                "rendering": {key: [strip(run) for run in runs] for key, runs in rendering["runs"].items()},
            },
            handle, indent=1,
        )
    log(f"Wrote {os.path.relpath(args.results)} (raw figures in {os.path.relpath(raw)}) after "
        f"{(finished - started).total_seconds() / 60:.1f} min.")


if __name__ == "__main__":
    sys.exit(main())
