"""Scale benchmark: `pli sync` and the archive's reads at 10,000, 100,000 and 1,000,000 messages.

    .venv/bin/python -m bench.scale_bench [--sizes 10000,100000,1000000] [--repeat 10]

Issue 15, item 3 ("linear to a million"). For each size, on the test suite's Dovecot
(tests/servers), a mailbox of small text messages is generated and seeded, then:

- `pli sync --json --no-index` into a fresh profile, a separate process: the time to the list
  complete and to every body archived (its own report, from the sync's start in the process),
  the process's wall and CPU time and its peak RSS (``VmHWM``, read while it runs);
- in this process, with the services opened as the window opens them: opening the largest
  folder (`ArchiveService.page`, the first page of 200, cold then warm), full-text search
  (`ArchiveService.search_page`, the window's call) over a set of realistic queries with and
  without filters, and no-change resyncs (`SyncService.sync`);
- a no-change `pli sync --json --no-index` process.

The mailbox: messages of the text corpus (bench/corpus.py, ``text`` mode, 10,000 messages,
cached) used as a pool; message ``i`` of a mailbox of N is pool message ``i % 10000`` with its
body cut to about 1 KB ("small bodies"; multipart ones kept whole), its Message-ID, In-Reply-To
and References made unique per pool cycle (threads stay threads) and its Date and arrival time
spread evenly over the corpus's two years, in UID order. Folders as in the pool (INBOX, Sent,
Archive). Maildir files are written directly and indexed by one ``doveadm force-resync`` per
folder (a million in a few minutes).

Results: the ``scale-bench`` section of docs/benchmarks.md and bench/work/results/scale.json.
``--py-spy FILE`` records the first sync of each size with py-spy (collapsed stacks, to find
where the time goes; the figures of such a run are not reported).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import (
    PASSPHRASE,
    WORK,
    PliProfile,
    Servers,
    _vm_hwm,
    as_json_safe,
    fmt_mb,
    fmt_s,
    machine,
    machine_lines,
    median,
    percentile,
)
from bench.corpus import END, START, Corpus, load_or_generate
from bench.search_bench import queries as search_queries

POOL_SIZE = 10_000
BODY_CAP = 1_000  # bytes of a single-part body kept ("small bodies")
PAGE = 200  # the window's page of the message list
UNSEEN_TAIL = 0.03
TARGET_LIST_RATIO = 10.0
TARGET_RSS = 300 * 1024 * 1024
TARGET_OPEN = 0.100
TARGET_SEARCH_P95 = 0.020
TARGET_RESYNC = 1.0
RESYNCS = 5
_MSGID = re.compile(rb"<(\d{14}\.[0-9a-f]{10})@")
_DATE = re.compile(rb"^Date: [^\n]*\n", re.MULTILINE)
_MAILDIR_FLAG_SEEN = "S"


# -- the mailbox ----------------------------------------------------------------------------------


def _small(raw: bytes) -> bytes:
    """The message with its body cut to about `BODY_CAP` bytes (at a line end)."""
    head, sep, body = raw.partition(b"\n\n")
    if not sep or len(body) <= BODY_CAP or b"multipart/" in head.lower():
        return raw
    cut = body.rfind(b"\n", 0, BODY_CAP)
    return head + sep + body[: cut + 1 if cut > 0 else BODY_CAP]


def _message(pool: list[bytes], index: int, when: int) -> bytes:
    raw = pool[index % len(pool)]
    cycle = index // len(pool)
    head, sep, body = raw.partition(b"\n\n")
    if cycle:
        head = _MSGID.sub(b"<\\1.c" + str(cycle).encode() + b"@", head)
    date = formatdate(when - 20, localtime=False).encode()
    head = _DATE.sub(b"Date: " + date + b"\n", head, count=1)
    return head + sep + body


@dataclass
class Seeded:
    """A generated mailbox in Dovecot."""

    count: int
    seconds: float
    bytes: int
    folders: dict[str, int]


def seed_mailbox(servers: Servers, user: str, pool_corpus: Corpus, count: int) -> Seeded:
    """Write `count` small messages as maildir files, then let Dovecot index each folder."""
    dovecot = servers.dovecot
    started = time.perf_counter()
    pool = [_small(r) for r in pool_corpus.iter_raw()]
    pool_folders = pool_corpus.folders
    span = END.timestamp() - START.timestamp()
    base = START.timestamp()
    cut = count - int(count * UNSEEN_TAIL)
    paths: dict[str, Path] = {}
    counts: dict[str, int] = {}
    chown = os.geteuid() == 0
    uid, gid = dovecot.run_as.uid, dovecot.run_as.gid
    total = 0
    for folder in dict.fromkeys(pool_folders):
        dovecot._ensure_folder(user, folder)  # the maildir, created as Dovecot does
        paths[folder] = dovecot.maildir(user, folder)
        counts[folder] = 0
    stamp = int(time.time())
    for i in range(count):
        when = int(base + span * (i + 0.5) / count)
        raw = _message(pool, i, when)
        folder = pool_folders[i % len(pool)]
        path = paths[folder]
        vsize = len(raw) + raw.count(b"\n") - raw.count(b"\r\n")
        flags = _MAILDIR_FLAG_SEEN if i < cut else ""
        name = f"{stamp}.M{i}P{os.getpid()}Q{i}.pli-scale,S={len(raw)},W={vsize}:2,{flags}"
        tmp = path / "tmp" / name
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, raw)
            if chown:
                os.fchown(fd, uid, gid)
        finally:
            os.close(fd)
        os.utime(tmp, (when, when))
        tmp.rename(path / "cur" / name)
        counts[folder] += 1
        total += len(raw)
        if (i + 1) % 100_000 == 0:
            print(f"    seeded {i + 1:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    for folder in paths:
        dovecot.doveadm("force-resync", "-u", user, folder)
    return Seeded(count, time.perf_counter() - started, total, counts)


def remove_mailbox(servers: Servers, user: str) -> None:
    """Delete a user's maildir and Dovecot's index of it (disk space for the next size)."""
    local, domain = user.split("@", 1)
    root = servers.dovecot.root
    assert root is not None
    for sub in ("mail", "index", "control"):
        shutil.rmtree(root / sub / domain / local, ignore_errors=True)


# -- a measured process ---------------------------------------------------------------------------


@dataclass
class Run:
    """One process: exit code, output, wall and CPU seconds, peak RSS."""

    code: int
    out: str
    err: str
    seconds: float
    cpu: float
    max_rss: int

    def check(self, what: str) -> Run:
        """Raise with the output when the process failed."""
        if self.code != 0:
            raise RuntimeError(
                f"{what} failed ({self.code}):\n{self.out[-2000:]}\n{self.err[-4000:]}"
            )
        return self


def run(cmd: Sequence[str], env: dict[str, str], *, timeout: float = 7200) -> Run:
    """Run `cmd` with its wall time, CPU time (wait4) and peak RSS (VmHWM, polled)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env
        )
        status_file = Path(f"/proc/{proc.pid}/status")
        peak = 0
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _vm_hwm(status_file))
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            code=os.waitstatus_to_exitcode(status),
            out=out.read().decode("utf-8", "replace"),
            err=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            cpu=usage.ru_utime + usage.ru_stime,
            max_rss=peak,
        )


