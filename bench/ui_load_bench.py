"""Window under load from both sides: a first sync running in the window's process while the
user searches, opens messages and types in the composer (issue 15, item 5).

    .venv/bin/python -m bench.ui_load_bench [--messages 10000] [--runs 1] [--idle-seconds 30]
                                            [--mode text|full] [--no-doc] [--render-only]

1. The test suite's PKI and Dovecot (tests/servers, through bench/common.py `Servers`), one
   INBOX seeded with the generated corpus (bench/corpus.py, ``text`` mode by default, seeded).
2. A fresh profile with that mailbox as its account (`pli account add`, passphrase profile),
   copied for each run: the window then makes the account's FIRST sync, as after a user added
   the account.
3. The real window (`app.bootstrap.gui`, the process `pli` starts, offscreen Qt:
   ``QT_QPA_PLATFORM=offscreen``) in a child process (`python -m bench.ui_load_bench probe …`).
   Its start is the user's: the profile opens, the mail page shows, the sync supervisor starts
   (`services.supervisor.start()`, headers then bodies on their own connections, all in this
   process). The probe wraps `PliApplication.start` to run a user's scenario after it, through
   the event loop only (QTest key events, view selections), in cycles:
   - **search**: a word typed key by key in the search field (50 ms between keys), then Enter:
     time from the Enter key to the results in the list and painted; Escape after;
   - **open**: rows of the list made current one after the other (as arrow keys do): time
     until the reading pane shows the message (its `message_shown` signal) and is painted;
   - **compose**: one composer open for the phase (Ctrl+N's path, `ComposerManager.new_message`),
     each cycle types the first letters of a name in the To field key by key (time from the
     last key to the completion list: `suggestions_shown`), then a sentence in the body at
     about 30 keys a second (the time each key event takes to handle).
   The same cycles run during the sync (from the supervisor's start until the bodies pass,
   its examination, indexing and compaction ended) and, as the baseline, on the idle window
   after it (same process, same archive now complete, sync still running in IDLE).
4. What the loop does meanwhile:
   - a 10 ms `QTimer` (PreciseTimer): its lateness (time between ticks minus 10 ms) is the
     loop's latency, every tick recorded (p50/p95/p99/max per phase); a tick later than
     50 ms is a stall;
   - every asyncio callback timed (`asyncio.Handle._run` wrapped in the child: qasync runs
     every callback through it), those over 50 ms named (their task's coroutine);
   - a watchdog thread (5 ms period) samples the main thread's Python stack
     (`sys._current_frames`) while the loop is late, and the other threads' innermost frames,
     to name the culprit (Qt work shows as the Python frame that called into Qt); its own
     lateness waking up is the GIL's (a thread holding the GIL delays it).
   CPU time of the process (user + system, all threads) and the load average per phase.

5. Variants (``--variants``, alternated in one run so that each sees the same machine):
   ``now`` (this tree), ``before`` (the window's code before this benchmark's fixes, put back
   by the probe: `_before`), ``nonice`` (this tree, the sync's worker processes not lowered),
   ``switchN`` (this tree with ``sys.setswitchinterval(N ms)``).

Results: a Markdown section ("Window under load") in docs/benchmarks.md between
``<!-- ui-load-bench:begin/end -->`` and raw numbers in bench/work/results/ui_load-<mode>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

# Only the standard library at module level: the probe runs in the measured child process.
REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work"
RESULTS = WORK / "results"
NOTES = WORK / "results" / "ui_load-notes.json"


def results_file(mode: str) -> Path:
    """The raw numbers of the last run with this corpus (``text`` or ``full``)."""
    return RESULTS / f"ui_load-{mode}.json"


TARGET_STALL = 0.100
TICK_SECONDS = 0.010
STALL_SECONDS = 0.050  # a tick this late is a stall (its stacks are kept)
SLOW_CALLBACK_SECONDS = 0.050
WORDS = ("compte", "consultation", "martin", "ordonnance", "bilan", "stephanie")
RECIPIENT_PREFIXES = ("mar", "dub", "ber", "lef")
BODY_TEXT = "Bonjour, je vous adresse le compte rendu de consultation. "


# -- the parent: servers, profile, runs ----------------------------------------------------------


def _env() -> dict[str, str]:
    from bench.common import PASSPHRASE

    env = dict(os.environ)
    env.pop("PLI_TESTING", None)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env["PLI_PASSPHRASE"] = PASSPHRASE
    env["PYTHONPATH"] = str(REPO)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", None)
    return env


def measure(
    messages: int,
    runs: int,
    mode: str,
    seed_value: int,
    idle_seconds: float,
    variants: list[str],
    log: Any = print,
) -> dict[str, Any]:
    from bench.common import PliProfile, Servers, machine, run_measured, seed
    from bench.corpus import load_or_generate

    info = machine()
    corpus, _generated = load_or_generate(mode, messages, seed_value)
    work = WORK / "ui-load"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    servers = Servers(work / "servers").start()
    probes: list[dict[str, Any]] = []
    try:
        address = servers.add_user()
        seeded, _folders = seed(servers, address, corpus, by_folder=False)
        log(f"seeded {corpus.count} messages in {seeded:.1f} s")
        template = PliProfile(work / "template")
        template.add_account(servers, address, "starttls")
        plan = [
            (run, variants[(run + k) % len(variants)])  # alternating: nobody always first
            for run in range(runs)
            for k in range(len(variants))
        ]
        for run, variant in plan:
            profile = work / f"run-{run}-{variant}"
            shutil.rmtree(profile, ignore_errors=True)
            shutil.copytree(template.root, profile, ignore=shutil.ignore_patterns("*.lock"))
            out = work / f"probe-{run}-{variant}.json"
            command = [
                sys.executable,
                "-m",
                "bench.ui_load_bench",
                "probe",
                str(profile),
                str(out),
                str(idle_seconds),
                variant,
            ]
            load = os.getloadavg()[0]
            measured = run_measured(command, env=_env(), cwd=REPO, timeout=3600)
            if measured.code != 0 or not out.exists():
                raise RuntimeError(
                    f"probe failed ({measured.code}):\n{measured.out[-3000:]}\n"
                    f"{measured.err[-6000:]}"
                )
            data = json.loads(out.read_text(encoding="utf-8"))
            data["variant"] = variant
            data["process_seconds"] = measured.seconds
            data["max_rss"] = measured.max_rss
            data["load_before"] = load
            probes.append(data)
            log(_summary_line(data))
            shutil.rmtree(profile, ignore_errors=True)
    finally:
        servers.stop()
    result = {
        "machine": info,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "messages": corpus.count,
        "mode": mode,
        "corpus_bytes": corpus.total_bytes,
        "seed_seconds": seeded,
        "runs": probes,
        "variants": variants,
        "commit": _commit(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file(mode).write_text(
        json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    shutil.rmtree(work, ignore_errors=True)
    return result


def _commit() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + (" + working tree" if dirty.stdout.strip() else "")


def _summary_line(data: dict[str, Any]) -> str:
    parts = []
    for name in ("sync", "idle"):
        phase = data["phases"].get(name)
        if phase:
            lat = phase["latency"]
            parts.append(
                f"{name}: {phase['seconds']:.0f} s, loop p50 {lat['p50'] * 1e3:.1f} ms "
                f"p99 {lat['p99'] * 1e3:.0f} ms max {lat['max'] * 1e3:.0f} ms, "
                f"stalls>100ms {phase['stalls_over_limit']}, "
                f"search p50 {_ms(phase['search'], 50)}, open p50 {_ms(phase['open'], 50)}"
            )
    return " | ".join(parts)


def _ms(values: list[float], q: float) -> str:
    from bench.common import percentile

    return f"{percentile(values, q) * 1e3:.0f} ms" if values else "-"


# -- the report ----------------------------------------------------------------------------------


def markdown(data: dict[str, Any]) -> str:
    from bench.common import fmt_mb, machine_lines, percentile

    runs = data["runs"]
    mode = data["mode"]
    lines = [
        f"### {data['messages']:,} messages, `{mode}` corpus",
        "",
        f"Measured {data['measured']} with `.venv/bin/python -m bench.ui_load_bench "
        f"--messages {data['messages']} --mode {mode} --runs "
        f"{len(runs) // max(1, len(data.get('variants') or ['now']))}` "
        f"(raw numbers in `bench/work/results/ui_load-{mode}.json`), tree "
        f"`{data.get('commit', '?')}`.",
        "",
        *machine_lines(data["machine"]),
        f"- Mailbox: {data['messages']:,} messages in one INBOX of the test Dovecot "
        f"(bench/corpus.py, `{data['mode']}` corpus, {data['corpus_bytes'] / 1e6:.0f} MB), "
        "STARTTLS on 127.0.0.2; the profile has the account and nothing else: the window's "
        "first sync of it.",
        "- The real window (`app.bootstrap.gui`, offscreen Qt: `QT_QPA_PLATFORM=offscreen`, "
        "1 process, the sync supervisor's threads in it), driven through its event loop by "
        "QTest key events and view selections. *during sync*: from the supervisor's start "
        "until the bodies pass (and what follows it: examination, indexing, compaction) ended; "
        "*idle*: the same cycles afterwards on the same window and complete archive (sync "
        "connected, in IDLE).",
        "- Loop latency: lateness of a 10 ms `QTimer` (PreciseTimer) at each tick; a *stall* is "
        "a tick later than 50 ms (the stacks of the main thread were sampled then). CPU: user "
        "+ system of the whole process (every thread) during the phase.",
        "",
        "| run | code | phase | wall | CPU | load (1 min) | loop latency p50 / p95 / p99 / max | "
        "stalls > 50 ms / > 100 ms | search: Enter → results (p50 / p95 / max, n) | "
        "open a message (p50 / p95 / max, n) | completion after a key (p50 / max) | "
        "key handled in the body (p50 / max) |",
        "|---|---|---|---:|---:|---:|---|---:|---|---|---|---|",
    ]

    def trio(values: list[float]) -> str:
        if not values:
            return "-"
        return (
            f"{percentile(values, 50) * 1e3:.0f} / {percentile(values, 95) * 1e3:.0f} / "
            f"{max(values) * 1e3:.0f} ms ({len(values)})"
        )

    def duo(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{percentile(values, 50) * 1e3:.1f} / {max(values) * 1e3:.0f} ms"

    for number, run in enumerate(runs, 1):
        for name, label in (("sync", "during sync"), ("idle", "idle (baseline)")):
            phase = run["phases"].get(name)
            if not phase:
                continue
            lat = phase["latency"]
            lines.append(
                f"| {number} | {run.get('variant', 'now')} | {label} | {phase['seconds']:.0f} s | "
                f"{phase['cpu']:.0f} s | "
                f"{phase['load']:.2f} | {lat['p50'] * 1e3:.1f} / {lat['p95'] * 1e3:.1f} / "
                f"{lat['p99'] * 1e3:.0f} / **{lat['max'] * 1e3:.0f} ms** | "
                f"{phase['stalls']} / {phase['stalls_over_limit']} | {trio(phase['search'])} | "
                f"{trio(phase['open'])} | {duo(phase['completion'])} | {duo(phase['keys'])} |"
            )

    def variant(run: dict[str, Any]) -> str:
        return str(run.get("variant", "now"))

    now = [r for r in runs if variant(r) == "now"] or runs
    before = [r for r in runs if variant(r) == "before"]
    last = now[-1]
    lines += [
        "",
        "*code*: "
        + "; ".join(
            VARIANT_TEXT.get(v, f"`{v}`")
            for v in dict.fromkeys(variant(r) for r in runs)  # in order, once each
        )
        + " (alternating in the same run).",
        "",
        f"Sync in the window (last `now` run): headers listed after "
        f"{last.get('listed_at') or 0:.1f} s, bodies archived after "
        f"{last.get('archived_at') or 0:.1f} s, everything after "
        f"{last.get('sync_done_at') or 0:.1f} s (from the supervisor's start); peak RSS of the "
        f"window's process {fmt_mb(last['max_rss'])}.",
        "",
        "Stalls over 100 ms by what the loop thread did meanwhile (its scheduler figures, "
        "/proc/thread-self/schedstat: *loop busy* = it ran, our work or Qt's; *no CPU free* = "
        "ready but every core taken, by other processes or our own threads; *blocked* = "
        "neither: waiting for the GIL or a blocking call): "
        + "; ".join(
            f"run {number} ({variant(run)}, {'sync' if name == 'sync' else 'idle'}): "
            + (
                ", ".join(f"{k} {v}" for k, v in run["phases"][name]["over_limit_by_cause"].items())
                or "none"
            )
            for number, run in enumerate(runs, 1)
            for name in ("sync", "idle")
            if run["phases"].get(name, {}).get("over_limit_by_cause") is not None
        )
        + ".",
        "",
    ]
    gc_lines = []
    for number, run in enumerate(runs, 1):
        passes = [g for g in run.get("gc", []) if g["phase"] == "sync"]
        if passes:
            gc_lines.append(
                f"run {number} ({variant(run)}): {len(passes)} passes, "
                f"{sum(g['seconds'] for g in passes):.2f} s in all, longest "
                f"{max(g['seconds'] for g in passes) * 1e3:.0f} ms"
            )
    if gc_lines:
        lines += [
            "Garbage collector passes during the sync (every thread stops meanwhile): "
            + "; ".join(gc_lines)
            + ".",
            "",
        ]
    worst = max(r["phases"].get("sync", {}).get("latency", {}).get("max", 0) for r in now)
    verdict = "**met**" if worst <= TARGET_STALL else "**NOT met**"
    lines += [
        f"Target (issue 15, item 5): the loop never stalls more than 100 ms during the sync: "
        f"longest stall ({'`now`, ' if before else ''}every run) {worst * 1e3:.0f} ms: "
        f"{verdict}.",
        "",
    ]
    for label, chosen in (("now", now), ("before", before)):
        if not chosen:
            continue
        sync = chosen[-1]["phases"].get("sync", {})
        stalls = sync.get("stall_list", [])
        if not stalls:
            continue
        lines += [
            f"Longest stalls during the sync (last `{label}` run): what the main thread was "
            "running (innermost frames of ours, sampled while late; none when the sampler "
            "itself could not run: the GIL held elsewhere) and the asyncio callback running:",
            "",
            "| at (s) | late by | loop thread ran / waited for a CPU / blocked | main thread "
            "| asyncio callback |",
            "|---:|---:|---|---|---|",
        ]
        for stall in sorted(stalls, key=lambda s: -s["late"])[:8]:
            lines.append(
                f"| {stall['at']:.1f} | {stall['late'] * 1e3:.0f} ms | "
                f"{stall.get('ran', 0) * 1e3:.0f} / {stall.get('runqueue', 0) * 1e3:.0f} / "
                f"{stall.get('blocked', 0) * 1e3:.0f} ms ({_cause(stall)}) | "
                f"{_cell(stall.get('culprit') or '-')} | {_cell(stall.get('callback') or '-')} |"
            )
        lines.append("")
        slow = sync.get("slow_callbacks", [])
        if slow:
            lines += [
                f"asyncio callbacks over {SLOW_CALLBACK_SECONDS * 1e3:.0f} ms during the sync "
                f"(last `{label}` run): {len(slow)}; the longest: "
                + "; ".join(
                    f"{_cell(s['what'])} {s['seconds'] * 1e3:.0f} ms"
                    for s in sorted(slow, key=lambda s: -s["seconds"])[:5]
                )
                + ".",
                "",
            ]
    gil = last["phases"].get("sync", {}).get("gil", {})
    if gil:
        lines += [
            f"GIL (last `now` run): the watchdog thread's wake-up lateness (5 ms sleeps) during "
            f"the sync p50 {gil['p50'] * 1e3:.1f} ms, p99 {gil['p99'] * 1e3:.0f} ms, max "
            f"{gil['max'] * 1e3:.0f} ms; idle p99 "
            f"{last['phases'].get('idle', {}).get('gil', {}).get('p99', 0) * 1e3:.0f} ms.",
            "",
        ]
    return "\n".join(lines)


def section() -> str:
    """The whole section: each corpus's last results, then the notes."""
    parts = [
        "## Window under load",
        "",
        "Reproduce: `.venv/bin/python -m bench.ui_load_bench --messages 10000 --mode text` and "
        "`--mode full` (bench/ui_load_bench.py: a first sync in the window's process while a "
        "user searches, opens messages and types; the module's docstring says how).",
        "",
    ]
    for mode in ("text", "full"):
        path = results_file(mode)
        if path.exists():
            parts.append(markdown(json.loads(path.read_text(encoding="utf-8"))))
    if NOTES.exists():
        notes = json.loads(NOTES.read_text(encoding="utf-8"))
        parts += ["### Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(parts)


VARIANT_TEXT = {
    "now": "`now` is this tree",
    "before": "`before` is the same process with the window's code as it was before this "
    "benchmark's fixes put back by the probe (`_before` in the bench: the list's merge row by "
    "row in one query, the accounts read before each list, the collector's defaults, worker "
    "processes at the window's priority, x509 imported on the loop, every sync progress report "
    "shown at once)",
    "nonice": "`nonice` is this tree with the sync's worker processes left at the window's "
    "priority",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:160]


# -- the probe (the measured child process) --------------------------------------------------------


class _Watch:
    """Loop lateness, slow asyncio callbacks and stack samples, split by phase."""

    def __init__(self) -> None:
        import threading

        self.phase = "opening"
        self.started = time.perf_counter()
        self.last_tick = self.started
        self.gaps: dict[str, list[float]] = {}
        self.gil: dict[str, list[float]] = {}
        self.stalls: dict[str, list[dict[str, Any]]] = {}
        self.slow: dict[str, list[dict[str, Any]]] = {}
        self.samples: list[tuple[float, str, list[str], list[str]]] = []
        self.current_callback: str | None = None
        self.callback_started = 0.0
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._watchdog, name="bench-watchdog", daemon=True)
        # The loop thread's scheduler figures (run time, run-queue wait): a late tick is then
        # the loop's own work, a CPU taken by other processes, or neither (the GIL, a wait).
        self._sched = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        self._last_sched = self._schedstat()

    def _schedstat(self) -> tuple[float, float]:
        fields = os.pread(self._sched, 100, 0).split()
        return int(fields[0]) / 1e9, int(fields[1]) / 1e9

    # the watchdog thread
    def _watchdog(self) -> None:
        import threading

        while not self._stop.is_set():
            before = time.perf_counter()
            time.sleep(0.005)
            now = time.perf_counter()
            self.gil.setdefault(self.phase, []).append(max(0.0, now - before - 0.005))
            if now - self.last_tick < STALL_SECONDS - TICK_SECONDS:
                continue
            frames = sys._current_frames()
            names = {t.ident: t.name for t in threading.enumerate()}
            main = frames.get(self._main)
            stack: list[str] = []
            frame = main
            while frame is not None and len(stack) < 40:  # no linecache: no file reads here
                code = frame.f_code
                if not code.co_filename.startswith("<frozen"):
                    stack.append(f"{_short(code.co_filename)}:{frame.f_lineno} {code.co_name}")
                frame = frame.f_back
            stack.reverse()
            others = []
            for ident, frame in frames.items():
                if ident in (self._main, threading.get_ident()):
                    continue
                others.append(
                    f"{names.get(ident, '?')}: {_short(frame.f_code.co_filename)}:"
                    f"{frame.f_lineno} {frame.f_code.co_name}"
                )
            self.samples.append((now, self.current_callback or "", stack, others))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    # on the loop
    def tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last_tick
        late = max(0.0, gap - TICK_SECONDS)
        sched = self._schedstat()
        ran, queued = sched[0] - self._last_sched[0], sched[1] - self._last_sched[1]
        self._last_sched = sched
        self.gaps.setdefault(self.phase, []).append(late)
        if late >= STALL_SECONDS:
            taken = [s for s in self.samples if self.last_tick <= s[0] <= now]
            self.stalls.setdefault(self.phase, []).append(
                {
                    "at": self.last_tick - self.started,
                    "late": late,
                    "ran": ran,  # the loop thread on a CPU
                    "runqueue": queued,  # ready, waiting for a CPU (other processes)
                    "blocked": max(0.0, gap - ran - queued),  # the GIL, or a blocking call
                    "culprit": _culprit([s[2] for s in taken]),
                    "callback": next((s[1] for s in taken if s[1]), None),
                    "stacks": [s[2] for s in taken[:4]],
                    "threads": _busy_threads([s[3] for s in taken]),
                }
            )
        if self.samples and now - self.samples[0][0] > 5:
            self.samples = [s for s in self.samples if now - s[0] < 5]
        self.last_tick = now

    def callback(self, what: str, seconds: float) -> None:
        self.slow.setdefault(self.phase, []).append(
            {"what": what, "seconds": seconds, "at": time.perf_counter() - self.started}
        )


