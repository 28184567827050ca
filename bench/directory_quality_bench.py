"""Directory search quality (recall in the first 20 results) and latency, before and after.

    .venv/bin/python -m bench.directory_quality_bench [--rows 536000] [--baseline f889732]
                                                       [--rounds 2] [--no-doc] [--render-only]

Issue 12, item 4: ligatures and special letters fold both ways, the usual abbreviations of
French health structures match their full names and back, punctuation and quotes are ignored,
and the search stays under 20 ms (p95) and 10 ms as-you-type on the full extraction.

One generated extraction of the full size (``tests/support/directory_extraction.py``, seeded)
with, added to it, hand-written lines carrying what the generator never writes (ligatures,
structures' full names, quotes), each with the queries people type to find it. Generated
structures give more cases: "CH <town>" for a CENTRE HOSPITALIER, the full name for a CHU,
"ehpad <name> <town>" and the full name of an EHPAD.

The extraction is imported once per code tree: this tree, and the baseline commit (before the
directory's search-quality work) extracted with ``git archive`` into bench/work/. Each tree
runs in a child process with that tree first on ``sys.path`` (the child imports only ``app``);
the trees' measuring children alternate round by round in the same run. Latency is
``compile_query`` + ``DirectoryDatabase.search(limit=20)``, wall time and the thread's CPU
time, after one warm-up pass, on three sets: full queries (``bench.directory_bench``'s
realistic queries), as-you-type prefixes (surname letters, "given s…") and the quality queries
themselves (abbreviations, ligatures, full names).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work" / "directory_quality"
RESULTS = REPO / "bench" / "work" / "results" / "directory_quality.json"
EXTRACTION_NAME = "Extraction_Correspondance_MSSante_202405140316.txt"
#: Before this session's directory changes (ligatures, abbreviations, structures first).
DEFAULT_BASELINE = "f889732"
LIMIT = 20
SEARCH_P95_TARGET_MS = 20.0
PREFIX_P95_TARGET_MS = 10.0

# -- the query set ------------------------------------------------------------------------------

#: Hand-written structures: (organisation, town, postcode, queries).
HAND_STRUCTURES: list[tuple[str, str, str, list[str]]] = [
    (
        "CENTRE HOSPITALIER UNIVERSITAIRE DE POINTE-À-PITRE",
        "Pointe-à-Pitre",
        "97110",
        ["CHU Pointe-à-Pitre", "chu pointe a pitre", "C.H.U. Pointe-à-Pitre"],
    ),
    (
        "MAISON DE SANTÉ PLURIPROFESSIONNELLE D'AŸ",
        "Aÿ-Champagne",
        "51160",
        ["MSP Aÿ", "msp ay", "maison de sante ay"],
    ),
    ("INSTITUT DU CŒUR", "Lyon", "69003", ["Coeur", "institut coeur", "cœur lyon"]),
    (
        'SELARL "LES OLIVIERS"',
        "Nîmes",
        "30000",
        ['SELARL "LES OLIVIERS"', "selarl oliviers"],
    ),
    (
        "EHPAD LES MYOSOTIS",
        "Rennes",
        "35000",
        ["établissement hébergement personnes âgées dépendantes myosotis", "ehpad myosotis"],
    ),
    (
        "SERVICE DE SOINS INFIRMIERS À DOMICILE DU VAL",
        "Tours",
        "37000",
        ["SSIAD du val", "ssiad tours"],
    ),
    ("CENTRE MÉDICO-PSYCHOLOGIQUE ENFANTS", "Brest", "29200", ["CMP brest", "cmp enfants"]),
    (
        "HAD DE L'ESTUAIRE",
        "Nantes",
        "44000",
        ["hospitalisation à domicile estuaire", "HAD estuaire"],
    ),
]
#: Hand-written people: (family, given, town, postcode, queries).
HAND_PERSONS: list[tuple[str, str, str, str, list[str]]] = [
    ("BŒUF", "Pierre", "Metz", "57000", ["boeuf", "pierre boeuf", "Bœuf"]),
    ("VEXQUAR", "Lætitia", "Metz", "57000", ["laetitia vexquar", "Lætitia"]),
    ("SŒUR", "Anne", "Metz", "57000", ["soeur anne", "sœur"]),
]


def hand_lines() -> tuple[list[list[str]], list[dict[str, Any]]]:
    """The hand-written extraction lines and their cases (query, the address to find)."""
    from tests.support.directory_extraction import person_line, structure_line

    lines: list[list[str]] = []
    cases: list[dict[str, Any]] = []
    for org, town, postcode, queries in HAND_STRUCTURES:
        n = len(lines)
        address = f"box{n}@quality-{n}.mssante.fr"
        lines.append(
            structure_line(
                address=address, organisation=org, service="Accueil", town=town, postcode=postcode
            )
        )
        cases += [{"kind": "hand", "text": q, "address": address} for q in queries]
    for family, given, town, postcode, queries in HAND_PERSONS:
        n = len(lines)
        address = f"p{n}@quality-{n}.mssante.fr"
        lines.append(
            person_line(
                address=address,
                family=family,
                given=given,
                rpps=f"1000777{n:04d}",
                town=town,
                postcode=postcode,
                department=postcode[:2],
            )
        )
        cases += [{"kind": "hand", "text": q, "address": address} for q in queries]
    return lines, cases


def generated_cases(db: Path, seed: int, count: int = 60) -> list[dict[str, Any]]:
    """Cases from generated structures, abbreviations both ways; the target is any mailbox of
    that organisation at that postcode."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT DISTINCT organisation, town, postcode FROM mailbox WHERE type = 'ORG'"
        " AND (organisation LIKE 'CENTRE HOSPITALIER DE %' OR organisation LIKE 'CHU DE %'"
        " OR organisation LIKE 'EHPAD LES %') ORDER BY organisation, postcode"
    ).fetchall()
    conn.close()
    random.Random(seed).shuffle(rows)
    cases: list[dict[str, Any]] = []
    for org, town, postcode in rows[:count]:
        target = {"organisation": org, "postcode": postcode}
        place = town.title().replace(" Cedex", "")
        if org.startswith("CENTRE HOSPITALIER"):
            cases.append({"kind": "abbreviation", "text": f"CH {place}", **target})
        elif org.startswith("CHU"):
            text = f"centre hospitalier universitaire {place}"
            cases.append({"kind": "full name", "text": text, **target})
        else:
            name = org.split(" LES ", 1)[-1].lower()
            cases.append({"kind": "abbreviation", "text": f"ehpad {name} {place}", **target})
            text = f"établissement d'hébergement pour personnes âgées dépendantes {name} {place}"
            cases.append({"kind": "full name", "text": text, **target})
    return cases


