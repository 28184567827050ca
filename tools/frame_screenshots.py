"""Screenshots of the window's frame (docs/screenshots/frame-*.png), under Xvfb or offscreen.

tools/screenshots.py runs this at both sizes with the others (fixed style, font, locale).

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 PLI_PASSPHRASE=... .venv/bin/python tools/frame_screenshots.py [--size 1366x768]

Drives the real window on a fresh profile: the welcome page, the demo mailbox (a patient's
message open), the offline banner, the lock screen. Each picture is taken with QWidget.grab()
of the whole window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QCursor  # noqa: E402, TID251 - a window tool
from PySide6.QtWidgets import QApplication  # noqa: E402, TID251 - a window tool

from app.config.paths import AppPaths  # noqa: E402
from app.domain import events as ev  # noqa: E402
from app.ui import async_bridge  # noqa: E402
from app.ui.application import PliApplication  # noqa: E402
from app.ui.dialogs.account_dialog import AccountDialog  # noqa: E402
from app.ui.dialogs.passphrase_dialog import PassphraseDialog  # noqa: E402
from app.ui.error_presenter import ErrorPresenter  # noqa: E402
from app.ui.i18n import install_translators  # noqa: E402
from app.ui.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


async def _until(condition: Callable[[], object], within: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def shoot(app: PliApplication, size: tuple[int, int], only: set[str]) -> list[Path]:
    window = app.window
    window.resize(*size)
    window.move(0, 0)
    window.show()
    suffix = f"{size[0]}x{size[1]}"
    saved: list[Path] = []

    def grab(name: str) -> None:
        if only and name not in only:
            return
        QApplication.processEvents()
        path = OUT / f"frame-{name}-{suffix}.png"
        window.grab().save(str(path))
        saved.append(path)

    run = asyncio.ensure_future(app.run())
    await _until(app.started.is_set)
    await asyncio.sleep(0.3)
    grab("welcome")
    if app.services is not None and hasattr(app.services, "demo"):
        window.welcome.demo.button.click()
        await _until(lambda: window.current_page() == "mail", 120)
        services = app.services
        accounts = await services.accounts.list()
        inbox: list[int] = []

        async def find_inbox() -> None:
            for _ in range(600):
                folders = await services.archive.folders(accounts[0])
                ids = [f.id for f in folders if f.role == "inbox" and f.messages]
                if ids:
                    inbox.append(ids[0])
                    return
                await asyncio.sleep(0.1)

        await find_inbox()
        page = window.page("mail")
        workspace = page.workspace  # type: ignore[union-attr]
        await _until(lambda: workspace.folders.select_folder(inbox[0]), 30)
        await _until(lambda: workspace.messages.model.rowCount() > 0, 30)
        # A patient's message open, as a GP would start the day.
        model = workspace.messages.model
        patient = next((r for r in range(model.rowCount()) if model.text(r).patient_sender), 0)
        workspace.messages.view.setCurrentIndex(model.index(patient, 0))
        await asyncio.sleep(2.5)
        grab("demo")
        assert app.ctx is not None
        # Offline for real: the demo server stops, the engine loses it and says so.
        account = accounts[0]
        await services.demo.stop()

        def offline() -> bool:
            return window.status.connections.states().get(account.id) == ev.ConnectionState.OFFLINE

        try:
            await _until(offline, 45)
        except TimeoutError:  # the engine has not noticed yet: say what it would say
            app.ctx.signals.bus.publish(
                ev.ConnectionChanged(
                    account_id=account.id,
                    account=account.name,
                    state=ev.ConnectionState.OFFLINE,
                    code="network.unreachable",
                )
            )
        await asyncio.sleep(0.5)
        grab("offline")
    app.lock_now()
    await asyncio.sleep(0.3)
    grab("locked")
    window.unlock()
    for name, make in (
        ("passphrase", lambda: PassphraseDialog(new=True, parent=window)),
        ("account", lambda: AccountDialog(window)),
    ):
        if only and name not in only:
            continue
        dialog = make()
        dialog.show()
        await asyncio.sleep(0.3)
        QApplication.processEvents()
        path = OUT / f"frame-dialog-{name}-{suffix}.png"
        dialog.grab().save(str(path))
        saved.append(path)
        dialog.close()
    window.close()
    await run
    return saved


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    os.environ.setdefault("PLI_PASSPHRASE", "screenshots passphrase")
    OUT.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    apply_theme(qapp)
    QCursor.setPos(1919, 1079)  # not over the window's first button (a hover frame otherwise)
    translators = install_translators(qapp)
    loop = async_bridge.install_event_loop(qapp)
    with tempfile.TemporaryDirectory() as folder:
        errors = ErrorPresenter(Path(folder) / "logs")
        async_bridge.set_error_sink(errors)
        app = PliApplication(
            AppPaths.at(Path(folder) / "profile"),
            errors,
            passphrase=os.environ["PLI_PASSPHRASE"],
        )
        with loop:
            saved = loop.run_until_complete(shoot(app, (width, height), set(args.only)))
    for path in saved:
        print(path.relative_to(ROOT))
    del translators
    return 0


if __name__ == "__main__":
    sys.exit(main())
