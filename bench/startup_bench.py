"""Start-up of the command line (issue 15, item 4): launch to exit, before and after, same run.

    .venv/bin/python -m bench.startup_bench [--baseline REV ...] [--runs 15] [--no-doc]
        [--render-only]

Times whole ``pli`` processes, interleaved (one run of each command in turn, so that the
shared machine's load falls on all of them alike): the bare interpreter (``python -c pass``,
the floor), ``pli --help``, ``pli list --limit 20`` on a profile unlocked by the OS keyring
(the benchmark's stand-in keyring, bench/bench_keyring.py: these machines have none) and on
a passphrase profile at the production scrypt cost, a directory lookup
(``pli directory search`` on the keyring profile, a 5,000-line extraction imported, the
archive unlocked for the favourites' boost as a user's lookup does), and what the window's
worker thread does while the window shows (import ``app.bootstrap``, then ``prepare_gui``:
every service's module). Each command runs on this tree and on every `--baseline` (default:
the last commit before the start-up work, and the start of the second start-up session),
extracted with ``git archive`` into bench/work/startup/: the same machine, the same minutes.
Wall time and the process's CPU time (user + system, from ``wait4``) are reported; the CPU
time is what the machine's load disturbs least. ``python -X importtime``'s top entries for
``pli list`` are reported for every tree (of 3 runs, the one whose imports took least).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, WORK, machine, machine_lines, median, spread

#: The last commit before the start-up work (lazy imports, lazy services, one CLI area), and
#: the start of the second start-up session (issue 15, item 4, continued).
DEFAULT_BASELINES = ("f19b11a", "bf70540")
#: Lines of the directory extraction the lookup searches (the test suite's generator).
DIRECTORY_ROWS = 5000
LIST = "pli list --limit 20 (keyring)"
DIRECTORY = "pli directory search martin (keyring profile, directory of 5,000 lines)"
PASSPHRASE = "phrase de passe du banc d'essai"
OUT = WORK / "startup"
RESULTS = WORK / "results" / "startup.json"


def _tree(rev: str | None) -> Path:
    """The folder to run `python -m app` from: this repository, or `rev` extracted."""
    if rev is None:
        return REPO
    folder = OUT / f"tree-{rev}"
    if not (folder / "app").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", rev, "app", "resources"], cwd=REPO, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _env(tree: Path, keyring_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PLI_TESTING", None)  # production key derivation cost
    env.pop("PLI_PASSPHRASE", None)
    # An installed Pli runs from compiled bytecode (pip and the bundle compile it): a module
    # found stale (edited since) is compiled once and written, never compiled at every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The tree first (its `app`), then this repository for the benchmark's keyring backend.
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(tree), str(REPO)]))
    env["PYTHON_KEYRING_BACKEND"] = "bench.bench_keyring.BenchKeyring"
    env["PLI_BENCH_KEYRING_FILE"] = str(keyring_file)
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of one process; raises when it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err.read()[-2000:]!r}")
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode("utf-8", "replace")


def _commands(tree: Path, root: Path) -> dict[str, list[str]]:
    py = sys.executable
    keyring_profile = ["-m", "app", "--profile", str(root / "keyring-profile")]
    phrase_profile = ["-m", "app", "--profile", str(root / "passphrase-profile")]
    return {
        "python -c pass (floor)": [py, "-c", "pass"],
        "pli --help": [py, "-m", "app", "--help"],
        LIST: [py, *keyring_profile, "list", "--limit", "20"],
        "pli list --limit 20 (passphrase)": [
            py,
            *phrase_profile,
            "--passphrase-file",
            str(root / "passphrase"),
            "list",
            "--limit",
            "20",
        ],
        DIRECTORY: [py, *keyring_profile, "directory", "search", "martin", "--limit", "20"],
        "window's worker thread: import app.bootstrap, prepare_gui()": [
            py,
            "-c",
            "import app.bootstrap; app.bootstrap.prepare_gui()",
        ],
    }


def _extraction() -> Path:
    """The directory extraction the lookup searches (written once, then reused)."""
    from tests.support.directory_extraction import write_extraction

    path = (
        OUT / f"directory-{DIRECTORY_ROWS}" / "Extraction_Correspondance_MSSante_202405140316.txt"
    )
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_extraction(path, DIRECTORY_ROWS, seed=5)
    return path


def _prepare(tree: Path, root: Path, env: dict[str, str]) -> None:
    """Create both profiles (the first `list` creates them), import the directory into the
    keyring profile, and check which `app` runs."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "passphrase").write_text(PASSPHRASE + "\n", "utf-8")
    # Every tree compiled first (a `git archive` has no bytecode; it would be compiled from
    # source at every run, and a baseline made to look slower than it is).
    _run([sys.executable, "-m", "compileall", "-q", "-j0", "app", "resources"], env, tree)
    _wall, _cpu, where = _run([sys.executable, "-c", "import app; print(app.__file__)"], env, tree)
    if not where.strip().startswith(str(tree)):
        raise RuntimeError(f"{tree}: python -m app would run {where.strip()}")
    commands = _commands(tree, root)
    _run(commands[LIST], env, tree)
    profile = str(root / "keyring-profile")
    _run(
        [
            sys.executable,
            "-m",
            "app",
            "--profile",
            profile,
            "directory",
            "import",
            str(_extraction()),
        ],
        env,
        tree,
    )
    for cmd in commands.values():
        _run(cmd, env, tree)