def _report(out: str) -> dict[str, Any]:
    """The account's report in `pli sync --json`'s output (py-spy writes its own lines too)."""
    start = next(i for i, line in enumerate(out.splitlines()) if line.startswith("{"))
    text = "\n".join(out.splitlines()[start:])
    report: dict[str, Any] = json.JSONDecoder().raw_decode(text)[0]["accounts"][0]
    return report


# -- in-process reads -----------------------------------------------------------------------------


async def _inprocess(
    root: Path, pool_corpus: Corpus, repeat: int, *, resyncs_too: bool = True
) -> dict[str, Any]:
    from app.config.paths import AppPaths
    from app.config.settings import Settings
    from app.services.archive_service import SearchFilters
    from app.services.profile import open_services
    from bench.search_bench import _day

    paths = AppPaths.at(root)

    async def ask(_new: bool) -> str:
        return PASSPHRASE

    services = await open_services(
        paths, Settings.load(paths.settings_file), ask, prefer_passphrase=True
    )
    try:
        account = (await services.accounts.list())[0]
        folders = await services.archive.folders(account)
        largest = max(folders, key=lambda f: f.messages)
        folder_ids = {f.name: f.id for f in folders}
        filters = SearchFilters(account_id=account.id, folder_id=largest.id)
        started = time.perf_counter()
        first = await services.archive.page(filters, None, PAGE)
        cold = time.perf_counter() - started
        opens = []
        for _ in range(repeat * 2):
            started = time.perf_counter()
            first = await services.archive.page(filters, None, PAGE)
            opens.append(time.perf_counter() - started)
        if len(first.items) != PAGE:
            raise RuntimeError(f"first page has {len(first.items)} rows")
        # Deep paging: the 50th page (the keyset walks from the 49th's end).
        after = first.next
        for _ in range(48):
            after = (await services.archive.page(filters, after, PAGE)).next
        started = time.perf_counter()
        await services.archive.page(filters, after, PAGE)
        page_50 = time.perf_counter() - started

        rows = []
        every: list[float] = []
        every_cpu: list[float] = []
        for q in search_queries(pool_corpus):
            f = SearchFilters(
                account_id=account.id if q.folder else None,
                folder_id=folder_ids.get(q.folder) if q.folder else None,
                since=_day(q.since),
                until=_day(q.until),
            )
            for _ in range(2):
                found = await services.archive.search_page(q.text, f, None, PAGE)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                found = await services.archive.search_page(q.text, f, None, PAGE)
                times.append(time.perf_counter() - started)
            every += times
            cpus = []
            for _ in range(repeat):
                cpus.append(await services.store.query(partial(_search_cpu, text=q.text, f=f)))
            every_cpu += cpus
            rows.append(
                {
                    "query": q.label,
                    "text": q.text,
                    "filter": q.filter_label,
                    "returned": len(found.items),
                    "p50": percentile(times, 50),
                    "p95": percentile(times, 95),
                    "cpu_p50": percentile(cpus, 50),
                    "cpu_p95": percentile(cpus, 95),
                }
            )
        resyncs = []
        resyncs_cpu = []
        for _ in range(RESYNCS if resyncs_too else 0):
            started = time.perf_counter()
            cpu = time.process_time()
            report = await services.sync.sync(account)
            resyncs.append(time.perf_counter() - started)
            resyncs_cpu.append(time.process_time() - cpu)
            if report.added or report.bodies:
                raise RuntimeError("a no-change resync changed something")
        return {
            "folder": largest.name,
            "folder_messages": largest.messages,
            "open_cold": cold,
            "open": opens,
            "page_50": page_50,
            "search_rows": rows,
            "search_all": every,
            "search_all_cpu": every_cpu,
            "open_cpu": [
                await services.store.query(partial(_open_cpu, f=filters)) for _ in range(repeat)
            ],
            "resyncs": resyncs,
            "resyncs_cpu": resyncs_cpu,
        }
    finally:
        await services.aclose()


