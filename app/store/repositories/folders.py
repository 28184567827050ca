"""Folders and their sync state. Blocking: the store's thread only."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import NotFoundError
from app.domain.mailbox import FolderInfo, FolderRole, SyncState, role_named
from app.store.database import Connection


@dataclass(frozen=True)
class FolderRow:
    """A folder as stored."""

    id: int
    account_id: int
    name: str
    role: FolderRole | None
    selectable: bool
    on_server: bool
    state: SyncState
    #: The server's MAILBOXID (RFC 8474), when it offers OBJECTID.
    mailbox_id: str | None = None
    #: The server's hierarchy delimiter for this name (None: flat, or not known).
    delimiter: str | None = None


@dataclass(frozen=True)
class FolderRename:
    """A folder the server renamed, recognised by its MAILBOXID: same row, new name."""

    folder_id: int
    old_name: str
    new_name: str
    #: Archive entries of a folder gone from the server that held the new name before: they
    #: join the renamed folder (unbound, marked gone), the old row is removed.
    merged: int = 0


_COLUMNS = (
    "id, account_id, name, role, selectable, on_server, uidvalidity, uidnext, highestmodseq,"
    " exists_count, mailbox_id, delimiter"
)


def _row(r: Any) -> FolderRow:
    return FolderRow(
        id=int(r[0]),
        account_id=int(r[1]),
        name=str(r[2]),
        role=FolderRole(r[3]) if r[3] else None,
        selectable=bool(r[4]),
        on_server=bool(r[5]),
        state=SyncState(
            uidvalidity=r[6],
            uidnext=r[7],
            highestmodseq=r[8],
            exists=r[9],
        ),
        mailbox_id=r[10],
        delimiter=r[11],
    )


class FolderRepository:
    """The `folders` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record_listing(self, account_id: int, listed: list[FolderInfo]) -> list[FolderRow]:
        """Bring the folder list in step with LIST.

        Folders gone from the server are kept (their archived messages stay), marked so.
        """
        names = set()
        for info in listed:
            names.add(info.name)
            role = info.role.value if info.role else None
            self._conn.execute(
                "INSERT INTO folders (account_id, name, delimiter, role, selectable, on_server)"
                " VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (account_id, name) DO UPDATE SET"
                " delimiter = excluded.delimiter, role = excluded.role,"
                " selectable = excluded.selectable, on_server = 1",
                (account_id, info.name, info.delimiter, role, int(info.selectable)),
            )
        for row in self.all(account_id):
            if row.name not in names and row.on_server:
                self._conn.execute("UPDATE folders SET on_server = 0 WHERE id = ?", (row.id,))
        return self.all(account_id)

    def follow_renames(self, account_id: int, ids: Mapping[str, str]) -> list[FolderRename]:
        """Rename the rows of folders the server lists under another name (same MAILBOXID).

        `ids` maps the names the server lists to their MAILBOXID. Call it before
        `record_listing`, in the same transaction: the renamed rows keep their id, sync
        state and messages, so nothing is listed twice. Renames are applied together (a
        swap of two names works). A row holding a new name that belongs to no listed folder
        (the folder that had it is gone) gives its messages to the renamed folder (unbound,
        marked gone, kept) and is removed.
        """
        counted: dict[str, int] = {}
        for mailbox_id in ids.values():
            counted[mailbox_id] = counted.get(mailbox_id, 0) + 1
        rows = self._conn.execute(
            "SELECT id, name, mailbox_id FROM folders WHERE account_id = ?"
            " AND mailbox_id IS NOT NULL ORDER BY id",
            (account_id,),
        ).fetchall()
        by_id: dict[str, tuple[int, str]] = {}
        for folder_id, name, mailbox_id in rows:
            by_id.setdefault(str(mailbox_id), (int(folder_id), str(name)))
        moves: list[tuple[int, str, str]] = []
        for name, mailbox_id in ids.items():
            hit = by_id.get(mailbox_id)
            if hit is None or hit[1] == name or counted[mailbox_id] > 1:
                continue  # unknown, unchanged, or an id the server gives twice: not trusted
            moves.append((hit[0], hit[1], name))
        if not moves:
            return []
        for folder_id, _old, _new in moves:  # out of the way first (UNIQUE (account, name))
            self._conn.execute(
                "UPDATE folders SET name = ? WHERE id = ?", (f"\x00renaming-{folder_id}", folder_id)
            )
        now = int(time.time())
        renames: list[FolderRename] = []
        for folder_id, old, new in moves:
            merged = 0
            occupant = self._conn.execute(
                "SELECT id FROM folders WHERE account_id = ? AND name = ?", (account_id, new)
            ).fetchone()
            if occupant is not None:
                merged = int(
                    self._conn.execute(
                        "UPDATE messages SET folder_id = ?, uid = NULL, uidvalidity = NULL,"
                        " gone_at = coalesce(gone_at, ?) WHERE folder_id = ?",
                        (folder_id, now, occupant[0]),
                    ).rowcount
                )
                self._conn.execute("DELETE FROM folders WHERE id = ?", (occupant[0],))
            self._conn.execute("UPDATE folders SET name = ? WHERE id = ?", (new, folder_id))
            renames.append(FolderRename(folder_id, old, new, merged))
        return renames

    def save_mailbox_ids(self, account_id: int, ids: Mapping[str, str]) -> None:
        """Remember the MAILBOXID of each listed folder (name -> id)."""
        self._conn.executemany(
            "UPDATE folders SET mailbox_id = ? WHERE account_id = ? AND name = ?"
            " AND mailbox_id IS NOT ?",
            [(mailbox_id, account_id, name, mailbox_id) for name, mailbox_id in ids.items()],
        )

    def set_mailbox_id(self, account_id: int, folder_id: int, mailbox_id: str) -> None:
        """The folder's MAILBOXID as SELECT reports it (no other row keeps the same id)."""
        self._conn.execute(
            "UPDATE folders SET mailbox_id = NULL WHERE account_id = ? AND mailbox_id = ?"
            " AND id != ?",
            (account_id, mailbox_id, folder_id),
        )
        self._conn.execute(
            "UPDATE folders SET mailbox_id = ? WHERE id = ?", (mailbox_id, folder_id)
        )

    def all(self, account_id: int) -> list[FolderRow]:
        """Every folder of an account (INBOX first, then by name)."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM folders WHERE account_id = ?"
            " ORDER BY role IS NOT 'inbox', name",
            (account_id,),
        ).fetchall()
        return [_row(r) for r in rows]

    def find(self, account_id: int, name: str) -> FolderRow | None:
        """A folder by name."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM folders WHERE account_id = ? AND name = ?",
            (account_id, name),
        ).fetchone()
        return _row(row) if row else None

    def get(self, account_id: int, name: str) -> FolderRow:
        """A folder by the name a user gives (the exact name first).

        Besides the exact name: a special-use role (``Sent``, ``Drafts``, ``Trash``,
        ``Archive``, ``Junk``, or their usual French names) names the folder with that role,
        and a name without the personal namespace's prefix names the folder under it
        (``Archive/2024`` or ``Archive.2024`` for ``INBOX.Archive.2024`` on a server whose
        folders live under ``INBOX.``).

        Raises:
            NotFoundError: ``folder.not_found``.
        """
        row = self.find(account_id, name) or self._named(account_id, name)
        if row is None:
            raise NotFoundError("folder.not_found", folder=name)
        return row

    def _named(self, account_id: int, name: str) -> FolderRow | None:
        """The folder a user means by a role or a name without the namespace prefix."""
        wanted = name.strip()
        if not wanted:
            return None
        role = role_named(wanted)
        if role is not None:
            row = self.by_role(account_id, role)
            if row is not None:
                return row
        rows = self._conn.execute(
            "SELECT id, name, delimiter FROM folders WHERE account_id = ?", (account_id,)
        ).fetchall()
        for folder_id, full, delimiter in rows:
            if not delimiter:
                continue
            for candidate in {wanted, wanted.replace("/", delimiter)}:
                if (
                    full == candidate
                    or full.casefold() == f"inbox{delimiter}{candidate}".casefold()
                ):
                    return self.by_id(folder_id)
        return None

    def by_id(self, folder_id: int) -> FolderRow:
        """A folder by id."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM folders WHERE id = ?", (folder_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("folder.not_found", folder=str(folder_id))
        return _row(row)

    def by_role(self, account_id: int, role: FolderRole) -> FolderRow | None:
        """The folder with this role (Sent, Drafts…), if any."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM folders WHERE account_id = ? AND role = ?"
            " ORDER BY on_server DESC, id LIMIT 1",
            (account_id, role.value),
        ).fetchone()
        return _row(row) if row else None

    def save_state(self, folder_id: int, state: SyncState) -> None:
        """Remember what the server said at the end of a folder's sync."""
        self._conn.execute(
            "UPDATE folders SET uidvalidity = ?, uidnext = ?, highestmodseq = ?,"
            " exists_count = ?, synced_at = ? WHERE id = ?",
            (
                state.uidvalidity,
                state.uidnext,
                state.highestmodseq,
                state.exists,
                int(time.time()),
                folder_id,
            ),
        )
