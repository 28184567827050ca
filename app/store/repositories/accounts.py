"""Accounts and their secrets. Blocking: the store's thread only."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from app.domain.account import AccountConfig
from app.domain.errors import NotFoundError, ValidationError
from app.store.database import Connection, transaction


@dataclass(frozen=True)
class AccountRow:
    """An account as stored."""

    id: int
    config: AccountConfig


class AccountRepository:
    """The `accounts` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, config: AccountConfig) -> int:
        """Store a new account.

        Raises:
            ValidationError: ``account.exists``.
        """
        if self.find(config.name) is not None:
            raise ValidationError("account.exists", name=config.name)
        cursor = self._conn.execute(
            "INSERT INTO accounts (name, address, box_type, config, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                config.name,
                config.address,
                config.box_type.value,
                json.dumps(config.to_json_dict()),
                int(time.time()),
            ),
        )
        return int(cursor.lastrowid)

    def update(self, account_id: int, config: AccountConfig) -> None:
        """Replace an account's configuration."""
        self._conn.execute(
            "UPDATE accounts SET name = ?, address = ?, box_type = ?, config = ? WHERE id = ?",
            (
                config.name,
                config.address,
                config.box_type.value,
                json.dumps(config.to_json_dict()),
                account_id,
            ),
        )

    def find(self, name: str) -> AccountRow | None:
        """The account called `name`, if any."""
        row = self._conn.execute(
            "SELECT id, config FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        return AccountRow(row[0], AccountConfig.from_json_dict(json.loads(row[1]))) if row else None

    def get(self, name: str) -> AccountRow:
        """The account called `name`.

        Raises:
            NotFoundError: ``account.not_found``.
        """
        row = self.find(name)
        if row is None:
            raise NotFoundError("account.not_found", name=name)
        return row

    def by_id(self, account_id: int) -> AccountRow:
        """The account with this id."""
        row = self._conn.execute(
            "SELECT id, config FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("account.not_found", name=str(account_id))
        return AccountRow(row[0], AccountConfig.from_json_dict(json.loads(row[1])))

    def all(self) -> list[AccountRow]:
        """Every account, by name."""
        rows = self._conn.execute("SELECT id, config FROM accounts ORDER BY name").fetchall()
        return [AccountRow(r[0], AccountConfig.from_json_dict(json.loads(r[1]))) for r in rows]

    def remove(self, account_id: int) -> None:
        """Delete an account, its folders, messages and secrets."""
        with transaction(self._conn):
            self._conn.execute("DELETE FROM secrets WHERE scope = ?", (f"account:{account_id}",))
            self._conn.execute(
                "DELETE FROM message_text WHERE sort_key IN"
                " (SELECT sort_key FROM messages WHERE account_id = ?)",
                (account_id,),
            )
            self._conn.execute("DELETE FROM messages WHERE account_id = ?", (account_id,))
            self._conn.execute("DELETE FROM folders WHERE account_id = ?", (account_id,))
            self._conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
            self._conn.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")


class SecretRepository:
    """Secrets inside the encrypted archive (passwords, refresh tokens, certificates…)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @staticmethod
    def account_scope(account_id: int) -> str:
        """The scope name of an account's secrets."""
        return f"account:{account_id}"

    def put(self, scope: str, kind: str, value: bytes) -> None:
        """Store or replace a secret."""
        self._conn.execute(
            "INSERT INTO secrets (scope, kind, value, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (scope, kind) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            (scope, kind, value, int(time.time())),
        )

    def get(self, scope: str, kind: str) -> bytes | None:
        """A secret, or None."""
        row = self._conn.execute(
            "SELECT value FROM secrets WHERE scope = ? AND kind = ?", (scope, kind)
        ).fetchone()
        return bytes(row[0]) if row else None

    def delete(self, scope: str, kind: str) -> None:
        """Forget a secret."""
        self._conn.execute("DELETE FROM secrets WHERE scope = ? AND kind = ?", (scope, kind))

    def delete_scope(self, scope: str) -> int:
        """Forget every secret of a scope; how many there were."""
        cursor = self._conn.execute("DELETE FROM secrets WHERE scope = ?", (scope,))
        return int(cursor.rowcount)

    def count(self, scope: str) -> int:
        """How many secrets a scope holds."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM secrets WHERE scope = ?", (scope,)
        ).fetchone()
        return int(row[0])
