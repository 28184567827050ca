"""Reading the national extraction of MSSanté mailboxes (spec §7).

``Extraction_Correspondance_MSSante_<AAAAMMJJhhmm>.txt``: UTF-8 (with or without a BOM), ``|``
separated, LF or CRLF, one header line and 31 columns, about 536,000 lines; the agency ships it
in a zip, the open-data mirror as plain text. Columns are matched by name, by position when a
name is missing (or when there is no header at all). Lines are read one at a time: memory stays
bounded whatever the file's size. A line that cannot be used is counted, never fatal.

Blocking; runs on the directory's worker thread.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO

from app.directory.text import fold, squash
from app.domain.directory import ImportProgress
from app.domain.errors import DirectoryError, NotFoundError

#: The 31 columns, in the order of the published header, with our field names.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("type", "Type de BAL"),
    ("address", "Adresse BAL"),
    ("id_type", "Type Identifiant PP"),
    ("id_pp", "Identifiant PP"),
    ("national_id", "Identification nationale PP"),
    ("structure_id_type", "Type identifiant structure"),
    ("structure_id", "Identification Structure"),
    ("service", "Service de rattachement"),
    ("civility", "Civilité d'exercice"),
    ("family", "Nom d'exercice"),
    ("given", "Prénom d'exercice"),
    ("category_code", "Catégorie profession"),
    ("category", "Libellé de catégorie profession"),
    ("profession_code", "Code Profession"),
    ("profession", "Libellé Profession"),
    ("speciality_code", "Code savoir-faire"),
    ("speciality", "Libellé savoir-faire"),
    ("digitization", "Dématérialisation"),
    ("organisation", "Raison Sociale structure BAL"),
    ("enseigne", "Enseigne commerciale structure BAL"),
    ("l2", "L2COMPLEMENTLOCALISATION structure BAL"),
    ("l3", "L3COMPLEMENTDISTRIBUTION structure BAL"),
    ("street_number", "L4NUMEROVOIE structure BAL"),
    ("street_number_extra", "L4COMPLEMENTNUMEROVOIE structure BAL"),
    ("street_type", "NL4TYPEVOIE structure BAL"),
    ("street_name", "L4LIBELLEVOIE structure BAL"),
    ("l5", "L5LIEUDITMENTION structure BAL"),
    ("locality", "L6LIGNEACHEMINEMENT structure BAL"),
    ("postcode", "Code postal structure BAL"),
    ("department", "Département structure BAL"),
    ("country", "Pays structure BAL"),
)
FIELD_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
_F = {name: i for i, name in enumerate(FIELD_NAMES)}

#: `Type Identifiant PP` codes (spec §7).
ID_TYPES = {"8": "RPPS", "0": "ADELI"}
MAILBOX_TYPES = frozenset({"PER", "CAB", "ORG", "APP"})

_FILE_DATE = re.compile(r"Extraction_Correspondance_MSSante_(\d{8}(?:\d{4})?(?:\d{2})?)", re.I)
_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = b"PK\x03\x04"
#: How often (in lines) progress is reported and cancellation checked.
PROGRESS_EVERY = 16384
#: How many malformed line numbers a report keeps.
MAX_MALFORMED_LINES = 20


def _header_key(name: str) -> str:
    return " ".join(fold(name).replace("\ufeff", "").split())


_BY_HEADER = {_header_key(title): name for name, title in COLUMNS}


def generation_date(file_name: str) -> datetime | None:
    """The generation time written in an extraction's file name, or None.

    ``Extraction_Correspondance_MSSante_202405140316.txt`` → 2024-05-14 03:16 (French time,
    kept naive as the agency writes it).
    """
    match = _FILE_DATE.search(file_name)
    if match is None:
        return None
    digits = match.group(1)
    pattern = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}[len(digits)]
    try:
        return datetime.strptime(digits, pattern)
    except ValueError:
        return None


@dataclass(frozen=True)
class ExtractionSource:
    """An opened extraction: its lines as bytes, its name and size (for progress)."""

    stream: IO[bytes]
    name: str
    size: int | None


@contextmanager
def open_extraction(path: Path) -> Iterator[ExtractionSource]:
    """Open a plain extraction or the zip that holds it.

    In a zip, the member named ``Extraction_Correspondance_MSSante*.txt`` is read (or the only
    ``.txt`` member).

    Raises:
        NotFoundError: ``directory.import.file_not_found``.
        DirectoryError: ``directory.import.unreadable``, ``directory.import.bad_zip`` or
            ``directory.import.zip_without_extraction``.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise NotFoundError("directory.import.file_not_found", path=str(path)) from None
    except OSError as error:
        raise DirectoryError(
            "directory.import.unreadable", path=str(path), reason=error.strerror or ""
        ) from error
    with handle:
        magic = handle.read(4)
        handle.seek(0)
        if magic != _ZIP_MAGIC:
            yield ExtractionSource(handle, path.name, path.stat().st_size)
            return
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as error:
            raise DirectoryError("directory.import.bad_zip", path=str(path)) from error
        with archive:
            member = _pick_member(archive)
            if member is None:
                raise DirectoryError("directory.import.zip_without_extraction", path=str(path))
            try:
                with archive.open(member) as stream:
                    yield ExtractionSource(
                        stream, Path(member.filename).name, member.file_size or None
                    )
            except (zipfile.BadZipFile, NotImplementedError) as error:
                raise DirectoryError("directory.import.bad_zip", path=str(path)) from error


