"""User settings: a frozen dataclass, stored as versioned JSON in the profile.

Settings hold no secret and no health data. Each value the specification leaves uncertain (?)
is a setting, with the uncertainty said beside it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Self

SETTINGS_VERSION = 1

#: The four TLS 1.2 suites MSSanté allows (spec §2, ECO.1.1.3), in OpenSSL names.
MSSANTE_TLS12_CIPHERS: tuple[str, ...] = (
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256",
)

#: Placeholder for the product reference the agency gives when the software is declared
#: (spec §3, ECO.2.4.3). Clearly not a real reference: replace it in settings once declared.
DEFAULT_X_MSS_NIL = "PLI-REFERENCE-NON-DECLAREE"


@dataclass(frozen=True)
class TlsSettings:
    """TLS policy (spec §2)."""

    #: TLS 1.3 is not mentioned by the référentiel (?): allowed by default, can be turned off.
    allow_tls13: bool = True
    tls12_ciphers: tuple[str, ...] = MSSANTE_TLS12_CIPHERS
    #: "require": refuse a server whose revocation status cannot be checked;
    #: "prefer": check when a CRL can be had (fresh or the last valid one kept), else warn;
    #: "off": no revocation check (tests, diagnostics).
    revocation: str = "prefer"
    #: Seconds for connect and for each read.
    connect_timeout: float = 15.0
    read_timeout: float = 60.0


@dataclass(frozen=True)
class SendingSettings:
    """Rules applied before sending (spec §3)."""

    x_mss_nil: str = DEFAULT_X_MSS_NIL
    operator_limit_bytes: int = 10 * 1024 * 1024
    patient_limit_bytes: int = 25 * 1024 * 1024
    read_receipt_to_patients: bool = True
    #: After a submission whose outcome is unknown (crash, connection lost after the data),
    #: how long to keep looking for the message on the server before sending it again: the
    #: server's copy to our own mailbox may take a moment to arrive.
    uncertain_grace_seconds: float = 120.0


@dataclass(frozen=True)
class DirectorySettings:
    """The Annuaire Santé (spec §7)."""

    fhir_base_url: str = "https://gateway.api.esante.gouv.fr/fhir/v2"
    extraction_url: str = (
        "https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/"
        "Extraction_Correspondance_MSSante"
    )
    #: When the offline directory is older than this, online answers are preferred.
    max_age_days: int = 14
    requests_per_second: float = 17.0
    timeout: float = 15.0
    #: Online answers are kept (in the directory's own clear file: public data) this long.
    online_cache_hours: float = 24.0


@dataclass(frozen=True)
class Settings:
    """Everything the user may change, with the product's defaults."""

    tls: TlsSettings = field(default_factory=TlsSettings)
    sending: SendingSettings = field(default_factory=SendingSettings)
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    #: Lock the application after this many minutes without use (spec §6: at most 2 h).
    lock_after_minutes: int = 15

    def evolve(self, **changes: Any) -> Self:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> str:
        """Serialise, with the format version."""
        data = asdict(self)
        data["version"] = SETTINGS_VERSION
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Parse; unknown keys are ignored, missing ones take their default."""
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise TypeError("settings must be a JSON object")
        settings: Settings = _build(cls, raw)
        return settings

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read the settings file, or the defaults when there is none."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        return cls.from_json(text)

    def save(self, path: Path) -> None:
        """Write atomically (temp file, fsync, replace)."""
        atomic_write_text(path, self.to_json())


def _build(cls: Any, raw: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        value = raw[f.name]
        default = cls.__dataclass_fields__[f.name]
        factory = default.default_factory
        if isinstance(value, dict) and callable(factory):
            value = _build(type(factory()), value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a small file atomically and privately (Electrum: temp → chmod → fsync → replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            Path(tmp).chmod(0o600)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
