"""Every benchmark, and docs/benchmarks.md brought up to date (`make bench`).

    .venv/bin/python -m bench.run [--skip directory] [--messages 10000] [--runs 3] …

Runs the sync benchmark (bench/sync_bench.py), the search benchmark (bench/search_bench.py)
and, when they exist, the directory benchmark (bench/directory_bench.py), the composer's
completion benchmark (bench/compose_bench.py) and the patients page's (bench/patients_bench.py),
each a process of its own that writes its own section. Each section of docs/benchmarks.md
sits between its own markers
(``<!-- sync-bench:begin -->`` …); only the sections of the benchmarks that ran and succeeded
are replaced, everything else in the file is kept as it is.

The default run takes about a quarter of an hour on the 2-core development machines
(`--quick` for a smoke run of a minute or two: small corpora, nothing written to the docs).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured by `make bench` (`python -m bench.run`) on the shared 2-core development machines.
Absolute times move from run to run there (other developers work on the same cores): every
number below comes with the peers or baselines measured side by side in the same run, and
the ratios are what to compare. Each section says how to run it alone.
"""


def markers(name: str) -> tuple[str, str]:
    """The begin and end markers of a section."""
    return f"<!-- {name}-bench:begin -->", f"<!-- {name}-bench:end -->"


def replace_section(document: str, name: str, text: str) -> str:
    """`document` with the section `name` replaced by `text` (appended when absent)."""
    begin, end = markers(name)
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    if begin in document and end in document:
        before = document.split(begin, 1)[0]
        after = document.split(end, 1)[1].lstrip("\n")
        return before + block + ("\n" + after if after else "")
    return document.rstrip("\n") + "\n\n" + block


def write_sections(sections: dict[str, str]) -> None:
    """Replace (or add) these sections of docs/benchmarks.md, keeping the rest."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    document = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    for name, text in sections.items():
        document = replace_section(document, name, text)
    DOC.write_text(document, encoding="utf-8")


def _step(name: str, work: Callable[[], str], failures: list[str]) -> str | None:
    print(f"== {name} benchmark", flush=True)
    started = time.perf_counter()
    try:
        text = work()
    except Exception:
        traceback.print_exc()
        failures.append(name)
        return None
    print(f"== {name} benchmark done in {time.perf_counter() - started:.0f} s", flush=True)
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and update the document."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[
            "sync",
            "search",
            "directory",
            "compose",
            "patients",
            "preview",
            "ui",
            "startup",
            "index",
            "directory-quality",
        ],
    )
    parser.add_argument("--messages", type=int, default=10_000, help="sync corpus (10000)")
    parser.add_argument("--runs", type=int, default=3, help="sync runs (3)")
    parser.add_argument(
        "--index-runs", type=int, default=0, help="sync runs timing the whole indexing pass (0)"
    )
    parser.add_argument("--security", choices=["starttls", "tls"], default="starttls")
    parser.add_argument("--search-messages", type=int, default=100_000, help="(100000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per query (30)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--quick", action="store_true", help="small smoke run, docs untouched")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rewrite the sections from bench/work/results/*.json",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.runs, args.index_runs = 500, 1, 1
        args.search_messages, args.repeat, args.no_doc = 5_000, 5, True
        args.skip.append("directory")
        args.skip.append("directory-quality")
        args.skip.append("compose")
        args.skip.append("ui")
        args.skip.append("patients")
        args.skip.append("preview")

    from bench import search_bench, sync_bench

    if args.render_only:
        results = REPO / "bench" / "work" / "results"
        rendered = {}
        for name, module in (("sync", sync_bench), ("search", search_bench)):
            path = results / f"{name}.json"
            if name not in args.skip and path.exists():
                rendered[name] = module.markdown(json.loads(path.read_text(encoding="utf-8")))
                print(rendered[name])
        if rendered and not args.no_doc:
            write_sections(rendered)
        return 0

    failures: list[str] = []
    sections: dict[str, str] = {}
    started = time.perf_counter()

    if "directory" not in args.skip and importlib.util.find_spec("bench.directory_bench"):
        # Another benchmark's own process, which writes its own section of the document.
        print("== directory benchmark", flush=True)
        command = [sys.executable, "-m", "bench.directory_bench"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("directory")

    if "directory-quality" not in args.skip and importlib.util.find_spec(
        "bench.directory_quality_bench"
    ):
        # The directory's recall@20 and latency on realistic queries, this tree beside the
        # baseline commit (bench/directory_quality_bench.py), writing its own section.
        print("== directory search quality benchmark", flush=True)
        command = [sys.executable, "-m", "bench.directory_quality_bench"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("directory-quality")

    if "compose" not in args.skip and importlib.util.find_spec("bench.compose_bench"):
        # The composer's completion latency, in its own process (Qt), writing its own section.
        print("== compose benchmark", flush=True)
        command = [sys.executable, "-m", "bench.compose_bench"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("compose")

    if "patients" not in args.skip and importlib.util.find_spec("bench.patients_bench"):
        # Opening a 500-message patient conversation in the window, in its own process (Qt).
        print("== patients benchmark", flush=True)
        command = [sys.executable, "-m", "bench.patients_bench"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("patients")

    if "preview" not in args.skip and importlib.util.find_spec("bench.preview_bench"):
        # The first page of a 2,500-page PDF on screen, in its own process (Qt).
        print("== preview benchmark", flush=True)
        command = [sys.executable, "-m", "bench.preview_bench"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("preview")

    if "startup" not in args.skip and importlib.util.find_spec("bench.startup_bench"):
        # The command line's start-up, launch to exit, this tree against the baseline commit
        # (bench/startup_bench.py), in its own process, writing its own section ("Start-up").
        print("== start-up benchmark", flush=True)
        command = [sys.executable, "-m", "bench.startup_bench"]
        if args.quick:
            command += ["--runs", "2"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("startup")

    if "index" not in args.skip and importlib.util.find_spec("bench.index_bench"):
        # Where a PDF's text indexing goes, step by step, beside the bare extraction
        # (bench/index_bench.py), in its own process, writing its own section.
        print("== document indexing benchmark", flush=True)
        command = [sys.executable, "-m", "bench.index_bench"]
        if args.quick:
            command += ["--pdfs", "10", "--rounds", "1"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("index")

    if "ui" not in args.skip and importlib.util.find_spec("bench.ui_bench"):
        # The window (cold start, folder open, paging, search, memory), in its own processes,
        # writing its own section ("Window"); its archives are kept under bench/work/keep/.
        print("== window benchmark", flush=True)
        command = [sys.executable, "-m", "bench.ui_bench", "--keep"]
        if args.no_doc:
            command.append("--no-doc")
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failures.append("ui")

    if "sync" not in args.skip:
        text = _step(
            "sync",
            lambda: sync_bench.markdown(
                sync_bench.measure(
                    args.messages,
                    args.runs,
                    args.security,
                    args.seed,
                    index_runs=args.index_runs,
                )
            ),
            failures,
        )
        if text is not None:
            sections["sync"] = text
            print(text, flush=True)

    if "search" not in args.skip:
        text = _step(
            "search",
            lambda: search_bench.markdown(
                search_bench.measure(args.search_messages, args.repeat, args.seed)
            ),
            failures,
        )
        if text is not None:
            sections["search"] = text
            print(text, flush=True)

    if sections and not args.no_doc:
        write_sections(sections)
        print(f"docs/benchmarks.md: {', '.join(sections)} section(s) updated")
    print(f"all benchmarks: {time.perf_counter() - started:.0f} s")
    if failures:
        print(f"FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
