"""Errors in plain French with what to do; crash reports without health data."""

from __future__ import annotations

import ast
import asyncio
import sys
from pathlib import Path

from app.cli.messages import MESSAGES
from app.domain.errors import KnownError, NetworkError, StoreError, TlsError
from app.ui.error_presenter import ErrorPresenter, known_codes, known_families
from tests.ui.conftest import UiLoop

APP = Path(__file__).resolve().parents[2] / "app"


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def raised_codes() -> set[str]:
    """Every code passed to an ``…Error(`` constructor across app/ (as the CLI's test does)."""
    codes: set[str] = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name.endswith("Error"):
                    codes.update(s for s in _strings(node.args[0]) if "." in s and " " not in s)
    return codes


def test_every_code_raised_in_the_engine_has_plain_french_with_what_to_do(french: None) -> None:
    presenter = ErrorPresenter(interactive=False)
    codes = raised_codes() | set(MESSAGES)
    assert len(codes) > 150  # the scan found the codes
    generic = presenter.describe_code("no_family_at_all.x")
    unmapped = sorted(c for c in codes if presenter.describe_code(c).title == generic.title)
    assert unmapped == []
    for code in codes:
        text = presenter.describe_code(code)
        assert text.title and text.advice
        assert code not in text.title and code not in text.advice  # never a code shown
        assert "Traceback" not in text.advice
    # Spot checks: the families the issue names, in French.
    assert presenter.describe_code("tls.untrusted").title == "Certificat refusé"
    assert presenter.describe_code("network.unreachable").title == "Le serveur est injoignable"
    assert presenter.describe_code("auth.bad_credentials").title == "Connexion refusée"
    assert presenter.describe_code("store.busy").title == "L'archive est utilisée"
    assert presenter.describe_code("server.over_quota").title == "La boîte est pleine"
    assert presenter.describe_code("size.too_large").title == "Le message est trop volumineux"
    assert presenter.describe_code("address.malformed").title == "Adresse invalide"
    assert "tls.untrusted" in known_codes() and "network" in known_families()


def test_an_unknown_code_falls_back_on_its_class_family(french: None) -> None:
    presenter = ErrorPresenter(interactive=False)
    text = presenter.describe(TlsError("handshake.brand_new_reason"))
    assert text.title == "Connexion sécurisée refusée"


def test_a_known_error_is_shown_in_french_without_a_crash_report(
    tmp_path: Path, french: None
) -> None:
    presenter = ErrorPresenter(tmp_path / "logs", interactive=False)
    presenter.report(NetworkError("network.timeout", host="imap.example.org"))
    assert presenter.history[-1].title == "Le serveur n'a pas répondu à temps"
    assert not presenter.history[-1].bug
    assert not (tmp_path / "logs").exists()


def _leak(patient: str) -> None:
    subject = f"Résultats de {patient}"  # a local variable holding health data
    raise ValueError(f"cannot file {subject} for jeanne.durand@patient.mssante.fr")


def test_a_bug_writes_a_crash_report_without_health_data(ui: UiLoop, tmp_path: Path) -> None:
    ui.allow_bugs = True
    presenter = ErrorPresenter(tmp_path / "logs", interactive=False)
    presenter.install_excepthook()
    try:
        try:
            try:
                _leak("Jeanne DURAND")
            except ValueError as error:
                raise StoreError("store.io_error", path="/home/x/Jeanne DURAND.pdf") from error
        except StoreError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
        try:
            _leak("Jeanne DURAND")
        except ValueError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    finally:
        presenter.uninstall_excepthook()
    assert [t.bug for t in presenter.history] == [False, True]
    reports = list((tmp_path / "logs").glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "builtins.ValueError" in text
    assert "in _leak" in text and "test_frame_errors.py" in text
    for secret in ("Jeanne", "DURAND", "patient.mssante.fr", "Résultats", "cannot file"):
        assert secret not in text
    assert oct(reports[0].stat().st_mode & 0o777) == "0o600"


def test_a_slot_bug_reaches_the_presenter_not_a_traceback(ui: UiLoop, tmp_path: Path) -> None:
    from PySide6.QtCore import QObject, Signal  # noqa: TID251

    from app.ui.async_bridge import ui_slot

    ui.allow_bugs = True

    class Emitter(QObject):
        fired = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.fired.connect(self._on_fired)

        @ui_slot()
        async def _on_fired(self) -> None:
            await asyncio.sleep(0)
            _leak("Jeanne DURAND")

    ui.errors.logs_dir = tmp_path / "logs"

    async def scenario() -> None:
        emitter = Emitter()
        emitter.fired.emit()
        await ui.until(lambda: ui.errors.history)

    ui.run(scenario())
    assert ui.errors.history[-1].bug
    report = next((tmp_path / "logs").glob("crash-*.txt")).read_text(encoding="utf-8")
    assert "Jeanne" not in report and "ValueError" in report


def test_known_error_class_family_is_used(french: None) -> None:
    presenter = ErrorPresenter(interactive=False)
    assert presenter.describe(KnownError("x.y")).title == "L'opération a échoué"


def test_cancelled_work_at_shutdown_is_not_reported_as_a_bug(tmp_path: Path) -> None:
    import asyncio as aio

    presenter = ErrorPresenter(tmp_path / "logs", interactive=False)
    presenter.loop_exception_handler(
        None,
        {
            "message": "_GatheringFuture exception was never retrieved",
            "exception": aio.CancelledError(),
        },
    )
    assert presenter.history == []
    presenter.loop_exception_handler(None, {"message": "boom", "exception": RuntimeError("x")})
    assert presenter.history[-1].bug
