"""One IMAP connection: a typed facade over imapclient (the only module that touches it).

Blocking, and not thread-safe (imapclient's rule): an `ImapSession` is owned by exactly one
thread, the serial executor its service gives it. Every socket call has a timeout. After any
network error the session is marked broken and must be replaced.

Security (spec §2): STARTTLS on 143 or implicit TLS on 993, never plaintext and never a
silent downgrade; the TLS policy of `app.transport.tls`; the revocation of the server
certificate is checked before any credential is sent.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.header
import email.utils
import imaplib
import logging
import quopri
import re
import socket
import ssl
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from typing import Any, ParamSpec, TypeVar

import imapclient
import imapclient.exceptions
from imapclient.imapclient import seq_to_parenstr_upper
from imapclient.response_parser import parse_fetch_response
from imapclient.response_types import BodyData

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
from app.domain.message import EnvelopeRecord, FetchedBody, Flag, Part, Person, Structure
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
        self._capabilities: frozenset[str] = frozenset()
        self._qresync = False
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
        _tune(client)
        self._client = client
        sock = client.socket()
        if not isinstance(sock, ssl.SSLSocket):  # pragma: no cover - imapclient always wraps
            self.close()
            raise TlsError("tls.not_tls", host=host, port=port)
        try:
            self.revocation_result = self._revocation.check(peer_chain_der(sock), host, port)
        except TlsError:
            self.close()
            raise
        self._capabilities = _caps(client.capabilities())

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
        try:
            if not self._broken:
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

    def select(self, folder: str, *, readonly: bool = False) -> SelectResult:
        """Select a folder.

        Raises:
            NotFoundError: ``folder.not_found`` when the server has no such folder.
        """
        client = self._require()
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
        return SelectResult(state=state, read_only=bool(data.get(b"READ-ONLY", False)))

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
        _roots, quotas = self._call(client.get_quota_root, folder)
        for q in quotas:
            if str(q.resource).upper() == "STORAGE":
                return Quota(used_kib=int(q.usage), limit_kib=int(q.limit))
        return None

    # -- reading ----------------------------------------------------------------------------

    def search_all_uids(self) -> list[int]:
        """Every UID of the selected folder (UID SEARCH ALL), ascending."""
        client = self._require()
        return sorted(int(u) for u in self._call(client.search, "ALL"))

    def fetch_envelopes(self, uids: Sequence[int]) -> list[EnvelopeRecord]:
        """Envelope, flags, size, dates and structure of messages of the selected folder."""
        if not uids:
            return []
        client = self._require()
        items = [*_ENVELOPE_ITEMS, _HEADER_ITEM]
        if self.has("CONDSTORE"):
            items.append("MODSEQ")
        response = self._call(_uid_fetch, client, _uid_set(uids), items)
        records: list[EnvelopeRecord] = []
        for uid, data in response.items():
            if b"ENVELOPE" not in data:
                continue  # an unsolicited FETCH (flags only): not ours
            records.append(_envelope_record(int(uid), data))
        return records

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
        target: Any = "1:*" if uids is None else _uid_set(uids)
        if uids is not None and not uids:
            return [], []
        client._imap.untagged_responses.pop("VANISHED", None)
        response = self._call(_uid_fetch, client, target, items, modifiers)
        vanished_raw = client._imap.untagged_responses.pop("VANISHED", [])
        changes = []
        for uid, data in response.items():
            flags, keywords = Flag.from_imap([_text(f) for f in data.get(b"FLAGS", ())])
            modseq = data.get(b"MODSEQ")
            changes.append(
                FlagChange(
                    uid=int(uid),
                    flags=int(flags),
                    keywords=keywords,
                    modseq=int(modseq[0]) if modseq else None,
                )
            )
        return changes, _parse_vanished(vanished_raw)

    def fetch_bodies(
        self, uids: Sequence[int], text_parts: dict[int, tuple[Part, ...]]
    ) -> list[FetchedBody]:
        """Whole messages (BODY.PEEK[], flags untouched) and the decoded text of their text parts.

        Messages are grouped by the part numbers of their text, so one FETCH per group.
        """
        client = self._require()
        groups: dict[tuple[str, ...], list[int]] = {}
        for uid in uids:
            key = tuple(p.part for p in text_parts.get(uid, ()))
            groups.setdefault(key, []).append(uid)
        bodies: list[FetchedBody] = []
        for part_numbers, group in groups.items():
            items = ["BODY.PEEK[]"] + [f"BODY.PEEK[{n}]" for n in part_numbers]
            response = self._call(_uid_fetch, client, _uid_set(group), items)
            for uid, data in response.items():
                raw = data.get(b"BODY[]")
                if raw is None:
                    continue
                texts = []
                for part in text_parts.get(int(uid), ()):
                    content = data.get(f"BODY[{part.part}]".encode("ascii"))
                    if content is not None:
                        texts.append((part.content_type, decode_part(content, part)))
                bodies.append(FetchedBody(uid=int(uid), raw=bytes(raw), texts=tuple(texts)))
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
        client = self._require()
        self._call(client.idle)

    def idle_wait(self, timeout: float) -> list[tuple[int, str]]:
        """Wait up to `timeout` seconds for server events while idling: (number, kind)."""
        client = self._require()
        events = self._call(client.idle_check, timeout)
        out: list[tuple[int, str]] = []
        for item in events:
            if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], int):
                out.append((item[0], _text(item[1])))
        return out

    def idle_stop(self) -> None:
        """Leave IDLE."""
        client = self._require()
        self._call(client.idle_done)

    def noop(self) -> None:
        """Keep the connection alive / collect pending responses."""
        client = self._require()
        self._call(client.noop)

    # -- plumbing ---------------------------------------------------------------------------

    def _require(self) -> ImapClient:
        if self._client is None or self._broken:
            raise NetworkError("network.not_connected", host=self._endpoint.host)
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
        except imapclient.exceptions.IMAPClientError as error:
            detail = str(error)
            if "OVERQUOTA" in detail.upper():
                raise ServerError("server.over_quota", host=host) from error
            raise ServerError("server.refused", host=host, detail=detail[:200]) from error
        except imaplib.IMAP4.error as error:
            detail = str(error)
            if "OVERQUOTA" in detail.upper():
                raise ServerError("server.over_quota", host=host) from error
            raise ServerError("server.refused", host=host, detail=detail[:200]) from error
        except ssl.SSLError as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error
        except (OSError, EOFError) as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host) from error


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


def _uid_fetch(
    client: ImapClient, uid_set: str, items: Sequence[str], modifiers: Sequence[str] | None = None
) -> dict[int, dict[bytes, Any]]:
    """UID FETCH with a compact UID set (``1:500``, ``1:*``).

    imapclient's own `fetch` filters its answer by the UIDs it was given as integers, which
    rules out ranges and ``*``; this sends the same command and uses its response parser.
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
    parsed: dict[int, dict[bytes, Any]] = parse_fetch_response(data, False, True)
    return parsed


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


