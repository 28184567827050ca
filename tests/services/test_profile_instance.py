"""The profile's lock, its forwarding door and cross-process sections (app/services/instance.py),
on a plain asyncio loop; the whole command line through them is in
tests/integration/test_two_processes.py."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.domain.errors import StoreError
from app.domain.events import Cause
from app.services import instance
from app.services.instance import CommandRequest, ForwardedCommand, OsFileLock


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    found = AppPaths.at(tmp_path / "profile")
    found.ensure()
    return found


def test_the_lock_excludes_a_second_holder_even_in_the_same_process(paths: AppPaths) -> None:
    first, second = OsFileLock(instance.lock_path(paths)), OsFileLock(instance.lock_path(paths))
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_a_lock_held_by_a_dead_process_is_free(paths: AppPaths) -> None:
    code = (
        "import sys, time; from pathlib import Path;"
        "from app.services.instance import OsFileLock;"
        "lock = OsFileLock(Path(sys.argv[1])); assert lock.try_acquire();"
        "print('locked', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(instance.lock_path(paths))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "locked"
        assert instance.probe(paths) is not None
        process.kill()
        process.wait(10)
        assert instance.probe(paths) is None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


async def test_a_held_profile_says_who_holds_it_and_refuses_a_second_holder(
    paths: AppPaths,
) -> None:
    hold = await instance.hold_profile(paths)
    try:
        holder = instance.probe(paths)
        assert holder is not None and holder.pid == os.getpid() and not holder.serving
        told: list[instance.Holder] = []
        with pytest.raises(StoreError) as busy:
            await instance.hold_profile(paths, wait=0.3, on_wait=told.append)
        assert busy.value.code == "profile.busy" and busy.value.params["pid"] == os.getpid()
        assert [h.pid for h in told] == [os.getpid()]
    finally:
        await hold.release()
    assert instance.probe(paths) is None
    assert not instance.info_path(paths).exists()


async def _echo(command: ForwardedCommand) -> int:
    command.stdout(" ".join(command.argv).encode())
    command.stderr(command.stdin or b"")
    return 7


async def test_instance_json_is_private_and_a_command_runs_with_its_input(
    paths: AppPaths,
) -> None:
    hold = await instance.hold_profile(paths)
    try:
        await hold.serve(_echo)
        if os.name == "posix":
            mode = stat.S_IMODE(instance.info_path(paths).stat().st_mode)
            assert mode == 0o600
        holder = instance.probe(paths)
        assert holder is not None and holder.serving and holder.port == hold.port
        out: list[bytes] = []
        err: list[bytes] = []
        request = CommandRequest(argv=["list", "--json"], cwd=str(paths.root), stdin=b"abc")
        code = await instance.forward(holder, request, on_stdout=out.append, on_stderr=err.append)
        assert (code, b"".join(out), b"".join(err)) == (7, b"list --json", b"abc")
    finally:
        await hold.release()


async def test_forwarded_commands_run_one_at_a_time_as_another_process(
    paths: AppPaths,
) -> None:
    running = 0
    overlaps: list[int] = []
    causes: list[Cause] = []

    async def slow(command: ForwardedCommand) -> int:
        nonlocal running
        running += 1
        overlaps.append(running)
        causes.append(instance.change_cause())
        await asyncio.sleep(0.2)
        running -= 1
        return 0

    hold = await instance.hold_profile(paths)
    try:
        await hold.serve(slow)
        holder = instance.probe(paths)
        assert holder is not None
        request = CommandRequest(argv=["flag"], cwd=str(paths.root))
        codes = await asyncio.gather(
            *(instance.forward(holder, request, on_stdout=print, on_stderr=print) for _ in range(3))
        )
        assert codes == [0, 0, 0]
        assert overlaps == [1, 1, 1]
        assert causes == [Cause.OTHER_PROCESS] * 3
        assert instance.change_cause() is Cause.USER
    finally:
        await hold.release()


async def test_a_command_past_its_timeout_is_stopped_and_the_door_stays_open(
    paths: AppPaths,
) -> None:
    async def stuck(command: ForwardedCommand) -> int:
        if command.argv == ["stuck"]:
            await asyncio.sleep(60)
        return 0

    hold = await instance.hold_profile(paths)
    try:
        await hold.serve(stuck, command_timeout=0.3)
        holder = instance.probe(paths)
        assert holder is not None
        err: list[bytes] = []
        stuck_request = CommandRequest(argv=["stuck"], cwd=str(paths.root))
        code = await instance.forward(
            holder, stuck_request, on_stdout=err.append, on_stderr=err.append
        )
        assert code == instance.TIMEOUT_EXIT and b"stopped after" in b"".join(err)
        fine = CommandRequest(argv=["fine"], cwd=str(paths.root))
        assert await instance.forward(holder, fine, on_stdout=print, on_stderr=print) == 0
    finally:
        await hold.release()


async def test_closing_lets_the_running_command_end_and_turns_away_the_queued_ones(
    paths: AppPaths,
) -> None:
    started = asyncio.Event()

    async def slow(command: ForwardedCommand) -> int:
        started.set()
        await asyncio.sleep(0.5)
        command.stdout(b"done")
        return 0

    hold = await instance.hold_profile(paths)
    await hold.serve(slow)
    holder = instance.probe(paths)
    assert holder is not None
    out: list[bytes] = []
    err: list[bytes] = []
    request = CommandRequest(argv=["send"], cwd=str(paths.root))
    first = asyncio.create_task(
        instance.forward(holder, request, on_stdout=out.append, on_stderr=err.append)
    )
    await started.wait()
    second = asyncio.create_task(
        instance.forward(holder, request, on_stdout=out.append, on_stderr=err.append)
    )
    await asyncio.sleep(0.1)  # the second waits for its turn
    await hold.release()
    assert await first == 0 and out == [b"done"]
    assert await second == instance.TIMEOUT_EXIT and b"is closing" in b"".join(err)
    assert instance.probe(paths) is None


async def test_a_section_is_exclusive_across_tasks_and_gives_up_after_its_patience(
    paths: AppPaths,
) -> None:
    order: list[str] = []

    async def refresh(tag: str) -> None:
        async with instance.exclusive(paths, "oidc-refresh-1"):
            order.append(f"{tag} in")
            await asyncio.sleep(0.2)
            order.append(f"{tag} out")

    await asyncio.gather(refresh("a"), refresh("b"))
    assert order in (
        ["a in", "a out", "b in", "b out"],
        ["b in", "b out", "a in", "a out"],
    )
    async with instance.exclusive(paths, "compaction"):
        with pytest.raises(StoreError) as busy:
            async with instance.exclusive(paths, "compaction", patience=0.2):
                pass
        assert busy.value.code == "profile.busy"
    with pytest.raises(ValueError):
        async with instance.exclusive(paths, "../escape"):
            pass


async def test_a_command_whose_caller_goes_away_is_stopped(paths: AppPaths) -> None:
    started, stopped = asyncio.Event(), asyncio.Event()

    async def long(command: ForwardedCommand) -> int:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            stopped.set()
        return 0

    hold = await instance.hold_profile(paths)
    try:
        await hold.serve(long)
        holder = instance.probe(paths)
        assert holder is not None
        request = CommandRequest(argv=["sync"], cwd=str(paths.root))
        caller = asyncio.create_task(
            instance.forward(holder, request, on_stdout=print, on_stderr=print)
        )
        await asyncio.wait_for(started.wait(), 10)
        caller.cancel()  # Ctrl+C in the calling `pli`
        with pytest.raises(asyncio.CancelledError):
            await caller
        await asyncio.wait_for(stopped.wait(), 10)
    finally:
        await hold.release()
