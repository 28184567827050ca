"""The trust space's list of domains, ``listeblanchemssante.xml`` (spec §1).

Root ``ListeBlancheMSSante`` (namespace ``https://listeblanche.mssante.fr/schema``), then
``DateDeGeneration`` and ``ListeDomaines``, each ``Domaine`` with ``Nom``, ``Description``,
``DNCertificatOperateur``, ``ResponsableContact``, ``SupportContact``, ``DateMAJ``. One entry
per domain and operator server, so domains repeat. Copies seen in the wild lack the closing
root tag: a document that is complete but for its closing tags is accepted. Parsed with
defusedxml (no DTD, no entities, no external references). Blocking.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from app.domain.errors import DirectoryError, NotFoundError

#: The list is a few megabytes; anything far larger is not it.
MAX_BYTES = 64 * 1024 * 1024
_FIELDS = {
    "Nom": "domain",
    "Description": "description",
    "DNCertificatOperateur": "operator_dn",
    "ResponsableContact": "responsible",
    "SupportContact": "support",
    "DateMAJ": "updated",
}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SHA256 = re.compile(r"\b[0-9a-fA-F]{64}\b")


@dataclass(frozen=True)
class WhitelistEntry:
    """One ``Domaine`` of the list."""

    domain: str
    description: str = ""
    operator_dn: str = ""
    responsible: str = ""
    support: str = ""
    updated: str = ""


@dataclass(frozen=True)
class Whitelist:
    """A parsed list: its generation date as written, and its entries."""

    generated_at: str
    entries: tuple[WhitelistEntry, ...]
    #: The document ended before its closing tags (accepted, see the module's note).
    truncated: bool

    @property
    def domains(self) -> frozenset[str]:
        """The distinct domains."""
        return frozenset(e.domain for e in self.entries)


class _Collector:
    """ElementTree parser target gathering ``Domaine`` records as they close."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.text: list[str] = []
        self.current: dict[str, str] | None = None
        self.field_text: list[str] | None = None
        self.entries: list[WhitelistEntry] = []
        self.generated_at = ""
        self.root = ""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = _local(tag)
        if not self.stack:
            self.root = name
        self.stack.append(name)
        if name == "Domaine":
            self.current = {}
        elif self.current is not None and len(self.stack) >= 2 and self.stack[-2] == "Domaine":
            self.field_text = []
        elif self.field_text is not None:
            self.field_text.append(" ")  # an element nested in a field: keep words apart
        self.text = []

    def data(self, text: str) -> None:
        self.text.append(text)
        if self.field_text is not None:
            self.field_text.append(text)

    def end(self, tag: str) -> None:
        name = self.stack.pop() if self.stack else _local(tag)
        if name == "DateDeGeneration":
            self.generated_at = "".join(self.text).strip()
        elif name == "Domaine" and self.current is not None:
            domain = self.current.get("domain", "").strip().lower().rstrip(".")
            if domain:
                self.entries.append(
                    WhitelistEntry(
                        domain=domain,
                        description=self.current.get("description", ""),
                        operator_dn=self.current.get("operator_dn", ""),
                        responsible=self.current.get("responsible", ""),
                        support=self.current.get("support", ""),
                        updated=self.current.get("updated", ""),
                    )
                )
            self.current = None
        elif self.current is not None and self.stack and self.stack[-1] == "Domaine":
            key = _FIELDS.get(name)
            if key is not None and self.field_text is not None:
                self.current[key] = " ".join("".join(self.field_text).split())
            self.field_text = None

    def close(self) -> None:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_whitelist(data: bytes) -> Whitelist:
    """Parse the list.

    Raises:
        DirectoryError: ``directory.whitelist.malformed`` (not XML, not the list, forbidden
            constructs, broken before its end) or ``directory.whitelist.empty``.
    """
    collector = _Collector()
    parser = DefusedXMLParser(target=collector, forbid_dtd=True)
    truncated = False
    try:
        parser.feed(data)
    except (ParseError, DefusedXmlException) as error:
        raise DirectoryError("directory.whitelist.malformed", detail=str(error)) from error
    try:
        parser.close()
    except ParseError as error:
        # Everything was read, yet the document is incomplete: closing tags are missing
        # (seen in the wild). Accepted when nothing but the closing of the root is missing.
        if collector.current is not None or len(collector.stack) > 2:
            raise DirectoryError("directory.whitelist.malformed", detail=str(error)) from error
        truncated = True
    except DefusedXmlException as error:
        raise DirectoryError("directory.whitelist.malformed", detail=str(error)) from error
    if collector.root != "ListeBlancheMSSante":
        raise DirectoryError("directory.whitelist.malformed", detail=collector.root)
    entries = tuple(e for e in collector.entries if _DOMAIN.match(e.domain))
    if not entries:
        raise DirectoryError("directory.whitelist.empty")
    return Whitelist(collector.generated_at, entries, truncated)


def read_whitelist(path: Path, checksum_path: Path | None = None) -> Whitelist:
    """Read and parse a list file, checking it against its SHA-256 ``checksum`` file if given.

    Raises:
        NotFoundError: ``directory.whitelist.file_not_found``.
        DirectoryError: ``directory.whitelist.too_large``,
            ``directory.whitelist.checksum_mismatch``, ``directory.whitelist.checksum_unreadable``
            and those of `parse_whitelist`.
    """
    data = _read(path, "directory.whitelist.file_not_found")
    if checksum_path is not None:
        text = _read(checksum_path, "directory.whitelist.file_not_found").decode("ascii", "replace")
        match = _SHA256.search(text)
        if match is None:
            raise DirectoryError("directory.whitelist.checksum_unreadable", path=str(checksum_path))
        if hashlib.sha256(data).hexdigest() != match.group(0).lower():
            raise DirectoryError("directory.whitelist.checksum_mismatch", path=str(path))
    return parse_whitelist(data)


def _read(path: Path, missing_code: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise NotFoundError(missing_code, path=str(path)) from None
    except OSError as error:
        raise DirectoryError(
            "directory.whitelist.unreadable", path=str(path), reason=error.strerror or ""
        ) from error
    if len(data) > MAX_BYTES:
        raise DirectoryError("directory.whitelist.too_large", path=str(path))
    return data
