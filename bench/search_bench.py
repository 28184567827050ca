"""Search benchmark: `pli search` over an archive of 100,000 messages, beside naive baselines.

    .venv/bin/python -m bench.search_bench [--messages 100000] [--repeat 30]

The archive is made the real way: the text corpus (bench/corpus.py, ``text`` mode: no
attachments, INBOX/Sent/Archive) is seeded into the test Dovecot and synced by `pli sync`
(a separate process, timed, beside a raw fetch of the same mail). Then, in this process, with
the services opened as the window opens them:

- each query of a realistic set (rare phrase, surname, frequent word, prefix, phrase), with and
  without filters (folder, date range), newest first and 50 at a time as `pli search` asks,
  is run `--repeat` times through `ArchiveService.search` (the store's thread included) and
  timed; p50/p95/p99 per query and over all of them;
- the same queries with two baselines on the same connection: the naive shape (the full
  FTS match sorted by date) and a LIKE scan of the text, newest first;
- a few of the queries through the `pli search` command line, for reference (process
  start-up included).

Results: a Markdown section and bench/work/results/search.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import (
    PASSPHRASE,
    WORK,
    PliProfile,
    Servers,
    as_json_safe,
    fmt_mb,
    fmt_s,
    machine,
    machine_lines,
    median,
    percentile,
    raw_fetch,
    seed,
)
from bench.corpus import FIRST_F, FIRST_M, OWNER_NAME, Corpus, ascii_fold, load_or_generate

LIMIT = 50  # what `pli search` asks by default (app/cli/archive.py)
BASELINE_REPEAT = 5  # the baselines are slow by design: fewer calls
TARGET_P95 = 0.020


@dataclass(frozen=True)
class Query:
    """One search as a user types it, with a filter."""

    label: str
    text: str
    filter_label: str
    folder: str | None = None
    since: str | None = None  # YYYY-MM-DD, as `pli search --since`
    until: str | None = None


def _surname(corpus: Corpus) -> tuple[str, int]:
    """A patient surname found in about 7 % of the messages (not a first name, not the owner)."""
    counts = corpus.stats["surnames"]
    assert isinstance(counts, dict)
    excluded = set(FIRST_F) | set(FIRST_M) | {OWNER_NAME.split()[-1]}
    candidates = [(n, c) for n, c in counts.items() if n not in excluded and " " not in n]
    wanted = 0.068 * corpus.count
    return min(candidates, key=lambda nc: abs(nc[1] - wanted))


def queries(corpus: Corpus) -> list[Query]:
    """The query set: four kinds of text, each alone and with filters."""
    surname, _ = _surname(corpus)
    texts = [
        ("rare phrase", '"syndrome de Kounis"'),
        ("surname", ascii_fold(surname).lower()),
        ("frequent word", "ordonnance"),
        ("prefix", "cardio*"),
        ("two words", "créatinine bisoprolol"),
    ]
    filters: list[tuple[str, dict[str, str]]] = [
        ("none", {}),
        ("folder Sent", {"folder": "Sent"}),
        ("3 months (last)", {"since": "2025-04-01", "until": "2025-07-01"}),
        ("3 months (2024)", {"since": "2024-01-01", "until": "2024-04-01"}),
        (
            "folder INBOX + 3 months",
            {"folder": "INBOX", "since": "2024-10-01", "until": "2025-01-01"},
        ),
    ]
    return [
        Query(label, text, flabel, **kwargs) for label, text in texts for flabel, kwargs in filters
    ]


def _day(text: str | None) -> int | None:
    # As app/cli/archive.py's _day: local midnight.
    return int(datetime.strptime(text, "%Y-%m-%d").timestamp()) if text else None


async def _measure_queries(
    root: Path, qs: list[Query], repeat: int, baseline_repeat: int, log: Callable[[str], None]
) -> dict[str, Any]:
    from app.config.paths import AppPaths
    from app.config.settings import Settings
    from app.services.archive_service import SearchFilters
    from app.services.profile import open_services

    paths = AppPaths.at(root)

    async def ask(_new: bool) -> str:
        return PASSPHRASE

    services = await open_services(
        paths, Settings.load(paths.settings_file), ask, prefer_passphrase=True
    )
    try:
        account = (await services.accounts.list())[0]
        folder_ids = {
            name: await services.archive.folder_id(account, name)
            for name in ("INBOX", "Sent", "Archive")
        }
        total = await services.archive.count(SearchFilters())
        rows: list[dict[str, Any]] = []
        for q in qs:
            filters = SearchFilters(
                account_id=account.id if q.folder else None,
                folder_id=folder_ids[q.folder] if q.folder else None,
                since=_day(q.since),
                until=_day(q.until),
                limit=LIMIT,
            )
            for _ in range(3):  # warm the page cache and the statement cache
                found = await services.archive.search(q.text, filters)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                found = await services.archive.search(q.text, filters)
                times.append(time.perf_counter() - started)
            hits = await services.store.read(partial(_count_hits, text=q.text, filters=filters))
            ordered = all(
                found[i].internal_date >= found[i + 1].internal_date for i in range(len(found) - 1)
            )
            naive = await _baseline(services, _naive_sql, q.text, filters, baseline_repeat)
            ranked = await _baseline(services, _ranked_sql, q.text, filters, baseline_repeat)
            like = None
            if q.filter_label == "none":
                like = await _baseline(services, _like_sql, q.text, filters, 2)
            rows.append(
                {
                    "query": q.label,
                    "text": q.text,
                    "filter": q.filter_label,
                    "hits": hits,
                    "returned": len(found),
                    "newest_first": ordered,
                    "times": times,
                    "naive": naive,
                    "ranked": ranked,
                    "like": like,
                }
            )
            log(
                f"  {q.label:13s} {q.filter_label:24s} hits {hits:6d}  p50"
                f" {percentile(times, 50) * 1000:6.2f} ms  p95 {percentile(times, 95) * 1000:6.2f}"
                f" ms  naive p50 {percentile(naive, 50) * 1000:7.1f} ms"
            )
        return {"messages_in_archive": total, "rows": rows}
    finally:
        await services.aclose()


def _count_hits(archive: Any, text: str, filters: Any) -> int:
    from app.store.repositories.messages import to_fts_query

    where, params = archive.messages._where(filters, sort_key_column="x.rowid")
    condition = where.replace("WHERE", "AND", 1) if where else ""
    row = archive.conn.execute(
        "SELECT count(*) FROM message_fts x JOIN messages m ON m.sort_key = x.rowid"
        f" WHERE message_fts MATCH ? {condition}",
        (to_fts_query(text), *params),
    ).fetchone()
    return int(row[0])


_COLUMNS = (
    "m.id, a.name, f.name, m.uid, m.internal_date, m.sent_date, m.from_name, m.from_addr,"
    " m.subject, m.flags, m.keywords, m.size, m.has_attachments, m.body_state, m.gone_at,"
    " m.thread_id, m.patient_ins"
)


def _naive_sql(archive: Any, text: str, filters: Any) -> list[Any]:
    """The naive shape: every FTS match joined, then sorted by date (PERFORMANCE.md).

    The same filters as Pli's query (the date range on the FTS rowid); only the order differs.
    """
    from app.store.repositories.messages import to_fts_query

    where, params = archive.messages._where(filters, sort_key_column="x.rowid")
    condition = where.replace("WHERE", "AND", 1) if where else ""
    return list(
        archive.conn.execute(
            f"SELECT {_COLUMNS} FROM message_fts x JOIN messages m ON m.sort_key = x.rowid"
            " JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id"
            f" WHERE message_fts MATCH ? {condition} ORDER BY m.internal_date DESC LIMIT ?",
            (to_fts_query(text), *params, LIMIT),
        ).fetchall()
    )


def _ranked_sql(archive: Any, text: str, filters: Any) -> list[Any]:
    """Best matches first (bm25), for reference: what FTS5 does fastest."""
    from app.store.repositories.messages import to_fts_query

    where, params = archive.messages._where(filters, sort_key_column="x.rowid")
    condition = where.replace("WHERE", "AND", 1) if where else ""
    return list(
        archive.conn.execute(
            f"SELECT {_COLUMNS} FROM message_fts x JOIN messages m ON m.sort_key = x.rowid"
            " JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id"
            f" WHERE message_fts MATCH ? {condition} ORDER BY x.rank LIMIT ?",
            (to_fts_query(text), *params, LIMIT),
        ).fetchall()
    )


def _like_sql(archive: Any, text: str, filters: Any) -> list[Any]:
    """No index: LIKE over the stored text, newest first (stops at 50 matches)."""
    words = [w.strip('"').rstrip("*").lower() for w in text.split()]
    if text.startswith('"'):
        words = [text.strip('"').lower()]
    clause = " AND ".join("(t.body LIKE ? OR t.subject LIKE ? OR t.people LIKE ?)" for _ in words)
    params: list[Any] = []
    for word in words:
        params += [f"%{word}%"] * 3
    return list(
        archive.conn.execute(
            f"SELECT {_COLUMNS} FROM message_text t JOIN messages m ON m.sort_key = t.sort_key"
            " JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id"
            f" WHERE {clause} ORDER BY t.sort_key DESC LIMIT ?",
            (*params, LIMIT),
        ).fetchall()
    )


async def _baseline(
    services: Any, sql: Callable[[Any, str, Any], list[Any]], text: str, filters: Any, repeat: int
) -> list[float]:
    times = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        await services.store.read(lambda a: sql(a, text, filters))
        if i:  # the first one warms up
            times.append(time.perf_counter() - started)
    return times


def measure(
    messages: int,
    repeat: int,
    seed_value: int,
    *,
    cli_repeat: int = 2,
    reuse: bool = False,
    log: Any = print,
) -> dict[str, Any]:
    """Build the archive with `pli sync`, then measure the searches.

    `reuse` (for working on the queries only) keeps the synced profile under
    bench/work/keep/ and starts from it next time instead of syncing again.
    """
    info = machine()
    measured_at = time.strftime("%Y-%m-%d %H:%M")
    corpus, generated = load_or_generate("text", messages, seed_value)
    work = WORK / "search"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    profile = PliProfile(work / "pli-profile")
    kept = WORK / "keep" / f"search-{messages}-s{seed_value}"
    if reuse and (kept / "sync.json").exists():
        shutil.copytree(kept, profile.root)
        synced = json.loads((kept / "sync.json").read_text())
        log(f"reusing the archive synced on {synced['date']} (--reuse)")
    else:
        synced = _sync_archive(corpus, work, profile, log)
        if reuse:
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(profile.root, kept)
            (kept / "sync.json").write_text(json.dumps(synced))
    try:
        qs = queries(corpus)
        measured = asyncio.run(_measure_queries(profile.root, qs, repeat, BASELINE_REPEAT, log))
        cli = []
        for q in qs:
            if q.filter_label != "none" or q.label == "two words":
                continue
            times = []
            for _ in range(cli_repeat):
                run = profile.run("search", q.text, "--json").check("pli search")
                times.append(run.seconds)
            cli.append({"query": q.label, "text": q.text, "times": times})
            log(f"  pli search {q.text}: {median(times):.2f} s (process)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data = {
        "machine": info,
        "measured": measured_at,
        "messages": corpus.count,
        "corpus": corpus.stats,
        "corpus_bytes": corpus.total_bytes,
        "corpus_generated_seconds": generated,
        "seed": seed_value,
        **synced,
        "repeat": repeat,
        "search": measured,
        "cli": cli,
    }
    out = WORK / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "search.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
    return data


def _sync_archive(
    corpus: Corpus, work: Path, profile: PliProfile, log: Callable[[str], None]
) -> dict[str, Any]:
    """Seed Dovecot with the corpus and archive it with `pli sync`; returns what it took."""
    servers = Servers(work).start()
    try:
        address = servers.add_user()
        seeded, folders = seed(servers, address, corpus, by_folder=True)
        log(f"seeded {corpus.count} messages ({corpus.total_bytes / 1e6:.0f} MB) in {seeded:.1f} s")
        floor = raw_fetch(servers, address, security="starttls", folders=list(folders))
        log(f"raw fetch of everything {floor.seconds:.1f} s")
        profile.add_account(servers, address, "starttls")
        sync = profile.run("sync", "--json").check("pli sync")
        report = json.loads(sync.out)["accounts"][0]
        if report["new"] != corpus.count or report["missing_bodies"]:
            raise RuntimeError(f"pli sync did not archive everything: {report}")
        listed, archived = report["list_seconds"], report["archive_seconds"]
        log(
            f"pli sync: list {listed:.1f} s, archive {archived:.1f} s,"
            f" process {sync.seconds:.1f} s, {sync.max_rss / 1e6:.0f} MB"
        )
        archive_size = profile.archive_size()
    finally:
        servers.stop()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "seed_seconds": seeded,
        "folders": folders,
        "floor": as_json_safe(floor),
        "sync": {
            "process": sync.seconds,
            "max_rss": sync.max_rss,
            "list_seconds": report["list_seconds"],
            "archive_seconds": report["archive_seconds"],
        },
        "archive_size": archive_size,
    }


def _ms(seconds: float) -> str:
    if seconds != seconds:
        return "-"
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def markdown(data: dict[str, Any]) -> str:
    """The "Search" section of docs/benchmarks.md."""
    n = data["messages"]
    rows = data["search"]["rows"]
    everything = [t for r in rows for t in r["times"]]
    naive_all = [t for r in rows for t in r["naive"]]
    p95_all = percentile(everything, 95)
    worst = max(rows, key=lambda r: percentile(r["times"], 95))
    sync = data["sync"]
    folders = ", ".join(f"{k} {v:,}" for k, v in data["folders"].items())
    cmd = f".venv/bin/python -m bench.search_bench --messages {n} --repeat {data['repeat']}"
    when = data.get("measured") or time.strftime("%Y-%m-%d %H:%M")
    lines = [
        "## Search",
        "",
        f"Measured {when} by `make bench` (alone: `{cmd}`).",
        "",
        *machine_lines(data["machine"]),
        f"- Archive: {n:,} text messages of the generated corpus (bench/corpus.py, `text` mode, "
        f"{data['corpus_bytes'] / 1e6:.0f} MB; {folders}), seeded into the test Dovecot and "
        f"archived by `pli sync` in the same run: list {fmt_s(sync['list_seconds'])}, every "
        f"body {fmt_s(sync['archive_seconds'])}, process {fmt_s(sync['process'])}, peak RSS "
        f"{fmt_mb(sync['max_rss'])} (a raw TLS fetch of the same mail: "
        f"{fmt_s(data['floor']['seconds'])}). Archive {data['archive_size'] / 1e6:.0f} MB "
        "(SQLCipher database and body files).",
        f"- Each query: {data['repeat']} timed calls of `ArchiveService.search` after 3 warm-up "
        f"calls, newest first, {LIMIT} results (what `pli search` asks), in-process: the call "
        "crosses to the store's thread and back, process start-up excluded. Baselines on the "
        "same connection in the same run.",
        "",
        f"**All {len(rows)} query/filter combinations together: p50 "
        f"{_ms(percentile(everything, 50))} ms, p95 {_ms(p95_all)} ms, p99 "
        f"{_ms(percentile(everything, 99))} ms** (naive shape: p50 "
        f"{_ms(percentile(naive_all, 50))} ms, p95 {_ms(percentile(naive_all, 95))} ms).",
        "",
        "| query | filter | hits | p50 ms | p95 ms | p99 ms | naive: match sorted by date, "
        "p50 ms | ranked (bm25), p50 ms | LIKE scan, p50 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        like = _ms(median(r["like"])) if r["like"] else ""
        lines.append(
            f"| {r['query']} `{r['text']}` | {r['filter']} | {r['hits']:,} | "
            f"{_ms(percentile(r['times'], 50))} | {_ms(percentile(r['times'], 95))} | "
            f"{_ms(percentile(r['times'], 99))} | {_ms(median(r['naive']))} | "
            f"{_ms(median(r['ranked']))} | {like} |"
        )
    lines += [
        "",
        "Naive: the same FTS query and filters, ordered by `m.internal_date` instead of the FTS "
        "rowid (so every match is joined and sorted). Ranked: `ORDER BY rank` (bm25), what FTS5 "
        "answers fastest, for reference. LIKE scan: no index, `LIKE '%…%'` over the stored text "
        "newest first, stopping at 50 matches (case-folding for ASCII only, no accent folding: "
        "a lower bound of what a scan costs).",
        "",
        "Through the command line (a `pli search … --json` process each time):",
        "",
    ]
    lines += ["| query | median | runs |", "|---|---:|---:|"]
    for c in data["cli"]:
        lines.append(f"| `{c['text']}` | {fmt_s(median(c['times']))} | {len(c['times'])} |")
    unordered = [r for r in rows if not r["newest_first"]]
    lines += [
        "",
        "Targets (issue 2, requirement 7):",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| search p95 under 20 ms over {n:,} messages | p95 {_ms(p95_all)} ms over every "
        f"query; the slowest query's p95 is {_ms(percentile(worst['times'], 95))} ms "
        f"({worst['query']} `{worst['text']}`, {worst['filter']}) | "
        f"{'**met**' if p95_all < TARGET_P95 else '**not met**'} |",
        "",
    ]
    if unordered:
        lines.append(f"Warning: {len(unordered)} queries did not come back newest first.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="pli search over 100,000 archived messages")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the synced archive in bench/work/keep and reuse it (query work only)",
    )
    args = parser.parse_args(argv)
    data = measure(args.messages, args.repeat, args.seed, reuse=args.reuse)
    print()
    print(markdown(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