def _search_cpu(archive: Any, text: str, f: Any) -> float:
    """CPU time of the read thread for one `search_page` (the machine's load left out)."""
    started = time.thread_time()
    archive.messages.search_page(text, f, None, PAGE)
    return time.thread_time() - started


def _open_cpu(archive: Any, f: Any) -> float:
    """CPU time of the read thread for one folder's first page."""
    started = time.thread_time()
    archive.messages.page(f, None, PAGE)
    return time.thread_time() - started


# -- one size -------------------------------------------------------------------------------------


def measure_size(
    servers: Servers,
    pool_corpus: Corpus,
    count: int,
    repeat: int,
    py_spy: str | None,
    *,
    keep: bool = False,
) -> dict[str, Any]:
    """Seed, sync, read and resync one mailbox of `count` messages."""
    local = f"scale{count}"
    address = servers.add_user(local)
    print(f"== {count:,} messages: seeding", flush=True)
    seeded = seed_mailbox(servers, address, pool_corpus, count)
    print(f"   seeded in {seeded.seconds:.0f} s ({seeded.bytes / 1e6:.0f} MB)", flush=True)
    profile = PliProfile(WORK / "scale" / f"profile-{count}")
    profile.remove()
    try:
        profile.add_account(servers, address, "starttls")
        env = profile.env()
        cmd = profile.command("sync", "--json", "--no-index")
        if py_spy:
            out = f"{py_spy}-{count}.txt"
            spy = os.environ.get("PY_SPY", "py-spy")
            cmd = [spy, "record", "--format", "raw", "-r", "50", "-o", out, "--", *cmd]
        load_before = os.getloadavg()
        print("   pli sync …", flush=True)
        first = run(cmd, env).check("pli sync")
        load_after = os.getloadavg()
        report = _report(first.out)
        if report["new"] != count or report["missing_bodies"] != 0:
            raise RuntimeError(f"pli sync did not archive everything: {report}")
        print(
            f"   list {report['list_seconds']:.1f} s, archived {report['archive_seconds']:.1f} s,"
            f" process {first.seconds:.1f} s (CPU {first.cpu:.1f} s), peak {fmt_mb(first.max_rss)}",
            flush=True,
        )
        size = profile.archive_size()
        reads = asyncio.run(_inprocess(profile.root, pool_corpus, repeat))
        again = run(profile.command("sync", "--json", "--no-index"), env).check("pli resync")
        again_report = _report(again.out)
        if again_report["new"] or again_report["bodies_archived"]:
            raise RuntimeError(f"a no-change resync changed something: {again_report}")
        result = {
            "messages": count,
            "seed_seconds": seeded.seconds,
            "mail_bytes": seeded.bytes,
            "folders": seeded.folders,
            "list_seconds": report["list_seconds"],
            "archive_seconds": report["archive_seconds"],
            "process_seconds": first.seconds,
            "process_cpu": first.cpu,
            "max_rss": first.max_rss,
            "load_before": load_before,
            "load_after": load_after,
            "archive_size": size,
            "profiled": bool(py_spy),
            **reads,
            "resync_process": again.seconds,
            "resync_process_cpu": again.cpu,
            "resync_reported": again_report["archive_seconds"],
            "resync_max_rss": again.max_rss,
        }
        print(
            f"   open {median(reads['open']) * 1000:.1f} ms, search p95"
            f" {percentile(reads['search_all'], 95) * 1000:.2f} ms, resync"
            f" {median(reads['resyncs']) * 1000:.0f} ms",
            flush=True,
        )
        return result
    finally:
        if not keep:
            profile.remove()
        remove_mailbox(servers, address)


