"""Checks before sending (spec §1, §3): issues with a code, a severity and parameters.

A check never raises and never changes the draft: it returns `Issue` values. A `CheckReport`
gathers them and answers the only question the sending side has:

- `CheckVerdict.REFUSED`: at least one error; nothing may be queued (`CheckReport.refusal` gives a
  `ValidationError` carrying every issue, for "refused, nothing queued, here is why");
- `CheckVerdict.CONFIRM`: only warnings, some not yet accepted by the user;
- `CheckVerdict.OK`: nothing to say, or every warning accepted (by `Issue.key`).

Checks here: the recipients' addresses; patients' INS (ECO.2.2.6); Apicrypt addresses (with the
MSSanté form to offer, seed 001); the trust space's white list (spec §1); the total size
(25 MB towards a patient, the operator's limit otherwise, spec §3); the XDM headers
(ECO.2.4.1/2.4.2); the product reference (ECO.2.4.3). Attachment formats are judged by
`app.documents`; `issues_from_verdicts` and `issues_from_problems` bring its answers here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.addresses import (
    PATIENT_DOMAIN,
    Ins,
    MailAddress,
)
from app.domain.compose import Draft, parse_recipient
from app.domain.documents import Problem, Verdict
from app.domain.errors import ValidationError

#: Default limits in bytes (spec §3); the real values are settings (`SendingSettings`).
PATIENT_LIMIT_BYTES = 25 * 1024 * 1024
OPERATOR_LIMIT_BYTES = 10 * 1024 * 1024

#: Name of the XDM package attachment (ECO.2.4.1 headers are required with it).
XDM_ATTACHMENT_NAME = "IHE_XDM.zip"


class Severity(StrEnum):
    """How bad an issue is."""

    ERROR = "error"  # sending is refused
    WARNING = "warning"  # the user may accept and send anyway


class CheckVerdict(StrEnum):
    """What the sending side does with a report."""

    OK = "ok"
    CONFIRM = "confirm"
    REFUSED = "refused"


@dataclass(frozen=True)
class Issue:
    """One finding of a check.

    Attributes:
        code: stable identifier (front ends translate it), e.g. ``recipient.untrusted_domain``.
        severity: error (refused) or warning (may be accepted).
        params: what the text needs; may hold addresses or file names (health data): never log.
    """

    code: str
    severity: Severity
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """True for issues that refuse the sending."""
        return self.severity is Severity.ERROR

    @property
    def key(self) -> str:
        """Stable identity of this very issue (code and parameters).

        Used to remember what the user accepted: accepting "outside the trust space" for one
        domain does not accept it for another.
        """
        return self.code + "".join(f"|{k}={v}" for k, v in sorted(self.params.items()))

    def to_json_dict(self) -> dict[str, object]:
        """Plain form for ``--json`` output and the outbox's record."""
        return {"code": self.code, "severity": self.severity.value, "params": dict(self.params)}


def error(code: str, **params: str) -> Issue:
    """An error issue."""
    return Issue(code, Severity.ERROR, dict(params))


def warning(code: str, **params: str) -> Issue:
    """A warning issue."""
    return Issue(code, Severity.WARNING, dict(params))


