"""One IMAP connection: a typed facade over imapclient (the only module that touches it).

Blocking, and not thread-safe (imapclient's rule): an `ImapSession` is owned by exactly one
thread, the serial executor its service gives it. Every socket call has a timeout. After any
network error the session is marked broken and must be replaced.

Security (spec §2): STARTTLS on 143 or implicit TLS on 993, never plaintext and never a
silent downgrade; the TLS policy of `app.transport.tls`; the revocation of the server
certificate is checked before any credential is sent.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import select
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import imapclient
import imapclient.exceptions
from imapclient.imap_utf7 import decode as decode_utf7
from imapclient.imapclient import _parse_untagged_response, seq_to_parenstr_upper
from imapclient.response_parser import parse_response

from app.domain import mime
from app.domain.account import AuthMethod, Endpoint, Security
from app.domain.errors import (
    AuthError,
    KnownError,
    NetworkError,
    NotFoundError,
    ServerError,
    TlsError,
)
from app.domain.mailbox import FolderInfo, SyncState
from app.domain.message import UNREADABLE_HEADER, EnvelopeRecord, FetchedBody, Flag, Structure
from app.transport.revocation import RevocationChecker, RevocationResult
from app.transport.tls import classify_ssl_error, peer_chain_der

log = logging.getLogger(__name__)

#: Extra header fields fetched with the envelope (threading, MSSanté headers, receipts).
EXTRA_HEADERS = (
    "REFERENCES",
    "X-MSS-MES",
    "X-MSS-INS",
    "X-MSS-CODECDA",
    "DISPOSITION-NOTIFICATION-TO",
    "RETURN-PATH",
    "AUTO-SUBMITTED",
)
_HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(EXTRA_HEADERS)})]"
_ENVELOPE_ITEMS = ("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE")

#: imapclient ships no type information: its objects are opaque here.
ImapClient = Any

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Credentials:
    """What `ImapSession.authenticate` needs; the secret is used once and not kept."""

    method: AuthMethod
    username: str
    secret: str = ""  # password or access token


@dataclass(frozen=True)
class SelectResult:
    """A folder's state as SELECT reports it."""

    state: SyncState
    read_only: bool
    #: The folder's MAILBOXID (RFC 8474), when the server offers OBJECTID.
    mailbox_id: str | None = None


@dataclass(frozen=True)
class FlagChange:
    """A message's flags as the server has them now."""

    uid: int
    flags: int
    keywords: tuple[str, ...]
    modseq: int | None


@dataclass(frozen=True)
class Quota:
    """Storage used and allowed, in kibibytes (RFC 9208)."""

    used_kib: int
    limit_kib: int


#: A folder up to this many messages is searched with one ``UID SEARCH ALL`` (its answer stays
#: under imaplib's 1,000,000-byte line limit); a larger one by UID ranges.
_SEARCH_ALL_MAX = 80_000
_SEARCH_LINE_BYTES = 900_000


