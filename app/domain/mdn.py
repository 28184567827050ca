"""Read receipts asked of the user, and writing them (MDN, RFC 8098; spec §5, ECO.3.1.6).

- `mdn_request` tells whether a received message asks for a read receipt, and to whom;
  `needs_confirmation` says when the user must be asked first (RFC 8098 §2.1: the address
  differs from ``Return-Path``);
- `build_mdn` writes the receipt: ``multipart/report; report-type=disposition-notification``
  with a French human part, the ``message/disposition-notification`` fields and the original's
  headers (``text/rfc822-headers``: RFC 8098 §3 allows headers only, and they are enough to
  match the receipt, without sending the content and its attachments back).

`Disposition` is the ``Disposition`` field, written here and read by `app.domain.reports`.

Pure: building bytes, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import format_datetime, getaddresses, parseaddr, parsedate_to_datetime

from app.domain.addresses import MailAddress
from app.domain.compose import (
    MAIL_POLICY,
    ComposedMessage,
    message_ids,
    new_message_id,
    normalize_message_id,
)
from app.domain.delivery import MessageStatus
from app.domain.errors import ValidationError
from app.domain.headers import one_line
from app.domain.mime_parts import (
    ascii_text,
    decoded,
    first_message_id,
    header_block,
    header_text,
    lf_text,
)

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
        value = one_line(text)
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
                text += ": " + one_line(self.detail)
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
    content_type = header_text(headers, "Content-Type").lower()
    if content_type.startswith("multipart/report"):
        return None
    value = header_text(headers, "Disposition-Notification-To")
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
    head = header_block(original)
    headers = HeaderParser(policy=compat32).parsestr(head.decode("ascii", "surrogateescape"))
    recipient = mdn_request(headers)
    if recipient is None:
        raise ValidationError("mdn.not_requested")
    nil = one_line(x_mss_nil)
    if not nil:
        raise ValidationError("draft.x_mss_nil_missing")
    disposition = disposition or Disposition.displayed()
    original_id = first_message_id(decoded(headers.get("Message-ID")))
    subject = decoded(headers.get("Subject"))
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
        refs = list(message_ids(decoded(headers.get("References"))))
        root["References"] = " ".join(dict.fromkeys([*refs, original_id]))
    if disposition.sending_mode == SENT_AUTOMATICALLY:
        root["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
    root["X-MSS-NIL"] = nil
    root["MIME-Version"] = "1.0"
    root["Content-Type"] = "multipart/report; report-type=disposition-notification"

    human = EmailMessage(policy=MAIL_POLICY)
    text = human_text if human_text is not None else _mdn_human_text(disposition, headers, me)
    human.set_content(lf_text(text), charset="utf-8", cte="quoted-printable")

    fields = [f"Reporting-UA: {me.domain}; {one_line(user_agent)}"]
    original_recipient = decoded(headers.get("Original-Recipient"))
    if original_recipient:
        # Only from the MTA's header, never made up (RFC 8098 §3.2.3).
        fields.append(f"Original-Recipient: {one_line(original_recipient)}")
    fields.append(f"Final-Recipient: rfc822;{me}")
    if original_id:
        fields.append(f"Original-Message-ID: {original_id}")
    fields.append(f"Disposition: {disposition}")
    if disposition.is_error and disposition.detail:
        fields.append(f"Error: {one_line(disposition.detail)}")
    notification = EmailMessage(policy=MAIL_POLICY)
    notification["Content-Type"] = "message/disposition-notification"
    # The generator writes a string payload of a message/* part as it is: CRLF already.
    notification.set_payload("\r\n".join(ascii_text(f) for f in fields) + "\r\n")

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
    return f"{label} : {one_line(subject)}" if subject else label


def _mdn_human_text(disposition: Disposition, headers: Message, me: MailAddress) -> str:
    subject = one_line(decoded(headers.get("Subject")))
    sent = _french_date(decoded(headers.get("Date")))
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