@dataclass(frozen=True)
class CheckReport:
    """Every issue found before sending, and what to do about them."""

    issues: tuple[Issue, ...] = ()

    @classmethod
    def of(cls, *groups: Iterable[Issue]) -> CheckReport:
        """A report from several lists of issues (duplicates kept once, first order)."""
        seen: set[tuple[str, str]] = set()
        kept: list[Issue] = []
        for group in groups:
            for issue in group:
                ident = (issue.severity.value, issue.key)
                if ident not in seen:
                    seen.add(ident)
                    kept.append(issue)
        return cls(tuple(kept))

    def __add__(self, other: CheckReport) -> CheckReport:
        return CheckReport.of(self.issues, other.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues that refuse the sending."""
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The issues the user may accept."""
        return tuple(i for i in self.issues if not i.is_error)

    def unaccepted_warnings(self, accepted: Iterable[str] = ()) -> tuple[Issue, ...]:
        """Warnings whose `Issue.key` is not in `accepted`."""
        keys = set(accepted)
        return tuple(i for i in self.warnings if i.key not in keys)

    def verdict(self, accepted: Iterable[str] = ()) -> CheckVerdict:
        """REFUSED with any error; CONFIRM while a warning is not accepted; OK otherwise."""
        if self.errors:
            return CheckVerdict.REFUSED
        if self.unaccepted_warnings(accepted):
            return CheckVerdict.CONFIRM
        return CheckVerdict.OK

    def refusal(self, accepted: Iterable[str] = ()) -> ValidationError | None:
        """The error to raise when the message may not be queued, else None.

        ``send.refused`` when there are errors, ``send.needs_confirmation`` when warnings are
        left unaccepted. Its params: ``issues`` (every blocking issue, as `Issue` values) and
        ``codes`` (their codes, comma-separated, for a one-line message).
        """
        verdict = self.verdict(accepted)
        if verdict is CheckVerdict.OK:
            return None
        blocking = (
            self.errors if verdict is CheckVerdict.REFUSED else self.unaccepted_warnings(accepted)
        )
        code = "send.refused" if verdict is CheckVerdict.REFUSED else "send.needs_confirmation"
        return ValidationError(
            code, issues=blocking, codes=", ".join(dict.fromkeys(i.code for i in blocking))
        )

    def to_json_dict(self) -> dict[str, object]:
        """Plain form for ``--json`` output."""
        return {
            "verdict": self.verdict().value,
            "issues": [i.to_json_dict() for i in self.issues],
        }


# ---------------------------------------------------------------------------------------------
# Individual checks

#: ``domain -> True (in the white list) | False (outside) | None (no list imported)``.
TrustLookup = Callable[[str], bool | None]


def check_recipients(draft: Draft) -> list[Issue]:
    """Addresses must parse; there must be at least one recipient; the sender must parse.

    Codes: ``draft.no_recipient``, ``address.malformed`` (params ``value``; ``field`` is
    ``sender``, ``to``, ``cc``, ``bcc`` or ``reply_to``).
    """
    issues: list[Issue] = []
    if MailAddress.try_parse(draft.sender) is None:
        issues.append(error("address.malformed", value=draft.sender, field="sender"))
    if not draft.all_recipients:
        issues.append(error("draft.no_recipient"))
    for field_name, items in (("to", draft.to), ("cc", draft.cc), ("bcc", draft.bcc)):
        for text in items:
            if parse_recipient(text) is None:
                issues.append(error("address.malformed", value=text, field=field_name))
    if draft.reply_to and MailAddress.try_parse(draft.reply_to) is None:
        issues.append(error("address.malformed", value=draft.reply_to, field="reply_to"))
    return issues


def check_patients(addresses: Iterable[MailAddress]) -> list[Issue]:
    """A patient address must carry a valid INS (spec §1, ECO.2.2.6).

    The patient domain's automatic-reply test mailbox is the one exception. Code
    ``recipient.patient_ins_invalid`` (params ``address`` and ``reason``: ``ins.malformed`` or
    ``ins.bad_key``). Whether the INS is *qualified* cannot be seen in an address: the patient
    record that built it must say so.
    """
    issues: list[Issue] = []
    for address in addresses:
        if not address.is_patient_domain or address.is_patient_test_mailbox:
            continue
        try:
            Ins.parse(address.local)
        except ValidationError as exc:
            issues.append(
                error("recipient.patient_ins_invalid", address=str(address), reason=exc.code)
            )
    return issues


def check_apicrypt(addresses: Iterable[MailAddress]) -> list[Issue]:
    """An Apicrypt (v1) address is not reachable as such from MSSanté (seed 001).

    Code ``recipient.apicrypt`` (error), params ``address`` and ``suggestion``: the MSSanté
    gateway form ``prenom.nom@interop-mssante.apicrypt.org``, which the front end offers to
    put in its place (`Draft.with_recipient_replaced`).
    """
    return [
        error("recipient.apicrypt", address=str(a), suggestion=str(a.apicrypt_interop()))
        for a in addresses
        if a.is_apicrypt
    ]


def check_trust_space(
    addresses: Iterable[MailAddress], is_trusted_domain: TrustLookup
) -> list[Issue]:
    """Warn before sending outside the trust space's white list (spec §1).

    The patient domain is in the trust space by definition and is not looked up. Codes:
    ``recipient.untrusted_domain`` (warning, params ``domain`` and ``addresses``) for each
    domain outside the list; ``trust_list.missing`` (warning, params ``domains``) once when no
    list is imported, so nothing could be checked.
    """
    by_domain: dict[str, list[str]] = {}
    for address in addresses:
        if address.domain != PATIENT_DOMAIN:
            by_domain.setdefault(address.domain, []).append(str(address))
    issues: list[Issue] = []
    unknown: list[str] = []
    for domain, members in by_domain.items():
        trusted = is_trusted_domain(domain)
        if trusted is None:
            unknown.append(domain)
        elif not trusted:
            issues.append(
                warning("recipient.untrusted_domain", domain=domain, addresses=", ".join(members))
            )
    if unknown:
        issues.append(warning("trust_list.missing", domains=", ".join(unknown)))
    return issues


def check_size(
    size: int,
    addresses: Sequence[MailAddress],
    *,
    operator_limit: int = OPERATOR_LIMIT_BYTES,
    patient_limit: int = PATIENT_LIMIT_BYTES,
) -> list[Issue]:
    """The message's total size against its limit (spec §3).

    Args:
        size: the composed message's size in bytes (`ComposedMessage.size`: attachments are
            counted base64-encoded, as the servers count them).
        addresses: the recipients.
        operator_limit: the sending operator's limit (default 10 MB, a setting).
        patient_limit: Mon espace santé's limit (25 MB in total).

    Towards patients only, the patient limit applies; towards professionals only, the
    operator's; a message to both must fit both, so the smaller applies. Code
    ``size.too_large`` (error), params ``size``, ``limit`` and ``scope`` (``patient``,
    ``operator`` or ``both``).
    """
    patients = any(a.is_patient_domain for a in addresses)
    others = any(not a.is_patient_domain for a in addresses)
    if patients and others:
        limit, scope = min(patient_limit, operator_limit), "both"
    elif patients:
        limit, scope = patient_limit, "patient"
    else:
        limit, scope = operator_limit, "operator"
    if size > limit:
        return [error("size.too_large", size=str(size), limit=str(limit), scope=scope)]
    return []


def check_headers(draft: Draft) -> list[Issue]:
    """Technical headers and subject.

    Codes: ``draft.x_mss_nil_missing`` (error, ECO.2.4.3); ``draft.xdm_headers_missing``
    (warning: an ``IHE_XDM.zip`` is attached without ``X-MSS-CODECDA``/``X-MSS-INS``,
    ECO.2.4.1/2.4.2, param ``missing``); ``draft.no_subject`` (warning).
    """
    issues: list[Issue] = []
    if not draft.x_mss_nil.strip():
        issues.append(error("draft.x_mss_nil_missing"))
    if any(a.filename.lower() == XDM_ATTACHMENT_NAME.lower() for a in draft.attachments):
        missing = [
            name
            for name, value in (
                ("X-MSS-CODECDA", draft.x_mss_codecda),
                ("X-MSS-INS", draft.x_mss_ins),
            )
            if not (value or "").strip()
        ]
        if missing:
            issues.append(warning("draft.xdm_headers_missing", missing=", ".join(missing)))
    if not draft.subject.strip():
        issues.append(warning("draft.no_subject"))
    return issues


def issues_from_verdicts(verdicts: Iterable[tuple[str, Verdict]]) -> list[Issue]:
    """Attachment policy answers (`app.documents.sniffing.check_attachment`) as issues.

    A refused file is an error with the verdict's code (``attachment.*``) and params (``name``
    always set); a TIFF or RTF towards a patient is the warning ``attachment.pdf_suggested``
    (spec §5: the patient cannot view it in place; the front end offers a PDF conversion).
    """
    issues: list[Issue] = []
    for name, verdict in verdicts:
        if not verdict.accepted:
            params = {"name": name, **dict(verdict.params)}
            issues.append(error(verdict.code or "attachment.refused", **params))
        elif verdict.suggest_pdf:
            issues.append(warning("attachment.pdf_suggested", name=name))
    return issues


def issues_from_problems(problems: Iterable[Problem], **context: str) -> list[Issue]:
    """Document problems (`app.documents`: PDF, XDM…) as issues, with extra params (a name)."""
    return [
        Issue(
            p.code,
            Severity.ERROR if p.is_error else Severity.WARNING,
            {**dict(p.params), **context},
        )
        for p in problems
    ]


def check_draft(
    draft: Draft,
    *,
    size: int | None,
    is_trusted_domain: TrustLookup,
    operator_limit: int = OPERATOR_LIMIT_BYTES,
    patient_limit: int = PATIENT_LIMIT_BYTES,
    extra: Iterable[Issue] = (),
) -> CheckReport:
    """Every check on a draft, in one report.

    Args:
        draft: the message as typed.
        size: the composed size (`compose(draft).size`); None when it could not be composed
            (then an address error is in the report anyway).
        is_trusted_domain: white-list lookup (see `TrustLookup`).
        operator_limit: the operator's size limit.
        patient_limit: Mon espace santé's size limit.
        extra: issues found elsewhere (attachment formats from `app.documents`).
    """
    addresses = draft.recipient_addresses()
    groups: list[Iterable[Issue]] = [
        check_recipients(draft),
        check_patients(addresses),
        check_apicrypt(addresses),
        check_trust_space([a for a in addresses if not a.is_apicrypt], is_trusted_domain),
        check_headers(draft),
    ]
    if size is not None:
        groups.append(
            check_size(size, addresses, operator_limit=operator_limit, patient_limit=patient_limit)
        )
    groups.append(extra)
    return CheckReport.of(*groups)
