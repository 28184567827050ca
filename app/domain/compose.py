"""Writing a message by the MSSanté rules (spec §3 and §4): a `Draft` in, RFC 5322 bytes out.

What `compose` guarantees (each rule cites its source):

- a ``Message-ID`` on every message, its right-hand side the sender's domain (RFC 5322 §3.6.4,
  ECO.2.2.1); replies carry ``In-Reply-To`` and the whole ``References`` chain (ECO.2.2.2,
  see `reply_references`);
- every ``text/*`` part in UTF-8 (spec §3), sent quoted-printable so the message is 7-bit
  clean whatever the server's 8BITMIME support; the body is ``text/plain`` or
  ``multipart/alternative`` (plain + HTML), wrapped in ``multipart/mixed`` with attachments,
  whose non-ASCII file names are written the RFC 2231 way (``filename*=utf-8''…``);
- the ``From`` display name of ECO.2.2.7 (see `from_display_name`);
- ``X-MSS-NIL`` on every message (ECO.2.4.3), and the optional ``X-MSS-MES`` (ECO.2.2.8),
  ``X-MSS-CODECDA`` and ``X-MSS-INS`` (ECO.2.4.1/2.4.2);
- ``Disposition-Notification-To: <own address>`` when a read receipt is asked (RFC 8098);
- ``Reply-To`` when a return box is set (spec §3: the patient's replies go there);
- ``Bcc`` recipients in the envelope only, never in the headers.

Pure: no I/O. The caller supplies the clock and the Message-ID when it needs them fixed
(tests, or a durable outbox that must resend exactly the same bytes).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, parseaddr
from typing import Any

from app.domain.account import BoxType, Identity
from app.domain.addresses import MailAddress
from app.domain.documents import sanitize_filename
from app.domain.errors import ValidationError
from app.domain.headers import one_line

#: Serialisation: CRLF line ends, RFC 2047/2231 encoding of non-ASCII header text.
MAIL_POLICY = policy.SMTP

#: The subject that ends an exchange with a patient (spec §4; brackets included, case-sensitive).
END_OF_EXCHANGE_SUBJECT = "[FIN]"
#: The header value that ends an exchange (spec §4, ECO.2.2.8: the preferred signal).
END_OF_EXCHANGE_MES = "FIN"
#: Body of an end-of-exchange message when the caller gives none (what the patient reads).
END_OF_EXCHANGE_BODY = (
    "Bonjour,\n\n"
    "Cet échange est maintenant terminé : vous ne pouvez plus répondre aux messages "
    "précédents.\n"
    "Si nécessaire, nous vous écrirons à nouveau par cette messagerie.\n\n"
    "Cordialement."
)

_MSG_ID_RE = re.compile(r"<[^<>\s]+>")
_REPLY_PREFIX_RE = re.compile(
    # "Re:", "RE :", "re:", "Re[2]:", "Re(2):", "Réf. :", "AW:" (German clients), repeated.
    r"^\s*(?:(?:re|réf\.?|ref\.?|aw)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+",
    re.IGNORECASE,
)
_CONTENT_TYPE_RE = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"
)
_HEADER_VALUE_MAX = 900


@dataclass(frozen=True)
class Attachment:
    """A file to attach.

    Attributes:
        filename: the name the recipient sees (cleaned by `compose`: no path, no control
            characters). May hold health data: never log.
        content_type: ``type/subtype``; ``application/octet-stream`` when unknown.
        data: the file's bytes.
    """

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ReplyThreading:
    """The threading headers of a reply (RFC 5322 §3.6.4, ECO.2.2.2)."""

    in_reply_to: str
    references: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Draft:
    """Everything a message is made of, before composition.

    A draft holds what the user typed, even when it is wrong: addresses are validated by
    `app.domain.checks` (issues, the draft kept) and by `compose` (which refuses).

    Attributes:
        sender: the sending box's address (``From`` and the envelope sender).
        identity: who writes; gives the ``From`` display name (ECO.2.2.7).
        box_type: the sending box's type (PER/CAB: full name; ORG/APP: the entity only).
        to, cc, bcc: recipients, each a bare address or ``Name <address>``.
        subject: one line (line breaks become spaces).
        text: the plain-text body.
        html: an optional HTML alternative of the same body.
        attachments: files to attach.
        in_reply_to: the parent's Message-ID when this is a reply.
        references: the References chain (see `reply_references`).
        reply_to: return box: where replies should go (spec §3), or None.
        read_receipt: ask for a read receipt (``Disposition-Notification-To``, RFC 8098).
        x_mss_nil: the product reference (``X-MSS-NIL``, ECO.2.4.3), a setting.
        x_mss_mes: ``X-MSS-MES`` (``FIN`` ends an exchange with a patient, ECO.2.2.8).
        x_mss_codecda: ``X-MSS-CODECDA`` with an IHE_XDM.zip (ECO.2.4.1).
        x_mss_ins: ``X-MSS-INS`` (``O``/``N``) with an IHE_XDM.zip (ECO.2.4.2).
    """

    sender: str
    identity: Identity = field(default_factory=Identity)
    box_type: BoxType = BoxType.PER
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reply_to: str | None = None
    read_receipt: bool = False
    x_mss_nil: str = ""
    x_mss_mes: str | None = None
    x_mss_codecda: str | None = None
    x_mss_ins: str | None = None

    @property
    def all_recipients(self) -> tuple[str, ...]:
        """To, Cc then Bcc, as typed."""
        return self.to + self.cc + self.bcc

    def recipient_addresses(self) -> list[MailAddress]:
        """The valid recipient addresses, each once (To, Cc, Bcc order); malformed ones skipped."""
        seen: set[str] = set()
        out: list[MailAddress] = []
        for text in self.all_recipients:
            address = parse_recipient(text)
            if address is not None and address.key not in seen:
                seen.add(address.key)
                out.append(address)
        return out

    def evolve(self, **changes: Any) -> Draft:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def with_recipient_replaced(self, old: str, new: str) -> Draft:
        """Replace one recipient (e.g. an Apicrypt address by its MSSanté form) everywhere.

        `old` is compared by address, case-insensitively; the display name is kept.
        """
        old_address = parse_recipient(old)
        if old_address is None:
            return self

        def swap(items: tuple[str, ...]) -> tuple[str, ...]:
            out = []
            for item in items:
                address = parse_recipient(item)
                if address is not None and address.key == old_address.key:
                    name, _ = parseaddr(item)
                    out.append(MailAddress.parse(new).formatted(name) if name else new)
                else:
                    out.append(item)
            return tuple(out)

        return replace(self, to=swap(self.to), cc=swap(self.cc), bcc=swap(self.bcc))


@dataclass(frozen=True)
class ComposedMessage:
    """A message ready to be submitted.

    Attributes:
        raw: the RFC 5322 bytes (CRLF line ends, 7-bit).
        message_id: its ``Message-ID`` (with angle brackets).
        envelope_from: MAIL FROM address.
        envelope_recipients: RCPT TO addresses (To, Cc and Bcc, each once).
        date: the ``Date`` header's value.
    """

    raw: bytes
    message_id: str
    envelope_from: str
    envelope_recipients: tuple[str, ...]
    date: datetime

    @property
    def size(self) -> int:
        """Size in bytes, as the server counts it (SIZE, RFC 1870)."""
        return len(self.raw)


# ---------------------------------------------------------------------------------------------
# Names and identifiers


def from_display_name(identity: Identity, box_type: BoxType) -> str:
    """The ``From`` display name of ECO.2.2.7.

    PER (nominative) and CAB (practice) boxes: ``Titre_Prénom_NOM_Entité`` joined with ``_``,
    the family name upper-cased, e.g. ``Dr_Marie_MARTIN_Cabinet Médical``. ORG and APP boxes:
    the entity only, e.g. ``Hôpital A – Service Cardiologie``.

    Empty parts are left out together with their separator (no ``__``, no leading or trailing
    ``_``): a practitioner without a title is ``Marie_MARTIN_Cabinet Médical``. The référentiel
    does not say what to do with a missing part; leaving it out keeps the remaining name
    readable by the patient, which is the rule's purpose. Spaces inside a part are kept (the
    référentiel's own example has ``Cabinet Médical``). When nothing is known the result is
    ``""`` and the ``From`` shows the bare address (Mon espace santé then shows the start of
    the address, seed 000).
    """
    if box_type in (BoxType.ORG, BoxType.APP):
        return one_line(identity.entity)
    parts = [
        one_line(identity.title),
        one_line(identity.given_name),
        one_line(identity.family_name).upper(),
        one_line(identity.entity),
    ]
    return "_".join(p for p in parts if p)


def new_message_id(domain: str) -> str:
    """A fresh ``Message-ID``: 128 random bits at the sender's domain (RFC 5322 §3.6.4).

    Nothing about the machine, the user or the time is disclosed in it.
    """
    return f"<{secrets.token_hex(16)}@{domain.lower()}>"


def parse_recipient(text: str) -> MailAddress | None:
    """The address in ``Name <address>`` or a bare address; None when malformed."""
    _, addr = parseaddr(text.strip())
    return MailAddress.try_parse(addr) if addr else None


def message_ids(text: str | None) -> tuple[str, ...]:
    """Every ``<msg-id>`` in a header value (References, In-Reply-To), in order.

    Whitespace inside the brackets (seen in the wild: ``<199509192301.23456 >``) is removed.
    """
    if not text:
        return ()
    cleaned = re.sub(
        r"<\s*([^<>]*?)\s*>", lambda m: "<" + re.sub(r"\s+", "", m.group(1)) + ">", text
    )
    return tuple(_MSG_ID_RE.findall(cleaned))


def normalize_message_id(text: str) -> str:
    """One Message-ID in its ``<…>`` form (brackets added when missing, inner spaces removed).

    Raises:
        ValidationError: ``message_id.malformed``.
    """
    found = message_ids(text if "<" in text else f"<{text.strip()}>")
    if len(found) != 1 or len(found[0]) <= 2:
        raise ValidationError("message_id.malformed", value=text)
    return found[0]


# ---------------------------------------------------------------------------------------------
# Replies and ends of exchange


def reply_references(
    parent_message_id: str,
    parent_references: str | Sequence[str] | None = None,
    parent_in_reply_to: str | None = None,
) -> ReplyThreading:
    """``In-Reply-To`` and ``References`` of a reply (RFC 5322 §3.6.4, ECO.2.2.2).

    In-Reply-To is the parent's Message-ID. References is the parent's References followed by
    the parent's Message-ID; when the parent has no References but a single-identifier
    In-Reply-To, that identifier followed by the parent's Message-ID; otherwise the parent's
    Message-ID alone. Repeated identifiers are kept once (first place). The chain is not
    shortened: MSSanté threads are short and the header is folded by the serialiser.

    Raises:
        ValidationError: ``message_id.malformed`` when the parent's Message-ID is unusable.
    """
    parent = normalize_message_id(parent_message_id)
    if isinstance(parent_references, str) or parent_references is None:
        chain = list(message_ids(parent_references))
    else:
        chain = [m for item in parent_references for m in message_ids(item)]
    if not chain:
        parents = message_ids(parent_in_reply_to)
        if len(parents) == 1:
            chain = list(parents)
    chain.append(parent)
    unique: list[str] = []
    for mid in chain:
        if mid not in unique:
            unique.append(mid)
    return ReplyThreading(in_reply_to=parent, references=tuple(unique))


def reply_subject(subject: str) -> str:
    """``Re: <subject>`` with any reply prefixes already there folded into one (no "Re: Re:").

    Recognised prefixes: ``Re:``, ``RE :``, ``Re[2]:``, ``Réf. :``, ``AW:`` in any case.
    """
    base = _REPLY_PREFIX_RE.sub("", one_line(subject))
    return f"Re: {base}" if base else "Re:"


def end_of_exchange(
    *,
    sender: str,
    identity: Identity,
    box_type: BoxType,
    patient: str,
    x_mss_nil: str,
    text: str = END_OF_EXCHANGE_BODY,
    threading: ReplyThreading | None = None,
    reply_to: str | None = None,
    read_receipt: bool = False,
) -> Draft:
    """The draft that ends an exchange with a patient (spec §4, ECO.2.2.8).

    Both signals are set, as the spec asks: subject exactly ``[FIN]`` and header
    ``X-MSS-MES: FIN``. The patient then sees a banner and can no longer reply to the
    professional's earlier messages; any later message reopens the conversation.

    Args:
        sender: the sending box's address.
        identity: who writes (the From display name).
        box_type: the sending box's type.
        patient: the patient's address (in the patient domain).
        x_mss_nil: the product reference.
        text: the body the patient reads.
        threading: the last message of the conversation, to keep the thread.
        reply_to: return box, if any.
        read_receipt: ask for a read receipt.

    Raises:
        ValidationError: ``end_of_exchange.not_patient`` when `patient` is not an address of
            Mon espace santé (the convention exists only there).
    """
    address = parse_recipient(patient)
    if address is None or not address.is_patient_domain:
        raise ValidationError("end_of_exchange.not_patient", value=patient)
    return Draft(
        sender=sender,
        identity=identity,
        box_type=box_type,
        to=(patient,),
        subject=END_OF_EXCHANGE_SUBJECT,
        text=text,
        in_reply_to=threading.in_reply_to if threading else None,
        references=threading.references if threading else (),
        reply_to=reply_to,
        read_receipt=read_receipt,
        x_mss_nil=x_mss_nil,
        x_mss_mes=END_OF_EXCHANGE_MES,
    )


HeaderSource = Mapping[str, str] | Message


def header_value(headers: HeaderSource, name: str) -> str | None:
    """A header's value, looked up case-insensitively in a mapping or an `email` message."""
    if isinstance(headers, Message):
        value = headers.get(name)
        return None if value is None else str(value)
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def is_end_of_exchange(subject: str | None, headers: HeaderSource) -> bool:
    """Whether a message ends an exchange (spec §4).

    True when ``X-MSS-MES`` is ``FIN`` (spaces and case tolerated: it is a technical value)
    or when the subject is exactly ``[FIN]`` (case-sensitive, brackets included; only the
    whitespace around it is ignored).
    """
    mes = header_value(headers, "X-MSS-MES")
    if mes is not None and mes.strip().upper() == END_OF_EXCHANGE_MES:
        return True
    return (subject or "").strip() == END_OF_EXCHANGE_SUBJECT


