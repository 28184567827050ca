"""User actions done locally at once and replayed to the server in order (Geary's replay queue).

A flag change, a move or a deletion changes the archive immediately and queues an operation in
the same transaction. The queue is replayed, oldest first, whenever the server is reachable
(at the start of every sync, and right after the action when online). A network failure stops
the replay and keeps the order; a refusal by the server undoes the local change and is
reported (OperationFailed) and audited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from app.domain.errors import KnownError, NetworkError, NotFoundError, ValidationError
from app.domain.events import (
    Cause,
    FolderCountsChanged,
    MessagesChanged,
    OperationFailed,
    OperationQueued,
    OperationReplayed,
    PendingOperationsChanged,
)
from app.domain.mailbox import FolderRole
from app.domain.message import Flag
from app.services.account_service import Account, AccountService
from app.services.event_bus import EventBus
from app.services.imap_connection import ImapConnection
from app.services.instance import change_cause
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.journal import PendingOp
from app.transport.imap_session import ImapSession

log = logging.getLogger(__name__)


@dataclass
class _Touched:
    """Messages a local change touched, by folder (what MessagesChanged reports)."""

    names: dict[int, str] = field(default_factory=dict)
    added: dict[int, list[int]] = field(default_factory=dict)
    changed: dict[int, list[int]] = field(default_factory=dict)
    removed: dict[int, list[int]] = field(default_factory=dict)

    def note(self, kind: str, folder_id: int, folder: str, pk: int) -> None:
        self.names[folder_id] = folder
        getattr(self, kind).setdefault(folder_id, []).append(pk)


@dataclass
class _Applied:
    account_id: int
    operation_id: int = 0
    touched: _Touched = field(default_factory=_Touched)
    pending: int = 0


class OperationQueue:
    """Local changes and their replay.

    Publishes MessagesChanged (cause USER) as soon as a change is applied locally, with
    OperationQueued and PendingOperationsChanged; the replay publishes OperationReplayed, or
    OperationFailed with MessagesChanged (cause UNDO) when the server refused and the change
    was undone. One queue serves the whole process: sync and the supervisor replay through
    it, one replay at a time per account.
    """

    def __init__(self, store: StoreGateway, accounts: AccountService, events: EventBus) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._replaying: dict[int, asyncio.Lock] = {}

    # -- local actions ----------------------------------------------------------------------

    async def set_flags(self, message_ids: Sequence[int], add: Flag, remove: Flag) -> Account:
        """Change flags locally and queue the change."""

        def work(a: Archive) -> _Applied:
            applied = _Applied(_same_account(a, message_ids))
            previous = {}
            for pk in message_ids:
                summary = a.messages.summary(pk)
                previous[str(pk)] = summary.flags
                a.messages.set_flags(pk, add, remove)
                folder = a.folders.get(applied.account_id, summary.folder)
                applied.touched.note("changed", folder.id, folder.name, pk)
            applied.operation_id = a.pending.add(
                applied.account_id,
                "flags",
                {
                    "pks": list(message_ids),
                    "add": int(add),
                    "remove": int(remove),
                    "previous": previous,
                },
            )
            applied.pending = a.pending.count(applied.account_id)
            return applied

        applied = await self._store.write(work)
        return await self._applied(applied, "flags", message_ids)

    async def move(self, message_ids: Sequence[int], destination: str) -> Account:
        """File messages in another folder locally and queue the move."""

        def work(a: Archive) -> _Applied:
            account_id = _same_account(a, message_ids)
            applied = _Applied(account_id)
            # The folder the user named (a role, a name without the namespace prefix) is
            # queued by its full name on the server.
            target = a.folders.get(account_id, destination)
            origins = []
            for pk in message_ids:
                summary = a.messages.summary(pk)
                if summary.folder == target.name:
                    continue
                position = a.messages.position(pk)
                source = a.folders.get(account_id, summary.folder)
                applied.touched.note("removed", source.id, source.name, pk)
                applied.touched.note("added", target.id, target.name, pk)
                origins.append(
                    {
                        "pk": pk,
                        "folder": summary.folder,
                        "folder_id": source.id,
                        "uidvalidity": position.uidvalidity if position else None,
                        "uid": position.uid if position else None,
                    }
                )
                a.messages.move_local(pk, target.id)
            if origins:
                applied.operation_id = a.pending.add(
                    account_id, "move", {"to": target.name, "from": origins}
                )
            applied.pending = a.pending.count(account_id)
            return applied

        applied = await self._store.write(work)
        return await self._applied(applied, "move", message_ids)

    async def delete(self, message_ids: Sequence[int]) -> Account:
        """Remove messages from the archive for good, and from the server on replay."""

        def work(a: Archive) -> _Applied:
            account_id = _same_account(a, message_ids)
            applied = _Applied(account_id)
            positions = []
            for pk in message_ids:
                folder = a.folders.get(account_id, a.messages.summary(pk).folder)
                applied.touched.note("removed", folder.id, folder.name, pk)
                position = a.messages.position(pk)
                if position is not None:
                    positions.append(
                        {
                            "folder": position.folder,
                            "uidvalidity": position.uidvalidity,
                            "uid": position.uid,
                        }
                    )
                a.messages.delete_local(pk)
            if positions:
                applied.operation_id = a.pending.add(
                    account_id, "expunge", {"positions": positions}
                )
            a.audit.add(
                account_id=account_id,
                actor="local",
                action="message.delete",
                target=",".join(str(pk) for pk in message_ids),
                outcome="ok",
            )
            applied.pending = a.pending.count(account_id)
            return applied

        applied = await self._store.write(work)
        return await self._applied(applied, "delete", message_ids)

    async def _account(self, account_id: int) -> Account:
        row = await self._store.read(lambda a: a.accounts.by_id(account_id))
        return Account(row.id, row.config)

    async def _applied(self, applied: _Applied, kind: str, message_ids: Sequence[int]) -> Account:
        """Tell what a local change did (on the loop thread, after its transaction)."""
        account = await self._account(applied.account_id)
        await self._publish_touched(account, applied.touched, change_cause())
        if applied.operation_id:
            self._events.publish(
                OperationQueued(
                    account_id=account.id,
                    account=account.name,
                    operation_id=applied.operation_id,
                    kind=kind,
                    message_ids=tuple(message_ids),
                )
            )
            self._events.publish(
                PendingOperationsChanged(
                    account_id=account.id, account=account.name, pending=applied.pending
                )
            )
        return account

    async def _publish_touched(self, account: Account, touched: _Touched, cause: Cause) -> None:
        """MessagesChanged, then FolderCountsChanged, for each folder a change touched."""
        if not touched.names:
            return
        folders = list(touched.names)
        counts = await self._store.read(
            lambda a: {f: a.messages.counts(folder_id=f) for f in folders}
        )
        for folder_id, name in touched.names.items():
            self._events.publish(
                MessagesChanged(
                    account_id=account.id,
                    account=account.name,
                    folder_id=folder_id,
                    folder=name,
                    cause=cause,
                    added=tuple(touched.added.get(folder_id, ())),
                    changed=tuple(touched.changed.get(folder_id, ())),
                    removed=tuple(touched.removed.get(folder_id, ())),
                )
            )
        for folder_id, name in touched.names.items():
            self._events.publish(
                FolderCountsChanged(
                    account_id=account.id,
                    account=account.name,
                    folder_id=folder_id,
                    folder=name,
                    messages=counts[folder_id]["messages"],
                    unread=counts[folder_id]["unread"],
                )
            )

    async def pending_count(self, account: Account) -> int:
        """How many local changes wait for the server."""
        return await self._store.read(lambda a: a.pending.count(account.id))

    # -- replay -----------------------------------------------------------------------------

    async def replay(self, account: Account, connection: ImapConnection) -> int:
        """Replay queued operations in order; returns how many reached the server.

        One replay at a time per account (sync and the supervisor share this queue).

        Raises:
            NetworkError: the server became unreachable (the rest stays queued, in order).
        """
        lock = self._replaying.setdefault(account.id, asyncio.Lock())
        async with lock:
            ops = await self._store.read(lambda a: a.pending.pending(account.id))
            replayed = settled = 0
            try:
                for op in ops:
                    if await self._replay_op(account, connection, op):
                        replayed += 1
                    settled += 1
            finally:
                if settled:
                    pending = await self.pending_count(account)
                    self._events.publish(
                        PendingOperationsChanged(
                            account_id=account.id, account=account.name, pending=pending
                        )
                    )
            return replayed

    async def _replay_op(self, account: Account, connection: ImapConnection, op: PendingOp) -> bool:
        """Replay one operation: True when it reached the server, False when refused."""
        try:
            request = await self._replay_one(account, connection, op)
        except NetworkError as offline:
            await self._store.write(partial(_retry_later, op_id=op.id, code=offline.code))
            raise
        except KnownError as refused:
            touched = await self._store.write(
                partial(self._undo, account=account, op=op, error=refused)
            )
            self._events.publish(
                OperationFailed(
                    account_id=account.id,
                    account=account.name,
                    kind=op.kind,
                    code=refused.code,
                    operation_id=op.id,
                    message_ids=_op_messages(op),
                )
            )
            await self._publish_touched(account, touched, Cause.UNDO)
            return False

        def done(a: Archive, o: PendingOp = op, r: str = request) -> None:
            a.pending.done(o.id)
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action=f"replay.{o.kind}",
                request=r,
            )

        await self._store.write(done)
        self._events.publish(
            OperationReplayed(
                account_id=account.id, account=account.name, operation_id=op.id, kind=op.kind
            )
        )
        return True

    async def _replay_one(self, account: Account, connection: ImapConnection, op: PendingOp) -> str:
        payload = op.payload
        if op.kind == "flags":
            return await self._replay_flags(connection, payload)
        if op.kind == "keyword":
            return await self._replay_keyword(connection, payload)
        if op.kind == "move":
            return await self._replay_move(account, connection, payload)
        if op.kind == "expunge":
            positions = await self._store.read(
                partial(_current_positions, account_id=account.id, positions=payload["positions"])
            )
            groups = _group(positions)
            requests = []
            for (folder, uidvalidity), uids in groups.items():

                def expunge(
                    s: ImapSession, f: str = folder, v: int = uidvalidity, u: list[int] = uids
                ) -> bool:
                    if not _select_same(s, f, v):
                        return False
                    s.expunge(u)
                    return True

                if await connection.call(expunge):
                    requests.append(f"{folder}: UID STORE +FLAGS (\\Deleted); UID EXPUNGE {uids}")
            return "; ".join(requests) or "stale (folder changed on the server)"
        raise ValidationError("operation.unknown", kind=op.kind)

    async def _replay_flags(self, connection: ImapConnection, payload: dict[str, Any]) -> str:
        add, remove = Flag(payload["add"]), Flag(payload["remove"])
        return await self._store_on_server(
            connection,
            payload["pks"],
            lambda s, uids: s.store_flags(uids, add, remove),
            f"+FLAGS {add.imap_names()} -FLAGS {remove.imap_names()}",
        )

    async def _replay_keyword(self, connection: ImapConnection, payload: dict[str, Any]) -> str:
        keyword = str(payload["keyword"])
        return await self._store_on_server(
            connection,
            payload["pks"],
            lambda s, uids: s.add_keyword(uids, keyword),
            f"+FLAGS ({keyword})",
        )

    async def _store_on_server(
        self,
        connection: ImapConnection,
        pks: list[int],
        change: Callable[[ImapSession, list[int]], None],
        described: str,
    ) -> str:
        """Apply `change` to the messages where they are now on the server (by folder)."""
        positions = await self._store.read(lambda a: [a.messages.position(pk) for pk in pks])
        groups = _group(
            [
                {"folder": p.folder, "uidvalidity": p.uidvalidity, "uid": p.uid}
                for p in positions
                if p is not None
            ]
        )
        requests = []
        for (folder, uidvalidity), uids in groups.items():

            def store(
                s: ImapSession, f: str = folder, v: int = uidvalidity, u: list[int] = uids
            ) -> bool:
                if not _select_same(s, f, v):
                    return False
                change(s, u)
                return True

            if await connection.call(store):
                requests.append(f"{folder}: UID STORE {uids} {described}")
        return "; ".join(requests) or "nothing on the server"

    async def _replay_move(
        self, account: Account, connection: ImapConnection, payload: dict[str, Any]
    ) -> str:
        payload = await self._store.read(
            partial(_current_names, account_id=account.id, payload=payload)
        )
        destination = payload["to"]
        requests = []
        by_position: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for origin in payload["from"]:
            if origin["uid"] is None:
                continue
            by_position.setdefault((origin["folder"], origin["uidvalidity"]), []).append(origin)
        for (folder, uidvalidity), origins in by_position.items():
            uids = [o["uid"] for o in origins]

            def move(
                s: ImapSession, f: str = folder, v: int = uidvalidity, u: list[int] = uids
            ) -> tuple[dict[int, int], int | None] | None:
                if not _select_same(s, f, v):
                    return None
                mapping = s.move(u, destination)
                dest_validity = s.status(destination).uidvalidity if mapping else None
                return mapping, dest_validity

            result = await connection.call(move)
            if result is None:
                continue
            mapping, dest_validity = result
            requests.append(f"{folder}: UID MOVE {uids} {destination}")
            if mapping and dest_validity is not None:

                def bind(
                    a: Archive,
                    o: list[dict[str, Any]] = origins,
                    m: dict[int, int] = mapping,
                    v: int = dest_validity,
                ) -> None:
                    target = a.folders.get(account.id, destination)
                    for origin in o:
                        new_uid = m.get(origin["uid"])
                        if new_uid is not None:
                            a.messages.bind(origin["pk"], target.id, v, new_uid)

                await self._store.write(bind)
        return "; ".join(requests) or "nothing on the server"

    def _undo(self, a: Archive, account: Account, op: PendingOp, error: KnownError) -> _Touched:
        payload = op.payload
        touched = _Touched()
        if op.kind == "flags":
            for pk, flags in payload.get("previous", {}).items():
                try:
                    a.messages.restore_flags(int(pk), int(flags))
                    folder = a.folders.get(account.id, a.messages.summary(int(pk)).folder)
                except NotFoundError:
                    continue
                touched.note("changed", folder.id, folder.name, int(pk))
        elif op.kind == "move":
            destination = a.folders.find(account.id, payload["to"])
            for origin in payload["from"]:
                if origin["uid"] is not None:
                    a.messages.bind(
                        origin["pk"], origin["folder_id"], origin["uidvalidity"], origin["uid"]
                    )
                    touched.note("added", origin["folder_id"], origin["folder"], origin["pk"])
                    if destination is not None:
                        touched.note("removed", destination.id, destination.name, origin["pk"])
        a.pending.failed(op.id, error.code)
        a.audit.add(
            account_id=account.id,
            actor=account.address,
            action=f"replay.{op.kind}",
            outcome=f"error:{error.code}",
            detail="refused by the server; local change undone"
            if op.kind != "expunge"
            else "refused by the server; the message stays on the server",
        )
        log.warning("replayed %s refused by the server (%s)", op.kind, error.code)
        return touched


def _current_names(a: Archive, account_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """A queued move with its folders under their names now.

    The server may have renamed a folder since the move was queued (followed by its
    MAILBOXID, RFC 8474): the source is found by its folder's id and, when no folder has
    the destination's name any more, the destination by the folder its messages are filed
    in here.
    """
    origins = []
    destination = payload["to"]
    renamed = a.folders.find(account_id, destination) is None
    for origin in payload["from"]:
        current = dict(origin)
        try:
            if origin.get("folder_id") is not None:
                current["folder"] = a.folders.by_id(int(origin["folder_id"])).name
            if renamed:
                destination = a.messages.summary(int(origin["pk"])).folder
        except NotFoundError:
            pass  # a folder or message gone since: as queued
        origins.append(current)
    return {**payload, "to": destination, "from": origins}


def _current_positions(
    a: Archive, account_id: int, positions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Deleted messages' positions under their folders' names now.

    A folder the server renamed since (followed by its MAILBOXID) no longer has the queued
    name: its row is found by the tombstone the deletion left (same UIDVALIDITY and UID).
    """
    current = []
    for position in positions:
        moved = dict(position)
        if a.folders.find(account_id, position["folder"]) is None:
            folder = a.messages.tombstone_folder(
                account_id, position["uidvalidity"], position["uid"]
            )
            if folder is not None:
                moved["folder"] = folder
        current.append(moved)
    return current


