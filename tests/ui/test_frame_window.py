"""The window: start-up on an empty profile, the welcome page, the demo, lock and unlock."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QSettings  # noqa: TID251

from app.config.paths import AppPaths
from app.ui.application import PliApplication
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop


def _app(ui: UiLoop, root: Path) -> PliApplication:
    return PliApplication(AppPaths.at(root), ui.errors, passphrase=TEST_PASSPHRASE)


def test_empty_profile_opens_the_welcome_page(ui: UiLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        began = time.monotonic()
        app = _app(ui, tmp_path / "profile")
        app.window.show()
        await ui.until(lambda: app.window.isVisible())
        shown = time.monotonic() - began
        assert shown < 1.0, f"window visible after {shown:.2f} s"
        assert app.window.current_page() == "loading"
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        assert app.window.current_page() == "welcome"
        assert app.window.welcome.demo.button.isEnabled()
        assert app.window.welcome.add.button.isEnabled()
        assert app.window.windowTitle() == "Pli"
        app.window.close()
        assert await run == 0
        assert app.services is None

    ui.run(scenario())


def test_window_remembers_its_geometry(ui: UiLoop, tmp_path: Path) -> None:
    root = tmp_path / "profile"

    async def scenario() -> None:
        app = _app(ui, root)
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        app.window.resize(1001, 702)
        await ui.settle()
        app.window.close()
        await run
        again = _app(ui, root)
        assert again.window.size().width() == 1001
        assert again.window.size().height() == 702
        again.window.deleteLater()

    ui.run(scenario())
    ini = root / "window.ini"
    assert ini.is_file()
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/geometry") is not None
