"""Reading read receipts (MDN, RFC 8098) and delivery reports (DSN, RFC 3464) as received.

`parse_mdn` and `parse_dsn` read reports, tolerating what real senders write (the CI-SIS
example itself has missing blank lines, a space inside a Message-ID, no space after
``Disposition:``); their status (`app.domain.delivery.MessageStatus`) updates the sent
message they are about.

Pure: parsing bytes, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from app.domain.delivery import MessageStatus, merge_status, status_from_dsn_action
from app.domain.headers import one_line
from app.domain.mdn import Disposition
from app.domain.mime_parts import (
    decoded,
    first_message_id,
    human_text,
    parse_date,
    part_text,
    raw_text,
    returned_headers,
)

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
        fields = _merge_fields(fields, _scan_fields(raw_text(raw), _MDN_FIELDS))
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
    original = returned_headers(msg)
    return MdnReport(
        message_id=first_message_id(decoded(msg.get("Message-ID"))),
        sender=decoded(msg.get("From")),
        date=parse_date(decoded(msg.get("Date"))),
        subject=decoded(msg.get("Subject")),
        reporting_ua=fields.get("reporting-ua", ""),
        original_recipient=_typed_address(fields.get("original-recipient")),
        final_recipient=_typed_address(fields.get("final-recipient")),
        original_message_id=first_message_id(fields.get("original-message-id", ""))
        or (
            first_message_id(decoded(original.get("Message-ID"))) if original is not None else None
        ),
        disposition=disposition,
        error=error_text,
        human_text=human_text(msg),
        original_subject=decoded(original.get("Subject")) if original is not None else "",
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
        blocks = _blocks_from_text(raw_text(raw))
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
    original = returned_headers(msg)
    original_id = first_message_id(
        fields_of_message.get("original-message-id")
        or fields_of_message.get("x-original-message-id")
        or ""
    )
    if original_id is None and original is not None:
        original_id = first_message_id(decoded(original.get("Message-ID")))
    envid = fields_of_message.get("original-envelope-id")
    return DsnReport(
        message_id=first_message_id(decoded(msg.get("Message-ID"))),
        sender=decoded(msg.get("From")),
        subject=decoded(msg.get("Subject")),
        reporting_mta=_typed_value(fields_of_message.get("reporting-mta", "")),
        original_envelope_id=_xtext_decode(envid.strip()) if envid else None,
        original_message_id=original_id,
        original_subject=decoded(original.get("Subject")) if original is not None else "",
        recipients=recipients,
        human_text=human_text(msg),
    )


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _blocks_from_pairs(_field_lines(part_text(part)))
    # A block with no blank line before it ends up in the part's own headers.
    pairs: list[tuple[str | None, str]] = [
        (k.lower(), decoded(v)) for k, v in part.items() if not k.lower().startswith("content-")
    ]
    for block in payload:
        if isinstance(block, Message):
            pairs.append((None, ""))
            pairs.extend((k.lower(), decoded(v)) for k, v in block.items())
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
# Report fields


def _part_fields(part: Message, names: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in part.items():
        if key.lower() in names:
            fields.setdefault(key.lower(), decoded(value))
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                for key, value in sub.items():
                    if key.lower() in names:
                        fields.setdefault(key.lower(), decoded(value))
    elif isinstance(payload, str):
        fields = _merge_fields(fields, _scan_fields(part_text(part), names))
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
        return one_line(rest)
    return one_line(value)


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