def _op_messages(op: PendingOp) -> tuple[int, ...]:
    payload = op.payload
    if op.kind in ("flags", "keyword"):
        return tuple(int(pk) for pk in payload.get("pks", ()))
    if op.kind == "move":
        return tuple(int(o["pk"]) for o in payload.get("from", ()))
    return ()


def _retry_later(a: Archive, op_id: int, code: str) -> None:
    a.pending.retry_later(op_id, code)


def _same_account(a: Archive, message_ids: Sequence[int]) -> int:
    if not message_ids:
        raise ValidationError("message.none_selected")
    accounts = {a.messages.summary(pk).account for pk in message_ids}
    if len(accounts) != 1:
        raise ValidationError("message.several_accounts")
    row = a.accounts.get(accounts.pop())
    if row.config.retired:
        # An archive only: its messages stay as they were on the server when it was retired.
        raise ValidationError("account.retired", account=row.config.name)
    return row.id


def _group(positions: Sequence[dict[str, Any]]) -> dict[tuple[str, int], list[int]]:
    groups: dict[tuple[str, int], list[int]] = {}
    for p in positions:
        groups.setdefault((p["folder"], p["uidvalidity"]), []).append(p["uid"])
    return groups


def _select_same(session: ImapSession, folder: str, uidvalidity: int) -> bool:
    """Select read-write; False when UIDVALIDITY changed (the operation is stale)."""
    try:
        selected = session.select(folder, readonly=False)
    except NotFoundError:
        return False
    return selected.state.uidvalidity == uidvalidity


__all__ = ["FolderRole", "OperationQueue"]