# -- envelopes and structures ---------------------------------------------------------------


def decode_header_text(value: Any) -> str:
    """An RFC 2047 (or raw 8-bit) header value as text."""
    if value is None:
        return ""
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (email.errors.HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return text


def _person(address: Any) -> Person | None:
    if address.mailbox is None or address.host is None:
        return None  # group syntax markers
    mailbox, host = _text(address.mailbox), _text(address.host)
    return Person(name=decode_header_text(address.name), address=f"{mailbox}@{host}".lower())


def _people(addresses: Any) -> tuple[Person, ...]:
    if not addresses:
        return ()
    out = []
    for address in addresses:
        person = _person(address)
        if person is not None:
            out.append(person)
    return tuple(out)


def _msgid(value: Any) -> str | None:
    text = _text(value).strip() if value else ""
    match = re.search(r"<[^<>\s]+>", text)
    return match.group(0) if match else (text or None)


def _epoch(value: Any) -> int | None:
    # normalise_times is off (_tune): datetimes keep their offset.
    if isinstance(value, datetime):
        return int(value.timestamp())
    return None


def _envelope_record(uid: int, data: dict[bytes, Any]) -> EnvelopeRecord:
    env = data[b"ENVELOPE"]
    flags, keywords = Flag.from_imap([_text(f) for f in data.get(b"FLAGS", ())])
    extra: dict[str, str] = {}
    for key, value in data.items():
        if key.startswith(b"BODY[HEADER.FIELDS") and value:
            parsed = BytesHeaderParser().parsebytes(bytes(value))
            for name, header_value in parsed.items():
                extra[name.lower()] = decode_header_text(str(header_value)).strip()
    references = tuple(re.findall(r"<[^<>\s]+>", extra.pop("references", "")))
    senders = _people(env.from_)
    modseq = data.get(b"MODSEQ")
    internal = _epoch(data.get(b"INTERNALDATE"))
    return EnvelopeRecord(
        uid=uid,
        flags=int(flags),
        keywords=keywords,
        internal_date=internal if internal is not None else 0,
        size=int(data.get(b"RFC822.SIZE", 0)),
        modseq=int(modseq[0]) if modseq else None,
        message_id=_msgid(env.message_id),
        in_reply_to=_msgid(env.in_reply_to),
        references=references,
        subject=decode_header_text(env.subject),
        sender=senders[0] if senders else None,
        to=_people(env.to),
        cc=_people(env.cc),
        reply_to=_people(env.reply_to),
        sent_date=_epoch(env.date),
        structure=parse_structure(data.get(b"BODYSTRUCTURE")),
        headers=extra,
    )


def parse_structure(body: Any) -> Structure:
    """The leaves of an IMAP BODYSTRUCTURE, numbered as IMAP part specifiers."""
    if body is None:
        return Structure()
    parts: list[Part] = []
    _walk(body, "", parts)
    return Structure(tuple(parts))


def _walk(body: Any, prefix: str, out: list[Part]) -> None:
    if isinstance(body, BodyData) and body.is_multipart:
        for index, child in enumerate(body[0], start=1):
            _walk(child, f"{prefix}.{index}" if prefix else str(index), out)
        return
    number = prefix or "1"
    main = _text(body[0]).lower() if body[0] else "application"
    sub = _text(body[1]).lower() if len(body) > 1 and body[1] else "octet-stream"
    params = _pairs(body[2] if len(body) > 2 else None)
    encoding = _text(body[5]).lower() if len(body) > 5 and body[5] else "7bit"
    size = int(body[6]) if len(body) > 6 and isinstance(body[6], int) else 0
    content_type = f"{main}/{sub}"
    if main == "text":
        disposition_index = 9
    elif content_type == "message/rfc822":
        disposition_index = 11
    else:
        disposition_index = 8
    disposition: str | None = None
    disposition_params: dict[str, str] = {}
    if len(body) > disposition_index and isinstance(body[disposition_index], tuple):
        raw = body[disposition_index]
        if raw and raw[0]:
            disposition = _text(raw[0]).lower()
            disposition_params = _pairs(raw[1] if len(raw) > 1 else None)
    filename = _filename(disposition_params) or _filename(params, key="name")
    out.append(
        Part(
            part=number,
            content_type=content_type,
            charset=params.get("charset"),
            encoding=encoding,
            size=size,
            filename=filename,
            disposition=disposition,
        )
    )


def _pairs(raw: Any) -> dict[str, str]:
    if not raw or not isinstance(raw, tuple | list):
        return {}
    values = [_text(v) if v is not None else "" for v in raw]
    return {values[i].lower(): values[i + 1] for i in range(0, len(values) - 1, 2)}


def _filename(params: dict[str, str], key: str = "filename") -> str | None:
    if f"{key}*" in params:  # RFC 2231: charset'language'percent-encoded
        encoded = params[f"{key}*"]
        charset, _, rest = encoded.partition("'")
        _language, _, text = rest.partition("'")
        if not text:  # no charset'language' prefix: plain percent-encoding
            charset, text = "utf-8", encoded
        try:
            return urllib.parse.unquote(text, encoding=charset or "utf-8", errors="strict")
        except (UnicodeDecodeError, LookupError):
            return urllib.parse.unquote(text, encoding="latin-1")
    continued = [params[k] for k in sorted(params) if k.startswith(f"{key}*") and k[-1].isdigit()]
    if continued:
        return "".join(continued)
    value = params.get(key)
    return decode_header_text(value) if value else None


def decode_part(content: bytes, part: Part) -> str:
    """Decode a part's transfer encoding and charset into text (HTML reduced to text)."""
    data = bytes(content)
    if part.encoding == "base64":
        try:
            data = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            data = b""
    elif part.encoding == "quoted-printable":
        data = quopri.decodestring(data)
    charset = (part.charset or "utf-8").lower()
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    if part.content_type == "text/html":
        return html_to_text(text)
    return text


def html_to_text(html: str) -> str:
    """Readable text of an HTML part (scripts and styles dropped)."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.chunks: list[str] = []
            self._skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self._skip += 1
            elif tag in ("br", "p", "div", "li", "tr"):
                self.chunks.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self._skip:
                self._skip -= 1

        def handle_data(self, data: str) -> None:
            if not self._skip:
                self.chunks.append(data)

    parser = _Text()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.chunks)).strip()
