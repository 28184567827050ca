"""Sync benchmark: `pli sync` beside mbsync and a raw IMAP fetch, on one Dovecot, in one run.

    .venv/bin/python -m bench.sync_bench [--messages 10000] [--runs 3] [--security starttls]

Starts the test suite's PKI and Dovecot (tests/servers), seeds one INBOX with the generated
corpus (bench/corpus.py), then for each run, in a rotating order so no one always goes first:

- the floor: one ``UID FETCH 1:* (BODY.PEEK[])`` over TLS, read and discarded (stdlib socket);
  and the list floor, ``UID FETCH 1:* (ENVELOPE BODYSTRUCTURE …)``, what a list needs;
- mbsync (Debian's isync) pulling the mailbox into a fresh Maildir, with its default
  ``FSync yes`` and with ``FSync no``;
- `pli sync --json` into a fresh profile, a separate process: its wall time, its peak RSS (its
  ``VmHWM``), and its own report (``list_seconds``/``archive_seconds``, from the start of the
  sync inside the process);
- a no-change resync: the whole `pli sync` process, and the sync alone in-process (the services
  called directly, as the window would), so process start-up is visible on its own;
- `pli sync` with its bodies fetched by threads of its own process (``PLI_BODY_WORKERS=0``,
  the design before worker processes), a baseline in the same run.

CPU seconds are counted for every client (the process and the children it waited for: Pli's
body workers) and for Dovecot (its process tree, from /proc) during each measurement.

All clients use the same TLS (STARTTLS by default, the MSSanté setting). Results: a Markdown
section (printed, and used by bench/run.py for docs/benchmarks.md) and raw numbers in
bench/work/results/sync.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    PASSPHRASE,
    WORK,
    Measured,
    PliProfile,
    RawFetch,
    Servers,
    fmt_mb,
    fmt_s,
    machine,
    machine_lines,
    median,
    raw_fetch,
    run_mbsync,
    seed,
    spread,
)
from bench.corpus import Corpus, load_or_generate

LIST_ITEMS = (
    "UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS "
    "(REFERENCES X-MSS-MES X-MSS-INS X-MSS-CODECDA DISPOSITION-NOTIFICATION-TO RETURN-PATH "
    "AUTO-SUBMITTED)]"
)
INPROCESS_RESYNCS = 7


@dataclass
class PliRun:
    """One `pli sync` of a fresh profile, and the no-change resyncs after it."""

    process: float
    max_rss: int
    list_seconds: float
    archive_seconds: float
    archived: int
    bytes: int
    archive_size: int
    index_process: float | None  # `pli sync` indexing the attachments' text (first run only)
    index_reported: float | None
    indexed_documents: int
    index_max_rss: int
    resync_process: float
    resync_reported: float
    resync_max_rss: int
    inprocess_open: float
    inprocess_resyncs: list[float]
    index_sample_seconds: float  # in-process indexing of a sample (0: the whole sync is measured)
    index_sample_documents: int
    cpu: float = 0.0  # the first sync's process and its body workers
    server_cpu: float = 0.0  # Dovecot during the first sync


@dataclass
class CpuRun:
    """A client's run with CPU seconds: its own and the server's."""

    seconds: float
    cpu: float
    server_cpu: float
    archive_seconds: float = 0.0
    max_rss: int = 0
    documents: int = 0  # attachments whose text was indexed (the whole `pli sync`)


@dataclass
class Results:
    """Everything measured, by peer."""

    floor: list[RawFetch] = field(default_factory=list)
    floor_list: list[RawFetch] = field(default_factory=list)
    mbsync: list[Measured] = field(default_factory=list)
    mbsync_nofsync: list[Measured] = field(default_factory=list)
    pli: list[PliRun] = field(default_factory=list)
    floor_cpu: list[CpuRun] = field(default_factory=list)
    mbsync_cpu: list[CpuRun] = field(default_factory=list)
    pli_threads: list[CpuRun] = field(default_factory=list)
    pli_whole: list[CpuRun] = field(default_factory=list)


def _tree_cpu(root: int | None) -> float:
    """CPU seconds of a process tree (each live process's own and its reaped children's)."""
    if root is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            total += sum(int(x) for x in stats[pid][11:15]) / tick
        stack.extend(children.get(pid, []))
    return total


def _server_cpu(servers: Servers) -> float:
    return _tree_cpu(servers.dovecot.master_pid())


async def _inprocess_resyncs(
    root: Path, count: int, index_sample: int
) -> tuple[float, list[float], float, int]:
    """Open the profile in this process and time `count` no-change syncs (services only).

    Then time the attachment text indexing `pli sync` runs after a sync, on the first
    `index_sample` messages waiting for it (the whole pass takes minutes: see the report).
    Returns (open seconds, resync seconds, indexing seconds, documents indexed).
    """
    from app.config.paths import AppPaths
    from app.config.settings import Settings
    from app.services.profile import open_services

    paths = AppPaths.at(root)
    settings = Settings.load(paths.settings_file)

    async def ask(_new: bool) -> str:
        return PASSPHRASE

    started = time.perf_counter()
    services = await open_services(paths, settings, ask, prefer_passphrase=True)
    opened = time.perf_counter() - started
    try:
        account = (await services.accounts.list())[0]
        times = []
        for _ in range(count):
            started = time.perf_counter()
            report = await services.sync.sync(account)
            times.append(time.perf_counter() - started)
            if report.added or report.bodies:
                raise RuntimeError("a no-change resync changed something")
        started = time.perf_counter()
        indexed = await services.documents.index_attachments(limit=index_sample)
        indexing = time.perf_counter() - started
        return opened, times, indexing, indexed.documents
    finally:
        await services.aclose()


def _pli_run(
    servers: Servers, address: str, folder: Path, corpus: Corpus, security: str, *, index: bool
) -> PliRun:
    profile = PliProfile(folder)
    profile.remove()
    try:
        profile.add_account(servers, address, security)
        # The sync itself; the attachment text indexing `pli sync` runs after it is measured
        # apart (once: it takes minutes, see the report).
        server_before = _server_cpu(servers)
        first = profile.run("sync", "--json", "--no-index").check("pli sync")
        server_cpu = _server_cpu(servers) - server_before
        report = json.loads(first.out)["accounts"][0]
        if report["new"] != corpus.count or report["missing_bodies"] != 0:
            raise RuntimeError(f"pli sync did not archive everything: {report}")
        size = profile.archive_size()
        indexing: Measured | None = None
        indexed: dict[str, Any] = {}
        if index:
            indexing = profile.run("sync", "--json").check("pli sync (indexing)")
            indexed = json.loads(indexing.out)
        opened, resyncs, sample_seconds, sample_documents = asyncio.run(
            _inprocess_resyncs(folder, INPROCESS_RESYNCS, 0)
        )
        # `--no-index`: the attachments not indexed by the sample above would otherwise be
        # indexed by this process too (minutes); a no-change resync is what is measured here.
        again = profile.run("sync", "--json", "--no-index").check("pli resync")
        again_report = json.loads(again.out)["accounts"][0]
        if again_report["new"] or again_report["bodies_archived"]:
            raise RuntimeError(f"a no-change resync changed something: {again_report}")
        return PliRun(
            process=first.seconds,
            max_rss=first.max_rss,
            list_seconds=report["list_seconds"],
            archive_seconds=report["archive_seconds"],
            archived=report["bodies_archived"],
            bytes=report["bytes_archived"],
            archive_size=size,
            index_process=indexing.seconds if indexing else None,
            index_reported=indexed["accounts"][0]["archive_seconds"] if indexing else None,
            indexed_documents=indexed.get("indexed_documents", 0),
            index_max_rss=indexing.max_rss if indexing else 0,
            resync_process=again.seconds,
            resync_reported=again_report["archive_seconds"],
            resync_max_rss=again.max_rss,
            inprocess_open=opened,
            inprocess_resyncs=resyncs,
            index_sample_seconds=sample_seconds,
            index_sample_documents=sample_documents,
            cpu=first.cpu,
            server_cpu=server_cpu,
        )
    finally:
        profile.remove()


def _pli_threads_run(
    servers: Servers, address: str, folder: Path, corpus: Corpus, security: str
) -> CpuRun:
    """`pli sync` with the bodies fetched by threads of its process (the design before)."""
    profile = PliProfile(folder)
    profile.remove()
    os.environ["PLI_BODY_WORKERS"] = "0"
    try:
        profile.add_account(servers, address, security)
        server_before = _server_cpu(servers)
        first = profile.run("sync", "--json", "--no-index").check("pli sync (threads)")
        server_cpu = _server_cpu(servers) - server_before
        report = json.loads(first.out)["accounts"][0]
        if report["new"] != corpus.count or report["missing_bodies"] != 0:
            raise RuntimeError(f"pli sync did not archive everything: {report}")
        return CpuRun(
            seconds=first.seconds,
            cpu=first.cpu,
            server_cpu=server_cpu,
            archive_seconds=report["archive_seconds"],
            max_rss=first.max_rss,
        )
    finally:
        del os.environ["PLI_BODY_WORKERS"]
        profile.remove()


def _pli_whole_run(
    servers: Servers, address: str, folder: Path, corpus: Corpus, security: str
) -> CpuRun:
    """The whole `pli sync` as a user runs it: bodies, attachments and their text index."""
    profile = PliProfile(folder)
    profile.remove()
    try:
        profile.add_account(servers, address, security)
        server_before = _server_cpu(servers)
        first = profile.run("sync", "--json").check("pli sync (whole)")
        server_cpu = _server_cpu(servers) - server_before
        out = json.loads(first.out)
        report = out["accounts"][0]
        if report["new"] != corpus.count or report["missing_bodies"] != 0:
            raise RuntimeError(f"pli sync did not archive everything: {report}")
        if out.get("documents_to_index"):
            raise RuntimeError(f"pli sync left documents to index: {out['documents_to_index']}")
        return CpuRun(
            seconds=first.seconds,
            cpu=first.cpu,
            server_cpu=server_cpu,
            archive_seconds=report["archive_seconds"],
            max_rss=first.max_rss,
            documents=int(out.get("indexed_documents") or 0),
        )
    finally:
        profile.remove()


def measure(
    messages: int,
    runs: int,
    security: str,
    seed_value: int,
    *,
    index_runs: int = 0,
    log: Any = print,
) -> dict[str, Any]:
    """Run the whole benchmark; returns the raw results (JSON-friendly)."""
    info = machine()
    measured_at = time.strftime("%Y-%m-%d %H:%M")
    corpus, generated = load_or_generate("full", messages, seed_value)
    work = WORK / "sync"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    servers = Servers(work).start()
    results = Results()
    try:
        address = servers.add_user()
        seeded, _ = seed(servers, address, corpus, by_folder=False)
        log(f"seeded {corpus.count} messages ({corpus.total_bytes / 1e9:.2f} GB) in {seeded:.1f} s")
        # Warm-up, not measured: the page cache, and Dovecot's cache of envelopes and
        # structures (built by the first client to ask for them, whoever that is).
        warm = raw_fetch(servers, address, security=security)
        raw_fetch(servers, address, security=security, items=LIST_ITEMS)
        log(f"warm-up fetch {warm.seconds:.1f} s ({warm.tls})")
        if warm.messages != corpus.count:
            raise RuntimeError(f"the server holds {warm.messages} messages, not {corpus.count}")

        def floor() -> None:
            server_before = _server_cpu(servers)
            before = resource.getrusage(resource.RUSAGE_SELF)
            results.floor.append(raw_fetch(servers, address, security=security))
            after = resource.getrusage(resource.RUSAGE_SELF)
            results.floor_cpu.append(
                CpuRun(
                    seconds=results.floor[-1].seconds,
                    cpu=after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
                    server_cpu=_server_cpu(servers) - server_before,
                )
            )
            results.floor_list.append(
                raw_fetch(servers, address, security=security, items=LIST_ITEMS)
            )
            floor_s, list_s = results.floor[-1].seconds, results.floor_list[-1].seconds
            log(f"  floor {floor_s:.1f} s, list {list_s:.2f} s")

        def mbsync() -> None:
            for fsync, out in ((True, results.mbsync), (False, results.mbsync_nofsync)):
                server_before = _server_cpu(servers)
                run = run_mbsync(servers, address, work / "mbsync", security=security, fsync=fsync)
                out.append(run)
                if fsync:
                    results.mbsync_cpu.append(
                        CpuRun(run.seconds, run.cpu, _server_cpu(servers) - server_before)
                    )
                log(f"  mbsync (FSync {'yes' if fsync else 'no'}) {run.seconds:.1f} s")

        def pli() -> None:
            index = len(results.pli) < index_runs
            run = _pli_run(servers, address, work / "pli-profile", corpus, security, index=index)
            results.pli.append(run)
            inproc = median(run.inprocess_resyncs) * 1000
            log(
                f"  pli: process {run.process:.1f} s, list {run.list_seconds:.2f} s, archive"
                f" {run.archive_seconds:.1f} s, {run.max_rss / 1e6:.0f} MB; resync"
                f" {run.resync_process:.2f} s (in-process {inproc:.0f} ms)"
            )
            if run.index_process is not None:
                log(f"  pli attachment indexing: {run.index_process:.1f} s")

        def pli_threads() -> None:
            run = _pli_threads_run(servers, address, work / "pli-threads", corpus, security)
            results.pli_threads.append(run)
            log(f"  pli (threads): archive {run.archive_seconds:.1f} s, cpu {run.cpu:.1f} s")

        def pli_whole() -> None:
            run = _pli_whole_run(servers, address, work / "pli-whole", corpus, security)
            results.pli_whole.append(run)
            log(
                f"  pli (whole, with the index): {run.seconds:.1f} s, {run.documents} documents,"
                f" cpu {run.cpu:.1f} s, {run.max_rss / 1e6:.0f} MB"
            )

        steps = [floor, mbsync, pli, pli_whole, pli_threads]
        for number in range(runs):
            order = steps[number % len(steps) :] + steps[: number % len(steps)]
            log(f"run {number + 1}/{runs}: " + ", ".join(s.__name__ for s in order))
            for step in order:
                step()
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)
    from bench.common import as_json_safe

    data = {
        "load_end": os.getloadavg(),
        "machine": info,
        "measured": measured_at,
        "messages": corpus.count,
        "runs": runs,
        "security": security,
        "tls": warm.tls,
        "corpus": corpus.stats,
        "corpus_bytes": corpus.total_bytes,
        "corpus_generated_seconds": generated,
        "seed_seconds": seeded,
        "seed": seed_value,
        "results": as_json_safe(results),
    }
    out = WORK / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sync.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
    return data


# -- the report -------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def markdown(data: dict[str, Any]) -> str:
    """The "Sync" section of docs/benchmarks.md."""
    r = data["results"]
    n = data["messages"]
    stats = data["corpus"]
    floor = [x["seconds"] for x in r["floor"]]
    floor_list = [x["seconds"] for x in r["floor_list"]]
    mb = [x["seconds"] for x in r["mbsync"]]
    mb_nofsync = [x["seconds"] for x in r["mbsync_nofsync"]]
    mb_rss = [x["max_rss"] for x in r["mbsync"]]
    pli = r["pli"]
    p_list = [x["list_seconds"] for x in pli]
    p_archive = [x["archive_seconds"] for x in pli]
    p_process = [x["process"] for x in pli]
    p_rss = [x["max_rss"] for x in pli]
    startup = [x["resync_process"] - x["resync_reported"] for x in pli]
    p_list_launch = [x["list_seconds"] + s for x, s in zip(pli, startup, strict=True)]
    resync_process = [x["resync_process"] for x in pli]
    resync_reported = [x["resync_reported"] for x in pli]
    resync_inproc = [t for x in pli for t in x["inprocess_resyncs"]]
    resync_rss = [x["resync_max_rss"] for x in pli]
    archive_size = median([x["archive_size"] for x in pli])
    indexing = [x for x in pli if x["index_process"] is not None]
    index_only = [x["index_process"] - x["index_reported"] - median(startup) for x in indexing]
    index_docs = indexing[0]["indexed_documents"] if indexing else 0
    index_rss = [x["index_max_rss"] for x in indexing]
    threads = r.get("pli_threads", [])
    t_archive = [x["archive_seconds"] for x in threads]
    whole = r.get("pli_whole", [])
    w_seconds = [x["seconds"] for x in whole]
    m_floor, m_mb, m_mbn = median(floor), median(mb), median(mb_nofsync)
    security = "STARTTLS" if data["security"] == "starttls" else "implicit TLS (IMAPS)"
    cmd = f".venv/bin/python -m bench.sync_bench --messages {n} --runs {data['runs']}"
    if data["security"] != "starttls":
        cmd += f" --security {data['security']}"
    when = data.get("measured") or time.strftime("%Y-%m-%d %H:%M")
    lines = [
        "## Sync",
        "",
        f"Measured {when} by `make bench` (alone: `{cmd}`).",
        "",
        *machine_lines(data["machine"]),
        f"- Corpus (bench/corpus.py, seed {data['seed']}): {n:,} messages, "
        f"{data['corpus_bytes'] / 1e9:.2f} GB in one INBOX; {stats['pdf']:,} with a PDF "
        f"({stats['pdf_bytes'] / 1e6:.0f} MB of PDF), {stats['alternative']:,} "
        f"multipart/alternative, {stats['replies']:,} replies in threads, "
        f"{stats['with_patient_address']:,} to or from a patient address, "
        f"{stats['rfc2047_subjects']:,} RFC 2047 subjects. Seeded into Dovecot in "
        f"{data['seed_seconds']:.0f} s.",
        f"- Every client: {security} to the test Dovecot on loopback, {data['tls']}; "
        f"{data['runs']} runs in rotating order after warm-up fetches; medians, with the "
        "spread (min–max) of the runs.",
        "",
        "| what | median | spread | peak RSS | time ÷ floor's | time ÷ mbsync's |",
        "|---|---:|---:|---:|---:|---:|",
        f"| floor: raw `UID FETCH 1:* (BODY.PEEK[])` over TLS, discarded | {fmt_s(m_floor)} | "
        f"{spread(floor)} | | 1.00× | {_ratio(m_floor, m_mb)} |",
        f"| floor for the list: `UID FETCH 1:* (ENVELOPE BODYSTRUCTURE …)` | "
        f"{fmt_s(median(floor_list))} | {spread(floor_list)} | | | |",
        f"| mbsync full sync, Maildir, `FSync yes` (default) | {fmt_s(m_mb)} | {spread(mb)} | "
        f"{fmt_mb(median(mb_rss))} | {_ratio(m_mb, m_floor)} | 1.00× |",
        f"| mbsync full sync, `FSync no` | {fmt_s(m_mbn)} | {spread(mb_nofsync)} | | "
        f"{_ratio(m_mbn, m_floor)} | {_ratio(m_mbn, m_mb)} |",
        f"| **pli sync: list complete** (in the process, from the sync's start) | "
        f"{fmt_s(median(p_list))} | {spread(p_list)} | | | {_ratio(median(p_list), m_mb)} |",
        f"| pli sync: list complete, from the process launch (start-up + list) | "
        f"{fmt_s(median(p_list_launch))} | {spread(p_list_launch)} | | | "
        f"{_ratio(median(p_list_launch), m_mb)} |",
        f"| **pli sync: every body and attachment archived** (in the process) | "
        f"{fmt_s(median(p_archive))} | {spread(p_archive)} | | "
        f"{_ratio(median(p_archive), m_floor)} | {_ratio(median(p_archive), m_mb)} |",
        *(
            [
                f"| pli sync, bodies fetched by threads of its process (the design before: "
                f"`PLI_BODY_WORKERS=0`), every body archived | {fmt_s(median(t_archive))} | "
                f"{spread(t_archive)} | {fmt_mb(median([x['max_rss'] for x in threads]))} | "
                f"{_ratio(median(t_archive), m_floor)} | {_ratio(median(t_archive), m_mb)} |"
            ]
            if threads
            else []
        ),
        f"| pli sync: the whole process, launch to exit (`--no-index`) | "
        f"{fmt_s(median(p_process))} | {spread(p_process)} | {fmt_mb(median(p_rss))} | "
        f"{_ratio(median(p_process), m_floor)} | "
        f"{_ratio(median(p_process), m_mb)} |",
        *(
            [
                f"| **pli sync, everything** (`pli sync` as a user runs it: bodies, attachments "
                f"and their text index, {whole[0]['documents']:,} documents), the whole process "
                f"with its workers, launch to exit | {fmt_s(median(w_seconds))} | "
                f"{spread(w_seconds)} | {fmt_mb(median([x['max_rss'] for x in whole]))} | "
                f"{_ratio(median(w_seconds), m_floor)} | {_ratio(median(w_seconds), m_mb)} |"
            ]
            if whole
            else []
        ),
        *(
            [
                f"| pli sync: then the attachments' text indexed for search, the whole pass "
                f"({index_docs:,} PDFs; {len(indexing)} run) | {fmt_s(median(index_only))} | "
                f"{spread(index_only)} | {fmt_mb(median(index_rss))} | | |"
            ]
            if indexing
            else []
        ),
        f"| pli no-change resync, in-process (services called directly; "
        f"{len(resync_inproc)} syncs) | {fmt_s(median(resync_inproc))} | {spread(resync_inproc)} "
        "| | | |",
        f"| pli no-change resync, as reported by `pli sync --json` | "
        f"{fmt_s(median(resync_reported))} | {spread(resync_reported)} | | | |",
        f"| pli no-change resync, the whole process (`--no-index`) | "
        f"{fmt_s(median(resync_process))} | "
        f"{spread(resync_process)} | {fmt_mb(median(resync_rss))} | | |",
        f"| pli process start-up and exit (resync process − its sync) | {fmt_s(median(startup))} "
        f"| {spread(startup)} | | | |",
        "",
        f"The archive (SQLCipher database and body files) takes {archive_size / 1e9:.2f} GB for "
        f"{data['corpus_bytes'] / 1e9:.2f} GB of mail.",
        "",
        *_cpu_table(data),
    ]
    lines += _targets(
        mb=mb,
        floor=floor,
        threads=t_archive,
        archive=p_archive,
        process=p_process,
        whole=w_seconds,
        list_launch=p_list_launch,
        list_inproc=p_list,
        resync=median(resync_inproc),
        rss=max(p_rss) if p_rss else float("nan"),
    )
    lines += PROFILE_NOTES
    return "\n".join(lines) + "\n"


def _cpu_table(data: dict[str, Any]) -> list[str]:
    """CPU seconds of each client and of Dovecot, and per GB of mail (medians of the runs)."""
    r = data["results"]
    gb = data["corpus_bytes"] / 1e9
    rows = [
        ("floor: raw fetch over TLS (one connection, discarded)", r.get("floor_cpu", [])),
        ("mbsync full sync, `FSync yes`", r.get("mbsync_cpu", [])),
        (
            "pli sync (`--no-index`): the whole process and its body workers, from launch "
            "(start-up, list, bodies)",
            [
                {"seconds": x["process"], "cpu": x.get("cpu", 0.0), "server_cpu": x["server_cpu"]}
                for x in r["pli"]
                if "server_cpu" in x
            ],
        ),
        (
            "pli sync, everything (bodies, attachments, their text index): the whole process "
            "and its body and index workers",
            r.get("pli_whole", []),
        ),
        (
            "pli sync, bodies by threads of its process (before), the whole process",
            r.get("pli_threads", []),
        ),
    ]
    lines = [
        "CPU time (user + system; client: the process and the children it waited for; "
        "Dovecot: its process tree, imap and TLS proxy processes) during each client's run:",
        "",
        "| client | wall | client CPU | client CPU per GB | Dovecot CPU | both, per GB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, runs in rows:
        if not runs:
            continue
        cpu = median([x["cpu"] for x in runs])
        server = median([x["server_cpu"] for x in runs])
        lines.append(
            f"| {name} | {fmt_s(median([x['seconds'] for x in runs]))} | {cpu:.1f} s | "
            f"{cpu / gb:.1f} s/GB | {server:.1f} s | {(cpu + server) / gb:.1f} s/GB |"
        )
    load = data.get("load_end")
    if load:
        lines += ["", f"Load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}."]
    return [*lines, ""]


#: What profiling showed (by hand, not re-measured by each run: dated).
PROFILE_NOTES = [
    "How the bodies are fetched now (issue 15 #2, 2026-12-03): worker processes "
    "(`app/services/body_worker.py`, started with `spawn`, two by default, each with its own "
    "IMAP connection and TLS session) fetch jobs of up to 16 MB of one folder into spool files "
    "of their own (`app/store/spool.py`: each record sealed as a segment's, AES-256-GCM under "
    "its own key, written past the page cache with `O_DIRECT`), and answer with metadata only "
    "(UID, place, key, hash, MIME structure, text for the index). The main process adopts each "
    "spool as a segment (a hard link, synced) in the transaction that commits its rows, four "
    "jobs per transaction. A first sync of 500 messages or more starts its workers while it "
    "lists the headers. `PLI_BODY_WORKERS=0` gives the design before (threads of the main "
    "process) for the baseline row above.",
    "",
    "Where the time goes (measured by hand on 2026-12-03, 3,000 messages / 343 MB of this "
    "corpus, in-process, the machine shared with other developers at load 8–14; not "
    "re-measured by each run):",
    "",
    "- **The main process's CPU during the body phase fell from 2.7–3.6 s to 0.75–0.94 s** "
    "per 343 MB (seven and eleven runs, alternated): what is left there is unpickling the "
    "workers' answers and the SQL and full-text writes. This is the CPU the window's process "
    "no longer spends while a first sync runs.",
    "- **Total client CPU did not fall**: the workers spent 2.8–3.7 s (of which about 0.45 s "
    "each to start: a Python process, its imports, a TLS login), so workers and main together "
    "3.5–4.6 s against 2.7–3.6 s for the threads. The per-GB costs measured apart, single "
    "connection: reading the literals into one reused buffer (`app/transport/body_stream.py`) "
    "3.0–3.2 CPU s/GB against 5.3 through imaplib (the raw floor: 3.4), with MIME scan, "
    "SHA-256, sealing and direct writes 4.9 s/GB in all; writing 343 MB through the page cache "
    "cost 0.6 s of kernel CPU, with `O_DIRECT` 0.03 s.",
    "- **The workers mostly wait for Dovecot**: a 16 MB job took 0.10–0.12 s of CPU in the "
    "worker's thread and 1.0–2.5 s of wall time (load 12). Dovecot spends about 7–8 CPU "
    "seconds per GB on its side (its imap process and the imap-login process that does its "
    "TLS, per connection), more than any client here: on two cores shared with it, the "
    "server's CPU and the client's add up, which is why the archive cannot approach the raw "
    "fetch floor (one connection, nothing stored).",
    "- **Reading the 10,000-message runs above**: the machine was loaded by other work "
    "(load average 10–15, the raw floor 26–43 s against 5.4 s on a quiet 2026-11-22): "
    "mbsync's `FSync yes` (one fsync per message) suffers most from the shared disk, so its "
    "ratios to Pli are larger than on a quiet machine, for the design before as much as for "
    "the workers: the 1.5× target is met by both designs here, and the difference the "
    "workers make is the row 'the change itself'.",
    "- **In-process at 3,000 messages the workers made the archive slower, not faster**: "
    "starting "
    "two Python processes took about 4 s of wall time at load 9–13 (0.45 s of CPU each), and "
    "while they start during the listing, the listing itself took 3.4–7.2 s instead of 1.0–4.0 "
    "s. In the same hour the threads design archived 343 MB in 7.5–20 s, the workers in 12–28 "
    "s (in-process, first sync, from the sync's start).",
    "- Before (profiled on 2026-11-22 at commit d775d62, bodies in threads): Pli 11.8 s of CPU "
    "for 1.2 GB (user 9.1, system 2.7), Dovecot about 10 s, both cores saturated; the fetching "
    "threads waited for the GIL after each 16 KB TLS record about 40 % of their time.",
    "- **The list** is CPU-bound in Python in the main process (header parsing, rows, threads, "
    "full text), unchanged by this work (see the scale section for its growth).",
    "- **Peak memory**: the `pli` process's peak (VmHWM) is in the table; each worker adds "
    "its own, not counted there: 50 MB measured once its modules are imported and its two "
    "4 MB buffers touched (a Python process with imapclient and cryptography), plus the "
    "literal buffer's growth to the largest message fetched. Bodies no longer travel through "
    "the main process.",
    "- **Process start-up** (about 1.1 s when the machine is quiet): importing the "
    "application, and unwrapping the data key with a passphrase (scrypt N=2^17, 0.5 s, 128 "
    "MiB); with an OS keyring there is no scrypt.",
    "",
]


def _targets(
    *,
    mb: list[float],
    floor: list[float],
    threads: list[float],
    archive: list[float],
    process: list[float],
    whole: list[float],
    list_launch: list[float],
    list_inproc: list[float],
    resync: float,
    rss: float,
) -> list[str]:
    """The targets, judged on same-run ratios (mbsync's time moves with the machine's load)."""

    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    def per_run(a: list[float], b: list[float]) -> list[float]:
        return [x / y for x, y in zip(a, b, strict=False) if y]

    def show(ratios: list[float]) -> str:
        runs = ", ".join(f"{r:.2f}" for r in ratios)
        return f"{median(ratios):.2f}× (runs: {runs})"

    speed = per_run(mb, process)  # > 1: Pli's whole process is faster than mbsync
    speed_inproc = per_run(mb, archive)
    speed_threads = per_run(mb, threads)
    floor_speed = per_run(mb, floor)
    list_share = per_run(list_launch, mb)  # < 0.1 wanted
    list_share_inproc = per_run(list_inproc, mb)
    return [
        "Targets (issue 2, requirement 7, and issue 15 #2), judged on each run's Pli against "
        "the same run's mbsync (`FSync yes`, its default):",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| the archive alone (every body and attachment archived, in the process, from the "
        f"sync's start) at least 1.5× faster than mbsync's full sync (issue 15 #2) | mbsync "
        f"time ÷ Pli's: {show(speed_inproc)}"
        + (f"; before (bodies in threads): {show(speed_threads)}" if speed_threads else "")
        + f"; the raw TLS fetch (the floor): {show(floor_speed)} | "
        f"{met(median(speed_inproc) >= 1.5)} |",
        f"| aim: the archive twice as fast as mbsync | as above | "
        f"{met(median(speed_inproc) >= 2)} |",
        *(
            [
                f"| the change itself: archive with body workers against bodies in threads "
                f"(the design before), same run | threads' time ÷ workers': "
                f"{show(per_run(threads, archive))} | "
                f"{'faster' if median(per_run(threads, archive)) > 1 else 'not faster'} |"
            ]
            if threads
            else []
        ),
        *(
            [
                f"| the whole `pli sync` (bodies, attachments and their text index; launch to "
                f"exit) no slower than mbsync's full sync (issue 15 #2) | mbsync time ÷ Pli's: "
                f"{show(per_run(mb, whole))} | {met(median(per_run(mb, whole)) >= 1)} |"
            ]
            if whole
            else []
        ),
        f"| `pli sync --no-index` process (launch to exit) faster than mbsync's full "
        f"sync | mbsync time ÷ Pli's: {show(speed)} | {met(median(speed) > 1)} |",
        f"| list complete in under a tenth of mbsync's time | list from launch ÷ mbsync: "
        f"{show(list_share)}; in the process: {show(list_share_inproc)} | "
        f"{met(median(list_share) < 0.1)} |",
        f"| no-change resync under 100 ms | {fmt_s(resync)} in-process (median) | "
        f"{met(resync < 0.1)} |",
        f"| peak memory under 300 MB | {fmt_mb(rss)} (highest of the first syncs) | "
        f"{met(rss < 300e6)} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="pli sync beside mbsync and a raw fetch")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--security", choices=["starttls", "tls"], default="starttls")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--index-runs",
        type=int,
        default=0,
        help="runs that also time the whole attachment indexing pass of `pli sync` (minutes)",
    )
    args = parser.parse_args(argv)
    data = measure(args.messages, args.runs, args.security, args.seed, index_runs=args.index_runs)
    print()
    print(markdown(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