# ---------------------------------------------------------------------------------------------
# Composition


def compose(
    draft: Draft, *, message_id: str | None = None, date: datetime | None = None
) -> ComposedMessage:
    """Turn a draft into the bytes to submit (see the module's docstring for the rules).

    Args:
        draft: the message.
        message_id: a fixed Message-ID (an outbox resending the same message); a new one at the
            sender's domain otherwise.
        date: the ``Date`` (timezone-aware); now, in the local timezone, otherwise.

    Raises:
        ValidationError: ``address.malformed`` (sender, a recipient or the return box),
            ``draft.no_recipient``, ``draft.x_mss_nil_missing``, ``draft.header_invalid``
            (an X-MSS-* value on several lines or too long), ``message_id.malformed``,
            ``draft.naive_date``.
    """
    sender = MailAddress.parse(draft.sender)
    to = _addresses(draft.to)
    cc = _addresses(draft.cc)
    bcc = _addresses(draft.bcc)
    if not (to or cc or bcc):
        raise ValidationError("draft.no_recipient")
    nil = one_line(draft.x_mss_nil)
    if not nil:
        raise ValidationError("draft.x_mss_nil_missing")
    mid = normalize_message_id(message_id) if message_id else new_message_id(sender.domain)
    when = date if date is not None else datetime.now().astimezone()
    if when.tzinfo is None:
        raise ValidationError("draft.naive_date")

    msg = EmailMessage(policy=MAIL_POLICY)
    display = from_display_name(draft.identity, draft.box_type)
    msg["From"] = Address(display_name=display, username=sender.local, domain=sender.domain)
    if to:
        msg["To"] = [a for a, _ in to]
    if cc:
        msg["Cc"] = [a for a, _ in cc]
    msg["Subject"] = one_line(draft.subject)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = mid
    if draft.in_reply_to:
        msg["In-Reply-To"] = normalize_message_id(draft.in_reply_to)
    refs = [r for item in draft.references for r in message_ids(item)]
    if refs:
        msg["References"] = " ".join(refs)
    if draft.reply_to:
        reply_to = MailAddress.parse(draft.reply_to)
        msg["Reply-To"] = Address(username=reply_to.local, domain=reply_to.domain)
    if draft.read_receipt:
        # RFC 8098 §2.1: the address the receipt goes to; our own box (spec §3).
        msg["Disposition-Notification-To"] = f"<{sender}>"
    msg["X-MSS-NIL"] = _technical("X-MSS-NIL", nil)
    for name, value in (
        ("X-MSS-MES", draft.x_mss_mes),
        ("X-MSS-CODECDA", draft.x_mss_codecda),
        ("X-MSS-INS", draft.x_mss_ins),
    ):
        if value is not None and value.strip():
            msg[name] = _technical(name, value)

    # ECO spec §3: UTF-8 for every text part; quoted-printable keeps the message 7-bit.
    msg.set_content(_lines(draft.text), subtype="plain", charset="utf-8", cte="quoted-printable")
    if draft.html is not None:
        msg.add_alternative(
            _lines(draft.html), subtype="html", charset="utf-8", cte="quoted-printable"
        )
    for attachment in draft.attachments:
        maintype, subtype = _content_type(attachment.content_type)
        name = sanitize_filename(attachment.filename)
        # The name twice: Content-Disposition filename (RFC 2183) and Content-Type name, which
        # some readers still look at first; both RFC 2231-encoded when not ASCII.
        msg.add_attachment(attachment.data, maintype, subtype, filename=name, params={"name": name})
    for part in msg.walk():
        # EmailMessage adds MIME-Version to every part it creates; only the top needs it.
        if part is not msg:
            del part["MIME-Version"]
    raw = msg.as_bytes(policy=MAIL_POLICY)
    envelope = _unique([str(a) for _, a in to + cc + bcc])
    return ComposedMessage(
        raw=raw,
        message_id=mid,
        envelope_from=str(sender),
        envelope_recipients=tuple(envelope),
        date=when,
    )


