"""`pli --self-test`: does this installation work? Each check says what failed in plain words.

Checks without Qt (here): a throwaway encrypted archive is created, written, reopened and
found unreadable without its key; the IGC-Santé trust store loads and is in date; the
translations, templates and operator presets shipped are there. The composition root adds the
window's checks (`register_check`): Qt offscreen, a PDF page rendered, the French translation
loaded. Nothing touches the user's profile or the network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from app.config.paths import AppPaths
from app.config.resources import igc_sante_bundle, resource_path
from app.config.settings import Settings
from app.config.templates import load_templates
from app.domain.errors import KnownError

log = logging.getLogger(__name__)

#: Every window area's translation (tools/i18n.py AREAS); the self-test wants each one.
TRANSLATION_AREAS = ("frame", "mail", "compose", "patients", "setup")
_PASSPHRASE = "pli self-test throwaway passphrase"  # noqa: S105 - a throwaway archive's


@dataclass(frozen=True)
class CheckOutcome:
    """One check: its name, whether it passed, what went wrong in plain words, its time."""

    name: str
    ok: bool
    problem: str = ""
    seconds: float = 0.0


#: A check run on the calling thread (Qt checks must run on the main thread).
Check = Callable[[], CheckOutcome]
_EXTRA: list[Check] = []


def register_check(check: Check) -> None:
    """Add a check (the composition root adds the window's)."""
    if check not in _EXTRA:
        _EXTRA.append(check)


async def run_self_test() -> list[CheckOutcome]:
    """Every check, in order; never raises for a failed check."""
    outcomes: list[CheckOutcome] = []
    for name, coro in (
        ("encrypted archive", _check_archive),
        ("trust store", _check_trust_store),
        ("translations", _check_translation_files),
        ("templates", _check_templates),
        ("operator presets", _check_presets),
    ):
        outcomes.append(await _timed(name, coro))
    for check in _EXTRA:
        start = time.perf_counter()
        try:
            outcome = check()
        except Exception as error:  # noqa: BLE001 - a self-test reports, it does not crash
            outcome = CheckOutcome(getattr(check, "__name__", "check"), False, repr(error))
        outcomes.append(
            CheckOutcome(outcome.name, outcome.ok, outcome.problem, time.perf_counter() - start)
        )
    return outcomes


async def _timed(name: str, check: Callable[[], Awaitable[str]]) -> CheckOutcome:
    start = time.perf_counter()
    try:
        problem = await check()
    except KnownError as error:
        problem = f"failed with error {error.code}"
    except Exception as error:  # reported in plain words, with its type
        log.debug("self-test check %s failed", name, exc_info=True)
        problem = f"failed unexpectedly ({type(error).__name__}: {error})"
    return CheckOutcome(name, not problem, problem, time.perf_counter() - start)


async def _check_archive() -> str:
    from app.services.profile import open_services

    async def passphrase(_new: bool) -> str:
        return _PASSPHRASE

    with tempfile.TemporaryDirectory(prefix="pli-self-test-") as folder:
        paths = AppPaths.at(Path(folder) / "profile")
        services = await open_services(paths, Settings(), passphrase, prefer_passphrase=True)
        try:
            await services.store.write(
                lambda a: a.audit.add(account_id=None, actor="local", action="self-test")
            )
        finally:
            await services.aclose()
        services = await open_services(paths, Settings(), passphrase, prefer_passphrase=True)
        try:
            accounts = await services.accounts.list()
        finally:
            await services.aclose()
        if accounts:
            return "a new archive already had mailboxes in it"
        archives = await asyncio.to_thread(_databases, Path(folder))
        for archive in archives:
            head = await asyncio.to_thread(_head, archive)
            if head.startswith(b"SQLite format 3"):
                return f"the archive file {archive.name} is not encrypted"
        if not archives:
            return "no archive file was created"
    return ""


def _databases(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.db") if p.is_file()]


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


async def _check_trust_store() -> str:
    bundle = igc_sante_bundle()
    if not bundle.is_file():
        return f"the IGC-Santé certificates are missing ({bundle})"
    context = await asyncio.to_thread(ssl.create_default_context, cafile=str(bundle))
    certificates = context.get_ca_certs()
    if not certificates:
        return "the IGC-Santé certificate file holds no certificate"
    now = dt.datetime.now(dt.UTC)
    expired = []
    for cert in certificates:
        not_after = cert.get("notAfter")
        if isinstance(not_after, str):
            end = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), dt.UTC)
            if end < now:
                expired.append(cert)
    if len(expired) == len(certificates):
        return "every IGC-Santé certificate shipped has expired: install a newer Pli"
    return ""


async def _check_translation_files() -> str:
    folder = resource_path("i18n")
    missing = [a for a in TRANSLATION_AREAS if not (folder / f"{a}_fr.qm").is_file()]
    if missing:
        return "French translation missing for: " + ", ".join(missing)
    return ""


async def _check_templates() -> str:
    library = await asyncio.to_thread(load_templates, None)
    if not library.templates:
        return "no message template was found"
    if library.problems:
        return f"{len(library.problems)} shipped template(s) cannot be read"
    return ""


async def _check_presets() -> str:
    from app.services.discovery_service import load_presets

    presets = await asyncio.to_thread(load_presets, [resource_path("operators")])
    return "" if presets else "the MSSanté operator list is missing"


def report_lines(outcomes: list[CheckOutcome]) -> list[str]:
    """One line per check, then a summary, for the terminal."""
    lines = []
    for outcome in outcomes:
        mark = "ok  " if outcome.ok else "FAIL"
        detail = f": {outcome.problem}" if outcome.problem else ""
        lines.append(f"{mark} {outcome.name} ({outcome.seconds:.2f} s){detail}")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        lines.append(f"{len(failed)} check(s) failed: Pli may not work correctly here.")
    else:
        lines.append("Everything works.")
    return lines
