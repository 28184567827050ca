"""Qt Linguist translations of the window, per area (STYLE.md §8).

    python tools/i18n.py update [AREA...]   # pyside6-lupdate: sources -> resources/i18n/AREA_fr.ts
    python tools/i18n.py release [AREA...]  # pyside6-lrelease: AREA_fr.ts -> AREA_fr.qm
    python tools/i18n.py check [AREA...]    # unfinished or missing, placeholders, stale .qm

Each area owns its files: `frame` (the window's frame), `mail` (the mail panes); later screens
add theirs to AREAS. The window loads every ``resources/i18n/*_fr.qm`` (app/ui/i18n.py).
tests/ui/test_frame_i18n.py runs the same checks.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
BIN = Path(sys.executable).parent

#: Area -> source patterns (relative to the repository). A file belongs to one area only.
AREAS: dict[str, tuple[str, ...]] = {
    "frame": (
        "app/ui/__init__.py",
        "app/ui/application.py",
        "app/ui/async_bridge.py",
        "app/ui/event_adapter.py",
        "app/ui/context.py",
        "app/ui/error_presenter.py",
        "app/ui/main_window.py",
        "app/ui/mail_page.py",
        "app/ui/welcome.py",
        "app/ui/i18n.py",
        "app/ui/lock.py",
        "app/ui/tray.py",
        "app/ui/theme.py",
        "app/ui/icons.py",
        "app/ui/dialogs/*.py",
        "app/ui/widgets/status_*.py",
        "app/ui/widgets/banners.py",
    ),
    "mail": (
        "app/ui/html.py",
        "app/ui/models/*.py",
        "app/ui/widgets/folder_pane.py",
        "app/ui/widgets/message_list_pane.py",
        "app/ui/widgets/reading_pane.py",
        "app/ui/widgets/search_bar.py",
        "app/ui/widgets/message_actions.py",
        "app/ui/widgets/mail_*.py",
    ),
    "compose": ("app/ui/compose/*.py",),
    "documents": ("app/ui/documents/*.py",),
    "directory": ("app/ui/directory/*.py",),
    "patients": ("app/ui/patients/*.py", "app/ui/outbox/*.py", "app/ui/receipts.py"),
    "setup": ("app/ui/wizard/*.py", "app/ui/settings/*.py"),
}

#: French typography: a no-break space before ":" and a narrow one before ";", "!" and "?" (a
#: line never starts with them), no-break spaces inside « ». An ordinary space there is a slip.
_LOOSE_PUNCTUATION = re.compile(r" [:;!?»](?=\s|$)|« ")

_PLACEHOLDER = re.compile(r"%(?:\d+|n|p|L\d+)|\{[A-Za-z_][A-Za-z0-9_]*\}")


def ts_path(area: str) -> Path:
    """The area's translation source."""
    return I18N / f"{area}_fr.ts"


def qm_path(area: str) -> Path:
    """The area's compiled translation (loaded by the window)."""
    return I18N / f"{area}_fr.qm"


def sources(area: str) -> list[Path]:
    """The area's source files that exist."""
    found: set[Path] = set()
    for pattern in AREAS[area]:
        found.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(found)


def _tool(name: str) -> str:
    local = BIN / name
    return str(local) if local.exists() else name


def update(area: str, ts: Path | None = None) -> None:
    """Extract the area's strings into its .ts (translations kept, vanished ones dropped)."""
    target = ts or ts_path(area)
    target.parent.mkdir(parents=True, exist_ok=True)
    files = [str(p.relative_to(ROOT)) for p in sources(area)]
    subprocess.run(
        [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "relative",
         *files, "-ts", str(target)],
        cwd=ROOT,
        check=True,
    )  # fmt: skip


def release(area: str, ts: Path | None = None, qm: Path | None = None) -> None:
    """Compile the area's .ts into its .qm."""
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(ts or ts_path(area)), "-qm",
         str(qm or qm_path(area))],
        check=True,
    )  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """Something wrong with a translation file."""

    area: str
    what: str

    def __str__(self) -> str:
        return f"{self.area}: {self.what}"


def placeholders(text: str) -> list[str]:
    """The placeholders of a string, sorted (%1, %n, {name}…)."""
    return sorted(_PLACEHOLDER.findall(text))


def check_ts(area: str, ts: Path) -> list[Problem]:
    """Unfinished or empty translations and placeholder mismatches in one .ts file."""
    problems: list[Problem] = []
    root = ET.parse(ts).getroot()
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            translation = message.find("translation")
            where = f"[{name}] {source!r}"
            if translation is None:
                problems.append(Problem(area, f"no translation for {where}"))
                continue
            kind = translation.get("type")
            if kind in ("vanished", "obsolete"):
                continue
            if kind == "unfinished":
                problems.append(Problem(area, f"unfinished translation for {where}"))
                continue
            if message.get("numerus") == "yes":
                forms = [f.text or "" for f in translation.iter("numerusform")]
            else:
                forms = [translation.text or ""]
            if not forms or any(not f.strip() for f in forms):
                problems.append(Problem(area, f"empty translation for {where}"))
                continue
            for form in forms:
                if _LOOSE_PUNCTUATION.search(form):
                    problems.append(
                        Problem(
                            area,
                            f"ordinary space before French punctuation in {where}: {form!r} "
                            "(no-break space U+00A0 before ':' and in « », narrow U+202F "
                            "before ';', '!', '?')",
                        )
                    )
            wanted = placeholders(source)
            for form in forms:
                got = placeholders(form)
                # A singular numerus form may spell the number out ("un message"): %n optional.
                if message.get("numerus") == "yes":
                    got = sorted(set(got) | ({"%n"} & set(wanted)))
                    wanted_set = sorted(set(wanted))
                    if sorted(set(got)) != wanted_set:
                        problems.append(Problem(area, f"placeholders differ in {where}: {form!r}"))
                elif got != wanted:
                    problems.append(Problem(area, f"placeholders differ in {where}: {form!r}"))
    return problems


def check(area: str) -> list[Problem]:
    """Everything `check` reports for an area: the .ts against the code, and the .qm."""
    ts, qm = ts_path(area), qm_path(area)
    if not ts.is_file():
        return [Problem(area, f"{ts.relative_to(ROOT)} is missing")]
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / ts.name
        shutil.copyfile(ts, fresh)
        update(area, fresh)  # strings added to the code since show up as unfinished
        problems += check_ts(area, fresh)
        built = Path(folder) / qm.name
        release(area, ts, built)
        if not qm.is_file():
            problems.append(Problem(area, f"{qm.relative_to(ROOT)} is missing"))
        elif qm.read_bytes() != built.read_bytes():
            problems.append(Problem(area, f"{qm.relative_to(ROOT)} is stale: run release"))
    return problems


def main(argv: list[str]) -> int:
    """Command-line entry."""
    if not argv or argv[0] not in ("update", "release", "check"):
        print(__doc__)
        return 2
    command, areas = argv[0], argv[1:] or list(AREAS)
    status = 0
    for area in areas:
        if area not in AREAS:
            print(f"unknown area {area!r} (known: {', '.join(AREAS)})")
            return 2
        if command == "update":
            update(area)
        elif command == "release":
            release(area)
        else:
            for problem in check(area):
                print(problem)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
