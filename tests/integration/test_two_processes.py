"""Two processes on one profile: the window's role played by a test process holding the profile
while `pli send` and `pli flag` run as separate processes (issue 9, items 1 and 6).

The holder is built like the window's (`app.bootstrap.open_held_services`: hold=True, serving
forwarded commands through the command line's handlers) and runs its own event loop in a
thread of this process; the `pli` processes are real ones (`Pli.run_process`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app.bootstrap import open_held_services
from app.cli.main import command_runner
from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.errors import StoreError
from app.domain.events import Cause, Event, MessagesChanged, OutboxChanged
from app.services import instance
from app.services.container import Services
from app.services.event_bus import EventBus
from app.services.instance import CommandRequest, Holder
from app.services.profile import open_services, serve_commands_with
from tests.support.cli import PASSPHRASE, REPO, Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration

T = TypeVar("T")
BUSY = 12


class WindowStandIn:
    """Holds a profile like the window: its own loop in a thread, services with hold=True."""

    def __init__(self, profile: Path, *, as_the_window_opens: bool = False) -> None:
        self.paths = AppPaths.at(profile)
        self.as_the_window_opens = as_the_window_opens
        self.events: list[Event] = []
        self.loop = asyncio.new_event_loop()
        self.services: Services | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `coro` on the holder's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def open(self) -> Services:
        async def ask(_new: bool) -> str | None:
            return PASSPHRASE

        async def opening() -> Services:
            bus = EventBus(strict=True)
            settings = Settings.load(self.paths.settings_file)
            if self.as_the_window_opens:
                # app/ui/application.py: hold=True alone; bootstrap.main registered the runner.
                serve_commands_with(command_runner)
                services = await open_services(self.paths, settings, ask, hold=True, events=bus)
            else:
                services = await open_held_services(self.paths, settings, ask, events=bus)
            services.events.subscribe(Event, self._record)
            return services

        self.services = self.call(opening())
        return self.services

    def _record(self, event: Event) -> None:
        self.events.append(event)

    def seen(self, kind: type[Event]) -> list[Any]:
        return [e for e in list(self.events) if isinstance(e, kind)]

    def close(self) -> None:
        if self.services is not None:
            self.call(self.services.aclose())
            self.services = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture
def window(tmp_path: Path) -> Iterator[WindowStandIn]:
    stand_in = WindowStandIn(tmp_path / "a")
    yield stand_in
    stand_in.close()


def _user(tmp_path: Path, account: Any) -> Pli:
    pli = Pli(tmp_path / "a")
    pli.add_account(
        "a",
        account,
        "--title",
        "Dr",
        "--given-name",
        "Marie",
        "--family-name",
        "Martin",
    )
    return pli


def test_send_and_flag_from_other_processes_run_in_the_holder_and_publish_there(
    tmp_path: Path, mail_account_factory, window: WindowStandIn
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = _user(tmp_path, a_account)
    raw, _ = message(subject="Résultats de biologie")
    a_account.dovecot.deliver(a_account.address, raw)
    a("sync").ok()
    (listed,) = a("list", "--json").ok().json()["messages"]
    assert "flagged" not in listed["flags"]

    services = window.open()
    holder = instance.probe(window.paths)
    assert holder is not None and holder.pid == os.getpid() and holder.serving

    # `pli send` in another process, its body on standard input: passed to the holder.
    sent = a.run_process(
        "send",
        "--to",
        b_account.address,
        "--subject",
        "Compte rendu",
        "--body-file",
        "-",
        "--json",
        stdin="Cher confrère,\nci-joint le compte rendu.\n",
    ).ok()
    assert "waiting" not in sent.err
    state = sent.json()
    assert state["state"] == "filed"
    delivered = [m for m in b_account.dovecot.messages(b_account.address, "INBOX")]
    assert [m.message_id for m in delivered] == [state["message_id"]]
    # In the holder's archive, and announced on its bus.
    entries = window.call(services.outbox.entries())
    assert [e.message_id for e in entries] == [state["message_id"]]
    assert window.seen(OutboxChanged)

    # `pli flag` in another process: applied by the holder, published as another process's.
    window.events.clear()
    a.run_process("flag", str(listed["id"]), "--set", "flagged", "--json").ok()
    detail = window.call(services.archive.detail(listed["id"]))
    assert "flagged" in _labels(detail.summary.flags)
    changed = window.seen(MessagesChanged)
    assert changed and listed["id"] in changed[0].changed
    assert changed[0].cause is Cause.OTHER_PROCESS
    # And visible to the next command, forwarded too.
    assert "flagged" in a.run_process("list", "--json").ok().json()["messages"][0]["flags"]


def _labels(flags: int) -> list[str]:
    from app.domain.message import Flag

    return Flag(flags).labels()


def test_a_wrong_token_is_refused_and_nothing_runs(
    tmp_path: Path, mail_account_factory, window: WindowStandIn
) -> None:
    account = mail_account_factory()
    a = _user(tmp_path, account)
    window.open()
    holder = instance.probe(window.paths)
    assert holder is not None and holder.serving and holder.token is not None
    forged = Holder(pid=holder.pid, port=holder.port, token="0" * 64, version=holder.version)
    out: list[bytes] = []
    request = CommandRequest(argv=["account", "remove", "a", "--yes"], cwd=str(tmp_path))
    with pytest.raises(StoreError) as refused:
        asyncio.run(instance.forward(forged, request, on_stdout=out.append, on_stderr=out.append))
    assert refused.value.code == "profile.forward_refused"
    assert out == []
    # The account is still there; the right token works.
    assert [x["name"] for x in a.run_process("account", "list", "--json").ok().json()["accounts"]]
    assert instance.read_info(window.paths) == holder


def test_a_second_long_lived_process_waits_with_a_message_then_gives_up(
    tmp_path: Path, mail_account_factory, window: WindowStandIn
) -> None:
    a = _user(tmp_path, mail_account_factory())
    window.open()
    started = time.monotonic()
    second = a.run_process("--wait", "1.5", "sync", "--watch", "--quiet")
    assert second.code == BUSY, second.err
    assert f"Pli is open on this profile (pid {os.getpid()}); waiting…" in second.err
    assert time.monotonic() - started >= 1.5
    # A login cannot be passed to the holder either: it waits the same way.
    login = a.run_process("--wait", "0", "account", "login", "a", "--no-browser")
    assert login.code == BUSY and "Pli is open on this profile" in login.err


def test_forwarded_commands_see_the_callers_folder_input_and_output(
    tmp_path: Path, mail_account_factory, window: WindowStandIn
) -> None:
    """Relative file names, bytes on stdout, errors and exit codes: as if run here."""
    account = mail_account_factory()
    a = _user(tmp_path, account)
    raw, _ = message(subject="Résultats", body="Hémoglobine 14 g/dL")
    account.dovecot.deliver(account.address, raw)
    a("sync").ok()
    (listed,) = a("list", "--json").ok().json()["messages"]
    here = a("show", str(listed["id"]), "--raw").ok().out.encode("utf-8")
    window.open()
    events_before = len(window.events)

    def pli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "app", "--profile", str(a.profile), *args],
            input=stdin,
            capture_output=True,
            env=a.env(),
            cwd=tmp_path,  # relative names are the caller's
            check=False,
            timeout=120,
        )

    shown = pli("show", str(listed["id"]), "--raw")
    assert shown.returncode == 0 and shown.stdout == here  # the archived bytes, unchanged
    missing = pli("show", "999999")
    assert missing.returncode == 4
    assert missing.stderr.decode() == "pli: error: no message 999999 in the archive\n"
    (tmp_path / "mot.txt").write_text("Cher confrère, à bientôt.", encoding="utf-8")
    saved = pli("draft", "save", "--subject", "Brouillon", "--body-file", "mot.txt", "--json")
    assert saved.returncode == 0, saved.stderr
    piped = pli(
        "draft", "save", "--subject", "Autre", "--body-file", "-", "--json", stdin=b"Par stdin"
    )
    assert piped.returncode == 0, piped.stderr
    drafts = json.loads(pli("draft", "list", "--json").stdout)["drafts"]
    assert sorted(d["subject"] for d in drafts) == ["Autre", "Brouillon"]
    assert len(window.events) > events_before  # the holder's services did the work
    # A password on standard input reaches the holder: a wrong one fails its next sync.
    assert (
        pli("account", "password", "a", "--password-stdin", stdin=b"pas le bon\n").returncode == 0
    )
    assert pli("sync", "--quiet").returncode == 5
    assert (
        pli(
            "account", "password", "a", "--password-stdin", stdin=account.password.encode() + b"\n"
        ).returncode
        == 0
    )
    assert pli("sync", "--quiet").returncode == 0
    csv = pli("audit", "--csv")
    assert csv.returncode == 0 and csv.stdout.startswith(b"id,time,"), csv.stdout[:80]


def test_the_holder_survives_garbage_on_its_port(
    tmp_path: Path, mail_account_factory, window: WindowStandIn
) -> None:
    a = _user(tmp_path, mail_account_factory())
    window.open()
    holder = instance.probe(window.paths)
    assert holder is not None and holder.port is not None

    async def send_raw(data: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", holder.port)
        writer.write(data)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(), 15)
        finally:
            writer.close()
            await writer.wait_closed()

    assert asyncio.run(send_raw(b"\xff\xff\xff\xff" + b"x" * 100)) == b""  # too long a hello
    assert asyncio.run(send_raw(b"\x00\x00\x00\x05hello")) == b""  # not JSON
    refused = asyncio.run(send_raw(instance._frame({"hello": 99, "token": holder.token})))
    assert b"protocol" in refused
    assert a.run_process("account", "list", "--json").ok().json()["accounts"]


def _holder_process(profile: Path) -> subprocess.Popen[str]:
    """A window stand-in in its own process (this module run as a script)."""
    env = dict(os.environ, PLI_PASSPHRASE=PASSPHRASE, PLI_TESTING="1")
    env.setdefault("PYTHONPATH", str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.test_two_processes", str(profile)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.strip() == "holding", process.stderr.read() if process.stderr else line
    return process


def test_a_holder_killed_with_sigkill_frees_the_profile_at_once(
    tmp_path: Path, mail_account_factory
) -> None:
    a = _user(tmp_path, mail_account_factory())
    paths = AppPaths.at(tmp_path / "a")
    process = _holder_process(tmp_path / "a")
    try:
        holder = instance.probe(paths)
        assert holder is not None and holder.pid == process.pid and holder.serving
        # A command from a third process is passed to it.
        assert a.run_process("account", "list", "--json").ok().json()["accounts"]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        killed_at = time.monotonic()
        assert instance.probe(paths) is None  # free at once, instance.json left behind or not
        listing = a.run_process("--wait", "0", "account", "list", "--json").ok()
        assert "waiting" not in listing.err
        assert time.monotonic() - killed_at < 30
        # And another process can hold it straight away.
        stand_in = WindowStandIn(tmp_path / "a")
        try:
            stand_in.open()
            assert instance.probe(paths) == instance.read_info(paths)
        finally:
            stand_in.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _hold_until_stdin_closes(profile: Path) -> None:
    stand_in = WindowStandIn(profile, as_the_window_opens=True)
    stand_in.open()
    sys.stdout.write("holding\n")
    sys.stdout.flush()
    try:
        sys.stdin.read()
    finally:
        stand_in.close()


if __name__ == "__main__":
    _hold_until_stdin_closes(Path(sys.argv[1]))


def _wait_until(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_sync_watch_holds_the_profile_serves_commands_and_gives_it_back(
    tmp_path: Path, mail_account_factory
) -> None:
    account = mail_account_factory()
    a = _user(tmp_path, account)
    raw, _ = message(subject="Compte rendu opératoire")
    account.dovecot.deliver(account.address, raw)
    paths = AppPaths.at(tmp_path / "a")
    watcher = a.popen("sync", "--watch", "--quiet")
    try:
        _wait_until(lambda: (h := instance.probe(paths)) is not None and h.serving)
        holder = instance.probe(paths)
        assert holder is not None and holder.pid == watcher.pid
        # A flag from another process runs in the watcher, which sends it to the server.
        _wait_until(lambda: bool(a.run_process("list", "--json").ok().json()["messages"]))
        (listed,) = a.run_process("list", "--json").ok().json()["messages"]
        flagged = a.run_process("flag", str(listed["id"]), "--set", "flagged", "--json").ok()
        assert flagged.json()["applied_locally"] is True
        _wait_until(
            lambda: "\\Flagged" in account.dovecot.messages(account.address, "INBOX")[0].flags
        )
        # Ctrl+C (SIGTERM here) ends the watch and frees the profile.
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(60) == 0
        assert instance.probe(paths) is None
        assert not instance.info_path(paths).exists()
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(10)
        for stream in (watcher.stdout, watcher.stderr):
            if stream is not None:
                stream.close()


def test_a_second_sync_watch_takes_over_when_the_first_ends(
    tmp_path: Path, mail_account_factory
) -> None:
    a = _user(tmp_path, mail_account_factory())
    paths = AppPaths.at(tmp_path / "a")
    first = a.popen("sync", "--watch", "--quiet")
    second: subprocess.Popen[str] | None = None
    try:
        _wait_until(lambda: (h := instance.probe(paths)) is not None and h.pid == first.pid)
        second = a.popen("--wait", "120", "sync", "--watch", "--quiet")
        assert second.stderr is not None
        line = second.stderr.readline()
        assert line.strip() == f"Pli is open on this profile (pid {first.pid}); waiting…"
        first.send_signal(signal.SIGTERM)  # maybe still in its first pass: ends either way
        assert first.wait(60) in (0, -signal.SIGTERM)
        _wait_until(
            lambda: (h := instance.probe(paths)) is not None and h.pid == second.pid and h.serving
        )
        second.send_signal(signal.SIGTERM)  # maybe still in its first pass: ends either way
        assert second.wait(60) in (0, -signal.SIGTERM)
        assert instance.probe(paths) is None
    finally:
        for process in (first, second):
            if process is None:
                continue
            if process.poll() is None:
                process.kill()
                process.wait(10)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
