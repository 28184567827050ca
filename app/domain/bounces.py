"""Bounces from Mon espace santé: why a message to a patient was not delivered (spec §5).

`classify_patient_bounce` turns a non-delivery report ("Message non distribué", a failure
DSN…) about a patient into one of the spec's reasons, with the plain French explanation
shown on the patient's conversation.

Pure: parsing bytes, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from enum import StrEnum

from app.domain.addresses import PATIENT_DOMAIN, Ins, MailAddress
from app.domain.headers import one_line
from app.domain.mime_parts import all_text, decoded, first_message_id, human_text, returned_headers
from app.domain.reports import parse_dsn
from app.domain.text import fold


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
    subject = decoded(msg.get("Subject"))
    sender = decoded(msg.get("From"))
    dsn = parse_dsn(raw)
    human = _strip_quoted_original(human_text(msg) if dsn is not None else all_text(msg))
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
        folded_subject = fold(subject)
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
    original = returned_headers(msg)
    if patient is None and original is not None:
        for _, addr in getaddresses([decoded(original.get("To"))]):
            address = MailAddress.try_parse(addr)
            if address is not None and address.is_patient_domain:
                patient = address
                break
    if patient is None and not sender_is_patient_domain:
        return None
    reason = _reason(fold(" ".join([subject, human, *diagnostics])), statuses)
    original_id = dsn.original_message_id if dsn is not None else None
    if original_id is None and original is not None:
        original_id = first_message_id(decoded(original.get("Message-ID")))
    return PatientBounce(
        reason=reason,
        patient=patient,
        original_message_id=original_id,
        status=statuses[0] if statuses else "",
        diagnostic="; ".join(diagnostics) if diagnostics else one_line(human)[:500],
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
        if _QUOTED_ORIGINAL_RE.match(fold(line)):
            return "\n".join(lines[:index])
    return text
