"""Receipts: read receipts (MDN, RFC 8098), delivery reports (DSN, RFC 3464), patient bounces.

Sending side (spec §3, §5, ECO.3.1.6):

- `mdn_request` tells whether a received message asks for a read receipt, and to whom;
  `needs_confirmation` says when the user must be asked first (RFC 8098 §2.1: the address
  differs from ``Return-Path``);
- `build_mdn` writes the receipt: ``multipart/report; report-type=disposition-notification``
  with a French human part, the ``message/disposition-notification`` fields and the original's
  headers (``text/rfc822-headers``: RFC 8098 §3 allows headers only, and they are enough to
  match the receipt, without sending the content and its attachments back).

Receiving side: `parse_mdn` and `parse_dsn` read reports, tolerating what real senders write
(the CI-SIS example itself has missing blank lines, a space inside a Message-ID, no space
after ``Disposition:``); `classify_patient_bounce` turns a non-delivery report from Mon espace
santé ("Message non distribué") into one of the spec's reasons with a plain French explanation
for the conversation (spec §5).

`MessageStatus` is the vocabulary of a sent message's progress (submitted → delivered → read,
or failed) and `merge_status` the rule that a new report never takes it backwards.

Pure: parsing and building bytes, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.header import Header, decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.policy import compat32
from email.utils import format_datetime, getaddresses, parseaddr, parsedate_to_datetime
from enum import StrEnum

from app.domain.addresses import PATIENT_DOMAIN, Ins, MailAddress
from app.domain.compose import (
    MAIL_POLICY,
    ComposedMessage,
    header_value,
    message_ids,
    new_message_id,
    normalize_message_id,
)
from app.domain.errors import ValidationError
from app.domain.headers import one_line as _one_line
from app.domain.text import fold as _fold

# ---------------------------------------------------------------------------------------------
# Status of a sent message


class MessageStatus(StrEnum):
    """Where a sent message (or one of its recipients) stands.

    ``submitted`` (the submission server accepted it) → ``delivered`` (a DSN or an MDN says it
    arrived) → ``read`` (a read receipt says it was displayed); or ``failed`` (a bounce, a failure
    DSN, or an MDN reporting an error, such as a failed automatic integration).
    """

    SUBMITTED = "submitted"
    DELIVERED = "delivered"
    FAILED = "failed"
    READ = "read"


_STATUS_RANK = {
    MessageStatus.SUBMITTED: 0,
    MessageStatus.DELIVERED: 1,
    MessageStatus.FAILED: 2,
    MessageStatus.READ: 3,
}


def merge_status(current: MessageStatus | None, reported: MessageStatus | None) -> MessageStatus:
    """The status after a new report: never backwards.

    The order is submitted < delivered < failed < read: a failure may follow a delivery report
    (a relay accepted the message, then the final system bounced it, or an automatic
    integration failed); a read receipt proves the message arrived, so it wins over everything
    and nothing replaces it. Reports arriving out of order therefore give the same result.
    A report that says nothing (None, e.g. a "delayed" DSN) keeps the current status.
    """
    if current is None:
        return reported or MessageStatus.SUBMITTED
    if reported is None:
        return current
    return reported if _STATUS_RANK[reported] > _STATUS_RANK[current] else current


def status_from_dsn_action(action: str) -> MessageStatus | None:
    """A DSN ``Action`` (RFC 3464 §2.3.3) as a status.

    ``delivered``, ``relayed`` (handed to a system that sends no DSN) and ``expanded`` (to a
    list) count as delivered; ``failed`` as failed; ``delayed`` (and anything unknown) says
    nothing new.
    """
    action = action.strip().lower()
    if action in ("delivered", "relayed", "expanded"):
        return MessageStatus.DELIVERED
    if action == "failed":
        return MessageStatus.FAILED
    return None


# ---------------------------------------------------------------------------------------------
# Dispositions (RFC 8098 §3.2.6)

MANUAL_ACTION = "manual-action"
AUTOMATIC_ACTION = "automatic-action"
SENT_MANUALLY = "MDN-sent-manually"
SENT_AUTOMATICALLY = "MDN-sent-automatically"


@dataclass(frozen=True)
class Disposition:
    """The ``Disposition`` field of an MDN.

    Attributes:
        action_mode: ``manual-action`` or ``automatic-action``.
        sending_mode: ``MDN-sent-manually`` or ``MDN-sent-automatically``.
        type: ``displayed``, ``deleted``, ``dispatched`` or ``processed`` (lower case).
        modifiers: lower-case modifiers, e.g. ``("error",)``.
        detail: text after a modifier (``processed/Error: 902^…`` gives ``902^…``).
    """

    action_mode: str
    sending_mode: str
    type: str
    modifiers: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def displayed(cls, *, automatic: bool = False) -> Disposition:
        """The user displayed the message (the usual read receipt)."""
        if automatic:
            return cls(AUTOMATIC_ACTION, SENT_AUTOMATICALLY, "displayed")
        return cls(MANUAL_ACTION, SENT_MANUALLY, "displayed")

    @classmethod
    def processed(cls, *, error: str | None = None) -> Disposition:
        """Processed by software without being displayed (an automatic integration)."""
        if error:
            return cls(AUTOMATIC_ACTION, SENT_AUTOMATICALLY, "processed", ("error",), error)
        return cls(AUTOMATIC_ACTION, SENT_AUTOMATICALLY, "processed")

    @classmethod
    def deleted(cls) -> Disposition:
        """Deleted without being displayed (the user chose to say so)."""
        return cls(MANUAL_ACTION, SENT_MANUALLY, "deleted")

    @classmethod
    def parse(cls, text: str) -> Disposition:
        """Read a ``Disposition`` value, tolerantly (missing spaces, odd case, no modes).

        ``automatic-action/MDN-sent-automatically; processed/Error: 902^…`` gives action
        ``automatic-action``, sending ``MDN-sent-automatically``, type ``processed``,
        modifiers ``("error",)``, detail ``902^…``.
        """
        value = _one_line(text)
        modes, sep, rest = value.partition(";")
        if not sep:  # no modes at all: only the type
            modes, rest = "", value
        action, _, sending = modes.partition("/")
        kind, _, modifier_text = rest.strip().partition("/")
        modifiers: list[str] = []
        detail = ""
        if modifier_text:
            names, colon, after = modifier_text.partition(":")
            modifiers = [m.strip().lower() for m in names.split(",") if m.strip()]
            detail = after.strip() if colon else ""
        return cls(
            action_mode=action.strip().lower(),
            sending_mode=_canonical_sending_mode(sending.strip()),
            type=kind.strip().lower(),
            modifiers=tuple(modifiers),
            detail=detail,
        )

    def __str__(self) -> str:
        text = f"{self.action_mode}/{self.sending_mode}; {self.type}"
        if self.modifiers:
            text += "/" + ",".join(self.modifiers)
            if self.detail:
                text += ": " + _one_line(self.detail)
        return text

    @property
    def is_error(self) -> bool:
        """The report says something went wrong (an ``error`` or ``failed`` modifier)."""
        return any(m in ("error", "failed", "failure") for m in self.modifiers)

    @property
    def status(self) -> MessageStatus:
        """What this disposition says about the message."""
        if self.is_error:
            return MessageStatus.FAILED
        if self.type == "displayed":
            return MessageStatus.READ
        return MessageStatus.DELIVERED


def _canonical_sending_mode(text: str) -> str:
    lowered = text.lower()
    if lowered == SENT_MANUALLY.lower():
        return SENT_MANUALLY
    if lowered == SENT_AUTOMATICALLY.lower():
        return SENT_AUTOMATICALLY
    return text


# ---------------------------------------------------------------------------------------------
# Asking for and answering read receipts


def mdn_request(headers: Message | Mapping[str, str]) -> MailAddress | None:
    """To whom a read receipt is asked (``Disposition-Notification-To``), or None.

    None when the header is absent or holds no valid address, and when the message is itself a
    report (an MDN or a DSN is never answered with an MDN, RFC 8098 §3). With several addresses
    the first valid one is returned (`needs_confirmation` then says to ask the user).
    """
    content_type = _get(headers, "Content-Type").lower()
    if content_type.startswith("multipart/report"):
        return None
    value = _get(headers, "Disposition-Notification-To")
    for _, addr in getaddresses([value]) if value else []:
        address = MailAddress.try_parse(addr)
        if address is not None:
            return address
    return None


def needs_confirmation(dnt: str | MailAddress | None, return_path: str | None) -> bool:
    """Whether the user must be asked before a receipt is sent (RFC 8098 §2.1, spec §5).

    True when ``Disposition-Notification-To`` names another address than ``Return-Path``
    (compared on the addr-spec: the local part as written, the domain case-insensitively, as
    RFC 8098 §2.1 says), when the Return-Path is missing, and when several receipt addresses
    are given.
    """
    if dnt is None:
        return True
    if isinstance(dnt, MailAddress):
        wanted: MailAddress | None = dnt
    else:
        found = [MailAddress.try_parse(a) for _, a in getaddresses([dnt])]
        valid = [a for a in found if a is not None]
        if len(valid) != 1:
            return True
        wanted = valid[0]
    if not return_path:
        return True
    _, rp = parseaddr(return_path)
    path = MailAddress.try_parse(rp)
    if path is None or wanted is None:
        return True
    return (wanted.local, wanted.domain) != (path.local, path.domain)


def build_mdn(
    original: bytes,
    *,
    sender: str,
    user_agent: str,
    x_mss_nil: str,
    display_name: str = "",
    disposition: Disposition | None = None,
    human_text: str | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
) -> ComposedMessage:
    """A read receipt for `original` (RFC 8098, spec §5).

    Args:
        original: the original message (whole, or its header block).
        sender: our box's address: the receipt's ``From`` and ``Final-Recipient``.
        user_agent: product and version, for ``Reporting-UA: <our domain>; <user_agent>``
            (the machine's name is not disclosed).
        x_mss_nil: the product reference (``X-MSS-NIL`` on every message, ECO.2.4.3).
        display_name: the ``From`` display name (`compose.from_display_name`).
        disposition: what happened; the manual "displayed" receipt by default.
        human_text: the human-readable part; a French text built from the original otherwise.
        message_id: a fixed Message-ID; a new one at our domain otherwise.
        date: the receipt's date (timezone-aware); now otherwise.

    Returns:
        The receipt, addressed (header and envelope) to the ``Disposition-Notification-To``
        address (RFC 8098 §2.1). Its envelope sender is our own address: RFC 8098 §3 prefers
        a null return path, but submission servers refuse ``MAIL FROM:<>`` from an
        authenticated user who must send as himself.

    Raises:
        ValidationError: ``mdn.not_requested`` (no valid Disposition-Notification-To, or the
            original is itself a report), ``address.malformed``, ``draft.x_mss_nil_missing``.
    """
    me = MailAddress.parse(sender)
    head = _header_block(original)
    headers = HeaderParser(policy=compat32).parsestr(head.decode("ascii", "surrogateescape"))
    recipient = mdn_request(headers)
    if recipient is None:
        raise ValidationError("mdn.not_requested")
    nil = _one_line(x_mss_nil)
    if not nil:
        raise ValidationError("draft.x_mss_nil_missing")
    disposition = disposition or Disposition.displayed()
    original_id = _first_id(_decoded(headers.get("Message-ID")))
    subject = _decoded(headers.get("Subject"))
    when = date if date is not None else datetime.now().astimezone()
    mid = normalize_message_id(message_id) if message_id else new_message_id(me.domain)

    root = EmailMessage(policy=MAIL_POLICY)
    root["From"] = me.formatted(display_name or None)
    root["To"] = str(recipient)
    root["Subject"] = _mdn_subject(disposition, subject)
    root["Date"] = format_datetime(when)
    root["Message-ID"] = mid
    if original_id:
        # Threads the receipt with the message it is about (RFC 5322 §3.6.4).
        root["In-Reply-To"] = original_id
        refs = list(message_ids(_decoded(headers.get("References"))))
        root["References"] = " ".join(dict.fromkeys([*refs, original_id]))
    if disposition.sending_mode == SENT_AUTOMATICALLY:
        root["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
    root["X-MSS-NIL"] = nil
    root["MIME-Version"] = "1.0"
    root["Content-Type"] = "multipart/report; report-type=disposition-notification"

    human = EmailMessage(policy=MAIL_POLICY)
    text = human_text if human_text is not None else _mdn_human_text(disposition, headers, me)
    human.set_content(_lf(text), charset="utf-8", cte="quoted-printable")

    fields = [f"Reporting-UA: {me.domain}; {_one_line(user_agent)}"]
    original_recipient = _decoded(headers.get("Original-Recipient"))
    if original_recipient:
        # Only from the MTA's header, never made up (RFC 8098 §3.2.3).
        fields.append(f"Original-Recipient: {_one_line(original_recipient)}")
    fields.append(f"Final-Recipient: rfc822;{me}")
    if original_id:
        fields.append(f"Original-Message-ID: {original_id}")
    fields.append(f"Disposition: {disposition}")
    if disposition.is_error and disposition.detail:
        fields.append(f"Error: {_one_line(disposition.detail)}")
    notification = EmailMessage(policy=MAIL_POLICY)
    notification["Content-Type"] = "message/disposition-notification"
    # The generator writes a string payload of a message/* part as it is: CRLF already.
    notification.set_payload("\r\n".join(_ascii(f) for f in fields) + "\r\n")

    returned = EmailMessage(policy=MAIL_POLICY)
    head_text = head.decode("utf-8", "replace").replace("\r\n", "\n").rstrip("\n") + "\n"
    returned.set_content(
        head_text,
        subtype="rfc822-headers",
        charset="utf-8",
        cte="7bit" if head_text.isascii() else "quoted-printable",
    )
    for part in (human, notification, returned):
        del part["MIME-Version"]
        root.attach(part)
    return ComposedMessage(
        raw=root.as_bytes(policy=MAIL_POLICY),
        message_id=mid,
        envelope_from=str(me),
        envelope_recipients=(str(recipient),),
        date=when,
    )


def _mdn_subject(disposition: Disposition, subject: str) -> str:
    label = "Accusé de lecture" if disposition.type == "displayed" else "Accusé de réception"
    return f"{label} : {_one_line(subject)}" if subject else label


def _mdn_human_text(disposition: Disposition, headers: Message, me: MailAddress) -> str:
    subject = _one_line(_decoded(headers.get("Subject")))
    sent = _french_date(_decoded(headers.get("Date")))
    label = "accusé de lecture" if disposition.type == "displayed" else "accusé de réception"
    about = f"Ce message est un {label} pour le message envoyé à {me}"
    if sent:
        about += f" le {sent}"
    if subject:
        about += f", objet « {subject} »"
    about += "."
    if disposition.is_error:
        outcome = "Le message a été reçu mais n'a pas pu être traité"
        outcome += f" : {disposition.detail}." if disposition.detail else "."
    elif disposition.type == "displayed":
        outcome = (
            "Le message a été affiché par son destinataire. Cela ne garantit pas qu'il a été lu "
            "ou compris."
        )
    elif disposition.type == "deleted":
        outcome = "Le message a été supprimé par son destinataire sans avoir été affiché."
    else:
        outcome = "Le message a été reçu et traité par le système de son destinataire."
    return f"{about}\n\n{outcome}\n"


def _french_date(value: str) -> str:
    try:
        when = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return ""
    if when is None:
        return ""
    return when.strftime("%d/%m/%Y à %H:%M")


# ---------------------------------------------------------------------------------------------
# Reading MDNs

_MDN_FIELDS = (
    "reporting-ua",
    "mdn-gateway",
    "original-recipient",
    "final-recipient",
    "original-message-id",
    "disposition",
    "error",
    "failure",
    "warning",
)


@dataclass(frozen=True)
class MdnReport:
    """A read receipt as received.

    Attributes:
        message_id: the report's own Message-ID.
        sender: who sent the report (``From``), as written.
        date: its ``Date``, when readable.
        subject: its subject.
        reporting_ua: ``Reporting-UA``.
        original_recipient: ``Original-Recipient`` (address only), if any.
        final_recipient: ``Final-Recipient`` (address only): whose receipt it is.
        original_message_id: ``Original-Message-ID``: the message it is about.
        disposition: the parsed ``Disposition``, None when missing.
        error: an ``Error`` field or the disposition's error detail.
        human_text: the human-readable part.
        original_subject: the returned original's subject, when included.
    """

    message_id: str | None
    sender: str
    date: datetime | None
    subject: str
    reporting_ua: str
    original_recipient: str | None
    final_recipient: str | None
    original_message_id: str | None
    disposition: Disposition | None
    error: str
    human_text: str
    original_subject: str

    @property
    def status(self) -> MessageStatus | None:
        """What the receipt says about the message (None without a disposition)."""
        if self.disposition is None:
            return MessageStatus.FAILED if self.error else None
        return self.disposition.status


def parse_mdn(raw: bytes) -> MdnReport | None:
    """Read a message disposition notification (RFC 8098), or None when it is not one.

    Tolerant: the fields are looked for in the ``message/disposition-notification`` part's
    body *and* headers (a missing blank line turns them into headers), then anywhere in the
    message when the MIME structure is broken; Message-IDs are cleaned of inner spaces; field
    names are matched case-insensitively with or without a space after the colon.
    """
    msg = BytesParser(policy=compat32).parsebytes(raw)
    fields: dict[str, str] = {}
    for part in msg.walk():
        if part.get_content_type() == "message/disposition-notification":
            fields = _merge_fields(fields, _part_fields(part, _MDN_FIELDS))
    if "disposition" not in fields:
        fields = _merge_fields(fields, _scan_fields(_raw_text(raw), _MDN_FIELDS))
    is_report = (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type") or "").lower() == "disposition-notification"
    )
    if "disposition" not in fields and not is_report:
        return None
    disposition = Disposition.parse(fields["disposition"]) if "disposition" in fields else None
    error_text = fields.get("error", "") or (
        disposition.detail if disposition is not None and disposition.is_error else ""
    )
    original = _returned_headers(msg)
    return MdnReport(
        message_id=_first_id(_decoded(msg.get("Message-ID"))),
        sender=_decoded(msg.get("From")),
        date=_date(_decoded(msg.get("Date"))),
        subject=_decoded(msg.get("Subject")),
        reporting_ua=fields.get("reporting-ua", ""),
        original_recipient=_typed_address(fields.get("original-recipient")),
        final_recipient=_typed_address(fields.get("final-recipient")),
        original_message_id=_first_id(fields.get("original-message-id", ""))
        or (_first_id(_decoded(original.get("Message-ID"))) if original is not None else None),
        disposition=disposition,
        error=error_text,
        human_text=_human_text(msg),
        original_subject=_decoded(original.get("Subject")) if original is not None else "",
    )


# ---------------------------------------------------------------------------------------------
# Reading DSNs

_DSN_MESSAGE_FIELDS = (
    "reporting-mta",
    "dsn-gateway",
    "received-from-mta",
    "original-envelope-id",
    "arrival-date",
    "original-message-id",
    "x-original-message-id",
)
_DSN_RECIPIENT_FIELDS = (
    "original-recipient",
    "final-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "last-attempt-date",
    "will-retry-until",
    "final-log-id",
)


@dataclass(frozen=True)
class DsnRecipient:
    """The report about one recipient (RFC 3464 §2.3).

    Attributes:
        final_recipient: the address as the reporting MTA knew it (address only).
        original_recipient: as the sender gave it (``ORCPT``), if reported.
        action: ``delivered``, ``failed``, ``delayed``, ``relayed`` or ``expanded``.
        status: the enhanced status code (``5.1.1``).
        diagnostic: ``Diagnostic-Code`` without its type (``550 5.1.1 User unknown``).
        remote_mta: ``Remote-MTA`` without its type.
    """

    final_recipient: str
    original_recipient: str | None
    action: str
    status: str
    diagnostic: str
    remote_mta: str

    @property
    def message_status(self) -> MessageStatus | None:
        """What this recipient's report says (see `status_from_dsn_action`)."""
        return status_from_dsn_action(self.action)


@dataclass(frozen=True)
class DsnReport:
    """A delivery status notification as received (RFC 3464).

    Attributes:
        message_id: the report's own Message-ID.
        sender: who sent it (``From``), as written.
        subject: its subject.
        reporting_mta: ``Reporting-MTA`` without its type.
        original_envelope_id: ``Original-Envelope-Id`` (our ENVID, RFC 3461 §4.4).
        original_message_id: the bounced message's Message-ID: an ``Original-Message-ID``
            field if the MTA wrote one, else the returned headers' ``Message-ID``.
        original_subject: the returned headers' subject.
        recipients: one entry per recipient block.
        human_text: the human-readable part.
    """

    message_id: str | None
    sender: str
    subject: str
    reporting_mta: str
    original_envelope_id: str | None
    original_message_id: str | None
    original_subject: str
    recipients: tuple[DsnRecipient, ...]
    human_text: str

    @property
    def failed(self) -> tuple[DsnRecipient, ...]:
        """Recipients reported as failed."""
        return tuple(r for r in self.recipients if r.action == "failed")

    def statuses(self) -> dict[str, MessageStatus]:
        """Recipient address (lower case) → status, for recipients with a definite outcome."""
        out: dict[str, MessageStatus] = {}
        for recipient in self.recipients:
            status = recipient.message_status
            if status is not None:
                key = (recipient.original_recipient or recipient.final_recipient).lower()
                out[key] = merge_status(out.get(key), status)
        return out


def parse_dsn(raw: bytes) -> DsnReport | None:
    """Read a delivery status notification (RFC 3464), or None when there is no status part.

    Tolerant: blocks not separated by blank lines are split at each ``Final-Recipient``;
    per-message fields mixed into the first recipient block are still found; when the
    ``message/delivery-status`` part cannot be found by its MIME structure, the fields are
    looked for anywhere in a ``multipart/report`` message.
    """
    msg = BytesParser(policy=compat32).parsebytes(raw)
    blocks: list[dict[str, str]] | None = None
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            blocks = _status_blocks(part)
            break
    if blocks is None:
        report_type = str(msg.get_param("report-type") or "").lower()
        if msg.get_content_type() != "multipart/report" or report_type != "delivery-status":
            return None
        blocks = _blocks_from_text(_raw_text(raw))
    if not blocks:
        return None
    fields_of_message = {k: v for k, v in blocks[0].items() if k in _DSN_MESSAGE_FIELDS}
    recipient_blocks = [b for b in blocks if "final-recipient" in b or "action" in b]
    recipients = tuple(
        DsnRecipient(
            final_recipient=_typed_address(b.get("final-recipient")) or "",
            original_recipient=_typed_address(b.get("original-recipient")),
            action=b.get("action", "").strip().lower(),
            status=_status_code(b.get("status", "")),
            diagnostic=_typed_value(b.get("diagnostic-code", "")),
            remote_mta=_typed_value(b.get("remote-mta", "")),
        )
        for b in recipient_blocks
    )
    original = _returned_headers(msg)
    original_id = _first_id(
        fields_of_message.get("original-message-id")
        or fields_of_message.get("x-original-message-id")
        or ""
    )
    if original_id is None and original is not None:
        original_id = _first_id(_decoded(original.get("Message-ID")))
    envid = fields_of_message.get("original-envelope-id")
    return DsnReport(
        message_id=_first_id(_decoded(msg.get("Message-ID"))),
        sender=_decoded(msg.get("From")),
        subject=_decoded(msg.get("Subject")),
        reporting_mta=_typed_value(fields_of_message.get("reporting-mta", "")),
        original_envelope_id=_xtext_decode(envid.strip()) if envid else None,
        original_message_id=original_id,
        original_subject=_decoded(original.get("Subject")) if original is not None else "",
        recipients=recipients,
        human_text=_human_text(msg),
    )


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _blocks_from_pairs(_field_lines(_part_text(part)))
    # A block with no blank line before it ends up in the part's own headers.
    pairs: list[tuple[str | None, str]] = [
        (k.lower(), _decoded(v)) for k, v in part.items() if not k.lower().startswith("content-")
    ]
    for block in payload:
        if isinstance(block, Message):
            pairs.append((None, ""))
            pairs.extend((k.lower(), _decoded(v)) for k, v in block.items())
    return _blocks_from_pairs(pairs)


def _blocks_from_text(text: str) -> list[dict[str, str]]:
    return _blocks_from_pairs(_field_lines(text))


def _blocks_from_pairs(pairs: Iterable[tuple[str | None, str]]) -> list[dict[str, str]]:
    """Group fields into blocks, as RFC 3464 §2.1 lays them out.

    A blank line (None) starts a new block, and so does a second recipient (a
    ``Final-Recipient`` or ``Original-Recipient`` when the current block already has one, or
    already has an ``Action``) in reports that forgot the blank lines.
    """
    names = _DSN_MESSAGE_FIELDS + _DSN_RECIPIENT_FIELDS
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for name, value in pairs:
        if name is None:
            if current:
                blocks.append(current)
                current = {}
            continue
        if name not in names:
            continue
        if name in ("final-recipient", "original-recipient") and (
            name in current or "action" in current
        ):
            blocks.append(current)
            current = {}
        current.setdefault(name, value.strip())
    if current:
        blocks.append(current)
    return _split_merged_blocks(blocks)


def _split_merged_blocks(blocks: list[dict[str, str]]) -> list[dict[str, str]]:
    """Make sure the first block is the per-message one (RFC 3464 §2.2).

    A sloppy report may start with a block holding both per-message and per-recipient
    fields: split it.
    """
    if not blocks:
        return blocks
    first = blocks[0]
    if "final-recipient" in first or "action" in first:
        message = {k: v for k, v in first.items() if k in _DSN_MESSAGE_FIELDS}
        recipient = {k: v for k, v in first.items() if k not in _DSN_MESSAGE_FIELDS}
        return [message, recipient, *blocks[1:]]
    return blocks


# ---------------------------------------------------------------------------------------------
# Bounces from Mon espace santé (spec §5)


class BounceReason(StrEnum):
    """Why Mon espace santé did not deliver a message (spec §5)."""

    MESSAGING_CLOSED = "messaging_closed"
    PATIENT_UNKNOWN = "patient_unknown"
    INVALID_ADDRESS = "invalid_address"
    TOO_LARGE = "too_large"
    OTHER = "other"


#: The plain French explanation shown on the conversation for each reason.
BOUNCE_EXPLANATIONS: Mapping[BounceReason, str] = {
    BounceReason.MESSAGING_CLOSED: (
        "Le message n'a pas été distribué : la messagerie Mon espace santé de ce patient est "
        "fermée (il l'a désactivée, s'est opposé à son utilisation, ou ne l'a pas encore "
        "activée). Contactez-le par un autre moyen."
    ),
    BounceReason.PATIENT_UNKNOWN: (
        "Le message n'a pas été distribué : aucun patient ne correspond à cette adresse dans "
        "Mon espace santé. Vérifiez l'INS du patient (identité qualifiée) avant de lui écrire "
        "à nouveau."
    ),
    BounceReason.INVALID_ADDRESS: (
        "Le message n'a pas été distribué : l'adresse du patient n'est pas valide. Une adresse "
        "de patient s'écrit <INS>@patient.mssante.fr, à partir de son INS qualifié."
    ),
    BounceReason.TOO_LARGE: (
        "Le message n'a pas été distribué : il est trop volumineux pour Mon espace santé "
        "(25 Mo au total, pièces jointes comprises). Envoyez les documents en plusieurs "
        "messages ou réduisez leur taille."
    ),
    BounceReason.OTHER: (
        "Le message n'a pas été distribué au patient par Mon espace santé. La raison donnée "
        "par le serveur figure dans le détail ci-dessous."
    ),
}


@dataclass(frozen=True)
class PatientBounce:
    """A non-delivery report about a message to a patient.

    Attributes:
        reason: why it was not delivered.
        patient: the patient's address, when the report names it.
        original_message_id: the message that bounced, when the report says.
        status: the enhanced status code, if any (``5.1.1``).
        diagnostic: the server's own words (may hold the address: health data, never log).
    """

    reason: BounceReason
    patient: MailAddress | None
    original_message_id: str | None
    status: str
    diagnostic: str

    @property
    def code(self) -> str:
        """Stable code, e.g. ``bounce.patient.messaging_closed``."""
        return f"bounce.patient.{self.reason.value}"

    @property
    def explanation(self) -> str:
        """The plain French text shown on the conversation (spec §5)."""
        return BOUNCE_EXPLANATIONS[self.reason]

    @property
    def ins(self) -> Ins | None:
        """The patient's INS, when the address carries a valid one."""
        return self.patient.patient_ins if self.patient is not None else None


_BOUNCE_SUBJECT_RE = re.compile(
    r"non[ -]?distribu|non[ -]?remis|undeliver|returned mail|returned to sender|"
    r"delivery status notification \((failure|echec)\)|delivery (has )?fail|mail delivery failed|"
    r"failure notice|non[ -]?delivery|echec (de (la )?)?(remise|distribution|livraison)|"
    r"impossible de (remettre|distribuer)",
)
_DAEMON_RE = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailer)\b", re.IGNORECASE)
_PATIENT_ADDRESS_RE = re.compile(
    r"[A-Za-z0-9._%+-]+@" + re.escape(PATIENT_DOMAIN) + r"\b", re.IGNORECASE
)
#: Where the quoted original starts in a plain-text bounce: its words must not be classified.
_QUOTED_ORIGINAL_RE = re.compile(
    r"^\s*(-{2,}.*(original|origine|copy of the message|message follows|returned message|"
    r"en-tetes|headers follow).*|(original message|message d'origine)\s*:?\s*)$"
)

