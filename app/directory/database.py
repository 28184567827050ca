"""The directory database: searches, the list of domains, the online cache (spec §1, §7).

A clear SQLite file of public data (see `app.directory.schema`). One `DirectoryDatabase` is
one connection: blocking, to be used only on the thread that opened it (the directory
service's worker thread).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.directory.schema import (
    ADDRESS_INDEX_DDL,
    BASE_DDL,
    INDEX_DDL,
    MAILBOX_COLUMNS,
    SCHEMA_VERSION,
)
from app.directory.search import CompiledQuery, NoMatch, row_words
from app.domain.directory import (
    DirectoryEntry,
    EntryKind,
    ImportReport,
    Mailbox,
    MailboxType,
    WhitelistInfo,
)
from app.domain.errors import DirectoryError

if TYPE_CHECKING:  # the list of domains' parser (defusedxml) loads when it is imported
    from app.directory.whitelist import WhitelistEntry

log = logging.getLogger(__name__)

_SELECT = ", ".join(f"m.{c}" for c in MAILBOX_COLUMNS)
_C = {name: i for i, name in enumerate(MAILBOX_COLUMNS)}
_TYPE_ORDER = {"PER": 0, "CAB": 1, "ORG": 2, "APP": 3}
#: SQLite's limit on parameters is far higher; chunks keep statements small.
_CHUNK = 500
#: Tiers of the ranking: exact surname, favourites/recents, a structure's own boxes when it
#: is searched by name, surname prefix, the rest.
_EXACT, _BOOSTED, _STRUCTURE, _PREFIX, _REST = 0, 1, 2, 3, 4
#: The longest prefix the full-text index has a prefix index for (schema: prefix='1 2 3').
PREFIX_INDEXED = 3
#: A longer prefix is expanded into the words it stands for when they are at most this many.
MAX_EXPANSION = 32
#: Rows kept in memory with their words, for the predicate paths (favourites, identifiers).
_ROW_CACHE_SIZE = 4096

Row = tuple[object, ...]


@dataclass(frozen=True)
class _Candidate:
    row: Row
    tier: int
    rank: int
    boost: float


class DirectoryDatabase:
    """One connection to the directory database. Blocking; thread-bound."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._words: dict[int, dict[str, tuple[str, ...]]] = {}
        self._expansions: dict[str, list[str]] = {}
        self._ranges: dict[str, tuple[int, int]] = {}

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> DirectoryDatabase:
        """Open the directory; with `create`, make an empty one if there is none.

        A file of another schema revision is rebuildable data: with `create` it is replaced
        by an empty directory, otherwise it reads as outdated.

        Raises:
            DirectoryError: ``directory.not_imported`` (no file and not `create`),
                ``directory.outdated`` or ``directory.damaged``.
        """
        if not path.exists() and not create:
            raise DirectoryError("directory.not_imported")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = _connect(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise DirectoryError("directory.damaged") from error
        if version != SCHEMA_VERSION:
            empty = not conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()
            if not create:
                conn.close()
                raise DirectoryError("directory.not_imported" if empty else "directory.outdated")
            if not empty:
                conn.close()
                path.unlink()
                conn = _connect(path)
            conn.executescript(BASE_DDL)
            conn.execute(ADDRESS_INDEX_DDL)
            conn.executescript(INDEX_DDL)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # ---------------------------------------------------------------- state

    def report(self) -> ImportReport | None:
        """The last import's report, or None when no extraction was imported."""
        row = self._conn.execute(
            "SELECT value FROM meta WHERE key = 'extraction.report'"
        ).fetchone()
        from app.directory.importer import report_from_json  # the importer: not for a search

        return report_from_json(row[0]) if row else None

    # ---------------------------------------------------------------- search

    def search(
        self,
        query: CompiledQuery,
        *,
        limit: int = 50,
        boost: Mapping[str, float] | None = None,
    ) -> tuple[list[DirectoryEntry], bool]:
        """Entries matching `query`, best first, and whether more matched than `limit`.

        Ranking: surname equal to the query first, then addresses in `boost` (favourites and
        recent correspondents, highest boost first), then the boxes of structures whose name
        matches (before the people working there), then surnames starting with the query,
        then the rest; alphabetically within each tier. A person's entry lists every mailbox
        of theirs, the matching ones first.
        """
        want = limit * 2 + 10  # rows, to fill `limit` entries after grouping
        candidates: dict[int, _Candidate] = {}
        keys: set[str] = set()
        truncated = False
        boosts = {address.lower(): value for address, value in (boost or {}).items()}

        def add(rows: Iterable[tuple[int, Row]], tier: int) -> None:
            for rank, row in rows:
                if rank not in candidates:
                    address = str(row[_C["address"]]).lower()
                    candidates[rank] = _Candidate(row, tier, rank, boosts.get(address, 0.0))
                    keys.add(_entry_key(row))

        if query.identifier or query.address_prefix:
            rows = self._direct_rows(query, want + 1)
            truncated = len(rows) > want
            add(rows[:want], _REST)
            if boosts:
                add(self._boosted_rows(query, boosts), _BOOSTED)
        else:
            try:
                base = query.match_expression(self._expand)
            except NoMatch:
                return [], False  # a word is in no row: nothing at all can match
            for tier in (_EXACT, _BOOSTED, _STRUCTURE, _PREFIX, _REST):
                if len(keys) > limit:
                    # Later tiers rank below every entry already found: they cannot show.
                    truncated = True
                    break
                if tier == _BOOSTED:
                    if boosts:
                        add(self._boosted_rows(query, boosts), _BOOSTED)
                    continue
                if base is None:
                    continue
                if tier == _EXACT:
                    try:
                        expression = query.exact_expression(self._expand, self._is_surname)
                    except NoMatch:
                        continue  # no word of the query is anyone's surname
                    if expression is None:
                        continue
                    ranks = self._fts_ranks(expression, want + 1)
                elif tier == _STRUCTURE:
                    try:
                        structures = query.structure_expression(self._expand)
                    except NoMatch:
                        continue
                    if structures is None:
                        continue
                    ranks = self._fts_ranks(structures, want + 1)
                elif tier == _PREFIX:
                    ranks = self._ranks_in_surname_ranges(base, query, want + 1)
                else:
                    ranks = self._fts_ranks(base, want + 1)
                truncated = truncated or len(ranks) > want
                add(self._rows_by_rank(ranks[:want]), tier)
        entries, more = self._entries(candidates.values(), query, limit)
        return entries, truncated or more

    def lookup(self, address: str) -> DirectoryEntry | None:
        """The entry holding `address` (compared without case), or None."""
        row = self._conn.execute(
            f"SELECT r.rank, {_SELECT} FROM mailbox AS m"
            " JOIN mailbox_rank AS r ON r.mailbox_id = m.id WHERE m.address = ?",
            (address.strip(),),
        ).fetchone()
        if row is None:
            return None
        entries, _ = self._entries([_Candidate(row[1:], _REST, row[0], 0.0)], None, 1)
        return entries[0] if entries else None

    def _is_surname(self, word: str) -> bool:
        """Whether `word` is someone's whole surname, squashed."""
        row = self._conn.execute(
            "SELECT 1 FROM fts_terms WHERE term = ? AND surname = 1", (word,)
        ).fetchone()
        return row is not None

    def _surname_range(self, prefix: str) -> tuple[int, int] | None:
        """The row numbers of the surnames starting with `prefix` (squashed), if any.

        Rows are numbered in (surname, given name) order: one contiguous range.
        """
        found = self._ranges.get(prefix)
        if found is None:
            first = self._conn.execute(
                "SELECT rank FROM mailbox_rank WHERE family_key >= ? ORDER BY family_key LIMIT 1",
                (prefix,),
            ).fetchone()
            last = self._conn.execute(
                "SELECT rank FROM mailbox_rank WHERE family_key < ?"
                " ORDER BY family_key DESC LIMIT 1",
                (prefix + "\U0010ffff",),
            ).fetchone()
            found = (int(first[0]), int(last[0])) if first and last else (0, -1)
            if len(self._ranges) > 4096:
                self._ranges.clear()
            self._ranges[prefix] = found
        return found if found[0] <= found[1] else None

    def _ranks_in_surname_ranges(
        self, expression: str, query: CompiledQuery, limit: int
    ) -> list[int]:
        """Matches whose surname starts with one of the query's words, in order."""
        ranks: list[int] = []
        for prefix in query.name_prefixes:
            span = self._surname_range(prefix)
            if span is None:
                continue
            ranks.extend(
                r[0]
                for r in self._conn.execute(
                    "SELECT rowid FROM mailbox_fts WHERE mailbox_fts MATCH ?"
                    " AND rowid BETWEEN ? AND ? LIMIT ?",
                    (expression, span[0], span[1], limit),
                )
            )
        return sorted(set(ranks))[:limit]

    def _expand(self, prefix: str) -> Sequence[str] | None:
        """The indexed words starting with `prefix` when they are few (see `Expander`)."""
        words = self._expansions.get(prefix)
        if words is None:
            # A short prefix has a prefix index: only ask whether any word starts with it.
            wanted = 1 if len(prefix) <= PREFIX_INDEXED else MAX_EXPANSION + 1
            words = [
                r[0]
                for r in self._conn.execute(
                    "SELECT term FROM fts_terms WHERE term >= ? AND term < ? LIMIT ?",
                    (prefix, prefix + "\U0010ffff", wanted),
                )
            ]
            if len(self._expansions) > 4096:
                self._expansions.clear()
            self._expansions[prefix] = words
        if words and len(prefix) <= PREFIX_INDEXED:
            return None
        return None if len(words) > MAX_EXPANSION else words

    def _fts_ranks(self, expression: str, limit: int) -> list[int]:
        return [
            r[0]
            for r in self._conn.execute(
                "SELECT rowid FROM mailbox_fts WHERE mailbox_fts MATCH ? LIMIT ?",
                (expression, limit),
            )
        ]

    def _rows_by_rank(self, ranks: Sequence[int]) -> Iterator[tuple[int, Row]]:
        by_rank: dict[int, Row] = {}
        for chunk in _chunks(ranks):
            marks = ", ".join("?" for _ in chunk)
            for row in self._conn.execute(
                f"SELECT r.rank, {_SELECT} FROM mailbox_rank AS r"
                f" JOIN mailbox AS m ON m.id = r.mailbox_id WHERE r.rank IN ({marks})",
                chunk,
            ):
                by_rank[row[0]] = row[1:]
        for rank in ranks:
            if rank in by_rank:
                yield rank, by_rank[rank]

    def _direct_rows(self, query: CompiledQuery, limit: int) -> list[tuple[int, Row]]:
        """Rows found by identifier or address, filtered by the rest of the query."""
        if query.identifier:
            ident = query.identifier
            sql = (
                f"SELECT r.rank, {_SELECT} FROM mailbox AS m"
                " JOIN mailbox_rank AS r ON r.mailbox_id = m.id"
                " WHERE m.id_pp = ? OR m.person_key IN (?, ?, ?)"
            )
            params: tuple[object, ...] = (ident, ident, f"8{ident}", f"0{ident}")
        else:
            pattern = _like_prefix(query.address_prefix)
            sql = (
                f"SELECT r.rank, {_SELECT} FROM mailbox AS m"
                " JOIN mailbox_rank AS r ON r.mailbox_id = m.id"
                " WHERE m.address LIKE ? ESCAPE '\\' ORDER BY m.address LIMIT 2000"
            )
            params = (pattern,)
        found = []
        for row in self._conn.execute(sql, params):
            if self._matches(row[1:], query):
                found.append((int(row[0]), row[1:]))
                if len(found) >= limit:
                    break
        found.sort()
        return found

    def _boosted_rows(
        self, query: CompiledQuery, boosts: Mapping[str, float]
    ) -> Iterator[tuple[int, Row]]:
        addresses = [a for a, value in boosts.items() if value > 0]
        for chunk in _chunks(addresses):
            marks = ", ".join("?" for _ in chunk)
            for row in self._conn.execute(
                f"SELECT r.rank, {_SELECT} FROM mailbox AS m"
                f" JOIN mailbox_rank AS r ON r.mailbox_id = m.id WHERE m.address IN ({marks})",
                chunk,
            ):
                if self._matches(row[1:], query):
                    yield int(row[0]), row[1:]

    def _matches(self, row: Row, query: CompiledQuery) -> bool:
        words = self._words.get(int(str(row[_C["id"]])))
        if words is None:
            words = row_words(
                family=str(row[_C["family"]]),
                given=str(row[_C["given"]]),
                profession=str(row[_C["profession"]]),
                speciality=str(row[_C["speciality"]]),
                organisation=" ".join(
                    str(row[_C[c]]) for c in ("organisation", "enseigne", "service")
                ),
                town=str(row[_C["town"]]),
                postcode=str(row[_C["postcode"]]),
                department=str(row[_C["department"]]),
            )
            if len(self._words) >= _ROW_CACHE_SIZE:
                self._words.clear()
            self._words[int(str(row[_C["id"]]))] = words
        return query.matches(words, str(row[_C["type"]]))

    def _entries(
        self,
        candidates: Iterable[_Candidate],
        query: CompiledQuery | None,
        limit: int,
    ) -> tuple[list[DirectoryEntry], bool]:
        """Group rows into entries (one per person, one per structure box) and rank them.

        Returns the first `limit` entries and whether some were left out.
        """
        groups: dict[str, list[_Candidate]] = {}
        for candidate in candidates:
            groups.setdefault(_entry_key(candidate.row), []).append(candidate)
        scored = []
        for key, members in groups.items():
            # A person's boxes: those that matched first, nominative before practice boxes.
            members.sort(key=lambda c: (_TYPE_ORDER.get(str(c.row[_C["type"]]), 9), c.rank))
            exact = query is not None and any(
                query.is_exact(str(c.row[_C["family"]])) for c in members
            )
            boost = max(c.boost for c in members)
            tier = min(c.tier for c in members)
            first = min(c.rank for c in members)
            scored.append(((0 if exact else 1, -boost, tier, first), key, members))
        scored.sort(key=lambda item: item[0])
        kept = scored[:limit]
        others = self._other_mailboxes(
            [key for _, key, _ in kept if not key.startswith("mailbox:")]
        )
        entries = []
        for _, key, members in kept:
            seen = {str(c.row[_C["address"]]).lower() for c in members}
            rest = [r for r in others.get(key, []) if str(r[_C["address"]]).lower() not in seen]
            rest.sort(key=lambda r: (_TYPE_ORDER.get(str(r[_C["type"]]), 9), str(r[_C["address"]])))
            entries.append(_entry(key, [c.row for c in members] + rest))
        return entries, len(scored) > limit

    def _other_mailboxes(self, person_keys: Sequence[str]) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = {}
        for chunk in _chunks(person_keys):
            marks = ", ".join("?" for _ in chunk)
            for row in self._conn.execute(
                f"SELECT {_SELECT} FROM mailbox AS m WHERE m.person_key IN ({marks})", chunk
            ):
                found.setdefault(str(row[_C["person_key"]]), []).append(row)
        return found

    # ---------------------------------------------------------------- list of domains

    def replace_whitelist(
        self, entries: Sequence[WhitelistEntry], *, generated_at: str, source_name: str
    ) -> WhitelistInfo:
        """Replace the trust space's list of domains, in one transaction."""
        now = datetime.now().astimezone()
        conn = self._conn
        with conn:
            conn.execute("DELETE FROM whitelist")
            conn.executemany(
                "INSERT INTO whitelist (domain, description, operator_dn, responsible, support,"
                " updated) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (e.domain, e.description, e.operator_dn, e.responsible, e.support, e.updated)
                    for e in entries
                ),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (
                    ("whitelist.generated_at", generated_at),
                    ("whitelist.imported_at", now.isoformat()),
                    ("whitelist.source_name", source_name),
                ),
            )
        info = self.whitelist_info()
        assert info is not None
        return info

    def whitelist_info(self) -> WhitelistInfo | None:
        """The imported list of domains, or None."""
        meta = dict(self._conn.execute("SELECT key, value FROM meta WHERE key LIKE 'whitelist.%'"))
        if "whitelist.imported_at" not in meta:
            return None
        entries, domains = self._conn.execute(
            "SELECT count(*), count(DISTINCT domain) FROM whitelist"
        ).fetchone()
        return WhitelistInfo(
            generated_at=meta.get("whitelist.generated_at", ""),
            imported_at=datetime.fromisoformat(meta["whitelist.imported_at"]),
            entries=entries,
            domains=domains,
            source_name=meta.get("whitelist.source_name", ""),
        )

    def trusted_domains(self, domains: Iterable[str]) -> set[str]:
        """Those of `domains` (lower case) that are on the list: exact match, no suffix."""
        wanted = sorted({d.lower().rstrip(".") for d in domains if d})
        found: set[str] = set()
        for chunk in _chunks(wanted):
            marks = ", ".join("?" for _ in chunk)
            found.update(
                r[0]
                for r in self._conn.execute(
                    f"SELECT DISTINCT domain FROM whitelist WHERE domain IN ({marks})", chunk
                )
            )
        return found

    # ---------------------------------------------------------------- online cache

    def cache_get(self, key: str, max_age_seconds: float) -> str | None:
        """A cached online answer younger than `max_age_seconds`, or None."""
        row = self._conn.execute(
            "SELECT payload, fetched_at FROM online_cache WHERE key = ?", (key,)
        ).fetchone()
        if row is None or time.time() - float(row[1]) > max_age_seconds:
            return None
        return str(row[0])

    def cache_put(self, key: str, payload: str, max_age_seconds: float) -> None:
        """Store an online answer, dropping expired ones."""
        now = time.time()
        with self._conn:
            self._conn.execute(
                "DELETE FROM online_cache WHERE fetched_at < ?", (now - max_age_seconds,)
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO online_cache (key, fetched_at, payload) VALUES (?, ?, ?)",
                (key, now, payload),
            )

    def cache_count(self) -> int:
        """Cached online answers."""
        return int(self._conn.execute("SELECT count(*) FROM online_cache").fetchone()[0])


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # Never WAL: an import replaces the file whole, which WAL side files would outlive.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA cache_size = -16384")
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    conn.isolation_level = "DEFERRED"
    return conn