def _pick_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    texts = [i for i in archive.infolist() if i.filename.lower().endswith(".txt")]
    named = [i for i in texts if "extraction_correspondance_mssante" in i.filename.lower()]
    if named:
        return max(named, key=lambda i: i.filename)  # the newest when several
    return texts[0] if len(texts) == 1 else None


@dataclass
class ParseStats:
    """Counters of one reading of an extraction."""

    rows: int = 0
    malformed: int = 0
    blank: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    malformed_lines: list[int] = field(default_factory=list)
    header_found: bool = False

    def refuse(self, line_no: int, reason: str) -> None:
        """Count a refused line."""
        self.malformed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.malformed_lines) < MAX_MALFORMED_LINES:
            self.malformed_lines.append(line_no)


#: A row ready for the database, in the order of `app.directory.schema.ROW_FIELDS`.
Row = tuple[str | int | None, ...]


class ExtractionReader:
    """Turns the lines of an extraction into rows, counting what it refuses.

    Blocking. `on_progress` is called every `PROGRESS_EVERY` lines on the calling thread;
    `should_stop` is polled as often and ends the reading with
    ``directory.import.cancelled`` when it returns True.
    """

    def __init__(
        self,
        source: ExtractionSource,
        *,
        on_progress: Callable[[ImportProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self._source = source
        self._on_progress = on_progress
        self._should_stop = should_stop
        self.stats = ParseStats()

    def rows(self) -> Iterator[Row]:
        """Yield the usable rows, in file order."""
        stream = self._source.stream
        stats = self.stats
        done = 0
        columns: int | None = None
        trailing = False
        getter: Callable[[list[str]], tuple[str, ...]] | None = None
        line_no = 0
        for raw in stream:
            line_no += 1
            done += len(raw)
            if line_no % PROGRESS_EVERY == 0:
                self._tick(line_no, done)
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                if getter is not None:
                    stats.refuse(line_no, "encoding")
                    continue
                line = raw.decode("utf-8", errors="replace")
            line = line.rstrip("\r\n")
            if not line or line.isspace():
                stats.blank += 1
                continue
            fields = line.split("|")
            if " |" in line or "| " in line or line[0] == " " or line[-1] == " ":
                # Padded values (not seen in the agency's files, but cheap to allow): trim
                # them all; clean lines skip this.
                fields = [f.strip() for f in fields]
            if getter is None:
                columns, getter, is_header = _layout(fields)
                # Some exports end every line with a separator (the RPPS file does).
                trailing = len(fields) > 1 and fields[-1] == "" and len(fields) == columns + 1
                if is_header:
                    stats.header_found = True
                    continue
            assert columns is not None
            if trailing and len(fields) == columns + 1 and fields[-1] == "":
                fields.pop()
            if len(fields) != columns:
                stats.refuse(line_no, "columns")
                continue
            fields.append("")  # what a missing column reads
            row = _row(getter(fields))
            if isinstance(row, str):
                stats.refuse(line_no, row)
                continue
            stats.rows += 1
            yield row
        self._tick(line_no, done)

    def _tick(self, line_no: int, done: int) -> None:
        if self._should_stop is not None and self._should_stop():
            raise DirectoryError("directory.import.cancelled")
        if self._on_progress is not None:
            self._on_progress(
                ImportProgress("read", rows=line_no, done=done, total=self._source.size)
            )


def _layout(first: list[str]) -> tuple[int, Callable[[list[str]], tuple[str, ...]], bool]:
    """Column count, field getter and whether `first` is a header.

    Columns are found by name; a name missing from a 31-column header is taken by position;
    a first line that names no known column is data, read by position.

    Raises:
        DirectoryError: ``directory.import.bad_header`` when the mailbox type or address
            column cannot be found.
    """
    names = list(first)
    by_name: dict[str, int] = {}
    for position, title in enumerate(names):
        name = _BY_HEADER.get(_header_key(title))
        if name is not None and name not in by_name:
            by_name[name] = position
    is_header = bool(by_name)
    if len(names) > 1 and names[-1] == "" and (is_header or len(names) == len(COLUMNS) + 1):
        names.pop()  # a trailing separator, not an empty last column
    count = len(names)
    positions: list[int] = []
    for index, name in enumerate(FIELD_NAMES):
        if name in by_name:
            positions.append(by_name[name])
        elif count == len(COLUMNS):
            positions.append(index)
        else:
            positions.append(count)  # the empty value appended to every line
    if positions[_F["type"]] >= count or positions[_F["address"]] >= count:
        raise DirectoryError("directory.import.bad_header")
    return count, _getter(positions), is_header


def _getter(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    get: Callable[[list[str]], tuple[str, ...]] = itemgetter(*positions)
    return get


def _row(f: tuple[str, ...]) -> Row | str:
    """One row for the database, or the reason it is refused."""
    (
        mailbox_type,
        address,
        id_code,
        id_pp,
        national_id,
        _structure_id_type,
        structure_id,
        service,
        civility,
        family,
        given,
        _category_code,
        category,
        profession_code,
        profession,
        speciality_code,
        speciality,
        digitization,
        organisation,
        enseigne,
        _l2,
        _l3,
        street_number,
        street_number_extra,
        street_type,
        street_name,
        _l5,
        locality,
        postcode,
        department,
        country,
    ) = f
    # Values arrive trimmed (see `ExtractionReader.rows`).
    at = address.find("@")
    if at <= 0 or at != address.rfind("@") or at == len(address) - 1 or " " in address:
        return "address"
    if mailbox_type not in MAILBOX_TYPES:
        mailbox_type = mailbox_type.upper()
        if mailbox_type not in MAILBOX_TYPES:
            return "type"
    if not national_id and id_pp and id_code:
        national_id = id_code + id_pp
    family_key = squash(family) if family else ""
    # The routing line reads "69003 LYON" (or "LYON CEDEX 03"): the town is what follows.
    town = locality[6:].lstrip() if locality[:5].isdigit() else locality
    digitization = digitization.lower()
    street = " ".join(filter(None, (street_number, street_number_extra, street_type, street_name)))
    return (
        address,
        mailbox_type,
        national_id or None,
        ID_TYPES.get(id_code, id_code),
        id_pp,
        civility,
        family,
        given,
        family_key,
        category,
        profession_code,
        profession,
        speciality_code,
        speciality,
        1 if digitization == "true" else 0 if digitization == "false" else None,
        structure_id,
        service,
        organisation,
        enseigne,
        street,
        postcode,
        town,
        department or department_of(postcode),
        country,
    )


def department_of(postcode: str) -> str:
    """The department a French postcode belongs to (``69003`` → ``69``, ``97411`` → ``974``).

    Corsica (``20…``) is split as La Poste does in practice: ``200``/``201`` → 2A, else 2B;
    a few communes do not follow it, which only matters for search by department.
    """
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    if postcode.startswith(("97", "98")):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode[2] in "01" else "2B"
    return postcode[:2]
