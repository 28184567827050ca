"""A message row as a Linux screen reader gets it: AT-SPI under Xvfb (notes/UI.md).

The list (the real model and delegate, French translations loaded) runs in a child process
on the xcb platform with accessibility on, inside its own D-Bus session and X server; the
system Python reads the accessibility tree through AT-SPI (gir1.2-atspi-2.0, installed by
tools/install-system-deps) and the row must read as a sentence, not just a subject.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INS = "284057512345672"  # a woman's INS, key checked

QT_SIDE = textwrap.dedent(
    f"""
    import os, sys, time
    sys.path.insert(0, {str(ROOT)!r})
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QListView
    from app.domain.message import MessageSummary, Person
    from app.ui.i18n import install_translators
    from app.ui.models.message_list_model import MessageListModel
    from app.ui.widgets.mail_list_delegate import MessageRowDelegate

    app = QApplication(sys.argv)
    app.setApplicationName("pli-atspi-check")
    keep = install_translators(app, Path({str(ROOT / "resources" / "i18n")!r}))
    model = MessageListModel()
    model.apply_changes(added=[MessageSummary(
        id=1, account="cabinet", folder="INBOX", uid=1, internal_date=int(time.time()) - 60,
        sent_date=None, sender=Person("Jeanne DURAND", "{INS}@patient.mssante.fr"),
        subject="Résultats d'analyse", flags=0, keywords=(), size=1, has_attachments=True,
        archived=True, gone_from_server=False, thread_id=None, patient_ins="{INS}")])
    view = QListView()
    view.setAccessibleName("Messages")
    view.setModel(model)
    view.setItemDelegate(MessageRowDelegate(view))
    view.resize(500, 300)
    view.show()
    print("READY", flush=True)
    QTimer.singleShot(30000, app.quit)
    app.exec()
    """
)

READER = textwrap.dedent(
    """
    import json, time
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi

    Atspi.init()
    found = []

    def walk(node, depth=0):
        if node is None or depth > 12:
            return
        found.append([node.get_role_name(), node.get_name()])
        for i in range(node.get_child_count()):
            walk(node.get_child_at_index(i), depth + 1)

    app = None
    deadline = time.time() + 20
    while app is None and time.time() < deadline:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            child = desktop.get_child_at_index(i)
            if child is not None and child.get_name() == "pli-atspi-check":
                app = child
        if app is None:
            time.sleep(0.3)
    walk(app)
    print(json.dumps(found, ensure_ascii=False))
    """
)

RUN = textwrap.dedent(
    """
    "$PLI_PY" "$DIR/qt_side.py" > "$DIR/qt.log" 2>&1 &
    QT=$!
    for i in $(seq 1 100); do grep -q READY "$DIR/qt.log" && break; sleep 0.2; done
    sleep 1
    /usr/bin/python3 "$DIR/reader.py"
    STATUS=$?
    kill $QT 2>/dev/null
    exit $STATUS
    """
)


def test_a_row_reads_as_a_sentence_through_at_spi(tmp_path: Path) -> None:
    missing = [t for t in ("Xvfb", "xvfb-run", "dbus-run-session") if shutil.which(t) is None]
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import gi; gi.require_version('Atspi', '2.0')"],
        capture_output=True,
        check=False,
    )
    if missing or probe.returncode != 0:
        pytest.fail(
            f"AT-SPI check needs {missing or 'gir1.2-atspi-2.0 python3-gi'}: "
            "run tools/install-system-deps",
            pytrace=False,
        )
    (tmp_path / "qt_side.py").write_text(QT_SIDE, encoding="utf-8")
    (tmp_path / "reader.py").write_text(READER, encoding="utf-8")
    (tmp_path / "run.sh").write_text(RUN, encoding="utf-8")
    result = subprocess.run(
        ["dbus-run-session", "--", "xvfb-run", "-a", "sh", str(tmp_path / "run.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DIR": str(tmp_path), "PLI_PY": sys.executable},
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert lines, (result.stdout, result.stderr, (tmp_path / "qt.log").read_text())
    tree = json.loads(lines[-1])
    assert ["list", "Messages"] in tree
    rows = [name for role, name in tree if role in ("list item", "table cell")]
    grouped = "2 84 05 75 123 456 72"
    assert len(rows) == 1
    sentence = rows[0]
    assert sentence.startswith(
        f"Non lu. De Jeanne DURAND, patiente, INS {grouped}. "
        "Objet\u00a0: Résultats d'analyse. Reçu "
    )
    assert "Reçu aujourd'hui à " in sentence or "Reçu hier à " in sentence
    assert sentence.endswith("Pièce jointe.")