def _chunks(values: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _entry_key(row: Row) -> str:
    person = row[_C["person_key"]]
    return str(person) if person else f"mailbox:{str(row[_C['address']]).lower()}"


def _mailbox(row: Row) -> Mailbox:
    digitization = row[_C["digitization"]]
    return Mailbox(
        address=str(row[_C["address"]]),
        type=MailboxType.parse(str(row[_C["type"]])),
        organisation=str(row[_C["organisation"]]) or str(row[_C["enseigne"]]),
        service=str(row[_C["service"]]),
        street=str(row[_C["street"]]),
        postcode=str(row[_C["postcode"]]),
        town=str(row[_C["town"]]),
        department=str(row[_C["department"]]),
        digitization=None if digitization is None else bool(digitization),
    )


def _entry(key: str, rows: Sequence[Row]) -> DirectoryEntry:
    first = rows[0]
    family = str(first[_C["family"]])
    given = str(first[_C["given"]])
    is_person = not key.startswith("mailbox:") or bool(family or given)
    return DirectoryEntry(
        key=key,
        kind=EntryKind.PERSON if is_person else EntryKind.STRUCTURE,
        mailboxes=tuple(_mailbox(r) for r in rows),
        identifier_type=str(first[_C["id_type"]]) if first[_C["id_pp"]] else "",
        identifier=str(first[_C["id_pp"]]),
        national_id=str(first[_C["person_key"]] or ""),
        civility=str(first[_C["civility"]]),
        family=family,
        given=given,
        profession=str(first[_C["profession"]]),
        speciality=str(first[_C["speciality"]]),
    )
