"""Opening a profile: unlock the data key, open the archive, wire the services.

A long-lived process (the window, ``pli sync --watch``) opens with ``hold=True``: it takes the
profile's OS lock first (`app.services.instance`), and with `serve` it runs the commands other
``pli`` processes forward to it, on these services. Closing the services gives the profile back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.errors import StoreError
from app.services.instance import CommandRunner, Holder, ProfileHold, hold_profile

if TYPE_CHECKING:  # loaded once a profile opens (`pli directory` never does; issue 15)
    from app.services.container import Services
    from app.services.event_bus import EventBus

#: Asked for the passphrase; the argument is True when a new one is being chosen.
#: Returns None when none can be had (no terminal, nothing in the environment).
PassphraseProvider = Callable[[bool], Awaitable[str | None]]

#: Builds what runs forwarded commands, once the services exist (the command line's handlers).
RunnerFactory = Callable[["Services"], CommandRunner]

_default_runner: list[RunnerFactory] = []


def serve_commands_with(factory: RunnerFactory | None) -> None:
    """What runs forwarded commands in a process holding its profile, unless `serve` is given.

    Set once by the composition root (`app.bootstrap`), so that a front end that cannot see
    the command line (the window) serves its commands by opening with ``hold=True`` alone.
    """
    _default_runner.clear()
    if factory is not None:
        _default_runner.append(factory)


async def open_services(
    paths: AppPaths,
    settings: Settings,
    passphrase: PassphraseProvider,
    *,
    prefer_passphrase: bool = False,
    hold: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[Holder], None] | None = None,
    serve: RunnerFactory | None = None,
    events: EventBus | None = None,
    eager: bool | None = None,
) -> Services:
    """Unlock (creating on first use) the profile and return its services.

    On creation the OS keyring keeps the data key when there is one, unless a passphrase was
    given explicitly (`prefer_passphrase`, e.g. ``PLI_PASSPHRASE`` for automation).

    With `hold`, the profile's lock is taken first (waiting up to `wait` seconds for another
    holder, `on_wait` told once when waiting begins) and kept until `Services.aclose`; the
    commands other ``pli`` processes forward then run on these services, through `serve`, or
    the factory `serve_commands_with` set (none: the profile is held but nothing is served).

    Services are built on first use. With `eager` (by default when holding: a long-lived
    process), every service's module is imported here on a worker thread, so that building one
    later never imports on the event loop's thread (the window's loop must not stall); a
    short command imports only what it touches.

    Raises:
        StoreError: ``profile.busy`` (held by another process), ``store.no_keyring``,
            ``store.passphrase_required``, ``store.wrong_passphrase``, ``store.newer_schema``…
    """
    held: ProfileHold | None = None
    if hold:
        held = await hold_profile(paths, wait=wait, on_wait=on_wait)
    try:
        if hold if eager is None else eager:
            from app.services.container import import_all

            await asyncio.to_thread(import_all)
        services = await _open(paths, settings, passphrase, prefer_passphrase, events)
    except BaseException:
        if held is not None:
            await held.release()
        raise
    if held is not None:
        services.hold = held
        factory = serve or next(iter(_default_runner), None)
        if factory is not None:
            try:
                await held.serve(factory(services))
            except BaseException:
                await services.aclose()
                raise
    return services


async def _open(
    paths: AppPaths,
    settings: Settings,
    passphrase: PassphraseProvider,
    prefer_passphrase: bool,
    events: EventBus | None,
) -> Services:
    # The key and the archive's modules load here, once a command needs the archive
    # (`pli --help` and the window's first frame never do).
    from app.credentials.data_keys import DataKeyManager, keyring_usable
    from app.services.container import Services
    from app.services.event_bus import EventBus
    from app.services.store_gateway import StoreGateway

    await asyncio.to_thread(paths.ensure)
    keys = DataKeyManager(paths.profile_file)
    if not await asyncio.to_thread(keys.exists):
        chosen: str | None = None
        if prefer_passphrase or not await asyncio.to_thread(keyring_usable):
            chosen = await passphrase(True)
            if chosen is None:
                raise StoreError("store.no_keyring")
        key = await asyncio.to_thread(keys.create, chosen)
    else:
        secret = None
        if await asyncio.to_thread(keys.protection) == "passphrase":
            secret = await passphrase(False)
            if secret is None:
                raise StoreError("store.passphrase_required")
        key = await asyncio.to_thread(keys.unlock, secret)
    store = await StoreGateway.open(paths.archive_db, key.hex, paths.backups_dir)
    return Services.build(paths, settings, store, events if events is not None else EventBus())