# -- the child: one code tree -------------------------------------------------------------------


def child_import(extraction: Path, db: Path) -> dict[str, Any]:
    """Import the extraction with this process's ``app`` (the tree first on sys.path)."""
    from app.directory.importer import import_extraction

    started = time.perf_counter()
    cpu = time.process_time()
    import_extraction(db, extraction)
    return {
        "import_s": round(time.perf_counter() - started, 1),
        "import_cpu_s": round(time.process_time() - cpu, 1),
    }


def child_measure(db: Path, cases_path: Path) -> dict[str, Any]:
    """Recall@20 of the cases and latency of the three query sets, with this tree's ``app``."""
    from app.directory.database import DirectoryDatabase
    from app.directory.search import compile_query
    from app.domain.directory import DirectoryQuery, MailboxType

    data = json.loads(cases_path.read_text(encoding="utf-8"))
    conn = DirectoryDatabase.open(db)

    def query(fields: dict[str, Any]) -> Any:
        fields = dict(fields)
        fields["types"] = frozenset(MailboxType(t) for t in fields.get("types", []))
        return DirectoryQuery(**{k: v for k, v in fields.items() if v})

    hits: list[bool] = []
    for case in data["cases"]:
        entries, _ = conn.search(compile_query(DirectoryQuery(text=case["text"])), limit=LIMIT)
        if "address" in case:
            hit = any(case["address"] == a for e in entries for a in e.addresses)
        else:
            target = (case["organisation"], case["postcode"])
            hit = any((m.organisation, m.postcode) == target for e in entries for m in e.mailboxes)
        hits.append(hit)

    def timed(items: list[dict[str, Any]]) -> dict[str, list[float]]:
        wall: list[float] = []
        cpu: list[float] = []
        for fields in items:
            q = query(fields)
            started, started_cpu = time.perf_counter(), time.thread_time()
            conn.search(compile_query(q), limit=LIMIT)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        return {"wall": wall, "cpu": cpu}

    sets = {
        "full": data["full"],
        "prefix": data["prefix"],
        "quality": [{"text": c["text"]} for c in data["cases"]],
    }
    for items in sets.values():  # warm-up pass
        timed(items)
    return {
        "hits": hits,
        "latency": {name: timed(items) for name, items in sets.items()},
        "app": str(Path(sys.modules["app"].__file__ or "").parent),
    }