# -- the report -----------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else fmt_s(seconds)


def markdown(data: dict[str, Any]) -> str:
    """The ``scale-bench`` section of docs/benchmarks.md."""
    sizes = data["sizes"]
    lines = [
        "## Scale",
        "",
        f"Measured {data['measured_at']} UTC by `.venv/bin/python -m bench.scale_bench"
        f" --sizes {','.join(str(s['messages']) for s in sizes)}` (bench/scale_bench.py; raw"
        f" numbers in bench/work/results/scale.json), commit {data['commit']}.",
        "",
        *machine_lines(data["machine"]),
        "- Mailboxes: small text messages (the text corpus's, bodies cut to about 1 KB;"
        " INBOX, Sent, Archive), arrival dates spread over two years in UID order, seeded as"
        " maildir files into the test Dovecot; `pli sync --json --no-index` into a fresh profile"
        " over STARTTLS. List and archive times are the process's own report (from the sync's"
        " start); wall and CPU time and peak RSS (VmHWM) are the whole process's; the"
        " passphrase unlock (scrypt, 128 MB for a moment) is in every peak.",
        "- Reads in-process, services opened as the window opens them: the largest folder's"
        f" first page of {PAGE} (`ArchiveService.page`; first call cold, then median of"
        f" {2 * data['repeat']}), the 50th page, search `ArchiveService.search_page` (first page"
        f" of {PAGE}) over {len(sizes[0]['search_rows'])} query/filter combinations"
        " (bench/search_bench.py's set), each timed"
        f" {data['repeat']} times after 2 warm-up calls; {RESYNCS} no-change resyncs.",
        "",
    ]
    head = "| | " + " | ".join(f"{s['messages']:,}" for s in sizes) + " |"
    if len(sizes) > 1:
        head += " growth per 10× |"
    lines += [head, "|---|" + "---:|" * (len(sizes) + (1 if len(sizes) > 1 else 0))]

    def row(label: str, values: list[float], fmt: Any, *, ratio: bool = True) -> None:
        cells = [fmt(v) for v in values]
        growth = ""
        if len(values) > 1:
            steps = [f"{b / a:.1f}×" if a else "-" for a, b in itertools.pairwise(values)]
            growth = " | " + (", ".join(steps) if ratio else "")
        lines.append(f"| {label} | " + " | ".join(cells) + growth + " |")

    row(
        "seeding the mailbox (generate, write, `doveadm force-resync`)",
        [s["seed_seconds"] for s in sizes],
        fmt_s,
    )
    row("**list complete** (`list_seconds`)", [s["list_seconds"] for s in sizes], fmt_s)
    row("every body archived (`archive_seconds`)", [s["archive_seconds"] for s in sizes], fmt_s)
    row("`pli sync` process, wall", [s["process_seconds"] for s in sizes], fmt_s)
    row("`pli sync` process, CPU (user + system)", [s["process_cpu"] for s in sizes], fmt_s)
    row("**peak RSS** of `pli sync`", [s["max_rss"] for s in sizes], fmt_mb)
    row("archive on disk", [s["archive_size"] for s in sizes], fmt_mb)
    row("largest folder (messages)", [s["folder_messages"] for s in sizes], lambda v: f"{v:,}")
    row("**folder open**, first page, cold", [s["open_cold"] for s in sizes], _ms)
    row("folder open, first page (median)", [median(s["open"]) for s in sizes], _ms)
    row("folder open, first page (p95)", [percentile(s["open"], 95) for s in sizes], _ms)
    row(
        "folder open, CPU of the read thread (median)",
        [median(s["open_cpu"]) for s in sizes],
        _ms,
    )
    row("50th page", [s["page_50"] for s in sizes], _ms)
    row("search p50", [percentile(s["search_all"], 50) for s in sizes], _ms)
    row("**search p95**", [percentile(s["search_all"], 95) for s in sizes], _ms)
    row(
        "search p95, CPU of the read thread",
        [percentile(s["search_all_cpu"], 95) for s in sizes],
        _ms,
    )
    row(
        "search, slowest query's p95", [max(r["p95"] for r in s["search_rows"]) for s in sizes], _ms
    )
    row("**no-change resync**, in-process (median)", [median(s["resyncs"]) for s in sizes], _ms)
    if all("resyncs_cpu" in s for s in sizes):
        row(
            "no-change resync, in-process, CPU of the process (median)",
            [median(s["resyncs_cpu"]) for s in sizes],
            _ms,
        )
    row(
        "no-change resync, as `pli sync --json` reports it",
        [s["resync_reported"] for s in sizes],
        _ms,
    )
    row("no-change resync, the whole process", [s["resync_process"] for s in sizes], fmt_s)
    row(
        "no-change resync, the whole process, CPU",
        [s["resync_process_cpu"] for s in sizes],
        fmt_s,
    )
    lines += [
        "",
        "Search by kind of query, the slowest of its 5 filters:"
        " p95 wall / p95 CPU of the read thread.",
        "",
    ]
    kinds = list(dict.fromkeys(r["query"] for r in sizes[0]["search_rows"]))
    lines.append("| query | " + " | ".join(f"{s['messages']:,}" for s in sizes) + " |")
    lines.append("|---|" + "---:|" * len(sizes))
    for kind in kinds:
        cells = []
        for s in sizes:
            rows = [r for r in s["search_rows"] if r["query"] == kind]
            wall = max(r["p95"] for r in rows)
            cpu = max(r.get("cpu_p95", 0.0) for r in rows)
            cells.append(f"{_ms(wall)} / {_ms(cpu)}")
        text = rows[0]["text"]
        lines.append(f"| {kind} `{text}` | " + " | ".join(cells) + " |")
    again = [s for s in sizes if "reads_again" in s]
    if again:
        lines += [
            "",
            "The reads measured again on the same archives (kept profiles, no server: no"
            " resync) with a later tree:",
            "",
            "| messages | tree | load | folder open, median | search p95 (wall / CPU) |"
            + "".join(f" {k} p95 (wall / CPU) |" for k in kinds),
            "|---:|---|---:|---:|---:|" + "---:|" * len(kinds),
        ]
        for s in again:
            r = s["reads_again"]
            cells = []
            for kind in kinds:
                rows = [x for x in r["search_rows"] if x["query"] == kind]
                cells.append(
                    f"{_ms(max(x['p95'] for x in rows))} / {_ms(max(x['cpu_p95'] for x in rows))}"
                )
            lines.append(
                f"| {s['messages']:,} | {r['commit']} ({r['measured_at']}) | {r['load'][0]:.1f} |"
                f" {_ms(median(r['open']))} | {_ms(percentile(r['search_all'], 95))} /"
                f" {_ms(percentile(r['search_all_cpu'], 95))} | " + " | ".join(cells) + " |"
            )
    lines.append("")
    lines.append(
        "Load average (1 min) before → after each first sync: "
        + ", ".join(
            f"{s['messages']:,}: {s['load_before'][0]:.2f} → {s['load_after'][0]:.2f}"
            for s in sizes
        )
        + "."
    )
    lines.append("")
    lines += _targets(sizes)
    if data.get("notes"):
        lines += ["", *data["notes"]]
    return "\n".join(lines)