class ImapSession:
    """A connection to one IMAP server for one account."""

    def __init__(
        self,
        endpoint: Endpoint,
        context: ssl.SSLContext,
        revocation: RevocationChecker,
        *,
        connect_timeout: float = 15.0,
        read_timeout: float = 60.0,
    ) -> None:
        self._endpoint = endpoint
        self._context = context
        self._revocation = revocation
        self._timeout = imapclient.SocketTimeout(connect=connect_timeout, read=read_timeout)
        self._client: ImapClient | None = None
        self._broken = False
        self._selected: str | None = None
        #: The last SELECT/EXAMINE's (folder, read-only asked, result), for `select(reuse=)`.
        self._selection: tuple[str, bool, SelectResult] | None = None
        self._capabilities: frozenset[str] = frozenset()
        self._qresync = False
        #: In IDLE: any other command (LOGOUT included) must first end it with DONE and read
        #: its completion (RFC 2177; Cyrus answers anything else with BAD, then nothing).
        self._idling = False
        self.revocation_result: RevocationResult | None = None

    # -- connection -------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Connected and not broken by an earlier error."""
        return self._client is not None and not self._broken

    @property
    def capabilities(self) -> frozenset[str]:
        """Upper-case capability names announced after login."""
        return self._capabilities

    def has(self, capability: str) -> bool:
        """Whether the server announced `capability`."""
        return capability.upper() in self._capabilities

    @property
    def selected(self) -> str | None:
        """The folder currently selected."""
        return self._selected

    def connect(self) -> None:
        """Open the connection and secure it (TLS or STARTTLS), then check revocation.

        Raises:
            NetworkError, TlsError: the connection or the secure channel failed.
        """
        host, port = self._endpoint.host, self._endpoint.port
        client: ImapClient | None = None
        try:
            if self._endpoint.security is Security.TLS:
                client = imapclient.IMAPClient(
                    host,
                    port=port,
                    ssl=True,
                    ssl_context=self._context,
                    timeout=self._timeout,
                    use_uid=True,
                )
            else:
                client = imapclient.IMAPClient(
                    host, port=port, ssl=False, timeout=self._timeout, use_uid=True
                )
                _tune(client)
                if not client.has_capability("STARTTLS"):
                    raise TlsError("tls.starttls_unavailable", host=host, port=port)
                client.starttls(self._context)
        except BaseException as error:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.shutdown()
            mapped = _connect_error(error, host, port)
            if mapped is error:
                raise
            raise mapped from error
        self._client = client
        try:
            _tune(client)
            sock = client.socket()
            if not isinstance(sock, ssl.SSLSocket):  # pragma: no cover - imapclient wraps
                raise TlsError("tls.not_tls", host=host, port=port)
            self.revocation_result = self._revocation.check(peer_chain_der(sock), host, port)
            self._capabilities = _caps(self._call(client.capabilities))
        except BaseException:
            # Whatever failed once connected (the server going away, revocation), the socket
            # is released here: nobody else holds this half-open session.
            self._broken = True
            self.close()
            raise

    def authenticate(self, credentials: Credentials) -> None:
        """Log in over the secured channel.

        Raises:
            AuthError: ``auth.bad_credentials``, ``auth.method_unavailable``.
        """
        client = self._require()
        host = self._endpoint.host
        try:
            if credentials.method is AuthMethod.OAUTH2:
                if not self.has("AUTH=XOAUTH2"):
                    raise AuthError("auth.method_unavailable", method="XOAUTH2", host=host)
                client.oauth2_login(credentials.username, credentials.secret)
            elif credentials.method is AuthMethod.EXTERNAL:
                if not self.has("AUTH=EXTERNAL"):
                    raise AuthError("auth.method_unavailable", method="EXTERNAL", host=host)
                client._imap.authenticate("EXTERNAL", lambda _challenge: b"")
            else:
                client.login(credentials.username, credentials.secret)
        except imapclient.exceptions.LoginError as error:
            raise AuthError("auth.bad_credentials", host=host) from error
        except imaplib.IMAP4.error as error:
            if isinstance(error, imaplib.IMAP4.abort):
                self._broken = True
                raise NetworkError("network.connection_lost", host=host) from error
            raise AuthError("auth.bad_credentials", host=host) from error
        except (OSError, EOFError) as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error
        self._capabilities = _caps(self._call(client.capabilities))
        if self.has("QRESYNC"):
            self._call(client.enable, "QRESYNC")
            self._qresync = True
        elif self.has("CONDSTORE"):
            self._call(client.enable, "CONDSTORE")
        log.debug("IMAP session ready (qresync=%s)", self._qresync)

    def close(self) -> None:
        """Log out politely if possible; always release the socket."""
        client, self._client = self._client, None
        if client is None:
            return
        idling, self._idling = self._idling, False
        try:
            if not self._broken:
                if idling:
                    client.idle_done()  # DONE, and its completion read, before LOGOUT
                client.logout()
            else:
                client.shutdown()
        except Exception:  # noqa: BLE001 - closing a dead connection: nothing more to do
            log.debug("IMAP close failed (connection already gone)")
            try:
                client.shutdown()
            except Exception:  # noqa: BLE001
                log.debug("IMAP shutdown failed")
        self._selected = None
        self._selection = None

    # -- folders ----------------------------------------------------------------------------

    def list_folders(self) -> list[FolderInfo]:
        """Every folder (LIST "" "*"), with SPECIAL-USE attributes when offered."""
        client = self._require()
        rows = self._call(client.list_folders)
        folders: list[FolderInfo] = []
        for flags, delimiter, name in rows:
            folders.append(
                FolderInfo(
                    name=_text(name),
                    delimiter=_text(delimiter) if delimiter else None,
                    attributes=tuple(_text(f) for f in flags),
                )
            )
        return folders

    def status(self, folder: str) -> SyncState:
        """UIDVALIDITY, UIDNEXT, MESSAGES (and HIGHESTMODSEQ) without selecting."""
        client = self._require()
        items = ["UIDVALIDITY", "UIDNEXT", "MESSAGES"]
        if self.has("CONDSTORE"):
            items.append("HIGHESTMODSEQ")
        data = self._call(client.folder_status, folder, items)
        return SyncState(
            uidvalidity=_int(data.get(b"UIDVALIDITY")),
            uidnext=_int(data.get(b"UIDNEXT")),
            highestmodseq=_int(data.get(b"HIGHESTMODSEQ")),
            exists=_int(data.get(b"MESSAGES")),
        )

    def mailbox_ids(self, folders: Sequence[str]) -> dict[str, str]:
        """Folder name -> MAILBOXID (RFC 8474), when the server offers OBJECTID (else empty).

        With LIST-STATUS (RFC 5819), one ``LIST "" "*" RETURN (STATUS (MAILBOXID))`` answers
        for every folder, `folders` or not; otherwise a STATUS per folder of `folders` (one
        the server refuses, a Noselect one say, is left out).
        """
        if not self.has("OBJECTID"):
            return {}
        client = self._require()
        if self.has("LIST-STATUS"):
            return self._call(_listed_mailbox_ids, client)
        found: dict[str, str] = {}
        for folder in folders:
            try:
                data = self._call(client.folder_status, folder, ["MAILBOXID"])
            except ServerError:
                continue
            mailbox_id = _object_id(data.get(b"MAILBOXID"))
            if mailbox_id is not None:
                found[folder] = mailbox_id
        return found

    def select(self, folder: str, *, readonly: bool = False, reuse: bool = False) -> SelectResult:
        """Select a folder.

        With `reuse`, a folder this session already has selected (in the same mode) is not
        selected again: the last SELECT's result is returned (its UIDVALIDITY cannot have
        changed meanwhile; its counts may have). Re-selecting a large folder for every batch
        of bodies made the server reload it each time (Dovecot maildir, 60,000 messages:
        1 s per batch of 150 instead of 30 ms, bench/scale_bench.py).

        Raises:
            NotFoundError: ``folder.not_found`` when the server has no such folder.
        """
        if (
            reuse
            and self._selection is not None
            and self._selected == folder
            and self._selection[:2] == (folder, readonly)
        ):
            return self._selection[2]
        client = self._require()
        self._selection = None  # a failed SELECT leaves no folder selected (RFC 9051)
        try:
            data = self._call(client.select_folder, folder, readonly)
        except ServerError as error:
            if "NONEXISTENT" in str(error.params.get("detail", "")).upper():
                raise NotFoundError("folder.not_found", folder=folder) from error
            raise
        self._selected = folder
        state = SyncState(
            uidvalidity=_int(data.get(b"UIDVALIDITY")),
            uidnext=_int(data.get(b"UIDNEXT")),
            highestmodseq=_int(data.get(b"HIGHESTMODSEQ")),
            exists=_int(data.get(b"EXISTS")),
        )
        result = SelectResult(
            state=state,
            read_only=bool(data.get(b"READ-ONLY", False)),
            mailbox_id=_object_id(data.get(b"MAILBOXID")) if self.has("OBJECTID") else None,
        )
        self._selection = (folder, readonly, result)
        return result

    def create_folder(self, folder: str) -> None:
        """Create a folder (no error if it exists already)."""
        client = self._require()
        try:
            self._call(client.create_folder, folder)
        except ServerError as error:
            if "ALREADYEXISTS" not in str(error.params.get("detail", "")).upper():
                raise

    def quota(self, folder: str = "INBOX") -> Quota | None:
        """Storage quota of the folder's root, when the server supports QUOTA."""
        if not self.has("QUOTA"):
            return None
        client = self._require()
        try:
            _roots, quotas = self._call(client.get_quota_root, folder)
        except IndexError:
            # imapclient cannot read a QUOTAROOT answer naming no root: no quota applies.
            return None
        for q in quotas:
            if str(q.resource).upper() == "STORAGE":
                return Quota(used_kib=int(q.usage), limit_kib=int(q.limit))
        return None

    # -- reading ----------------------------------------------------------------------------

    def search_all_uids(self) -> list[int]:
        """Every UID of the selected folder (UID SEARCH ALL), ascending.

        A large folder is searched by UID ranges: imaplib refuses an answer line over
        1,000,000 bytes, and ``UID SEARCH ALL`` of 600,000 messages is 4 MB on one line
        (bench/scale_bench.py). Messages arrived after the SELECT are left to the next sync.
        """
        client = self._require()
        selection = self._selection
        state = selection[2].state if selection and selection[0] == self._selected else None
        if state is None or state.uidnext is None or (state.exists or 0) <= _SEARCH_ALL_MAX:
            return sorted(int(u) for u in self._call(client.search, "ALL"))
        # Each answer at most about 900,000 bytes: UIDs of this many digits and a space.
        span = _SEARCH_LINE_BYTES // (len(str(state.uidnext)) + 1)
        found: list[int] = []
        for low in range(1, state.uidnext, span):
            high = min(low + span - 1, state.uidnext - 1)
            found.extend(int(u) for u in self._call(client.search, ["UID", f"{low}:{high}"]))
        return sorted(set(found))

    def fetch_envelopes(self, uids: Sequence[int]) -> list[EnvelopeRecord]:
        """Flags, size, arrival date and header block of messages of the selected folder.

        The header block comes as one literal and is read by `app.domain.mime`: ENVELOPE and
        BODYSTRUCTURE would have to go through imapclient's character-by-character lexer,
        which costs most of a mailbox listing's time. The MIME structure is read from the
        whole message when its body is archived.
        """
        if not uids:
            return []
        client = self._require()
        items = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER]"]
        if self.has("CONDSTORE"):
            items.append("MODSEQ")
        object_ids = self.has("OBJECTID")
        if object_ids:
            items += ["EMAILID", "THREADID"]
        records: list[EnvelopeRecord] = []
        for meta, literals in self._call(_fast_fetch, client, _uid_set(uids), items, None):
            uid = _meta_int(_UID_RE, meta)
            if uid is None or not literals:
                continue  # an unsolicited FETCH (flags only): not ours
            record = _header_record(uid, meta, literals[0])
            if object_ids:
                record = replace(
                    record,
                    email_id=_meta_object_id(_EMAILID_RE, meta),
                    server_thread_id=_meta_object_id(_THREADID_RE, meta),
                )
            records.append(record)
        return records

    def fetch_object_ids(self, uids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """UID -> (EMAILID, THREADID) of messages of the selected folder (RFC 8474).

        Empty when the server does not offer OBJECTID; a message without an EMAILID is left
        out.
        """
        if not uids or not self.has("OBJECTID"):
            return {}
        client = self._require()
        found: dict[int, tuple[str, str | None]] = {}
        for meta, _literals in self._call(
            _fast_fetch, client, _uid_set(uids), ["UID", "EMAILID", "THREADID"], None
        ):
            uid = _meta_int(_UID_RE, meta)
            email_id = _meta_object_id(_EMAILID_RE, meta)
            if uid is not None and email_id is not None:
                found[uid] = (email_id, _meta_object_id(_THREADID_RE, meta))
        return found

    def fetch_flags(
        self, uids: Sequence[int] | None, changed_since: int | None = None
    ) -> tuple[list[FlagChange], list[int]]:
        """Current flags, and with QRESYNC the UIDs that vanished since `changed_since`.

        `uids` None means every message (``1:*``). Returns (changes, vanished UIDs).
        """
        client = self._require()
        items = ["UID", "FLAGS"]
        modifiers: list[str] | None = None
        if self.has("CONDSTORE"):
            items.append("MODSEQ")
        if changed_since is not None and self.has("CONDSTORE"):
            modifiers = [f"CHANGEDSINCE {changed_since}"]
            if self._qresync:
                modifiers.append("VANISHED")
        if uids is not None and not uids:
            return [], []
        target = "1:*" if uids is None else _uid_set(uids)
        client._imap.untagged_responses.pop("VANISHED", None)
        fetched = self._call(_fast_fetch, client, target, items, modifiers)
        vanished_raw = client._imap.untagged_responses.pop("VANISHED", [])
        changes = []
        for meta, _literals in fetched:
            uid = _meta_int(_UID_RE, meta)
            if uid is None:
                continue
            flags, keywords = _meta_flags(meta)
            changes.append(
                FlagChange(
                    uid=uid,
                    flags=int(flags),
                    keywords=keywords,
                    modseq=_meta_int(_MODSEQ_RE, meta),
                )
            )
        return changes, _parse_vanished(vanished_raw)

    def fetch_bodies(self, uids: Sequence[int]) -> list[FetchedBody]:
        """Whole messages (BODY.PEEK[]: flags untouched), their structure and text."""
        client = self._require()
        bodies: list[FetchedBody] = []
        for meta, literals in self._call(
            _fast_fetch, client, _uid_set(uids), ["UID", "BODY.PEEK[]"], None
        ):
            uid = _meta_int(_UID_RE, meta)
            if uid is None or not literals:
                continue
            raw = literals[0]
            scanned = mime.scan(raw)
            bodies.append(
                FetchedBody(uid=uid, raw=raw, texts=scanned.texts, structure=scanned.structure)
            )
        return bodies

    # -- changing ---------------------------------------------------------------------------

    def store_flags(self, uids: Sequence[int], add: Flag, remove: Flag) -> None:
        """Add and remove system flags on messages of the selected folder."""
        client = self._require()
        if add:
            self._call(client.add_flags, _uid_set(uids), list(add.imap_names()), True)
        if remove:
            self._call(client.remove_flags, _uid_set(uids), list(remove.imap_names()), True)

    def add_keyword(self, uids: Sequence[int], keyword: str) -> None:
        """Set a keyword (e.g. ``$MDNSent``) on messages of the selected folder."""
        client = self._require()
        self._call(client.add_flags, _uid_set(uids), [keyword], True)

    def move(self, uids: Sequence[int], destination: str) -> dict[int, int]:
        """Move messages; returns old UID -> new UID when the server says (UIDPLUS)."""
        client = self._require()
        client._imap.untagged_responses.pop("OK", None)
        if self.has("MOVE"):
            result = self._call(client.move, _uid_set(uids), destination)
            texts = [result, *client._imap.untagged_responses.pop("OK", [])]
        else:
            result = self._call(client.copy, _uid_set(uids), destination)
            texts = [result]
            self._call(client.add_flags, _uid_set(uids), ["\\Deleted"], True)
            if self.has("UIDPLUS"):
                self._call(client.uid_expunge, _uid_set(uids))
        for text in texts:
            mapping = _parse_copyuid(text)
            if mapping:
                return mapping
        return {}

    def expunge(self, uids: Sequence[int]) -> None:
        r"""Delete messages for good: \\Deleted then UID EXPUNGE (only those UIDs).

        Without UIDPLUS the messages are only marked \\Deleted: a plain EXPUNGE would also
        remove messages other clients marked.
        """
        client = self._require()
        self._call(client.add_flags, _uid_set(uids), ["\\Deleted"], True)
        if self.has("UIDPLUS"):
            self._call(client.uid_expunge, _uid_set(uids))

    def append(
        self, folder: str, raw: bytes, flags: Flag = Flag.NONE, when: datetime | None = None
    ) -> int | None:
        """Store a message in a folder; returns its UID when the server says (APPENDUID)."""
        client = self._require()
        result = self._call(client.append, folder, raw, list(flags.imap_names()), when)
        match = re.search(rb"APPENDUID \d+ (\d+)", result if isinstance(result, bytes) else b"")
        return int(match.group(1)) if match else None

    def search_header(self, header: str, value: str) -> list[int]:
        """UIDs of messages of the selected folder whose `header` contains `value`."""
        client = self._require()
        return sorted(int(u) for u in self._call(client.search, ["HEADER", header, value]))

    # -- push -------------------------------------------------------------------------------

    def idle_start(self) -> None:
        """Enter IDLE on the selected folder."""
        client = self._require(idle_ok=True)
        if self._idling:
            return
        self._call(client.idle)
        self._idling = True

    def idle_wait(self, timeout: float) -> list[tuple[int, str]]:
        """Wait up to `timeout` seconds for server events while idling: (number, kind).

        Raises:
            NetworkError: ``network.connection_lost`` when the server closed the connection.
        """
        client = self._require(idle_ok=True)
        events = self._call(_idle_check, client, timeout)
        out: list[tuple[int, str]] = []
        for item in events:
            if isinstance(item, tuple) and item and _text(item[0]).upper() == "BYE":
                # The server is ending the session (shutdown, kicked, timeout): at once, not
                # when the socket finally closes.
                self._broken = True
                self._idling = False
                raise NetworkError("network.connection_lost", host=self._endpoint.host)
            if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], int):
                out.append((item[0], _text(item[1])))
        return out

    def idle_stop(self) -> None:
        """Leave IDLE (DONE, and its completion read)."""
        client = self._require(idle_ok=True)
        if not self._idling:
            return
        self._idling = False
        self._call(client.idle_done)

    def noop(self) -> None:
        """Keep the connection alive / collect pending responses."""
        client = self._require()
        self._call(client.noop)

    def server_spoke(self) -> bool:
        """Whether the server sent something, or closed the connection, between commands.

        A local look at the socket, no round trip: outside a command (and outside IDLE) a
        server speaks only to end the session (BYE, or the end of the stream). Cyrus, for
        one, closes a session whose selected folder another client deleted. A
        session for which this is true is checked (NOOP) before it is used again.
        """
        client = self._client
        if client is None or self._broken or self._idling:
            return False
        try:
            sock = client.socket()
            if isinstance(sock, ssl.SSLSocket) and sock.pending():
                return True
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    # -- plumbing ---------------------------------------------------------------------------

    def _require(self, *, idle_ok: bool = False) -> ImapClient:
        if self._client is None or self._broken:
            raise NetworkError("network.not_connected", host=self._endpoint.host)
        if self._idling and not idle_ok:
            # Any other command: IDLE ends first (DONE and its completion), on every path.
            self._idling = False
            self._call(self._client.idle_done)
        return self._client

    def _call(self, method: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run an imapclient call, turning its failures into our errors."""
        host = self._endpoint.host
        try:
            return method(*args, **kwargs)
        except KnownError:
            raise
        except TimeoutError as error:
            self._broken = True
            raise NetworkError("network.timeout", host=host) from error
        except imaplib.IMAP4.abort as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error
        except (imapclient.exceptions.IMAPClientError, imaplib.IMAP4.error) as error:
            raise refusal_error(str(error), host) from error
        except ssl.SSLError as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error
        except (OSError, EOFError) as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error


#: A refusal for a full mailbox said in words, without the RFC 5530 ``[OVERQUOTA]`` code
#: (Cyrus: ``NO Over quota``; others: ``Quota exceeded``, ``mailbox is full``…).
_QUOTA_TEXT_RE = re.compile(
    r"\bover[ -]?quota\b|\bquota (?:exceeded|reached|full)\b|\bexceeds? (?:the )?quota\b"
    r"|\bmailbox (?:is )?full\b|\bno space left\b",
    re.IGNORECASE,
)


def refusal_error(detail: str, host: str) -> ServerError:
    """The error for a server's NO/BAD answer: a full mailbox recognised by code and by text.

    ``server.over_quota`` when the answer carries ``[OVERQUOTA]`` (RFC 5530) or says so in
    words; the server's own words are kept (``detail``) either way.
    """
    text = " ".join(detail.split())[:200]
    if "[OVERQUOTA]" in text.upper() or _QUOTA_TEXT_RE.search(text):
        return ServerError("server.over_quota", host=host, detail=text)
    return ServerError("server.refused", host=host, detail=text)


def _idle_check(client: ImapClient, timeout: float) -> list[Any]:
    """Like imapclient's ``idle_check``, except that a closed connection raises.

    imapclient returns an empty list when the server closed the connection: a dead IDLE
    session would look silent forever (and, the socket staying readable, spin).
    """
    sock = client.socket()
    sock.settimeout(None)
    sock.setblocking(False)
    try:
        responses: list[Any] = []
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            while True:
                try:
                    line = client._imap._get_line()
                except (BlockingIOError, ssl.SSLWantReadError, TimeoutError):
                    break  # nothing more for now
                except ssl.SSLError as error:
                    raise imaplib.IMAP4.abort(f"socket error: {error}") from error
                responses.append(_parse_untagged_response(line))
        return responses
    finally:
        with contextlib.suppress(OSError):
            sock.setblocking(True)
            client._set_read_timeout()


def _connect_error(error: BaseException, host: str, port: int) -> BaseException:
    """What a failure while connecting and securing the channel means for the user."""
    if isinstance(error, KnownError):
        return error
    if isinstance(error, ssl.SSLError):
        return classify_ssl_error(error, host, port)
    if isinstance(error, imaplib.IMAP4.abort):  # before IMAPClientError, its base class
        return NetworkError("network.connection_lost", host=host, port=port)
    if isinstance(error, imapclient.exceptions.IMAPClientError):
        return TlsError("tls.starttls_refused", host=host, port=port)
    if isinstance(error, TimeoutError):
        return NetworkError("network.timeout", host=host, port=port)
    if isinstance(error, socket.gaierror):
        return NetworkError("network.unknown_host", host=host, port=port)
    if isinstance(error, ConnectionRefusedError):
        return NetworkError("network.refused", host=host, port=port)
    if isinstance(error, OSError | EOFError):
        return NetworkError("network.unreachable", host=host, port=port)
    return error


_UID_RE = re.compile(rb"\bUID (\d+)")
_MODSEQ_RE = re.compile(rb"\bMODSEQ \((\d+)\)")
_SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_FLAGS_RE = re.compile(rb"\bFLAGS \(([^)]*)\)")
_DATE_RE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
#: RFC 8474: ``EMAILID (M6d99ac3275bb4e)``, ``THREADID (T64b478a75b7ea9)`` or ``THREADID NIL``
#: (pymap, the demo's server, doubles the parentheses: read too).
_EMAILID_RE = re.compile(rb"\bEMAILID \(\(?([^()\s]+)\)")
_THREADID_RE = re.compile(rb"\bTHREADID \(\(?([^()\s]+)\)")
#: objectid = 1*255(ALPHA / DIGIT / "_" / "-")
_OBJECT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,255}")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _fast_fetch(
    client: ImapClient, uid_set: str, items: Sequence[str], modifiers: Sequence[str] | None
) -> list[tuple[bytes, list[bytes]]]:
    """UID FETCH, answered as (the response's non-literal text, its literals) per message.

    imaplib already reads literals as whole byte strings; the few simple items around them
    (UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ) are found with regular expressions
    instead of imapclient's lexer, which reads responses one character at a time.
    """
    args = [
        "UID",
        "FETCH",
        uid_set,
        seq_to_parenstr_upper(list(items)),
        seq_to_parenstr_upper(list(modifiers)) if modifiers else None,
    ]
    tag = client._imap._command(*args)
    typ, data = client._imap._command_complete("FETCH", tag)
    client._checkok("fetch", typ, data)
    typ, data = client._imap._untagged_response(typ, data, "FETCH")
    out: list[tuple[bytes, list[bytes]]] = []
    current: tuple[bytearray, list[bytes]] | None = None
    for element in data:
        if element is None:
            continue
        if isinstance(element, tuple):
            head, literal = element
            if current is None or _starts_message(head):
                if current is not None:
                    out.append((bytes(current[0]), current[1]))
                current = (bytearray(), [])
            current[0].extend(head)
            current[1].append(bytes(literal))
        else:
            if current is not None and not _starts_message(element):
                current[0].extend(element)  # the rest of the line after a literal
                continue
            if current is not None:
                out.append((bytes(current[0]), current[1]))
            current = (bytearray(element), [])
    if current is not None:
        out.append((bytes(current[0]), current[1]))
    return out


def _starts_message(chunk: bytes) -> bool:
    """A FETCH response starts with ``<seq> (``; the rest of a line after a literal does not."""
    head = chunk[:16].lstrip()
    number, _, rest = head.partition(b" ")
    return number.isdigit() and rest.startswith(b"(")


def _meta_int(pattern: re.Pattern[bytes], meta: bytes) -> int | None:
    match = pattern.search(meta)
    return int(match.group(1)) if match else None


def _meta_object_id(pattern: re.Pattern[bytes], meta: bytes) -> str | None:
    match = pattern.search(meta)
    return _object_id(match.group(1)) if match else None


def _object_id(value: Any) -> str | None:
    """An RFC 8474 object id from a parsed response (``(F1234)``, ``[b'F1234']``…), or None.

    Anything that is not a valid objectid (NIL, an empty list, stray characters) is None:
    an id we cannot trust is not used to recognise anything.
    """
    while isinstance(value, tuple | list):
        if len(value) != 1:
            return None
        value = value[0]
    if value is None:
        return None
    text = _text(value).strip().strip("()").strip()
    return text if _OBJECT_ID_RE.fullmatch(text) else None


def _listed_mailbox_ids(client: ImapClient) -> dict[str, str]:
    """Every folder's MAILBOXID in one ``LIST ... RETURN (STATUS (MAILBOXID))`` (LIST-STATUS).

    The LIST lines are left to `ImapSession.list_folders`; only the STATUS lines are read.
    """
    imap = client._imap
    imap.untagged_responses.pop("STATUS", None)
    typ, data = imap._simple_command("LIST", '""', '"*"', "RETURN", "(STATUS (MAILBOXID))")
    client._checkok("list", typ, data)
    imap.untagged_responses.pop("LIST", None)
    return _status_mailbox_ids(imap.untagged_responses.pop("STATUS", []), client.folder_encode)


def _status_mailbox_ids(data: Sequence[Any], folder_encode: bool = True) -> dict[str, str]:
    """Folder name -> MAILBOXID from imaplib's untagged STATUS data.

    A name sent as a literal comes as a (prefix, name) pair followed by the rest of its line;
    a line that cannot be read gives no id (that folder is then followed by content only).
    """
    lines: list[list[Any]] = []
    for item in data:
        if item in (b"", None):
            continue
        if isinstance(item, tuple):
            lines.append([item])
        elif lines and len(lines[-1]) == 1 and isinstance(lines[-1][0], tuple):
            lines[-1].append(item)  # the rest of the line after a literal name
        else:
            lines.append([item])
    found: dict[str, str] = {}
    for line in lines:
        try:
            parsed = parse_response(line)
        except Exception:  # noqa: BLE001 - one unreadable line: that folder has no id
            log.debug("unreadable STATUS line in a LIST-STATUS answer")
            continue
        if len(parsed) < 2 or not isinstance(parsed[-1], tuple):
            continue
        name: Any = parsed[0]
        if isinstance(name, int):
            name = str(name)
        elif folder_encode:
            name = decode_utf7(name)
        else:
            name = _text(name)
        items = dict(zip(parsed[-1][::2], parsed[-1][1::2], strict=False))
        mailbox_id = _object_id(items.get(b"MAILBOXID"))
        if mailbox_id is not None:
            found[str(name)] = mailbox_id
    return found


def _meta_flags(meta: bytes) -> tuple[Flag, tuple[str, ...]]:
    match = _FLAGS_RE.search(meta)
    names = match.group(1).decode("utf-8", "replace").split() if match else []
    return Flag.from_imap(names)


def _internaldate(meta: bytes) -> int:
    """INTERNALDATE (``02-Nov-2026 10:00:00 +0100``) as epoch seconds (0 when unreadable)."""
    match = _DATE_RE.search(meta)
    if not match:
        return 0
    try:
        day, month, rest = match.group(1).decode("ascii").strip().split("-", 2)
        year, clock, zone = rest.split(" ")
        hours, minutes, seconds = (int(x) for x in clock.split(":"))
        offset = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[0] == "-" else 1)
        moment = datetime(
            int(year), _MONTHS[month.lower()], int(day), hours, minutes, seconds, tzinfo=UTC
        )
        return int(moment.timestamp()) - offset
    except (ValueError, KeyError, IndexError):
        return 0


def _header_record(uid: int, meta: bytes, header: bytes) -> EnvelopeRecord:
    """A message's envelope; one whose header cannot be read still gets a record.

    A header that defeats the parsers (issue 14: an address header that made the standard
    parser recurse without end) must not stop the sync: the message is then listed by what
    the server said (UID, flags, dates, size), marked unreadable with the reason, and its
    body archived as it came.
    """
    try:
        return _parsed_header_record(uid, meta, header)
    except Exception as error:  # noqa: BLE001 - any parser failure stays with this message
        log.warning(
            "header of UID %d unreadable (%s): archived as it came", uid, type(error).__name__
        )
        flags, keywords = _meta_flags(meta)
        return EnvelopeRecord(
            uid=uid,
            flags=int(flags),
            keywords=keywords,
            internal_date=_internaldate(meta),
            size=_meta_int(_SIZE_RE, meta) or len(header),
            modseq=_meta_int(_MODSEQ_RE, meta),
            message_id=None,
            in_reply_to=None,
            references=(),
            subject="",
            sender=None,
            to=(),
            cc=(),
            reply_to=(),
            sent_date=None,
            structure=Structure(),
            headers={UNREADABLE_HEADER: f"header: {type(error).__name__}"},
        )


def _parsed_header_record(uid: int, meta: bytes, header: bytes) -> EnvelopeRecord:
    fields = mime.parse_headers(header)
    flags, keywords = _meta_flags(meta)
    kind = mime.content_kind(fields.get("content-type"))
    extra = {
        name.lower(): mime.decode_words(fields[name.lower()])
        for name in EXTRA_HEADERS
        if name.lower() in fields and name != "REFERENCES"
    }
    senders = mime.people(fields.get("from"))
    return EnvelopeRecord(
        uid=uid,
        flags=int(flags),
        keywords=keywords,
        internal_date=_internaldate(meta),
        size=_meta_int(_SIZE_RE, meta) or len(header),
        modseq=_meta_int(_MODSEQ_RE, meta),
        message_id=mime.message_id(fields.get("message-id")),
        in_reply_to=mime.message_id(fields.get("in-reply-to")),
        references=mime.message_ids(fields.get("references")),
        subject=mime.decode_words(fields.get("subject", "")).strip(),
        sender=senders[0] if senders else None,
        to=mime.people(fields.get("to")),
        cc=mime.people(fields.get("cc")),
        reply_to=mime.people(fields.get("reply-to")),
        sent_date=mime.date_epoch(fields.get("date")),
        structure=Structure(),
        headers=extra,
        likely_attachments=kind in _ATTACHMENT_CONTAINERS
        or not (kind.startswith(("text/", "multipart/"))),
    )


#: Containers that usually carry attached files (refined when the body is read).
_ATTACHMENT_CONTAINERS = ("multipart/mixed", "multipart/report")


def _tune(client: ImapClient) -> None:
    """Turn imaplib's debug output off and keep time zones on dates.

    imapclient turns imaplib's debug level up to feed its logger; every protocol line is then
    formatted, which costs 30-45 % of a bulk fetch (notes/PERFORMANCE.md).
    """
    client._imap.debug = 0
    client.normalise_times = False


def _caps(raw: Iterable[Any]) -> frozenset[str]:
    return frozenset(_text(c).upper() for c in raw)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return str(value)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        value = value[0] if value else None
        if value is None:
            return None
    return int(value)


def _uid_set(uids: Iterable[int]) -> str:
    """Compact UID set: ``1:5,8,10:12``."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("empty UID set")
    ranges: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        ranges.append(f"{start}:{prev}" if start != prev else str(start))
        start = prev = uid
    ranges.append(f"{start}:{prev}" if start != prev else str(start))
    return ",".join(ranges)


def parse_uid_set(text: str) -> list[int]:
    """Expand ``1:3,7`` into [1, 2, 3, 7]."""
    uids: list[int] = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if ":" in chunk:
            low, high = (int(x) for x in chunk.split(":"))
            if low > high:
                low, high = high, low
            uids.extend(range(low, high + 1))
        else:
            uids.append(int(chunk))
    return uids


def _parse_vanished(lines: Iterable[Any]) -> list[int]:
    uids: list[int] = []
    for line in lines:
        text = _text(line).strip()
        if text.upper().startswith("(EARLIER)"):
            text = text[len("(EARLIER)") :].strip()
        if text:
            uids.extend(parse_uid_set(text))
    return uids


def _parse_copyuid(text: Any) -> dict[int, int]:
    match = re.search(r"COPYUID\s+\d+\s+([\d:,]+)\s+([\d:,]+)", _text(text))
    if not match:
        return {}
    old, new = parse_uid_set(match.group(1)), parse_uid_set(match.group(2))
    return dict(zip(old, new, strict=False)) if len(old) == len(new) else {}