# Accent-free, lower-case wording (French variants first), by reason, most specific first. A
# gap of a few words is allowed inside a phrase ("l'adresse du destinataire est incorrecte",
# "l'adresse 2790…@patient.mssante.fr n'est pas valide"), never across a sentence.
_GAP = r"(?:[^.;:\n]|[.:](?=\S)){0,60}?"
_REASON_PATTERNS: tuple[tuple[BounceReason, re.Pattern[str]], ...] = (
    (
        BounceReason.TOO_LARGE,
        re.compile(
            r"trop (volumineux|lourd|grand)|taille (maximale|maximum|autorisee|limite|du message)"
            rf"|depasse{_GAP}(taille|limite|25 ?mo)|too (large|big)|size (limit|exceeds)"
            r"|exceed(s|ed)? the maximum|message size"
        ),
    ),
    (
        BounceReason.MESSAGING_CLOSED,
        re.compile(
            rf"messagerie{_GAP}(fermee|desactivee|cloturee|inactive|suspendue|pas activee"
            rf"|non activee)|(ferme|desactive|cloture|suspendu){_GAP}messagerie"
            rf"|(pas|non) active|(compte|espace sante|profil){_GAP}(ferme|cloture|desactive)"
            r"|s'est oppose|opposition|mailbox (is )?(disabled|closed|inactive)"
            r"|account (is )?(disabled|closed)"
        ),
    ),
    (
        BounceReason.INVALID_ADDRESS,
        re.compile(
            rf"adresse{_GAP}(invalide|non valide|pas valide|incorrecte|erronee|mal formee)"
            r"|format (de l'|d')adresse|syntaxe"
            rf"|(ins|matricule){_GAP}(invalide|incorrect|errone)|cle de controle"
            r"|invalid (recipient )?address|address syntax|bad destination mailbox address"
            r"|malformed address"
        ),
    ),
    (
        BounceReason.PATIENT_UNKNOWN,
        re.compile(
            rf"(patient|usager|destinataire|utilisateur|adresse){_GAP}(inconnu|introuvable"
            r"|inexistant|n'existe pas)|aucun (patient|usager)|pas de patient"
            r"|(user|recipient) (unknown|not found)|unknown (user|recipient)|no such user"
            r"|does not exist"
        ),
    ),
)
_REASON_STATUS: Mapping[str, BounceReason] = {
    "5.3.4": BounceReason.TOO_LARGE,
    "5.2.3": BounceReason.TOO_LARGE,
    "5.2.1": BounceReason.MESSAGING_CLOSED,
    "5.1.3": BounceReason.INVALID_ADDRESS,
    "5.1.1": BounceReason.PATIENT_UNKNOWN,
    "5.1.6": BounceReason.MESSAGING_CLOSED,  # destination mailbox has moved / no longer there
}