# -- the parent ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def baseline_tree(rev: str) -> Path:
    """The baseline's ``app`` extracted with ``git archive`` (once)."""
    folder = WORK / f"tree-{rev}"
    if not (folder / "app" / "__init__.py").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", rev, "app", "resources"], cwd=REPO, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_tree(tree: Path, *args: str) -> dict[str, Any]:
    """This script in child mode, with `tree` first on sys.path."""
    env = dict(os.environ)
    env.pop("PLI_TESTING", None)
    env["PYTHONPATH"] = str(tree)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), *args]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def extraction(rows: int, seed: int) -> tuple[Path, list[dict[str, Any]]]:
    """The generated extraction with the hand-written lines (written once), and their cases."""
    from tests.support.directory_extraction import write_extraction

    lines, cases = hand_lines()
    path = WORK / f"rows-{rows}-seed-{seed}" / EXTRACTION_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_extraction(path, rows, seed=seed, extra=lines)
    return path, cases


def measure(rows: int, seed: int, baseline: str, count: int, rounds: int) -> dict[str, Any]:
    """Import into each tree's directory, then alternate the trees' measuring children."""
    from bench.directory_bench import build_queries

    started = time.perf_counter()
    path, cases = extraction(rows, seed)
    lines = sum(1 for _ in path.open("rb"))
    trees = {"baseline": baseline_tree(baseline), "now": REPO}
    imports: dict[str, Any] = {}
    dbs: dict[str, Path] = {}
    for name, tree in trees.items():
        dbs[name] = path.parent / f"directory-{name}.db"
        dbs[name].unlink(missing_ok=True)
        print(f"importing with the {name} tree…", flush=True)
        imports[name] = run_tree(tree, "import", str(path), str(dbs[name]))
    cases += generated_cases(dbs["now"], seed=3)
    queries = build_queries(dbs["now"], count, seed)
    cases_path = path.parent / "cases.json"
    cases_path.write_text(
        json.dumps({"cases": cases, "full": queries.search, "prefix": queries.prefix}),
        encoding="utf-8",
    )
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    loads: list[float] = []
    for _ in range(rounds):
        for name, tree in trees.items():
            loads.append(os.getloadavg()[0])
            runs[name].append(run_tree(tree, "measure", str(dbs[name]), str(cases_path)))
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "head": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "baseline": baseline,
        "rows": rows,
        "lines": lines,
        "rounds": rounds,
        "loads": [round(x, 2) for x in loads],
        "cores": os.cpu_count(),
        "cases": cases,
        "counts": {"full": len(queries.search), "prefix": len(queries.prefix)},
        "trees": {},
        "seconds": round(time.perf_counter() - started),
    }
    for name in trees:
        hits = runs[name][0]["hits"]
        by_kind: dict[str, list[int]] = {}
        for case, hit in zip(cases, hits, strict=True):
            by_kind.setdefault(case["kind"], [0, 0])
            by_kind[case["kind"]][0] += hit
            by_kind[case["kind"]][1] += 1
        latency: dict[str, Any] = {}
        for kind in ("full", "prefix", "quality"):
            for clock in ("wall", "cpu"):
                values = [v for run in runs[name] for v in run["latency"][kind][clock]]
                latency[f"{kind}_{clock}"] = {
                    "n": len(values),
                    "p50": round(percentile(values, 50), 2),
                    "p95": round(percentile(values, 95), 2),
                    "max": round(max(values), 2),
                }
        result["trees"][name] = {
            **imports[name],
            "app": runs[name][0]["app"],
            "found": sum(hits),
            "by_kind": by_kind,
            "misses": [c["text"] for c, h in zip(cases, hits, strict=True) if not h],
            "latency": latency,
        }
    return result


