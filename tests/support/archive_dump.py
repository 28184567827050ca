"""A canonical dump of a profile's archive, to compare two archives exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from app.config.paths import AppPaths
from app.credentials.data_keys import DataKeyManager
from app.store.archive import Archive


def open_archive(profile: Path, passphrase: str) -> Archive:
    """Open a profile's archive directly (tests only)."""
    paths = AppPaths.at(profile)
    key = DataKeyManager(paths.profile_file).unlock(passphrase)
    return Archive.open(paths.archive_db, key.hex)


def dump(profile: Path, passphrase: str) -> dict[str, Any]:
    """Everything that must be identical between two syncs of the same mailbox."""
    archive = open_archive(profile, passphrase)
    try:
        conn = archive.conn
        rows = [
            (*r[:12], archive.messages.raw(r[12]), *r[13:])
            for r in conn.execute(
                "SELECT f.name, m.uidvalidity, m.uid, m.message_id, m.subject, m.flags,"
                " m.keywords, m.gone_at IS NOT NULL, m.body_state, m.size, m.has_attachments,"
                " m.patient_ins, m.id, m.thread_id, t.body"
                " FROM messages m JOIN folders f ON f.id = m.folder_id"
                " LEFT JOIN message_text t ON t.sort_key = m.sort_key"
            ).fetchall()
        ]
        threads: dict[int, set[tuple[str, int]]] = {}
        for r in rows:
            threads.setdefault(r[13], set()).add((r[0], r[2]))
        messages = sorted(
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                bool(r[7]),
                r[8],
                r[9],
                r[10],
                r[11],
                hashlib.sha256(bytes(r[12])).hexdigest() if r[12] is not None else None,
                tuple(sorted(threads[r[13]])),
                hashlib.sha256((r[14] or "").encode()).hexdigest(),
            )
            for r in rows
        )
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "messages",
                "message_bodies",
                "message_text",
                "message_people",
                "attachments",
                "message_refs",
                "tombstones",
                "pending_ops",
            )
        }
        fts = conn.execute(
            "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'confrere'"
        ).fetchone()[0]
        integrity = conn.execute(
            "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)"
        ).fetchall()
        folders = sorted(
            conn.execute("SELECT name, uidvalidity, uidnext, exists_count FROM folders").fetchall()
        )
        return {
            "messages": messages,
            "counts": counts,
            "fts_hits": fts,
            "integrity": integrity,
            "folders": folders,
        }
    finally:
        archive.close()
