"""`services.demo`: the demonstration mailbox a newcomer opens before adding their own.

`start` starts the local servers (loopback only, ephemeral ports), fills the mailbox the first
time, creates the demo account or points it at today's ports, and returns it; `stop` stops the
servers; `remove` takes away the account, its archive and the demo folder. The account is
marked ``demo`` in its configuration, is called "Démo", trusts the demo CA only (its own
``ca_file``), and its password is drawn at random for this profile: the demo servers accept
nothing else, so the account can never reach a real server and no real account can use them.

What is kept in the profile's ``demo`` folder (the maildir, the demo CA and server key, the
server's password) is in clear: the mailbox's content is fictional, shipped with Pli.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.config.paths import AppPaths
from app.domain.account import AccountConfig, BoxType, Endpoint, Security
from app.domain.errors import AuthError, ServerError
from app.services.account_service import Account, AccountService
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive

if TYPE_CHECKING:
    from app.services.demo.content import DemoContent
    from app.services.demo.server import DemoServer

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


class DemoService:
    """Starts, stops and removes the demo mailbox."""

    def __init__(
        self,
        paths: AppPaths,
        accounts: AccountService,
        store: StoreGateway,
        *,
        reply_delay: tuple[float, float] = (3.0, 8.0),
    ) -> None:
        self._paths = paths
        self._accounts = accounts
        self._store = store
        self._reply_delay = reply_delay
        self._server: DemoServer | None = None
        self._lock = asyncio.Lock()

    @property
    def folder(self) -> Path:
        """The profile's demo folder (maildir, certificates, server password)."""
        return self._paths.root / "demo"

    @property
    def running(self) -> bool:
        """The demo servers are serving."""
        return self._server is not None and self._server.running

    @property
    def server(self) -> DemoServer | None:
        """The running servers (tests look at the mailbox through it)."""
        return self._server

    @staticmethod
    def is_demo(account: Account) -> bool:
        """Whether an account is the demo mailbox."""
        return account.config.demo

    async def account(self) -> Account | None:
        """The demo account, when there is one."""
        for account in await self._accounts.list():
            if account.config.demo:
                return account
        return None

    async def start(self) -> Account:
        """Start the servers and create or update the demo account (idempotent).

        Raises:
            ServerError: ``demo.start_failed`` (the servers could not start: disk, sockets).
        """
        async with self._lock:
            started = time.perf_counter()
            if not self.running:
                try:
                    self._server = await asyncio.to_thread(self._start_server)
                except (OSError, RuntimeError) as error:
                    log.warning("the demo mailbox could not start: %s", type(error).__name__)
                    raise ServerError("demo.start_failed", host=LOOPBACK) from error
            server = self._server
            assert server is not None
            account = await self._ensure_account(server)
            log.debug("demo mailbox ready in %.3f s", time.perf_counter() - started)
            return account

    async def resume(self) -> Account | None:
        """At launch: start the servers when the profile has a demo account (None if not).

        The demo account's servers live in this process: until they are started, the account
        is offline (its ports are those of the last launch).
        """
        if await self.account() is None:
            return None
        return await self.start()

    async def stop(self) -> None:
        """Stop the servers (the account stays; it is offline until the next start)."""
        async with self._lock:
            server, self._server = self._server, None
            if server is not None:
                await asyncio.to_thread(server.stop)

    async def remove(self) -> None:
        """Stop the servers, remove the demo account with its archive, and the demo folder."""
        await self.stop()
        async with self._lock:
            account = await self.account()
            if account is not None:
                await self._accounts.remove(account.name)
                await self._forget_patients()
            await asyncio.to_thread(self._remove_files)

    # -- helpers ----------------------------------------------------------------------------

    def _start_server(self) -> DemoServer:
        """Blocking: certificates, password, content, servers.

        At the first start the keys are made (OpenSSL releases the GIL) while the content is
        rendered, on two threads.
        """
        from app.services.demo.content import load_content, render
        from app.services.demo.pki import ensure_pki
        from app.services.demo.responder import patient_responder
        from app.services.demo.server import DemoServer, SeedMessage

        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(1, thread_name_prefix="demo-pki") as pool:
            making_keys = pool.submit(ensure_pki, folder, self._paths.crl_cache_dir)
            content = load_content()
            seed: list[SeedMessage] | None = None
            if not DemoServer.seeded(folder):
                seed = render(content, datetime.now().astimezone())
            pki = making_keys.result()
        server = DemoServer(
            folder,
            address=content.address,
            password=self._password(),
            cert_file=pki.cert_file,
            key_file=pki.key_file,
            responder=patient_responder(content, self._reply_delay),
        )
        server.start(seed=(lambda: seed) if seed is not None else None)
        return server

    def _password(self) -> str:
        path = self.folder / "server.json"
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["password"])
        except (OSError, ValueError, KeyError):
            pass
        password = secrets.token_urlsafe(24)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"password": password}), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
        return password

    async def _ensure_account(self, server: DemoServer) -> Account:
        content = await asyncio.to_thread(_load_content)
        password = await asyncio.to_thread(self._password)
        existing = await self.account()
        name = (
            existing.name if existing is not None else await self._free_name(content.account_name)
        )
        config = AccountConfig(
            name=name,
            address=server.address,
            imap=Endpoint(LOOPBACK, server.imap_port, Security.STARTTLS),
            smtp=Endpoint(LOOPBACK, server.smtp_port, Security.STARTTLS),
            box_type=BoxType.PER,
            ca_file=str(self.folder / "ca.pem"),
            identity=content.identity,
            demo=True,
        )
        if existing is None:
            return await self._accounts.add(config, password=password)
        if existing.config != replace(config, identity=existing.config.identity):
            existing = await self._accounts.update(
                existing.name, replace(config, identity=existing.config.identity)
            )
        try:
            stored: str | None = (await self._accounts.credentials(existing, LOOPBACK)).secret
        except AuthError:
            stored = None
        if stored != password:
            await self._accounts.set_password(existing.name, password)
        return existing

    async def _free_name(self, wanted: str) -> str:
        """The account name: "Démo", or "Démo 2"… when the user has an account called so."""
        taken = {a.name for a in await self._accounts.list()}
        name, number = wanted, 1
        while name in taken:
            number += 1
            name = f"{wanted} {number}"
        return name

    async def _forget_patients(self) -> None:
        """The demo's fictional patients leave the patient list with the demo.

        A patient stays when messages of another account are theirs.
        """
        content = await asyncio.to_thread(_load_content)
        patients = list(content.patients)

        def work(archive: Archive) -> None:
            for ins in patients:
                archive.patients.remove_if_unused(ins)

        await self._store.write(work)

    def _remove_files(self) -> None:
        from app.services.demo.pki import crl_cache_path

        shutil.rmtree(self.folder, ignore_errors=True)
        crl_cache_path(self._paths.crl_cache_dir).unlink(missing_ok=True)


def _load_content() -> DemoContent:
    """The shipped manifest (imports the renderer: call on a worker thread, never the loop)."""
    from app.services.demo.content import load_content

    return load_content()