#: How each kind of case is named in the table.
KINDS = {
    "hand": "hand-written lines (ligatures, abbreviations, full names, quotes)",
    "abbreviation": 'generated structures, abbreviation + place ("CH Gap", "ehpad tilleuls Foix")',
    "full name": "generated structures, full name + place (CHU, EHPAD)",
}


def _verdict(value: float, target: float) -> str:
    return "**met**" if value < target else "**missed**"


def markdown(r: dict[str, Any]) -> str:
    """The "Directory search quality" section."""
    b, n = r["trees"]["baseline"], r["trees"]["now"]
    total = len(r["cases"])
    hand = sum(1 for c in r["cases"] if c["kind"] == "hand")
    lat_b, lat_n = b["latency"], n["latency"]
    lines = [
        "## Directory search quality",
        "",
        f"Measured {r['date']} with `.venv/bin/python -m bench.directory_quality_bench` "
        f"(`bench/directory_quality_bench.py`; raw numbers in "
        f"`bench/work/results/directory_quality.json`), {r['seconds']} s in all. This tree "
        f"(`{r['head']}` + working tree) beside the baseline `{r['baseline']}` (before the "
        "directory's search-quality work: ligatures, abbreviations, structures first), extracted "
        "with `git archive`; each tree imports the same extraction into its own directory and "
        "runs in a child process with that tree first on `sys.path`; the trees' measuring "
        f"children alternate, {r['rounds']} rounds each (1-minute load average at each child's "
        f"start: {', '.join(str(x) for x in r['loads'])}; {r['cores']} cores).",
        "",
        f"- Extraction: {r['lines']:,} lines generated by `tests/support/directory_extraction.py` "
        f"(seeded) plus {len(HAND_STRUCTURES) + len(HAND_PERSONS)} hand-written lines with what "
        "the generator never writes (ligatures Œ/Æ/Ÿ, structures' full names, quotes). Import: "
        f"baseline {b['import_s']} s, now {n['import_s']} s (one run each, not the import "
        "benchmark: see the Directory section).",
        f"- Query set: {total} queries, each with the mailbox it must find in the first {LIMIT} "
        f'results: {hand} hand-written ("CHU Pointe-à-Pitre", "msp ay", "Coeur", '
        '\'SELARL "LES OLIVIERS"\', "ssiad tours", "soeur anne"…) and '
        f'{total - hand} from generated structures ("CH <town>", "ehpad <name> <town>" and '
        "the full names of CHUs and EHPADs).",
        "",
        f"| recall@{LIMIT} | baseline | now |",
        "|---|---|---|",
    ]
    for kind in b["by_kind"]:
        fb, tb = b["by_kind"][kind]
        fn, _ = n["by_kind"][kind]
        lines.append(f"| {KINDS.get(kind, kind)} | {fb}/{tb} | {fn}/{tb} |")
    lines.append(
        f"| **all** | **{b['found']}/{total}** ({100 * b['found'] / total:.0f} %) "
        f"| **{n['found']}/{total}** ({100 * n['found'] / total:.0f} %) |"
    )
    lines += [
        "",
        "Missed now: " + (", ".join(f'"{m}"' for m in n["misses"]) or "none") + ".",
        "",
        f"Latency, `compile_query` + `DirectoryDatabase.search` (limit {LIMIT}) after one "
        f"warm-up pass, all rounds pooled; wall time and the thread's CPU time (the machine is "
        f"shared: CPU time is what other people's load moves least), in ms:",
        "",
        "| query set | n | baseline p50 | baseline p95 | now p50 | now p95 | "
        "now p95 CPU | now max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "full": "full queries",
        "prefix": "as-you-type prefixes",
        "quality": "quality queries (abbreviations…)",
    }
    for kind, label in names.items():
        wb, wn, cn = lat_b[f"{kind}_wall"], lat_n[f"{kind}_wall"], lat_n[f"{kind}_cpu"]
        lines.append(
            f"| {label} | {wn['n']} | {wb['p50']} | {wb['p95']} | {wn['p50']} | {wn['p95']} "
            f"| {cn['p95']} | {wn['max']} |"
        )
    ratios = ", ".join(
        f"{names[kind]} ×{lat_n[f'{kind}_wall']['p95'] / lat_b[f'{kind}_wall']['p95']:.2f}"
        for kind in names
    )
    lines += [
        "",
        f"What the quality work costs (p95 now ÷ baseline, wall): {ratios}: the price "
        "of matching abbreviations, full names and ligatures both ways.",
    ]
    full_p95 = max(lat_n["full_wall"]["p95"], lat_n["quality_wall"]["p95"])
    prefix_p95 = lat_n["prefix_wall"]["p95"]
    lines += [
        "",
        "| target (issue 12, item 4) | measured now | |",
        "|---|---|---|",
        f"| recall in the first {LIMIT} results beside the previous search | {n['found']}/{total} "
        f"(baseline {b['found']}/{total}) | "
        + ("**better**" if n["found"] > b["found"] else "**not better**")
        + " |",
        f"| search p95 under {SEARCH_P95_TARGET_MS:.0f} ms (full and quality queries, wall) | "
        f"{full_p95} ms | {_verdict(full_p95, SEARCH_P95_TARGET_MS)} |",
        f"| as-you-type p95 under {PREFIX_P95_TARGET_MS:.0f} ms (wall) | {prefix_p95} ms | "
        f"{_verdict(prefix_p95, PREFIX_P95_TARGET_MS)} |",
        "",
        "Reproduce: `.venv/bin/python -m bench.directory_quality_bench` (add `--rows 50000` for a "
        "quick look; the extraction and the baseline tree are kept under "
        "`bench/work/directory_quality/`).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and write the section of docs/benchmarks.md."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        tree, mode, *rest = argv[1:]
        sys.path.insert(0, tree)
        if mode == "import":
            out = child_import(Path(rest[0]), Path(rest[1]))
        else:
            out = child_measure(Path(rest[0]), Path(rest[1]))
        print(json.dumps(out))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.directory_quality_bench")
    parser.add_argument("--rows", type=int, default=536_000, help="extraction lines (536000)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--queries", type=int, default=300, help="full queries (300)")
    parser.add_argument("--rounds", type=int, default=2, help="measuring rounds per tree (2)")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--render-only", action="store_true", help=f"measure nothing: rewrite from {RESULTS.name}"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        result = json.loads(RESULTS.read_text(encoding="utf-8"))
    else:
        result = measure(args.rows, args.seed, args.baseline, args.queries, args.rounds)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    text = markdown(result)
    print(text)
    if not args.no_doc:
        from bench.run import write_sections

        write_sections({"directory-quality": text})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