def classify_patient_bounce(raw: bytes) -> PatientBounce | None:
    """A non-delivery report about a patient, classified (spec §5); None otherwise.

    It is a bounce when a DSN reports a failed recipient, or, for plain-text reports, when
    the subject says so (``Message non distribué``, ``Undelivered Mail Returned to Sender``,
    ``Non remis``…) or a mailer daemon sent it. It is about a patient when a failed
    recipient, an address in the text, or the sender is in the patient domain. A DSN that
    reports no failure (delivered, relayed, delayed) is not a bounce.

    The reason comes from the words of the report (French and English variants, the quoted
    original left out), then from the enhanced status code, else ``other``.
    """
    msg = BytesParser(policy=compat32).parsebytes(raw)
    subject = _decoded(msg.get("Subject"))
    sender = _decoded(msg.get("From"))
    dsn = parse_dsn(raw)
    human = _strip_quoted_original(_human_text(msg) if dsn is not None else _all_text(msg))
    patient: MailAddress | None = None
    statuses: list[str] = []
    diagnostics: list[str] = []
    if dsn is not None and dsn.recipients:
        if not dsn.failed:
            return None
        for recipient in dsn.failed:
            address = MailAddress.try_parse(recipient.original_recipient or "") or (
                MailAddress.try_parse(recipient.final_recipient)
            )
            if address is not None and address.is_patient_domain and patient is None:
                patient = address
            if recipient.status:
                statuses.append(recipient.status)
            if recipient.diagnostic:
                diagnostics.append(recipient.diagnostic)
    else:
        folded_subject = _fold(subject)
        _, sender_addr = parseaddr(sender)
        if not (_BOUNCE_SUBJECT_RE.search(folded_subject) or _DAEMON_RE.match(sender_addr)):
            return None
        statuses.extend(re.findall(r"\b([45]\.\d{1,3}\.\d{1,3})\b", human))
    if patient is None:
        for found in _PATIENT_ADDRESS_RE.findall(human + "\n" + "\n".join(diagnostics)):
            address = MailAddress.try_parse(found)
            if address is not None and not address.is_patient_test_mailbox:
                patient = address
                break
    _, sender_addr = parseaddr(sender)
    sender_is_patient_domain = sender_addr.lower().endswith("@" + PATIENT_DOMAIN)
    original = _returned_headers(msg)
    if patient is None and original is not None:
        for _, addr in getaddresses([_decoded(original.get("To"))]):
            address = MailAddress.try_parse(addr)
            if address is not None and address.is_patient_domain:
                patient = address
                break
    if patient is None and not sender_is_patient_domain:
        return None
    reason = _reason(_fold(" ".join([subject, human, *diagnostics])), statuses)
    original_id = dsn.original_message_id if dsn is not None else None
    if original_id is None and original is not None:
        original_id = _first_id(_decoded(original.get("Message-ID")))
    return PatientBounce(
        reason=reason,
        patient=patient,
        original_message_id=original_id,
        status=statuses[0] if statuses else "",
        diagnostic="; ".join(diagnostics) if diagnostics else _one_line(human)[:500],
    )