def _short(filename: str) -> str:
    marker = str(REPO) + os.sep
    if filename.startswith(marker):
        return filename[len(marker) :]
    parts = Path(filename).parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return "/".join(parts[-2:])


def _culprit(stacks: list[list[str]]) -> str:
    """The innermost frames of ours (app/) most often seen, with the innermost frame."""
    from collections import Counter

    ours: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    for stack in stacks:
        if not stack:
            continue
        mine = [f for f in stack if f.startswith("app/")]
        if mine:
            ours[" < ".join(reversed(mine[-2:]))] += 1
        inner[stack[-1]] += 1
    parts = []
    if ours:
        parts.append(ours.most_common(1)[0][0])
    if inner:
        top = inner.most_common(1)[0][0]
        if not parts or top not in parts[0]:
            parts.append(f"[innermost: {top}]")
    return " ".join(parts)


_WAITING = ("threading.py", "queue.py", "selectors.py", "concurrent/futures/thread.py")


def _busy_threads(samples: list[list[str]]) -> list[str]:
    """Other threads seen running Python code (not waiting) during a stall."""
    from collections import Counter

    seen: Counter[str] = Counter()
    for others in samples:
        for line in others:
            if any(w in line for w in _WAITING) or "bench-watchdog" in line:
                continue
            seen[line] += 1
    return [f"{k} ×{v}" for k, v in seen.most_common(4)]


