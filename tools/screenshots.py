"""Regenerate every picture of docs/screenshots/ (the README's gallery), offscreen.

    .venv/bin/python tools/screenshots.py            # all of them, then list the stale ones
    .venv/bin/python tools/screenshots.py --prune    # ... and delete the stale ones
    .venv/bin/python tools/screenshots.py --only frame compose

Every picture comes from the window's own code on a fresh temporary profile (the demo mailbox
for the mail, documents, patients and outbox screens; the suite's loopback test servers for the
wizard), in French, Fusion style, DejaVu font, at 1366×768 and 1920×1080:

- ``frame``: tools/frame_screenshots.py drives PliApplication itself (welcome page, demo inbox,
  offline banner, lock screen, first passphrase and account dialogs);
- the screens' screenshot tests, run with ``PLI_SCREENSHOTS=1`` and Pli's theme
  (tools/screenshots_theme.py, as the application applies it) (they also check what the
  pictures show, so a broken screen fails here instead of being photographed):
  ``mail`` (patient message, report, bounce, sent, search), ``documents`` (PDF and XDM
  previews, viewer, directory), ``compose`` (empty, chips and documents, refusal, completion),
  ``patients`` (open and closed conversations, bounce, outbox), ``wizard`` (every step, the
  settings tabs, the passphrase dialogs).

A picture not rewritten by this run belongs to no screen any more: it is listed, and deleted
with ``--prune``. What each picture shows: /work/notes/SCREENSHOTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PYTHON = ROOT / ".venv" / "bin" / "python"
SIZES = ("1366x768", "1920x1080")

#: Group name -> the screenshot test that draws it (run with PLI_SCREENSHOTS=1).
TESTS = {
    "mail": "tests/ui/test_mail_screenshots.py",
    "documents": "tests/ui/test_documents_window.py",
    "compose": "tests/ui/test_compose_screenshots.py",
    "patients": "tests/ui/test_patients_screenshots.py",
    "wizard": "tests/ui/test_wizard_screenshots.py",
}
GROUPS = ("frame", *TESTS)


def environment(folder: Path) -> dict[str, str]:
    """Offscreen on one 1920×1080 screen at 96 dpi, French, Fusion, fixed fonts."""
    screen = folder / "offscreen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "pli",
                        "x": 0,
                        "y": 0,
                        "width": 1920,
                        "height": 1080,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    fonts = folder / "fonts.conf"
    # Only DejaVu, whatever else the machine has: the pictures do not change with the host.
    fonts.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        "<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>"
        "<alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>"
        "<alias><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer>"
        "</alias></fontconfig>",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        {
            "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
            "QT_API": "pyside6",
            "QT_STYLE_OVERRIDE": "Fusion",
            "QT_SCALE_FACTOR": "1",
            "QT_FONT_DPI": "96",
            "FONTCONFIG_FILE": str(fonts),
            "LANG": "fr_FR.UTF-8",
            "LANGUAGE": "fr_FR",
            "PLI_SCREENSHOTS": "1",
            "PLI_PASSPHRASE": "screenshots passphrase",
            "PLI_UI_SLOW_MS": "5000",  # grabbing big pictures is the tool's act, not the window's
        }
    )
    return env


def run(groups: list[str], env: dict[str, str]) -> list[str]:
    failed: list[str] = []
    if "frame" in groups:
        for size in SIZES:
            print(f"== frame {size}", flush=True)
            command = [str(PYTHON), "tools/frame_screenshots.py", "--size", size]
            if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode:
                failed.append(f"frame {size}")
    for test in (TESTS[g] for g in groups if g in TESTS):
        command = [str(PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-p", "tools.screenshots_theme", test]
        # Once more on failure: on a loaded machine a screen can miss a test's time limit.
        for attempt in (1, 2):
            print(f"== {test}" + (" (again)" if attempt == 2 else ""), flush=True)
            if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode == 0:
                break
        else:
            failed.append(test)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=GROUPS, default=list(GROUPS))
    parser.add_argument("--prune", action="store_true", help="delete pictures not redrawn")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time() - 1
    with tempfile.TemporaryDirectory(prefix="pli-shots-") as folder:
        failed = run(args.only, environment(Path(folder)))
    fresh = sorted(p.name for p in OUT.glob("*.png") if p.stat().st_mtime >= started)
    stale = sorted(p.name for p in OUT.glob("*.png") if p.stat().st_mtime < started)
    print(f"{len(fresh)} pictures redrawn in {OUT.relative_to(ROOT)}")
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    elif stale and set(args.only) == set(GROUPS):
        # Only a complete, successful run knows which pictures no screen draws any more.
        for name in stale:
            print(("deleted " if args.prune else "stale ") + name)
            if args.prune:
                (OUT / name).unlink()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
