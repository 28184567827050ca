"""Directory benchmark: importing a national-size extraction and searching it, in one run.

    .venv/bin/python -m bench.directory_bench [--rows 536000] [--runs 3] [--queries 400]

1. Writes a realistic ``Extraction_Correspondance_MSSante`` of `--rows` lines with the test
   suite's generator (tests/support/directory_extraction.py: ~85 % PER, ~15 % ORG, French
   names with accents, apostrophes and hyphens, repeated addresses, a few broken lines);
   kept in bench/work/directory/ and reused while its parameters do not change.
2. Import, `--runs` times, each a separate process (`pli directory import FILE --json` on a
   fresh profile): wall time, the importer's own time, and peak memory (the child's own
   high-water mark, ``VmHWM``; ``ru_maxrss`` from ``wait4`` is kept in the raw numbers, but it
   also counts the parent's pages inherited between fork and exec). Beside it, the floor: the
   same file only read and parsed (no database), in a process of its own.
3. Search over the imported directory, on the database thread's code path
   (`DirectoryDatabase.search`, limit 20, as the window asks): full queries (names, given +
   family, profession + town, speciality + department, structures and services, postcodes,
   RPPS, addresses, type filters) and as-you-type prefixes (every prefix of 2+ letters of
   surnames, then "given + partial surname"), built from rows drawn from the directory. One
   warm-up pass, then the measured pass: p50/p95/p99/max. A few prefixes also go through the
   asyncio service (thread hop included).
4. The baseline, side by side: the same queries answered by a naive scan, ``LIKE '%word%'``
   over the same table's columns (what a directory without an index would do), on a sample.

Results: the "Directory" section of docs/benchmarks.md (between its markers, other sections
untouched) and raw numbers in bench/work/results/directory.json. Timings on these shared
2-core machines move from run to run: the baseline is measured in the same run for that reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work" / "directory"
RESULTS = REPO / "bench" / "work" / "results" / "directory.json"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- directory-bench:begin -->"
END = "<!-- directory-bench:end -->"
EXTRACTION_NAME = "Extraction_Correspondance_MSSante_202405140316.txt"
LIMIT = 20

#: Targets of issue 5, requirement 8.
IMPORT_TARGET_S = 20.0
SEARCH_P95_TARGET_MS = 20.0
PREFIX_P95_TARGET_MS = 10.0


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Child:
    """A finished child process: its output, wall time and peak RSS."""

    code: int
    out: str
    err: str
    seconds: float
    max_rss: int
    #: User + system CPU seconds (less sensitive than wall time to other people's load).
    cpu: float = 0.0


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> Child:
    """Run `cmd`; peak RSS from ``wait4`` (this child only)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        child = Child(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss * 1024,  # Linux reports KiB
            usage.ru_utime + usage.ru_stime,
        )
    if child.code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({child.code}):\n{child.err[-3000:]}")
    return child


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of latencies in milliseconds."""
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms),
    }


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "cpu": f"{os.cpu_count()} cores ({cpu})",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def load_now() -> str:
    """The 1-minute load average."""
    return f"{os.getloadavg()[0]:.2f}"


# -- the extraction -----------------------------------------------------------------------------


_GENERATE = """
import json, sys, time
from pathlib import Path
from tests.support.directory_extraction import write_extraction
path, rows, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
made = write_extraction(path, rows, seed=seed, malformed=rows // 2500, blank_lines=5)
print(json.dumps({
    "lines": made.lines,
    "valid_lines": made.valid_lines,
    "mailboxes": made.mailboxes,
    "persons": len(made.persons),
    "by_type": dict(made.by_type),
    "malformed": sum(made.malformed.values()),
    "duplicate_lines": made.duplicate_lines,
    "bytes": path.stat().st_size,
    "generation_seconds": round(time.perf_counter() - started, 1),
}))
"""


def extraction(rows: int, seed: int, env: dict[str, str]) -> tuple[Path, dict[str, Any]]:
    """The generated extraction (written once, then reused) and what it holds.

    Generated in a child process: the generator's memory must not inflate this process, whose
    pages every measured child inherits at fork.
    """
    folder = WORK / f"rows-{rows}-seed-{seed}"
    path = folder / EXTRACTION_NAME
    meta_path = folder / "meta.json"
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    child = run_child([sys.executable, "-c", _GENERATE, str(path), str(rows), str(seed)], env)
    meta_path.write_text(child.out)
    return path, json.loads(child.out)


# -- import -------------------------------------------------------------------------------------

#: Peak resident memory of this process (VmHWM), printed at exit. Unlike ``ru_maxrss``, it is
#: the executed program's own: the kernel counts in ``ru_maxrss`` the pages of the parent
#: inherited between fork and exec.
_PEAK = """
import atexit, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("VMHWM " + line.split()[1] + "\\n")
atexit.register(_peak)
"""
_PARSE_ONLY = (
    _PEAK
    + """
import time
from pathlib import Path
from app.directory.extraction import ExtractionReader, open_extraction
started = time.perf_counter()
with open_extraction(Path(sys.argv[1])) as source:
    rows = sum(1 for _ in ExtractionReader(source).rows())
print(rows, time.perf_counter() - started)
"""
)
_IMPORTER = (
    _PEAK
    + """
import json, time
from pathlib import Path
from app.directory.importer import import_extraction
marks = [("start", time.perf_counter())]
def progress(p):
    name = f"index-{p.done}" if p.phase == "index" else p.phase
    if name != marks[-1][0]:
        marks.append((name, time.perf_counter()))
report = import_extraction(Path(sys.argv[2]), Path(sys.argv[1]), on_progress=progress)
marks.append(("end", time.perf_counter()))
phases = {}
for (name, at), (_, following) in zip(marks, marks[1:]):
    phases[name] = phases.get(name, 0.0) + following - at
phases["read"] = phases.get("read", 0.0) + phases.pop("start", 0.0)
print(json.dumps({"seconds": report.seconds, "mailboxes": report.mailboxes, "phases": phases}))
"""
)
_PLI = (
    _PEAK
    + """
sys.argv = ["pli", *sys.argv[1:]]
from app.__main__ import main
main()
"""
)


def _vmhwm(child: Child) -> int:
    for line in child.err.splitlines():
        if line.startswith("VMHWM "):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no peak memory reported")


def child_env() -> dict[str, str]:
    """The environment of measured processes."""
    env = dict(os.environ)
    env.pop("PLI_TESTING", None)
    env.pop("PLI_ESANTE_API_KEY", None)
    env["PYTHONPATH"] = str(REPO)
    return env


def wait_for_quiet(threshold: float, patience: float) -> float:
    """Wait (up to `patience` s) for the 1-minute load average to fall under `threshold`.

    The machine is shared: another developer's test run doubles wall times. Returns the load
    average when the run starts (reported beside each run).
    """
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def measure_import(
    path: Path, runs: int, env: dict[str, str], quiet: float, patience: float
) -> tuple[dict[str, Any], Path]:
    """Import `runs` times in fresh profiles; returns the numbers and the last profile's DB."""
    imports: list[dict[str, Any]] = []
    floors: list[dict[str, float]] = []
    alone: list[dict[str, float]] = []
    profile = WORK / "profile"
    loads: list[float] = []
    for run in range(runs):
        loads.append(wait_for_quiet(quiet, patience))
        floor = run_child([sys.executable, "-c", _PARSE_ONLY, str(path)], env)
        floors.append({"seconds": floor.seconds, "peak": _vmhwm(floor), "ru_maxrss": floor.max_rss})
        scratch = WORK / "alone.db"
        scratch.unlink(missing_ok=True)
        bare = run_child([sys.executable, "-c", _IMPORTER, str(path), str(scratch)], env)
        alone.append(
            {
                "seconds": bare.seconds,
                "cpu": bare.cpu,
                "importer_seconds": json.loads(bare.out)["seconds"],
                "phases": json.loads(bare.out)["phases"],
                "peak": _vmhwm(bare),
            }
        )
        scratch.unlink(missing_ok=True)
        if profile.exists():
            for item in profile.iterdir():
                item.unlink()
        child = run_child(
            [
                sys.executable,
                "-c",
                _PLI,
                "--profile",
                str(profile),
                "directory",
                "import",
                str(path),
                "--json",
            ],
            env,
        )
        report = json.loads(child.out)
        imports.append(
            {
                "seconds": child.seconds,
                "cpu": child.cpu,
                "importer_seconds": report["seconds"],
                "peak": _vmhwm(child),
                "ru_maxrss": child.max_rss,
                "mailboxes": report["mailboxes"],
                "malformed": report["malformed"],
                "duplicates": report["duplicates"],
            }
        )
        print(
            f"  import run {run + 1} (load {loads[-1]:.2f}): {child.seconds:.1f} s "
            f"(importer {report['seconds']:.1f} s),"
            f" peak {_vmhwm(child) / 1e6:.0f} MB; importer alone {bare.seconds:.1f} s, peak "
            f"{alone[-1]['peak'] / 1e6:.0f} MB; parse-only {floor.seconds:.1f} s",
            flush=True,
        )
    db = profile / "directory.db"
    return {
        "imports": imports,
        "parse_only": floors,
        "importer_alone": alone,
        "loads": loads,
        "db_bytes": db.stat().st_size,
    }, db


# -- queries ------------------------------------------------------------------------------------


@dataclass
class Queries:
    """The measured query sets, as `DirectoryQuery` keyword arguments."""

    search: list[dict[str, Any]] = field(default_factory=list)
    prefix: list[dict[str, Any]] = field(default_factory=list)


def build_queries(db: Path, count: int, seed: int) -> Queries:
    """Realistic queries from rows drawn at random from the directory."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT max(id) FROM mailbox").fetchone()[0]
    ids = rng.sample(range(1, total + 1), min(total, count * 3))
    marks = ",".join("?" for _ in ids)
    rows = conn.execute(
        "SELECT family, given, profession, speciality, town, postcode, department, "
        f"organisation, service, id_pp, address, type FROM mailbox WHERE id IN ({marks})",
        ids,
    ).fetchall()
    conn.close()
    persons = [r for r in rows if r[0]]
    structures = [r for r in rows if not r[0] and r[7]]
    rng.shuffle(persons)
    rng.shuffle(structures)
    queries = Queries()
    made = 0
    while len(queries.search) < count and persons and made < count * 4:
        p = persons[made % len(persons)]
        s = structures[made % len(structures)] if structures else None
        family, given, profession, speciality, town, postcode, dept = p[:7]
        rpps, address = p[9], p[10]
        town_word = town.split()[0] if town else ""
        kind = made % 11
        made += 1
        query: dict[str, Any] | None = None
        if kind == 0:
            query = {"text": family}  # a surname
        elif kind == 1:
            query = {"text": f"{given} {family}"}  # given name and surname
        elif kind == 2:
            query = {"text": f"{family} {town_word}"}  # surname and town
        elif kind == 3:
            query = {"profession": profession, "city": town_word}
        elif kind == 4 and speciality:
            query = {"speciality": speciality.split(" | ")[0].split()[0], "department": dept}
        elif kind == 5 and s is not None and s[8]:
            query = {"organisation": s[7].split()[0], "text": s[8].split()[0]}  # a service
        elif kind == 6:
            query = {"text": postcode or family}
        elif kind == 7 and rpps:
            query = {"identifier": rpps}
        elif kind == 8:
            query = {"text": address.split("@")[0][:12] + "@"}  # the start of an address
        elif kind == 9 and s is not None:
            query = {"text": s[4].split()[0] if s[4] else s[7].split()[0], "types": ["ORG"]}
        elif kind == 10:
            query = {"family": family, "given": given[:3]}
        if query is not None:
            queries.search.append(query)
    for p in persons[: max(20, count // 8)]:
        family, given = p[0], p[1]
        letters = family.replace("'", "").replace("-", " ")
        for n in range(2, min(len(letters), 9) + 1):
            queries.prefix.append({"text": letters[:n]})
        if given:
            for n in range(1, min(len(family), 5) + 1):
                queries.prefix.append({"text": f"{given} {family[:n]}"})
    rng.shuffle(queries.prefix)
    return queries


def _query(fields: dict[str, Any]) -> Any:
    from app.domain.directory import DirectoryQuery, MailboxType

    data = dict(fields)
    data["types"] = frozenset(MailboxType(t) for t in data.get("types", []))
    return DirectoryQuery(**{k: v for k, v in data.items() if v})


def measure_search(db: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Latency of `DirectoryDatabase.search` (warm-up pass, then the measured pass)."""
    from app.directory.database import DirectoryDatabase
    from app.directory.search import compile_query

    conn = DirectoryDatabase.open(db)
    try:
        compiled = [compile_query(_query(q)) for q in queries]
        cold: list[float] = []
        for query in compiled:
            started = time.perf_counter()
            conn.search(query, limit=LIMIT)
            cold.append((time.perf_counter() - started) * 1000)
        warm: list[float] = []
        found = 0
        for query in compiled:
            started = time.perf_counter()
            entries, _ = conn.search(query, limit=LIMIT)
            warm.append((time.perf_counter() - started) * 1000)
            found += bool(entries)
        return {"warm": summary(warm), "cold": summary(cold), "answered": found / len(compiled)}
    finally:
        conn.close()


def measure_service(db: Path, queries: list[dict[str, Any]]) -> dict[str, float]:
    """The same through the asyncio service (thread hop and event loop included)."""
    from app.config.settings import DirectorySettings
    from app.services.directory_service import DirectoryService

    async def run() -> list[float]:
        async with DirectoryService(db, DirectorySettings()) as service:
            for q in queries[:20]:
                await service.search(_query(q), limit=LIMIT, online=False)
            times = []
            for q in queries:
                started = time.perf_counter()
                await service.search(_query(q), limit=LIMIT, online=False)
                times.append((time.perf_counter() - started) * 1000)
            return times

    return summary(asyncio.run(run()))


_LIKE_COLUMNS = (
    "family",
    "given",
    "profession",
    "speciality",
    "organisation",
    "service",
    "town",
    "postcode",
    "department",
    "id_pp",
    "address",
)
_FIELD_COLUMNS = {
    "family": ("family",),
    "given": ("given",),
    "profession": ("profession",),
    "speciality": ("speciality",),
    "city": ("town",),
    "postcode": ("postcode",),
    "department": ("department",),
    "organisation": ("organisation", "service"),
    "identifier": ("id_pp",),
}


def measure_baseline(db: Path, queries: list[dict[str, Any]]) -> dict[str, float]:
    """A naive ``LIKE '%word%'`` scan answering the same queries (every word, every column)."""
    from app.directory.text import tokens

    conn = sqlite3.connect(db)
    times = []
    try:
        for q in queries:
            where: list[str] = []
            params: list[str] = []
            for name, value in q.items():
                if name == "types":
                    where.append(f"type IN ({','.join('?' for _ in value)})")
                    params.extend(value)
                    continue
                columns = _LIKE_COLUMNS if name == "text" else _FIELD_COLUMNS[name]
                for word in tokens(value) if name != "text" or "@" not in value else [value]:
                    where.append("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")")
                    params.extend([f"%{word}%"] * len(columns))
            sql = f"SELECT * FROM mailbox WHERE {' AND '.join(where) or '1'} LIMIT {LIMIT}"
            started = time.perf_counter()
            conn.execute(sql, params).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    return summary(times)


# -- the report ---------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def section(data: dict[str, Any]) -> str:
    """The Markdown section."""
    meta = data["extraction"]
    imports = data["import"]["imports"]
    floors = data["import"]["parse_only"]
    wall = [i["seconds"] for i in imports]
    cpu = [i["cpu"] for i in imports]
    inner = [i["importer_seconds"] for i in imports]
    rss = [i["peak"] for i in imports]
    floor = [f["seconds"] for f in floors]
    bare = data["import"]["importer_alone"]
    bare_wall = [b["seconds"] for b in bare]
    bare_peak = [b["peak"] for b in bare]
    search = data["search"]
    prefix = data["prefix"]
    m = data["machine"]
    by_type = ", ".join(f"{n:,} {t}" for t, n in sorted(meta["by_type"].items()))
    lines = [
        BEGIN,
        "## Directory",
        "",
        f"Measured {data['date']} with `{data['command']}` "
        f"(`bench/directory_bench.py`; raw numbers in `bench/work/results/directory.json`).",
        "",
        f"- Machine: {m['cpu']}, {m['os']}, Python {m['python']}, SQLite {m['sqlite']}; "
        f"shared with other developers (load average at start {m['load']}, at the end "
        f"{data['load_end']}: with a load near or above the number of cores, processes wait "
        "for a CPU and wall times grow; the CPU time is less affected).",
        f"- Extraction: {meta['lines']:,} lines, {meta['bytes'] / 1e6:.0f} MB, generated by "
        f"`tests/support/directory_extraction.py` (seeded): {meta['mailboxes']:,} distinct "
        f"addresses ({by_type}) of {meta['persons']:,} professionals, "
        f"{meta['duplicate_lines']:,} repeated addresses, {meta['malformed']} broken lines.",
        f"- Directory file after import: {data['import']['db_bytes'] / 1e6:.0f} MB.",
        "",
        "| | median | runs | |",
        "|---|---:|---:|---|",
        f"| import, whole `pli directory import` process | {statistics.median(wall):.1f} s | "
        f"{min(wall):.1f}–{max(wall):.1f} s | {len(wall)} runs; load average at each start: "
        f"{', '.join(f'{x:.2f}' for x in data['import']['loads'])} |",
        f"| CPU time (user + system) of that process | {statistics.median(cpu):.1f} s | "
        f"{min(cpu):.1f}–{max(cpu):.1f} s | |",
        f"| import, the importer inside that process (its report) | "
        f"{statistics.median(inner):.1f} s | {min(inner):.1f}–{max(inner):.1f} s | |",
        f"| import, a process running only the importer | {statistics.median(bare_wall):.1f} s | "
        f"{min(bare_wall):.1f}–{max(bare_wall):.1f} s | peak "
        f"{statistics.median(bare_peak) / 1e6:.0f} MB |",
        f"| floor: read and parse the file only, no database | {statistics.median(floor):.1f} s | "
        f"{min(floor):.1f}–{max(floor):.1f} s | |",
        f"| peak memory of the `pli` import process (VmHWM) | "
        f"{statistics.median(rss) / 1e6:.0f} MB | {min(rss) / 1e6:.0f}–{max(rss) / 1e6:.0f} MB | "
        f"importer alone {statistics.median(bare_peak) / 1e6:.0f} MB, parse-only "
        f"{statistics.median([f['peak'] for f in floors]) / 1e6:.0f} MB |",
        "",
        *phase_lines(bare),
        "",
        f"Search latency, `DirectoryDatabase.search` (limit {LIMIT}), after one warm-up pass; the "
        "baseline is a `LIKE '%word%'` scan of the same table, on a sample of the same queries:",
        "",
        "| query set | n | p50 | p95 | p99 | max | first pass p95 | baseline p50 | baseline p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("search", "full queries"), ("prefix", "as-you-type prefixes")):
        s = data[name]
        w, c, b = s["warm"], s["cold"], s["baseline"]
        lines.append(
            f"| {label} | {w['n']:.0f} | {_ms(w['p50'])} | {_ms(w['p95'])} | {_ms(w['p99'])} | "
            f"{_ms(w['max'])} | {_ms(c['p95'])} | {_ms(b['p50'])} | {_ms(b['p95'])} |"
        )
    service = data["service"]
    lines += [
        "",
        f"Through the asyncio service (event loop and database thread hop included), the "
        f"prefix set: p50 {_ms(service['p50'])}, p95 {_ms(service['p95'])}. Queries answered "
        f"with at least one entry: {search['warm_answered']:.0%} of the full set, "
        f"{prefix['warm_answered']:.0%} of the prefixes.",
        "",
        "Targets (issue 5, requirement 8):",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| import of a 536,000-line extraction under {IMPORT_TARGET_S:.0f} s | the importer "
        f"(a process running only it): {statistics.median(bare_wall):.1f} s; the whole `pli "
        f"directory import` command: {statistics.median(wall):.1f} s, of which "
        f"{statistics.median(wall) - statistics.median(inner):.1f} s is the command's start-up "
        f"(importing the whole application); CPU time {statistics.median(cpu):.1f} s; "
        f"{meta['lines']:,} lines | importer "
        f"{_met(statistics.median(bare_wall) < IMPORT_TARGET_S)}, whole command "
        f"{_met(statistics.median(wall) < IMPORT_TARGET_S)} |",
        f"| search p95 under {SEARCH_P95_TARGET_MS:.0f} ms | {_ms(search['warm']['p95'])} | "
        f"{_met(search['warm']['p95'] < SEARCH_P95_TARGET_MS)} |",
        f"| as-you-type prefix p95 under {PREFIX_P95_TARGET_MS:.0f} ms | "
        f"{_ms(prefix['warm']['p95'])} | {_met(prefix['warm']['p95'] < PREFIX_P95_TARGET_MS)} |",
        f"| peak memory of the import reported | {statistics.median(rss) / 1e6:.0f} MB for the "
        f"`pli` process, {statistics.median(bare_peak) / 1e6:.0f} MB for the importer alone | "
        "reported |",
        "",
        "How: lines are streamed into the table (no file-sized buffer), repeated addresses merged "
        "afterwards through the address index, the alphabetical order and an FTS5 index "
        "(`unicode61 remove_diacritics 2`, `detail=column`, prefix indexes of 1–3 letters) built "
        "once at the end into a temporary file that replaces the old directory atomically. A "
        "query's longer prefixes are expanded into the few indexed words they stand for (an OR "
        "read lazily up to the LIMIT) instead of FTS5's full doclist merge; a surname tier that "
        "cannot match is skipped using the index's vocabulary.",
        END,
    ]
    return "\n".join(lines) + "\n"


#: The importer's steps, in order (app/directory/importer.py).
PHASES = (
    ("read", "read, parse and store the lines"),
    ("index-0", "address index"),
    ("index-1", "merge repeated addresses"),
    ("index-2", "alphabetical order"),
    ("index-3", "full-text index"),
    ("index-4", "other indexes (person, identifier, order)"),
    ("index-5", "word list (prefix expansion), counts, list of domains carried over"),
    ("finish", "flush to disk and replace the old file"),
)


def phase_lines(runs: list[dict[str, Any]]) -> list[str]:
    """Where the importer's time goes (medians of the importer-only processes)."""
    lines = ["Where the importer's time goes (process running only the importer, medians):", ""]
    lines += ["| step | time |", "|---|---:|"]
    for key, label in PHASES:
        values = [r["phases"].get(key, 0.0) for r in runs]
        lines.append(f"| {label} | {statistics.median(values):.1f} s |")
    return lines


def write_section(text: str) -> None:
    """Put the section into docs/benchmarks.md, replacing only its own markers' content."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        before = current.split(BEGIN, 1)[0]
        after = current.split(END, 1)[1].lstrip("\n")
        new = before + text + ("\n" + after if after else "")
    else:
        new = current.rstrip("\n") + "\n\n" + text
    DOC.write_text(new, encoding="utf-8")


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its section."""
    parser = argparse.ArgumentParser(prog="python -m bench.directory_bench")
    parser.add_argument("--rows", type=int, default=536_000, help="extraction lines (536000)")
    parser.add_argument("--runs", type=int, default=3, help="imports measured (3)")
    parser.add_argument("--queries", type=int, default=400, help="full queries (400)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--baseline-sample", type=int, default=40, help="queries for LIKE scan")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=1.5,
        help="before each import run, wait for the 1-minute load average under this (1.5)",
    )
    parser.add_argument(
        "--patience", type=float, default=300, help="longest wait for a quiet machine, s (300)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))

    command = ".venv/bin/python -m bench.directory_bench" + (
        " " + " ".join(argv if argv is not None else sys.argv[1:])
        if (argv if argv is not None else sys.argv[1:])
        else ""
    )
    data: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "command": command,
        "machine": machine(),
    }
    print(f"extraction: {args.rows:,} lines…", flush=True)
    env = child_env()
    path, meta = extraction(args.rows, args.seed, env)
    data["extraction"] = meta
    print(f"import × {args.runs}…", flush=True)
    data["import"], db = measure_import(path, args.runs, env, args.quiet_load, args.patience)
    print("queries…", flush=True)
    queries = build_queries(db, args.queries, args.seed)
    rng = random.Random(args.seed)
    for name, chosen in (("search", queries.search), ("prefix", queries.prefix)):
        result = measure_search(db, chosen)
        sample = rng.sample(chosen, min(args.baseline_sample, len(chosen)))
        data[name] = {
            "warm": result["warm"],
            "cold": result["cold"],
            "warm_answered": result["answered"],
            "baseline": measure_baseline(db, sample),
            "queries": chosen[:50],
        }
        w = result["warm"]
        print(
            f"  {name}: n={w['n']} p50 {w['p50']:.2f} ms p95 {w['p95']:.2f} ms "
            f"(baseline p95 {data[name]['baseline']['p95']:.0f} ms)",
            flush=True,
        )
    data["service"] = measure_service(db, queries.prefix[:300])
    data["load_end"] = load_now()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    text = section(data)
    print(text)
    if not args.no_doc:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