def _cause(stall: dict[str, Any]) -> str:
    """What a late tick mostly was: the loop's work, no CPU free, or blocked (GIL, a wait)."""
    parts = {
        "loop busy": stall.get("ran", 0.0),
        "no CPU free": stall.get("runqueue", 0.0),
        "blocked (GIL)": stall.get("blocked", 0.0),
    }
    return max(parts, key=lambda k: parts[k])


def _causes(stalls: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for stall in stalls:
        out[_cause(stall)] = out.get(_cause(stall), 0) + 1
    return out


def _stats(values: list[float]) -> dict[str, float]:
    from bench.common import percentile

    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
        "n": len(values),
    }


def _before() -> None:
    """The window's code as before this benchmark's fixes (commit 4643c8c's parent).

    Put back in the measured process only: the list's one-query merge of what a sync added,
    row by row; the accounts read before each folder and search; the collector's defaults;
    worker processes at the window's priority; the x509 import on the loop at the first
    session; every progress report repainting the status bar at once.
    """
    from app.services import sync_supervisor
    from app.ui import mail_page
    from app.ui.models import message_list_model
    from app.ui.widgets import message_list_pane

    sync_supervisor._import_for_sessions = lambda: None
    sync_supervisor.yield_cpu_to_caller = lambda nice=0: None
    mail_page.relax_collector = lambda: None  # type: ignore[assignment]
    from app.ui.widgets import status_bar

    def progress(self: Any, kind: type, text: str, progress: tuple[int, int]) -> None:
        self._apply(kind, text, progress)  # every report at once

    status_bar.SyncStatus._progress = progress  # type: ignore[method-assign]

    model = message_list_model.MessageListModel

    def insert_many(self: Any, summaries: Any) -> None:
        for summary in summaries:
            if self.row_of(summary.id) is None:
                self._insert(summary)

    model._insert_many = insert_many  # type: ignore[method-assign]
    pane = message_list_pane.MessageListPane

    async def learn(self: Any, *, again: bool = False) -> None:
        accounts = await self._ctx.services.accounts.list()
        self.model.set_own_addresses([a.address for a in accounts])

    async def apply_pending(self: Any) -> None:
        source = self.model.source
        if source is None:
            return
        if self._reload_all:
            self._reload_all = False
            self._pending_added.clear()
            self._pending_refresh.clear()
            await self._reload_keeping_current()
            return
        added, self._pending_added = sorted(self._pending_added), set()
        refresh, self._pending_refresh = sorted(self._pending_refresh), set()
        fresh = await source.summaries([*added, *refresh])
        by_id = {s.id: s for s in fresh}
        if self.model.source is not source:
            return
        leaving = [i for i in refresh if i not in by_id]
        if self._folder_name is not None and self._query is None:
            leaving += [
                s.id for s in fresh if s.folder != self._folder_name and s.id in set(refresh)
            ]
        if leaving:
            self.remove_ids(leaving)
        self.model.apply_changes(
            added=[by_id[i] for i in added if i in by_id],
            changed=[by_id[i] for i in refresh if i in by_id and i not in leaving],
        )

    pane._learn_own_addresses = learn  # type: ignore[method-assign]
    pane._apply_pending = apply_pending  # type: ignore[method-assign]


