"""The window as a Linux screen reader reads it: AT-SPI over D-Bus, under Xvfb.

Once: a private X server (Xvfb), a private D-Bus session and its accessibility bus
(at-spi-bus-launcher), Pli's window in its own process on the `xcb` platform with
``QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1`` on a temporary profile, and a reader written against
``gi.repository.Atspi`` (what Orca uses) running under the system Python (the venv has no gi).
The reader finds the application "Pli", presses "Essayer avec une boîte de démonstration" by
its accessible action (as a screen reader user does), walks to the message list and reads the
rows: a patient's row must read as a sentence (state, sender and INS, subject, date), not just a
subject. Every process is ours and is ended, whatever happens.

Skipped only when Xvfb, D-Bus, AT-SPI or the system Python's Atspi bindings are missing
(``make test`` installs them: tools/install-system-deps).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import TEST_PASSPHRASE

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"

#: The reader (system Python, gi). Prints one JSON object on its last line.
READER = r'''
import json, sys, time
import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi

DEADLINE = time.monotonic() + float(sys.argv[1])
report = {"steps": []}


def step(text):
    report["steps"].append(f"{time.monotonic():.1f} {text}")


def walk(node, depth=0, limit=[0]):
    """Every accessible under `node` (bounded: the window is a few thousand objects)."""
    if node is None or depth > 40 or limit[0] > 20000:
        return
    limit[0] += 1
    yield node
    try:
        count = node.get_child_count()
    except Exception:
        return
    for i in range(count):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, limit)


def find(root, role=None, name=None, where=lambda n: True):
    for node in walk(root, 0, [0]):
        try:
            if role and node.get_role_name() != role:
                continue
            if name is not None and node.get_name() != name:
                continue
            if where(node):
                return node
        except Exception:
            continue
    return None


def wait_for(what, probe, step_s=0.5):
    while time.monotonic() < DEADLINE:
        found = probe()
        if found:
            return found
        time.sleep(step_s)
    report["timeout"] = what
    print(json.dumps(report))
    sys.exit(2)


Atspi.init()
desktop = Atspi.get_desktop(0)


def pli():
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == "Pli":
            return app
    return None


app = wait_for("application Pli on the bus", pli)
step("application found")
frame = wait_for("a frame", lambda: find(app, role="frame"))
report["frame"] = frame.get_name()
def showing(node):
    states = node.get_state_set()
    return states.contains(Atspi.StateType.SHOWING) and states.contains(Atspi.StateType.SENSITIVE)


# The welcome page exists (hidden) while the archive opens: wait until it is on screen.
button = wait_for(
    "the demo button on screen",
    lambda: find(
        app, role="push button", name="Essayer avec une boîte de démonstration", where=showing
    ),
)
action = button.get_action_iface()
report["button_actions"] = [action.get_action_name(i) for i in range(action.get_n_actions())]
report["pressed"] = action.do_action(0)
step("demo button pressed")


def rows():
    listing = find(app, role="list", name="Messages")
    if listing is None:
        return None
    names = []
    for i in range(min(listing.get_child_count(), 200)):
        child = listing.get_child_at_index(i)
        if child is not None:
            names.append((child.get_role_name(), child.get_name()))
    return [n for n in names if n[1]] or None


def press(keysym):
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    time.sleep(0.3)


DOWN, HOME = 0xFF54, 0xFF50
found = None
moved = 0
while time.monotonic() < DEADLINE:
    found = rows()
    if found and any(", INS " in name for _, name in found):
        break
    # The inbox fills while the demo's first sync runs. When the list still shows nothing,
    # choose the inbox the way a screen reader's user does: focus the folder tree by its
    # accessible action, then the keyboard (Home, Down to the inbox).
    tree = find(app, role="tree", name="Boîtes aux lettres et dossiers", where=showing)
    if tree is not None and tree.get_child_count() > 2 and moved < 6:
        tree_action = tree.get_action_iface()
        names = [tree_action.get_action_name(i) for i in range(tree_action.get_n_actions())]
        report["tree_actions"] = names
        if "SetFocus" in names or "Set Focus" in names:
            index = names.index("SetFocus" if "SetFocus" in names else "Set Focus")
            tree_action.do_action(index)
            time.sleep(0.3)
        press(HOME)
        for _ in range(moved % 3 + 1):
            press(DOWN)
        moved += 1
        report["keys_sent"] = moved
    time.sleep(2.0)
if not found:
    found = rows() or []
    seen = []
    for node in walk(app, 0, [0]):
        try:
            role, name = node.get_role_name(), node.get_name()
        except Exception:
            continue
        if role in ("list", "tree", "table", "tree table", "list box", "table cell", "list item"):
            seen.append(f"{role}: {name[:60]} ({node.get_child_count()})")
    report["seen"] = seen[:60]
report["rows"] = found
step("rows read")
print(json.dumps(report, ensure_ascii=False))
'''


def _missing() -> str | None:
    for tool in ("Xvfb", "dbus-daemon"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (tools/install-system-deps installs it)"
    if not Path(BUS_LAUNCHER).exists():
        return "at-spi2-core is not installed (at-spi-bus-launcher missing)"
    if not Path(SYSTEM_PYTHON).exists():
        return "no system python3 for the AT-SPI reader"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0')"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        return "python3-gi or gir1.2-atspi-2.0 is not installed for the system python3"
    return None


class Processes:
    """Processes started by this test, each in its own group, ended in reverse order."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(args, start_new_session=True, **kwargs)  # type: ignore[call-overload]
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self._stop(process)
            if process.stdout is not None:
                process.stdout.close()

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