def _addresses(items: Iterable[str]) -> list[tuple[Address, MailAddress]]:
    out = []
    for text in items:
        name, addr = parseaddr(text.strip())
        address = MailAddress.parse(addr or text)
        out.append(
            (
                Address(display_name=one_line(name), username=address.local, domain=address.domain),
                address,
            )
        )
    return out


def _unique(addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for address in addresses:
        key = address.lower()
        if key not in seen:
            seen.add(key)
            out.append(address)
    return out


def _content_type(value: str) -> tuple[str, str]:
    base = value.split(";")[0].strip().lower()
    if not _CONTENT_TYPE_RE.match(base) or base.startswith(("multipart/", "message/")):
        return "application", "octet-stream"
    maintype, subtype = base.split("/", 1)
    return maintype, subtype


def _technical(name: str, value: str) -> str:
    """A technical header value: one line of printable ASCII, bounded."""
    clean = value.strip()
    if (
        not clean
        or len(clean) > _HEADER_VALUE_MAX
        or any(ch in clean for ch in "\r\n")
        or not clean.isascii()
        or not clean.isprintable()
    ):
        raise ValidationError("draft.header_invalid", header=name)
    return clean


def _lines(text: str) -> str:
    """Body text with LF line ends and a final newline (the serialiser writes CRLF)."""
    body = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"
