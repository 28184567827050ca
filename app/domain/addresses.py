"""MSSanté addresses: professionals, patients (INS), Apicrypt correspondents.

Rules from spec §1: a patient's address is ``<INS>@patient.mssante.fr`` where the INS matricule
is the 15-character NIR (13 characters + a 2-digit key, key = 97 - (number mod 97), with the
Corsican departments 2A/2B counted as 19/18). Only a valid INS makes a patient address
(ECO.2.2.6); the patient domain's automatic-reply test mailbox is the one exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from app.domain.errors import ValidationError

PATIENT_DOMAIN = "patient.mssante.fr"
#: The patient domain's published automatic-reply test mailbox (spec §2).
PATIENT_TEST_MAILBOX = f"reponse.automatique-test@{PATIENT_DOMAIN}"
APICRYPT_SUFFIX = ".apicrypt.org"
APICRYPT_INTEROP_DOMAIN = "interop-mssante.apicrypt.org"

# sex/kind (1) year (2) month (2) department (2, or 2A/2B) commune (3) order (3) key (2).
# First digit: 1/2 (NIR), 3/4 (special cases), 7/8 (NIA, temporary numbers).
_INS_RE = re.compile(r"^([1-478]\d{4})(\d{2}|2[AB])(\d{6})(\d{2})$")
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def ins_key(first13: str) -> int:
    """The NIR control key of the 13 first characters (2A/2B counted as 19/18)."""
    digits = first13.upper().replace("2A", "19").replace("2B", "18")
    if len(digits) != 13 or not digits.isdigit():
        raise ValidationError("ins.malformed")
    return 97 - (int(digits) % 97)


@dataclass(frozen=True, order=True)
class Ins:
    """A patient's INS matricule (NIR/NIA, 15 characters, key checked)."""

    value: str

    @classmethod
    def parse(cls, text: str) -> Ins:
        """Validate an INS: 15 characters, known shape, correct key.

        Raises:
            ValidationError: ``ins.malformed`` (shape) or ``ins.bad_key`` (control key).
        """
        candidate = text.strip().upper().replace(" ", "")
        match = _INS_RE.match(candidate)
        if match is None:
            raise ValidationError("ins.malformed", value=text)
        if ins_key(candidate[:13]) != int(match.group(4)):
            raise ValidationError("ins.bad_key", value=text)
        return cls(candidate)

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """True when `text` is a valid INS."""
        try:
            cls.parse(text)
        except ValidationError:
            return False
        return True

    @property
    def address(self) -> MailAddress:
        """The patient's Mon espace santé mailbox."""
        return MailAddress(self.value, PATIENT_DOMAIN)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class MailAddress:
    """An e-mail address; the domain is compared case-insensitively."""

    local: str
    domain: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "domain", self.domain.lower())

    @classmethod
    def parse(cls, text: str) -> MailAddress:
        """Parse a bare address or ``Name <address>``.

        Raises:
            ValidationError: ``address.malformed``.
        """
        _, addr = parseaddr(text.strip())
        if addr.count("@") != 1:
            raise ValidationError("address.malformed", value=text)
        local, domain = addr.rsplit("@", 1)
        if not local or not _LOCAL_RE.match(local) or not _DOMAIN_RE.match(domain):
            raise ValidationError("address.malformed", value=text)
        return cls(local, domain)

    @classmethod
    def try_parse(cls, text: str) -> MailAddress | None:
        """Parse, or None when malformed."""
        try:
            return cls.parse(text)
        except ValidationError:
            return None

    def __str__(self) -> str:
        return f"{self.local}@{self.domain}"

    @property
    def key(self) -> str:
        """Normalised form for comparisons and indexes (lower case)."""
        return f"{self.local.lower()}@{self.domain}"

    @property
    def is_patient_domain(self) -> bool:
        """In Mon espace santé's domain (a patient, or its test mailbox)."""
        return self.domain == PATIENT_DOMAIN

    @property
    def is_patient_test_mailbox(self) -> bool:
        """The patient domain's automatic-reply test mailbox."""
        return self.key == PATIENT_TEST_MAILBOX

    @property
    def patient_ins(self) -> Ins | None:
        """The patient's INS when this is a valid patient address, else None."""
        if not self.is_patient_domain:
            return None
        try:
            return Ins.parse(self.local)
        except ValidationError:
            return None

    @property
    def is_apicrypt(self) -> bool:
        """An Apicrypt (v1) address, unreachable as such from MSSanté."""
        return self.domain.endswith(APICRYPT_SUFFIX) and self.domain != APICRYPT_INTEROP_DOMAIN

    def apicrypt_interop(self) -> MailAddress:
        """The MSSanté gateway form of an Apicrypt address (seed 001).

        ``prenom.nom@xxx.apicrypt.org`` is reached as ``prenom.nom@interop-mssante.apicrypt.org``.
        """
        return MailAddress(self.local.lower(), APICRYPT_INTEROP_DOMAIN)

    def formatted(self, display_name: str | None = None) -> str:
        """RFC 5322 form with an optional display name (encoded when not ASCII)."""
        return formataddr((display_name or "", str(self)), charset="utf-8")