def _importtime(tree: Path, root: Path, env: dict[str, str], top: int) -> dict[str, Any]:
    """`python -X importtime` of `pli list`: of 3 runs, the one whose imports took least."""
    cmd = _commands(tree, root)[LIST]
    best: list[tuple[int, int, str]] = []
    for _ in range(3):
        done = subprocess.run(
            [cmd[0], "-X", "importtime", *cmd[1:]],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        rows = []
        for line in done.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m:
                rows.append((int(m[2]), len(m[3]) // 2, m[4]))
        total = sum(us for us, level, _name in rows if level == 0)
        if not best or total < sum(us for us, level, _name in best if level == 0):
            best = rows
    firsts = sorted((r for r in best if r[1] <= 2), reverse=True)[:top]
    return {
        "modules": len(best),
        "total_us": sum(us for us, level, _name in best if level == 0),
        "top": [[name, us] for us, _lvl, name in firsts],
    }


#: Commands whose instructions are counted (callgrind: the count does not move with the load).
COUNTED = ("python -c pass (floor)", LIST, DIRECTORY)


def _instructions(tree: Path, root: Path, env: dict[str, str]) -> dict[str, int]:
    """Instructions executed by each of `COUNTED` (all threads), under callgrind; {} without
    valgrind. Slower than the process by about 50×, and independent of the machine's load."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return {}
    counts = {}
    for name in COUNTED:
        cmd = _commands(tree, root)[name]
        done = subprocess.run(
            [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found:
            counts[name] = int(found[1])
    return counts


def measure(runs: int, baselines: list[str]) -> dict[str, Any]:
    """Run every command `runs` times on every tree, interleaved."""
    trees = {**{rev: _tree(rev) for rev in baselines}, "now": _tree(None)}
    roots = {k: OUT / f"profiles-{k}" for k in trees}
    envs = {k: _env(trees[k], OUT / f"keyring-{k}.json") for k in trees}
    for k in trees:
        (OUT / f"keyring-{k}.json").unlink(missing_ok=True)
        _prepare(trees[k], roots[k], envs[k])
    names = list(_commands(REPO, OUT))
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        k: {n: {"wall": [], "cpu": []} for n in names} for k in trees
    }
    load_start = os.getloadavg()
    for _ in range(runs):
        for k in trees:
            for name, cmd in _commands(trees[k], roots[k]).items():
                wall, cpu, _out = _run(cmd, envs[k], trees[k])
                samples[k][name]["wall"].append(wall)
                samples[k][name]["cpu"].append(cpu)
    imports = {k: _importtime(trees[k], roots[k], envs[k], 12) for k in trees}
    instructions = {k: _instructions(trees[k], roots[k], envs[k]) for k in trees}
    return {
        "instructions": instructions,
        "machine": machine(),
        "baselines": baselines,
        "head": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "runs": runs,
        "load": [list(load_start), list(os.getloadavg())],
        "samples": samples,
        "imports": imports,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


#: Where the time goes, written from this benchmark's and `-X importtime`'s figures.
NOTES = """
How, f19b11a → bf70540 (the previous session): the services are built on first use
(`app/services/container.py`); `pli <command>` imports only the command-line area that
registers it (`app/cli/main.py`); pypdf, Pillow, cryptography's x509, keyring and the
directory's database are imported where they are used.

How, bf70540 → now (this session; `tests/unit/cli/test_command_areas.py` checks each):
`multiprocessing` only in a frozen build (`freeze_support` does nothing elsewhere); the events'
vocabulary (`app.domain.events`, 31 frozen dataclasses) with its first publisher, no longer
with the event bus, the profile lock (`app.services.instance`) or `pli list`'s module;
`app.domain.documents` gives its names from their modules on first use (PEP 562), so the
subject rule (`naming`) comes without the XDM, patient and attachment modules; cryptography
only where it encrypts (the data key's wrapping, for a passphrase profile; a body's cipher,
`app/store/blobs.py`; the spool, now imported by the bodies' repository for annotations only);
`uuid` (and `platform`) when a profile is created; the English error table when an error is
shown; the service container and the event bus when a profile opens. `pli directory search`
no longer loads defusedxml (the list of domains' parser) nor the extraction importer.

Measured with bytecode: both benchmarks used to inherit `PYTHONDONTWRITEBYTECODE` (set on these
machines), so the trees made by `git archive` (the baselines) were compiled from source at
every run, and so was any module of this tree edited since its last bytecode. The previous
table's baseline figures (f19b11a: 1.6 s wall, 922 ms CPU for `pli list`) carried that
compilation; every tree is now compiled first and the children may write bytecode, as an
installed Pli has it (pip and the bundle compile).

What is left in `pli list` (`-X importtime` self times, fastest of 9 runs at load 12, its own
overhead included, 219 ms in all for 314 modules; callgrind: 797 M instructions for the whole
command in the run above, 89 M for `python -c pass`): asyncio and the standard modules that
come with it or before it (ssl, socket, concurrent.futures, logging, inspect, typing,
threading: 56 ms), keyring and what it imports (configparser, importlib_metadata,
jaraco.context with urllib.request and http.client, more_itertools: 37 ms), the archive's
modules and sqlcipher3 (the repositories `Archive` builds: 34 ms), the domain's dataclasses
and enums (`app.domain.message`, `account`, `mailbox`, `addresses` with email.utils: 26 ms),
the command line, config and services' own modules (18 ms), the interpreter's and site's
(18 ms, in the floor); then the work itself (unlock, opening the archive, one query, about
20 ms on a quiet machine) and the interpreter's exit (55 M instructions, about 7 % of the
command: skipping it with `os._exit` would skip the atexit handlers too, so it stays). A
synchronous `list` without asyncio was weighed and not done: imported after keyring's
dependencies, which bring most of its standard modules, asyncio adds 38 M instructions.

Keyring in production: without `PYTHON_KEYRING_BACKEND` and a keyringrc.cfg, keyring picks its
backend by entry-point discovery, importing every backend and asking each whether it works:
on this machine (no Secret Service) importing keyring took 73 ms and `get_keyring()` 120 ms
more; a desktop's Secret Service adds D-Bus calls. This benchmark names its backend in the
environment and does not pay that. Caching the choice (loading the cached backend directly)
was not done: a cached backend can differ from keyring's own choice once another becomes
usable (a KWallet session, a new plugin), which changes where the key is looked for.

The window (bench/ui_bench.py, its own section) was not changed this session and not measured
again: at 18:33–18:38 (load 9–13, every helper benchmarking) its starts took 2–10 s, and one
probe process ended with SIGSEGV (the start after "demo" in that round's order; 6 further
starts of the demo keyring profile ran clean).
Where its start goes, in instructions (callgrind, imports alone, this tree at 18:10): importing
`app.ui.application` (before the window shows) 1,219 M; then, before the services open, the
mail page's modules 1,438 M (`app.ui.mail_page` → `app.ui.context` → `sync_supervisor` →
`account_service` → the transport: imap_session, oidc, smtp_submitter, tls, revocation; the
widgets also import `Account` from `account_service`), every service's module
(`container.import_all`, from `bootstrap.prepare_gui` and `open_services(hold=True)`) 576 M
and the command-line areas 96 M; the other screens' modules, 426 M, come after the first
page. The way under 1 s: the transport out of the mail page's import chain (its imports in
`account_service` and `app.ui.context` moved into the functions that use them) and the
services' modules imported after the first page (`open_services(eager=False)` and
`import_all` beside `_LATER_MODULES` in `app/ui/application.py`), both in files other
sessions own.
"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _verdict(wall: float, cpu: float) -> str:
    return "**met**" if wall < 0.3 else "**NOT met**" if cpu >= 0.3 else "met in CPU time only"


def markdown(result: dict[str, Any], notes: str = "") -> str:
    """The "Start-up" section of docs/benchmarks.md (`notes`: the analysis, kept as given)."""
    s = result["samples"]
    revs: list[str] = result["baselines"]
    first, last = revs[0], revs[-1]
    load0, load1 = result["load"]
    lines = [
        "## Start-up",
        "",
        f"Measured {result['when']} with `.venv/bin/python -m bench.startup_bench --runs "
        f"{result['runs']}` (`bench/startup_bench.py`; raw numbers in "
        "`bench/work/results/startup.json`): whole processes, launch to exit, this tree "
        f"(`{result['head']}` + working tree), `{first}` (before the start-up work) and "
        f"`{last}` (the start of this session's start-up work), each extracted with "
        "`git archive`, interleaved run by run.",
        "",
        *machine_lines(result["machine"]),
        f"- Load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, at the end "
        f"{load1[0]:.2f}: with a load above the 2 cores every process waits for a CPU and "
        "wall times grow; the CPU time (user + system of the process) is the steadier figure.",
        "- `list` runs on an empty archive (no account): what is timed is the start-up, the "
        'unlock, opening the encrypted archive and one query. "keyring": the key comes from '
        "the OS keyring (here bench/bench_keyring.py, these machines have no Secret Service); "
        '"passphrase": the key is unwrapped with scrypt (N=2^17, r=8), about 0.3–0.5 s of '
        "CPU by design. The directory lookup runs on the keyring profile, whose directory holds "
        f"a generated extraction of {DIRECTORY_ROWS:,} lines (tests/support/"
        "directory_extraction.py): without `--no-contacts` it unlocks the archive for the "
        "favourites' boost, as a user's lookup does.",
        "",
        "Wall time, median of the runs (fastest–slowest):",
        "",
        "| command | " + " | ".join(f"`{r}`" for r in revs) + " | now |",
        "|---|" + "---:|" * (len(revs) + 1),
    ]
    for name in s["now"]:
        cells = [
            f"{_ms(median(s[k][name]['wall']))} ({spread(s[k][name]['wall'])})"
            for k in [*revs, "now"]
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "CPU time (user + system), median of the runs:",
        "",
        "| command | "
        + " | ".join(f"`{r}`" for r in revs)
        + f" | now | now ÷ `{first}` | now ÷ `{last}` |",
        "|---|" + "---:|" * (len(revs) + 3),
    ]
    for name in s["now"]:
        cpus = [median(s[k][name]["cpu"]) for k in [*revs, "now"]]
        lines.append(
            f"| {name} | "
            + " | ".join(_ms(c) for c in cpus)
            + f" | {cpus[-1] / cpus[0]:.2f}× | {cpus[-1] / cpus[-2]:.2f}× |"
        )
    counted = result.get("instructions", {})
    if all(counted.get(k) for k in [*revs, "now"]):
        lines += [
            "",
            "Instructions executed (callgrind, one run, every thread; what the load does not "
            "change):",
            "",
            "| command | "
            + " | ".join(f"`{r}`" for r in revs)
            + f" | now | now ÷ `{first}` | now ÷ `{last}` |",
            "|---|" + "---:|" * (len(revs) + 3),
        ]
        for name in COUNTED:
            ir = [counted[k].get(name, 0) for k in [*revs, "now"]]
            if all(ir):
                lines.append(
                    f"| {name} | "
                    + " | ".join(f"{x / 1e6:,.0f} M" for x in ir)
                    + f" | {ir[-1] / ir[0]:.2f}× | {ir[-1] / ir[-2]:.2f}× |"
                )
    keyring = s["now"][LIST]
    wall, cpu = median(keyring["wall"]), median(keyring["cpu"])
    lookup = s["now"][DIRECTORY]
    lwall, lcpu = median(lookup["wall"]), median(lookup["cpu"])
    lines += [
        "",
        f"Target (issue 15, item 4): `pli list --limit 20` on an unlocked profile under 300 ms "
        f"from launch to exit: median {_ms(wall)} wall (fastest run {_ms(min(keyring['wall']))})"
        f", {_ms(cpu)} of CPU: {_verdict(wall, cpu)}. The directory lookup, to be brought near "
        f"the same figure: median {_ms(lwall)} wall (fastest {_ms(min(lookup['wall']))}), "
        f"{_ms(lcpu)} of CPU: {_verdict(lwall, lcpu)} against 300 ms.",
    ]
    if notes:
        lines += ["", notes.strip()]
    imp = result["imports"]
    lines += [
        "",
        "`python -X importtime` of `pli list --limit 20` (keyring), of 3 runs the one whose "
        "imports took least (importtime's own overhead included): "
        + ", ".join(
            f"`{k}` {imp[k]['modules']} modules, {imp[k]['total_us'] / 1000:.0f} ms"
            for k in [*revs, "now"]
        )
        + ". Top entries (cumulative, the modules imported at the first levels):",
        "",
        "| " + " | ".join(f"`{k}` | µs" for k in [*revs, "now"]) + " |",
        "|" + "---|---:|" * (len(revs) + 1),
    ]
    tops = [imp[k]["top"] for k in [*revs, "now"]]
    for i in range(max(len(t) for t in tops)):
        cells = []
        for t in tops:
            name, us = t[i] if i < len(t) else ["", ""]
            cells.append(f"`{name}` | {us:,}" if name else " | ")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure, print, and update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup_bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--baseline",
        action="append",
        help=f"a commit to compare with (repeatable; default {' and '.join(DEFAULT_BASELINES)})",
    )
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument(
        "--render-only", action="store_true", help="write the section from the last raw numbers"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        result = json.loads(RESULTS.read_text("utf-8"))
    else:
        result = measure(args.runs, args.baseline or list(DEFAULT_BASELINES))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=1), "utf-8")
    text = markdown(result, NOTES)
    print(text)
    if not args.no_doc:
        from bench.run import write_sections

        write_sections({"startup": text})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
