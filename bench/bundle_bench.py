"""The frozen bundle beside the source install: size, and cold start of the same commands.

    .venv/bin/python -m bench.bundle_bench [--runs 5] [--no-doc]

Needs `make package` first (dist/pli/). Measures, in one run and alternating the two programs:
`pli --version` (the interpreter and the command line's entry), and `pli --self-test` (a
throwaway encrypted archive, Qt offscreen, a PDF page rendered, the trust store and the
translations: the window's machinery, cold). The bundle's size is its size on disk and as a
gzip'd tar (what a download weighs before the installer's own compression).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, fmt_s, machine, machine_lines, median

DIST = REPO / "dist" / "pli"
SOURCE = REPO / ".venv" / "bin" / "pli"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bundle-bench:begin -->", "<!-- bundle-bench:end -->"


def _size_on_disk(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _gzip_size(root: Path) -> int:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        tar.add(root, arcname=root.name)
    return buffer.tell()


def _time(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=300, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed


def measure(runs: int) -> dict[str, Any]:
    """Sizes and start times (medians over `runs`, the two programs alternating)."""
    bundle = DIST / "pli"
    if not bundle.exists():
        raise SystemExit("dist/pli/pli is missing: run `make package` first")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as home:
        env["HOME"] = home  # no profile of the user's is read
        for _ in range(runs):
            for name, program in (("bundle", bundle), ("source", SOURCE)):
                for command in ("--version", "--self-test"):
                    key = f"{name} {command}"
                    times.setdefault(key, []).append(_time([str(program), command], env))
    return {
        "disk": _size_on_disk(DIST),
        "gzip": _gzip_size(DIST),
        "times": {k: median(v) for k, v in times.items()},
        "spread": {k: (min(v), max(v)) for k, v in times.items()},
        "runs": runs,
        "machine": machine(),
    }


def markdown(data: dict[str, Any]) -> str:
    """The "Bundle" section of docs/benchmarks.md."""
    t, s = data["times"], data["spread"]

    def cell(key: str) -> str:
        low, high = s[key]
        return f"{fmt_s(t[key])} ({fmt_s(low)}–{fmt_s(high)})"

    lines = [
        "## Bundle",
        "",
        "The PyInstaller bundle (`make package`: dist/pli/, the window and the command line) "
        "beside the source install (.venv), measured in the same run by "
        "`.venv/bin/python -m bench.bundle_bench` "
        f"({data['runs']} runs each, alternating, medians with min–max; Qt offscreen).",
        "",
        f"Size: {data['disk'] / 2**20:.0f} MiB on disk, {data['gzip'] / 2**20:.0f} MiB as a "
        "gzip'd tar (before the installer's own compression).",
        "",
        "| command | bundle | source install |",
        "|---|---|---|",
        f"| `pli --version` | {cell('bundle --version')} | {cell('source --version')} |",
        f"| `pli --self-test` (archive, Qt offscreen, a PDF page, trust store, translations) "
        f"| {cell('bundle --self-test')} | {cell('source --self-test')} |",
        "",
        *machine_lines(data["machine"]),
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    """Replace (or append) the section between its markers."""
    text = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and write the section unless --no-doc."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    section = markdown(measure(args.runs))
    sys.stdout.write(section)
    if not args.no_doc:
        write_doc(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
