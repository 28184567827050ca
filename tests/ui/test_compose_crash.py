"""A crash while composing keeps the draft: the composer runs in a process killed with SIGKILL.

The child opens a profile, opens a composer, types a recipient and some text, waits for the
draft to be saved as it goes (no explicit save), prints its id and keeps typing; the parent kills
it with ``kill -9``, opens the same profile and finds the draft left open, reopens it where it was.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings  # noqa: TID251 - window tests
from PySide6.QtWidgets import QApplication  # noqa: TID251 - window tests

from app.services.container import Services
from app.ui.compose.manager import ComposerManager
from app.ui.context import UiContext
from tests.ui.conftest import UiLoop, open_test_services

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TYPED = "Bonjour cher confrere, voici le compte rendu"


@pytest.fixture(autouse=True)
def _no_quit(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def child(profile: Path, state_file: Path) -> None:
    """The process to be killed: compose, let the draft save itself, keep typing forever."""
    import qasync  # noqa: TID251  # isort: skip
    from PySide6.QtTest import QTest  # noqa: TID251

    from app.domain.account import AccountConfig, Endpoint, Security
    from app.ui.error_presenter import ErrorPresenter

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def run() -> None:
        services = await open_test_services(profile)
        config = AccountConfig(
            name="cabinet",
            address="marie.martin@medecin.mssante.fr",
            imap=Endpoint("127.0.0.1", 9, Security.STARTTLS),
            smtp=Endpoint("127.0.0.1", 9, Security.STARTTLS),
        )
        await services.accounts.add(config, password="x")
        ctx = UiContext.create(services, ErrorPresenter(interactive=False))
        manager = ComposerManager(ctx, QSettings(str(state_file), QSettings.Format.IniFormat))
        composer = await manager.new_message()
        composer.to_field.add_text("paul.lefebvre@medecin.mssante.fr")
        composer.subject.setText("Compte rendu")
        QTest.keyClicks(composer.body, TYPED)
        # Saved by itself as one types (polled: the child has nothing else to do).
        while composer.draft_id is None or composer._dirty:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        print(f"SAVED {composer.draft_id}", flush=True)
        n = 0
        while True:  # still typing when the power goes
            n += 1
            await asyncio.sleep(0.05)
            if n == 1:
                QTest.keyClicks(composer.body, ".")

    loop.run_until_complete(run())


def test_a_killed_composer_keeps_its_draft_and_offers_it_again(ui: UiLoop, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    state_file = tmp_path / "window-state.ini"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.test_compose_crash", str(profile), str(state_file)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = ""
        for line in process.stdout:
            if line.startswith("SAVED"):
                break
        assert line.startswith("SAVED"), "the child never saved its draft"
        draft_id = int(line.split()[1])
        # Let the last keystroke's debounced save happen, then pull the plug.
        ui.run(asyncio.sleep(2.0))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    async def scenario() -> None:
        services: Services = await open_test_services(profile)
        try:
            ctx = UiContext.create(services, ui.errors)
            state = QSettings(str(state_file), QSettings.Format.IniFormat)
            manager = ComposerManager(ctx, state)
            assert await manager.drafts_left_open() == [draft_id]
            assert await manager.offer_left_open(ask=False) == 1
            (composer,) = manager.composers
            assert composer.draft_id == draft_id
            assert composer.to_field.addresses() == ("paul.lefebvre@medecin.mssante.fr",)
            assert composer.subject.text() == "Compte rendu"
            assert composer.body.toPlainText() == TYPED + "."
            composer.close()
            await ui.until(lambda: not manager.composers)
            # Closed properly this time: nothing is offered at the next start.
            assert await manager.drafts_left_open() == []
            assert [d.id for d in await services.drafts.list()] == [draft_id]
        finally:
            await services.aclose()

    ui.run(scenario(), timeout=60)


if __name__ == "__main__":
    child(Path(sys.argv[1]), Path(sys.argv[2]))