def _read_line(stream: object, within: float) -> str:
    """One line from a child's pipe, with a deadline (the child may never write)."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)  # type: ignore[arg-type]
    deadline = time.monotonic() + within
    data = b""
    while time.monotonic() < deadline and not data.endswith(b"\n"):
        if selector.select(timeout=max(0.0, deadline - time.monotonic())):
            chunk = os.read(stream.fileno(), 4096)  # type: ignore[attr-defined]
            if not chunk:
                break
            data += chunk
    selector.close()
    return data.decode().strip()


def test_a_screen_reader_reads_a_conversation_row_as_a_sentence(
    tmp_path: Path, processes: Processes
) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)

    # A private X server on a free display (Xvfb chooses it and writes its number).
    xvfb = processes.start(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    display = _read_line(xvfb.stdout, 60)
    assert display.isdigit(), f"Xvfb gave no display: {display!r}"

    # A private session bus (never the user's), then the accessibility bus on it.
    session = processes.start(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    address = _read_line(session.stdout, 60)
    assert address.startswith("unix:"), f"dbus-daemon gave no address: {address!r}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "AT_SPI", "QT_", "XDG_RUNTIME", "WAYLAND"))
    }
    env |= {
        "DISPLAY": f":{display}",
        "DBUS_SESSION_BUS_ADDRESS": address,
        "NO_AT_BRIDGE": "0",
        "LANG": "fr_FR.UTF-8",
    }
    processes.start(
        [BUS_LAUNCHER, "--launch-immediately"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)

    # Pli's window on a temporary profile (passphrase from the environment, never a keyring).
    window_env = env | {
        "QT_QPA_PLATFORM": "xcb",
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        "QT_ACCESSIBILITY": "1",
        "PLI_PASSPHRASE": TEST_PASSPHRASE,
        "PYTHONPATH": str(ROOT),
    }
    with (tmp_path / "window.log").open("wb") as log:  # the child keeps its own descriptor
        window = processes.start(
            [
                sys.executable,
                "-c",
                "import sys; from app import bootstrap; sys.exit(bootstrap.gui(sys.argv[1:]))",
                "--profile",
                str(tmp_path / "profile"),
            ],
            env=window_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    # The reader, as a screen reader sees the desktop.
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    try:
        reader = subprocess.run(
            [SYSTEM_PYTHON, str(script), "150"],
            env=env,
            capture_output=True,
            timeout=240,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the AT-SPI reader did not finish in 240 s")
    output = reader.stdout.decode().strip().splitlines()
    window_alive = window.poll() is None
    context = (
        f"reader exit {reader.returncode}\nstdout: {output[-1:] if output else ''}\n"
        f"stderr: {reader.stderr.decode()[-2000:]}\n"
        f"window alive: {window_alive}\n"
        f"window log: {(tmp_path / 'window.log').read_text(errors='replace')[-2000:]}"
    )
    assert reader.returncode == 0 and output, context
    report = json.loads(output[-1])
    print(json.dumps(report, ensure_ascii=False, indent=1))  # what the reader heard (-s)

    assert report["frame"].startswith("Pli"), context
    assert report["pressed"], f"the demo button's action failed: {report}"
    assert report["button_actions"], report
    names = [name for _role, name in report["rows"]]
    assert names, f"no message row read: {report}"
    # Rows are list items whose name is the whole sentence, not only a subject.
    sentence = next((n for n in names if ", INS " in n), None)
    assert sentence is not None, f"no patient row among {names[:5]}"
    assert re.search(
        r"^(Non lu\. )?De [^,]+, patiente?, INS [\d ]+\. Objet\u00a0: .+\. Reçu .+\.", sentence
    ), sentence
    every = [n for n in names if n.startswith(("De ", "Non lu. De "))]
    assert len(every) >= len(names) // 2, names[:5]
    assert all(" Objet\u00a0: " in n and " Reçu " in n for n in every), every[:3]
    assert window_alive, context