def _targets(sizes: list[dict[str, Any]]) -> list[str]:
    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    by = {s["messages"]: s for s in sizes}
    out = ["Targets (issue 15, item 3):", "", "| target | measured | |", "|---|---|---|"]
    if 10_000 in by and 100_000 in by:
        ratio = by[100_000]["list_seconds"] / by[10_000]["list_seconds"]
        out.append(
            f"| list complete for 100,000 within 10× the 10,000 time | {ratio:.1f}×"
            f" ({fmt_s(by[10_000]['list_seconds'])} → {fmt_s(by[100_000]['list_seconds'])}) |"
            f" {met(ratio <= TARGET_LIST_RATIO)} |"
        )
    big = by.get(1_000_000)
    if big is None:
        out.append("| 1,000,000 messages | not measured in this run | |")
        return out
    out.append(
        f"| 1,000,000 archived, peak memory < 300 MB | {fmt_mb(big['max_rss'])} |"
        f" {met(big['max_rss'] < TARGET_RSS)} |"
    )
    out.append(
        f"| folder open (first page) < 100 ms on 1,000,000 | cold {_ms(big['open_cold'])},"
        f" median {_ms(median(big['open']))} |"
        f" {met(max(big['open_cold'], median(big['open'])) < TARGET_OPEN)} |"
    )
    p95 = percentile(big["search_all"], 95)
    out.append(f"| search p95 < 20 ms on 1,000,000 | {_ms(p95)} | {met(p95 < TARGET_SEARCH_P95)} |")
    resync = median(big["resyncs"])
    out.append(
        f"| no-change resync < 1 s on 1,000,000 | in-process {_ms(resync)}, reported"
        f" {_ms(big['resync_reported'])}, whole process {fmt_s(big['resync_process'])} |"
        f" {met(resync < TARGET_RESYNC)} (sync),"
        f" {met(big['resync_process'] < TARGET_RESYNC)} (process) |"
    )
    return out


