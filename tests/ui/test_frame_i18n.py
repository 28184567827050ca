"""French through Qt's translation system: every area finished, placeholders kept, .qm fresh."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QApplication  # noqa: TID251

from app.ui.i18n import format_size, i18n_dir, install_translators
from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pli_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TOOL = _tool()

_TRANSLATABLE = re.compile(r"""(?:\.tr|translate|QT_TRANSLATE_NOOP|QT_TR_NOOP)\(\s*["']""")


@pytest.mark.parametrize("area", sorted(TOOL.AREAS))
def test_every_translation_is_finished_and_compiled(area: str) -> None:
    problems = TOOL.check(area)
    assert not problems, "\n".join(str(p) for p in problems)


def test_every_shipped_ts_belongs_to_an_area() -> None:
    shipped = {p.name.removesuffix("_fr.ts") for p in i18n_dir().glob("*_fr.ts")}
    assert shipped <= set(TOOL.AREAS)


def test_the_check_catches_an_unfinished_translation_and_a_lost_placeholder(
    tmp_path: Path,
) -> None:
    ts = tmp_path / "x_fr.ts"
    ts.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context><name>C</name>
<message><source>Up to date (%1)</source><translation>À jour</translation></message>
<message><source>Later</source><translation type="unfinished"></translation></message>
<message numerus="yes"><source>%n file(s)</source><translation>
<numerusform>un fichier</numerusform><numerusform>%n fichiers</numerusform></translation></message>
<message><source>{name} left</source><translation>{nom} est parti</translation></message>
</context></TS>
""",
        encoding="utf-8",
    )
    problems = [str(p) for p in TOOL.check_ts("x", ts)]
    assert any("placeholders differ" in p and "Up to date" in p for p in problems)
    assert any("unfinished" in p and "Later" in p for p in problems)
    assert any("placeholders differ" in p and "{name}" in p for p in problems)
    assert not any("file(s)" in p for p in problems)  # "un fichier" may spell the number out


def test_the_window_speaks_french_whatever_the_system_locale(qapp: QApplication) -> None:
    translators = install_translators(qapp)
    try:
        assert len(translators) >= 2  # Qt's own French and at least the frame
        window = MainWindow()
        assert window.file_menu.title() == "&Fichier"
        assert window.help_menu.title() == "Ai&de"
        assert window.welcome.demo.button.text() == "&Essayer avec une boîte de démonstration"
        assert "Ko" in format_size(2048) or "ko" in format_size(2048)
        window.deleteLater()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_every_translatable_window_file_belongs_to_an_area() -> None:
    """A screen added without its area in tools/i18n.py would ship in English."""
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files", "app/ui"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    in_areas = {p.relative_to(ROOT).as_posix() for area in TOOL.AREAS for p in TOOL.sources(area)}
    orphans = []
    for name in tracked:
        if not name.endswith(".py"):
            continue
        text = (ROOT / name).read_text(encoding="utf-8")
        # A literal source string (not a check that reads translations back, as self_check does).
        if _TRANSLATABLE.search(text) and name not in in_areas:
            orphans.append(name)
    assert orphans == [], "add these files to an area of tools/i18n.py (AREAS)"