def _reason(text: str, statuses: Iterable[str]) -> BounceReason:
    for reason, pattern in _REASON_PATTERNS:
        if pattern.search(text):
            return reason
    for status in statuses:
        if status in _REASON_STATUS:
            return _REASON_STATUS[status]
    return BounceReason.OTHER


def _strip_quoted_original(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if _QUOTED_ORIGINAL_RE.match(_fold(line)):
            return "\n".join(lines[:index])
    return text


# ---------------------------------------------------------------------------------------------
# Parsing helpers


def _decoded(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit read as UTF-8 (or Latin-1)."""
    if value is None:
        return ""
    try:
        chunks = decode_header(value if isinstance(value, Header) else str(value))
    except (ValueError, LookupError):
        return _one_line(str(value))
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(_bytes_text(chunk, charset))
    return _one_line("".join(out))


def _bytes_text(data: bytes, charset: str | None) -> str:
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            return data.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return _bytes_text(payload, part.get_content_charset())
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _raw_text(raw: bytes) -> str:
    return _bytes_text(raw, None).replace("\r\n", "\n")


def _human_text(msg: Message) -> str:
    """The first text part outside any returned message (the report's readable part)."""
    for part in _top_leaves(msg):
        if part.get_content_maintype() == "text" and part.get_content_subtype() in (
            "plain",
            "html",
        ):
            text = _part_text(part)
            if part.get_content_subtype() == "html":
                text = re.sub(r"<[^>]+>", " ", text)
            return text.replace("\r\n", "\n").strip()
    return ""


def _all_text(msg: Message) -> str:
    return "\n".join(
        _part_text(p)
        for p in _top_leaves(msg)
        if p.get_content_maintype() == "text" and p.get_content_subtype() != "rfc822-headers"
    )


def _top_leaves(msg: Message) -> Iterable[Message]:
    """Leaf parts, not descending into ``message/*`` parts (the returned original)."""
    if msg.get_content_maintype() == "message":
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _top_leaves(sub)
        return
    yield msg


def _returned_headers(msg: Message) -> Message | None:
    """The original's headers returned in a report (``text/rfc822-headers``, ``message/rfc822``)."""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("text/rfc822-headers", "message/rfc822-headers", "text/rfc822"):
            return HeaderParser(policy=compat32).parsestr(_part_text(part))
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                inner = payload[0]
                if inner.keys():
                    return inner
    return None


def _part_fields(part: Message, names: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in part.items():
        if key.lower() in names:
            fields.setdefault(key.lower(), _decoded(value))
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                for key, value in sub.items():
                    if key.lower() in names:
                        fields.setdefault(key.lower(), _decoded(value))
    elif isinstance(payload, str):
        fields = _merge_fields(fields, _scan_fields(_part_text(part), names))
    return fields


def _scan_fields(text: str, names: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in _field_lines(text):
        if name is not None and name in names:
            fields.setdefault(name, value)
    return fields


def _field_lines(text: str) -> Iterable[tuple[str | None, str]]:
    """``(lower-case name, value)`` for each field line, continuations joined.

    A blank line gives ``(None, "")``; lines that are not fields are skipped.
    """
    pending: tuple[str, str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and pending is not None and line.strip():
            pending = (pending[0], pending[1] + " " + line.strip())
            continue
        if pending is not None:
            yield pending
            pending = None
        if not line.strip():
            yield None, ""
            continue
        match = re.match(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$", line)
        if match:
            pending = (match.group(1).lower(), match.group(2).strip())
    if pending is not None:
        yield pending


def _merge_fields(first: dict[str, str], second: Mapping[str, str]) -> dict[str, str]:
    merged = dict(first)
    for key, value in second.items():
        merged.setdefault(key, value)
    return merged


def _typed_value(value: str) -> str:
    """``rfc822; a@b`` → ``a@b``; ``smtp; 550 …`` → ``550 …`` (RFC 3464 typed fields)."""
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"\s*[A-Za-z0-9-]+\s*", kind):
        return _one_line(rest)
    return _one_line(value)


def _typed_address(value: str | None) -> str | None:
    if not value:
        return None
    text = _typed_value(value).strip("<> ")
    return _xtext_decode(text) or None


def _status_code(value: str) -> str:
    match = re.search(r"\b([245]\.\d{1,3}\.\d{1,3})\b", value)
    return match.group(1) if match else value.strip()


def _xtext_decode(value: str) -> str:
    """RFC 3461 §4 xtext (``+2B`` is ``+``)."""
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _first_id(text: str) -> str | None:
    found = message_ids(text)
    return found[0] if found else None


def _date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None


def _get(headers: Message | Mapping[str, str], name: str) -> str:
    if isinstance(headers, Message):
        return _decoded(headers.get(name))
    return header_value(headers, name) or ""


def _header_block(raw: bytes) -> bytes:
    """The header block of a message (everything before the first empty line)."""
    normalised = raw.replace(b"\r\n", b"\n")
    head, _, _ = normalised.partition(b"\n\n")
    return head.replace(b"\n", b"\r\n")


def _lf(text: str) -> str:
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"


def _ascii(text: str) -> str:
    """Report fields are ASCII (RFC 8098 §3.1.1; addresses are ASCII in MSSanté)."""
    return text.encode("ascii", "replace").decode("ascii")