def probe(profile: str, out: str, idle_seconds: float, variant: str = "now") -> int:
    """Open the window on `profile`, let it sync, drive it; write what was seen to `out`.

    `variant`: ``now`` (this tree), or ``before``: the window's code as it was before the
    work on this benchmark (`_before`), to compare in the same run.
    """
    import asyncio
    import asyncio.base_events
    import resource

    from PySide6.QtCore import Qt, QTimer  # noqa: TID251 - the benchmark drives the window
    from PySide6.QtTest import QTest  # noqa: TID251
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    import app.services.sync_supervisor  # wrapped below: imported before the loop runs
    from app.ui import application

    if variant == "before":
        _before()
    elif variant == "nonice":  # this tree, worker processes at the window's priority
        from app.services import sync_supervisor

        sync_supervisor.yield_cpu_to_caller = lambda nice=0: None
    elif variant.startswith("switch"):  # e.g. switch1: sys.setswitchinterval(1 ms)
        sys.setswitchinterval(float(variant.removeprefix("switch")) / 1000)
    watch = _Watch()
    result: dict[str, Any] = {"phases": {}, "errors": [], "variant": variant}
    user: dict[str, dict[str, list[float]]] = {}

    # Every asyncio callback timed (qasync runs each one through Handle._run).
    original_run = asyncio.events.Handle._run

    def timed_run(handle: asyncio.Handle) -> None:
        began = time.perf_counter()
        what = None
        try:
            callback = handle._callback  # type: ignore[attr-defined]
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, asyncio.Task):
                coro = owner.get_coro()
                what = getattr(coro, "__qualname__", None) or repr(coro)
            else:
                what = getattr(callback, "__qualname__", None) or repr(callback)
        except Exception:
            what = "?"
        watch.current_callback = what
        try:
            original_run(handle)
        finally:
            watch.current_callback = None
            spent = time.perf_counter() - began
            if spent >= SLOW_CALLBACK_SECONDS:
                watch.callback(what or "?", spent)

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]

    # The garbage collector stops every thread (it holds the GIL): its passes, timed.
    import gc
    import threading

    collecting: dict[str, float] = {}

    def on_gc(stage: str, info: dict[str, int]) -> None:
        if stage == "start":
            collecting["at"] = time.perf_counter()
            return
        began = collecting.pop("at", None)
        if began is None:
            return
        spent = time.perf_counter() - began
        result.setdefault("gc", []).append(
            {
                "phase": watch.phase,
                "generation": info.get("generation", -1),
                "seconds": spent,
                "collected": info.get("collected", 0),
                "thread": threading.current_thread().name,
                "at": began - watch.started,
            }
        )

    gc.callbacks.append(on_gc)

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    marks: dict[str, tuple[float, float]] = {}

    def enter(phase: str) -> None:
        now = time.perf_counter()
        if watch.phase in marks:
            began, cpu_began = marks[watch.phase]
            result["phases"].setdefault(watch.phase, {})["seconds"] = now - began
            result["phases"][watch.phase]["cpu"] = cpu() - cpu_began
        watch.phase = phase
        marks[phase] = (now, cpu())
        result["phases"].setdefault(phase, {})["load"] = os.getloadavg()[0]
        user.setdefault(phase, {"search": [], "open": [], "completion": [], "keys": []})

    original_start = application.PliApplication.start

    async def start(self: Any) -> None:
        ticker = QTimer()
        ticker.setTimerType(Qt.TimerType.PreciseTimer)
        ticker.setInterval(int(TICK_SECONDS * 1000))
        ticker.timeout.connect(watch.tick)
        watch.last_tick = time.perf_counter()
        ticker.start()
        watch.start()
        enter("opening")
        try:
            await _scenario(self)
        except Exception as error:
            import traceback

            result["errors"].append(traceback.format_exc())
            print(f"scenario failed: {error!r}", file=sys.stderr)
        finally:
            enter("end")
            ticker.stop()
            watch.stop()
            QTimer.singleShot(0, self.window.close)

    async def _scenario(app: Any) -> None:
        from app.domain import events as ev

        sync_started = 0.0

        class Seen:
            listed: float | None = None
            archived: float | None = None

            def on_listed(self, _event: object) -> None:
                self.listed = time.perf_counter() - sync_started

            def on_archived(self, _event: object) -> None:
                self.archived = time.perf_counter() - sync_started

        seen = Seen()
        original_supervisor_start = None

        # The window's own start (services, mail page, supervisor.start()); the sync's start is
        # timed from the supervisor's start.
        import app.services.sync_supervisor as sup_module

        original_supervisor_start = sup_module.SyncSupervisor.start

        async def supervisor_start(this: Any, *args: Any, **kwargs: Any) -> None:
            nonlocal sync_started
            services = app.services
            services.events.subscribe(ev.MailboxListed, seen.on_listed)
            services.events.subscribe(ev.ArchiveComplete, seen.on_archived)
            sync_started = time.perf_counter()
            enter("sync")
            await original_supervisor_start(this, *args, **kwargs)

        sup_module.SyncSupervisor.start = supervisor_start  # type: ignore[method-assign]
        await original_start(app)
        services = app.services
        supervisor = services.supervisor
        page = app.window.page("mail")
        work = page.workspace
        pane, model, reading = work.messages, work.messages.model, work.reading

        def sync_done() -> bool:
            return seen.archived is not None and not supervisor._bodies

        # Until the inbox shows rows: the folder tree comes with the first headers; the user
        # clicks the inbox as soon as it is there.
        deadline = time.monotonic() + 300
        while not model.rowCount() and time.monotonic() < deadline:
            if pane.folder_id is None:
                for account in work.folders.model.accounts():
                    for folder in work.folders.model.folders(account.id):
                        if folder.role == "inbox":
                            work.folders.select_folder(folder.id)
            await asyncio.sleep(0.05)
        result["first_rows_at"] = time.perf_counter() - sync_started
        manager = app.window._composer_manager

        async def painted() -> None:
            pane.view.viewport().repaint()
            await asyncio.sleep(0)

        async def search(word: str, into: dict[str, list[float]]) -> None:
            field = work.search.field
            field.setFocus()
            field.clear()
            await asyncio.sleep(0.3)
            for char in word:
                QTest.keyClick(field, char)
                await asyncio.sleep(0.05)
            work.search._timer.stop()  # the Enter key is what is timed
            source = model.source
            began = time.perf_counter()
            QTest.keyClick(field, Qt.Key.Key_Return)
            limit = time.monotonic() + 30
            while (  # noqa: ASYNC110 - polling what the window shows
                model.source is source or model.loading or pane.query != word
            ) and time.monotonic() < limit:
                await asyncio.sleep(0.001)
            await painted()
            into["search"].append(time.perf_counter() - began)
            await asyncio.sleep(0.3)
            QTest.keyClick(field, Qt.Key.Key_Escape)
            limit = time.monotonic() + 30
            while (pane.query is not None or model.loading) and time.monotonic() < limit:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        shown: dict[str, Any] = {}

        def on_shown(message_id: object) -> None:
            shown["id"] = message_id
            shown["at"] = time.perf_counter()

        reading.message_shown.connect(on_shown)

        async def open_messages(into: dict[str, list[float]], rows: tuple[int, ...]) -> None:
            pane.view.setFocus()
            for row in rows:
                if row >= model.rowCount():
                    continue
                summary = model.summary(row)
                if summary is None:
                    continue
                shown.clear()
                began = time.perf_counter()
                pane.view.setCurrentIndex(model.index(row))
                limit = time.monotonic() + 30
                while shown.get("id") != summary.id and time.monotonic() < limit:  # noqa: ASYNC110
                    await asyncio.sleep(0.001)
                reading.repaint()
                await asyncio.sleep(0)
                if shown.get("id") == summary.id:
                    into["open"].append(time.perf_counter() - began)
                await asyncio.sleep(0.4)  # reading it

        composer_box: dict[str, Any] = {}

        async def compose(into: dict[str, list[float]], prefix: str) -> None:
            composer = composer_box.get("window")
            if composer is None or composer.gone:
                composer = await manager.new_message()
                composer_box["window"] = composer
            field = composer.to_field
            got: dict[str, float] = {}

            def on_suggestions(_count: int) -> None:
                got["at"] = time.perf_counter()

            field.suggestions_shown.connect(on_suggestions)
            try:
                field.edit.setFocus()
                field.edit.clear()
                last = time.perf_counter()
                for char in prefix:
                    got.clear()
                    last = time.perf_counter()
                    QTest.keyClick(field.edit, char)
                    await asyncio.sleep(0.12)
                limit = time.monotonic() + 5
                while "at" not in got and time.monotonic() < limit:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
                if "at" in got:
                    into["completion"].append(got["at"] - last)
                QTest.keyClick(field.edit, Qt.Key.Key_Escape)
                field.edit.clear()
            finally:
                field.suggestions_shown.disconnect(on_suggestions)
            body = composer.body
            body.setFocus()
            for char in BODY_TEXT:
                began = time.perf_counter()
                QTest.keyClick(body, char)
                into["keys"].append(time.perf_counter() - began)
                await asyncio.sleep(0.033)

        async def cycles(until: Any) -> int:
            done = 0
            while not until():
                into = user[watch.phase]
                await search(WORDS[done % len(WORDS)], into)
                if until():
                    break
                await open_messages(into, (1 + done % 5, 2 + done % 5, 40 + done))
                if until():
                    break
                await compose(into, RECIPIENT_PREFIXES[done % len(RECIPIENT_PREFIXES)])
                done += 1
                await asyncio.sleep(0.2)
            return done

        result["sync_cycles"] = await cycles(sync_done)
        result["listed_at"] = seen.listed
        result["archived_at"] = seen.archived
        result["sync_done_at"] = time.perf_counter() - sync_started
        enter("settle")
        await asyncio.sleep(3)
        enter("idle")
        idle_until = time.monotonic() + idle_seconds
        result["idle_cycles"] = await cycles(lambda: time.monotonic() >= idle_until)
        composer = composer_box.get("window")
        if composer is not None and not composer.gone:
            composer.close()
            await asyncio.sleep(1)
        result["rows"] = model.rowCount()
        folders = await services.archive.folders((await services.accounts.list())[0])
        result["archived_messages"] = sum(f.messages for f in folders)

    application.PliApplication.start = start  # type: ignore[method-assign]
    from app import bootstrap

    result["exit"] = bootstrap.gui(["--profile", profile])
    app = QApplication.instance()
    del app
    for phase, values in watch.gaps.items():
        if phase not in ("sync", "idle", "opening", "settle"):
            continue
        entry = result["phases"].setdefault(phase, {})
        stalls = watch.stalls.get(phase, [])
        entry["latency"] = _stats(values)
        entry["gil"] = _stats(watch.gil.get(phase, []))
        entry["stalls"] = len(stalls)
        entry["stalls_over_limit"] = sum(1 for s in stalls if s["late"] > TARGET_STALL)
        entry["stall_list"] = stalls
        entry["over_limit_by_cause"] = _causes([s for s in stalls if s["late"] > TARGET_STALL])
        entry["slow_callbacks"] = watch.slow.get(phase, [])
        for key, values_ in user.get(phase, {}).items():
            entry[key] = values_
    Path(out).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


# -- the command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "probe":
        return probe(argv[1], argv[2], float(argv[3]), *argv[4:5])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each variant")
    parser.add_argument(
        "--variants",
        default="now,before",
        help="now (this tree), before (the window as before this benchmark's fixes), "
        "nonice (this tree, worker processes not lowered), "
        "switchN (this tree with sys.setswitchinterval(N ms))",
    )
    parser.add_argument("--mode", choices=["text", "full"], default="text")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument(
        "--note", action="append", default=[], help="a note for the section (replaces them)"
    )
    args = parser.parse_args(argv)
    if not args.render_only:
        measure(
            args.messages,
            args.runs,
            args.mode,
            args.seed,
            args.idle_seconds,
            args.variants.split(","),
        )
    if args.note:
        NOTES.parent.mkdir(parents=True, exist_ok=True)
        NOTES.write_text(json.dumps(args.note, indent=1, ensure_ascii=False), encoding="utf-8")
    text = section()
    print(text)
    if not args.no_doc:
        from bench.run import write_sections

        write_sections({"ui-load": text})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
