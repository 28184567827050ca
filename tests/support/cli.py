"""Running `pli` in tests: in-process (fast) or as a real process (crash tests).

Both go through the real command line (argument parsing, unlock, services, exit codes);
in-process runs capture stdout/stderr, a subprocess is the real thing, killable with -9.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import bootstrap

if TYPE_CHECKING:
    from app.services.container import Services

PASSPHRASE = "un mot de passe assez long"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    """What a `pli` run printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Stdout parsed as the command's JSON document."""
        return json.loads(self.out)

    def ok(self) -> Result:
        """Assert success (showing stderr when not) and return self."""
        assert self.code == 0, f"exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"
        return self


class _Buffer(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8", errors="replace")  # type: ignore[attr-defined]


class Pli:
    """A profile folder and the way to run `pli` on it."""

    def __init__(self, profile: Path, passphrase: str = PASSPHRASE) -> None:
        self.profile = profile
        self.passphrase = passphrase

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PLI_PASSPHRASE"] = self.passphrase
        env["PLI_TESTING"] = "1"
        env.setdefault("PYTHONPATH", str(REPO))
        return env

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        """Run in this process (stdout/stderr captured)."""
        out, err = _Buffer(), _Buffer()
        old_in = sys.stdin
        old_env = os.environ.get("PLI_PASSPHRASE")
        os.environ["PLI_PASSPHRASE"] = self.passphrase
        try:
            sys.stdin = io.StringIO(stdin or "")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = bootstrap.main(["--profile", str(self.profile), *args])
        finally:
            sys.stdin = old_in
            if old_env is None:
                os.environ.pop("PLI_PASSPHRASE", None)
            else:
                os.environ["PLI_PASSPHRASE"] = old_env
        return Result(code, out.text(), err.text())

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start `pli` as a separate process."""
        return subprocess.Popen(
            [sys.executable, "-m", "app", "--profile", str(self.profile), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(),
            cwd=REPO,
        )

    def run_process(self, *args: str, stdin: str | None = None, timeout: float = 120) -> Result:
        """Run `pli` as a separate process and wait."""
        done = subprocess.run(
            [sys.executable, "-m", "app", "--profile", str(self.profile), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=REPO,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def add_account(
        self, name: str, account: Any, *extra: str, security: str = "starttls"
    ) -> Result:
        """`pli account add` for a tests.servers MailAccount (password login)."""
        port = account.imap_port if security == "starttls" else account.imaps_port
        smtp_port = account.smtp_port if security == "starttls" else account.smtps_port
        return self(
            "account",
            "add",
            name,
            "--address",
            account.address,
            "--imap",
            f"{account.imap_host}:{port}",
            "--smtp",
            f"{account.smtp_host}:{smtp_port}",
            "--security",
            security,
            "--ca-file",
            str(account.ca_bundle),
            "--password-stdin",
            *extra,
            stdin=account.password + "\n",
        ).ok()


async def open_profile(profile: Path) -> Services:
    """The services of a profile made by `pli` (unlocked with PASSPHRASE), with a strict
    event bus (tests only); close them with ``aclose``."""
    import asyncio

    from app.config.paths import AppPaths
    from app.config.settings import Settings
    from app.credentials.data_keys import DataKeyManager
    from app.services.container import Services as Built
    from app.services.event_bus import EventBus
    from app.services.store_gateway import StoreGateway

    paths = AppPaths.at(profile)
    key = await asyncio.to_thread(DataKeyManager(paths.profile_file).unlock, PASSPHRASE)
    store = await StoreGateway.open(paths.archive_db, key.hex, paths.backups_dir)
    return Built.build(paths, Settings.load(paths.settings_file), store, EventBus(strict=True))