def _commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "app"], capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() + (" + working tree" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="pli sync and reads at 10k, 100k, 1M messages")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--py-spy", default=None, help="record each first sync to FILE-<n>.txt")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--keep", action="store_true", help="keep the Pli profiles (bench/work/scale/profile-N)"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the sizes of bench/work/results/scale.json not measured in this run",
    )
    parser.add_argument(
        "--reads",
        metavar="PROFILE",
        help="measure the reads again on a kept profile (bench/work/scale/profile-N)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only write the docs section from bench/work/results/scale.json",
    )
    args = parser.parse_args(argv)
    out = WORK / "results" / "scale.json"
    if args.render:
        from bench.run import write_sections

        write_sections({"scale": markdown(json.loads(out.read_text()))})
        return 0
    if args.reads:
        # The reads again on a kept profile (its server gone: no resync), with this tree's
        # code, stored beside the size's first measurement.
        root = Path(args.reads)
        data = json.loads(out.read_text())
        count = int(root.name.rsplit("-", 1)[1])
        pool_corpus, _ = load_or_generate("text", POOL_SIZE, 2025)
        again = asyncio.run(_inprocess(root, pool_corpus, args.repeat, resyncs_too=False))
        again["commit"] = _commit()
        again["measured_at"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
        again["load"] = os.getloadavg()
        for size in data["sizes"]:
            if size["messages"] == count:
                size["reads_again"] = again
        out.write_text(json.dumps(as_json_safe(data), indent=1))
        print(
            f"open {median(again['open']) * 1000:.1f} ms, search p95"
            f" {percentile(again['search_all'], 95) * 1000:.2f} ms (CPU"
            f" {percentile(again['search_all_cpu'], 95) * 1000:.2f} ms)"
        )
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    pool_corpus, _ = load_or_generate("text", POOL_SIZE, 2025)
    info = machine()
    measured_at = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    results: list[dict[str, Any]] = []
    previous = json.loads(out.read_text())["sizes"] if args.merge and out.exists() else []
    commit = _commit()

    def save() -> dict[str, Any]:
        # Written after each size: a long run stopped midway keeps what it measured.
        kept = [s for s in previous if s["messages"] not in sizes]
        data = {
            "measured_at": measured_at,
            "commit": commit,
            "machine": info,
            "repeat": args.repeat,
            "sizes": sorted(kept + results, key=lambda s: s["messages"]),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(as_json_safe(data), indent=1))
        return data

    with tempfile.TemporaryDirectory(prefix="pli-scale-") as tmp:
        servers = Servers(Path(tmp)).start()
        try:
            for count in sizes:
                results.append(
                    measure_size(
                        servers, pool_corpus, count, args.repeat, args.py_spy, keep=args.keep
                    )
                )
                data = save()
        finally:
            servers.stop()
    text = markdown(data)
    print()
    print(text)
    if not args.py_spy and not args.no_doc:
        from bench.run import write_sections

        write_sections({"scale": text})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
