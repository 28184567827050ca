"""PDF attachments with pypdf: what they are, what may run inside, and their text.

Everything here is blocking and CPU-bound; services run it on a worker thread. Files come from
strangers: pypdf is used non-strict (it repairs what it can) and any failure to parse becomes
a `PdfInfo` with ``broken`` set, never an exception out of `inspect_pdf`.

Text extraction is bounded (pages, characters, seconds) and resumable: the archive indexes
thousands of PDFs and must be able to stop and pick up again per document.
"""

from __future__ import annotations

import io
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pypdf is imported on first use: most commands never read a PDF
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, PdfObject

from app.domain.documents import PdfInfo, PdfText

log = logging.getLogger(__name__)

_VERSION = re.compile(rb"%PDF-(\d\.\d)")
_EOF_WINDOW = 2048  # the end marker may be followed by a little junk (PDF 32000-1 §7.5.5)
_MAX_META_CHARS = 500

#: Action types (PDF 32000-1 §12.6.4) and what Pli calls them.
_ACTION_FLAGS: dict[str, str] = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "submit_form",
    "/ImportData": "import_data",
    "/GoToR": "remote_goto",
    "/GoToE": "remote_goto",
    "/RichMediaExecute": "rich_media",
}
#: Keys that reach nothing new (back-pointers) or only page content: not walked.
_SKIPPED_KEYS = frozenset({"/Parent", "/P", "/Prev", "/Last", "/First", "/Font", "/ColorSpace"})


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds of one text extraction run.

    Attributes:
        max_pages: pages read per run.
        max_chars: characters returned per run (the text is cut there).
        time_budget: seconds per run; checked between pages (one page may overrun it).
    """

    max_pages: int = 50
    max_chars: int = 200_000
    time_budget: float = 3.0


DEFAULT_EXTRACTION = ExtractionLimits()


def inspect_pdf(data: bytes, *, scan_budget: int = 20_000) -> PdfInfo:
    """Page count, metadata, encryption, damage and active content of a PDF.

    Blocking, CPU-bound. Never raises on a bad file: damage is reported in the result.

    Args:
        data: the file.
        scan_budget: at most this many objects are visited looking for active content.
    """
    match = _VERSION.search(data[:1024])
    version = match.group(1).decode("ascii") if match else None
    # Without a header it is no PDF at all: "truncated" would send the user the wrong way.
    truncated = match is not None and b"%%EOF" not in data[-_EOF_WINDOW:]
    reader = _open(data) if match is not None else None
    from pypdf import PasswordType

    if reader is None:
        return PdfInfo(
            pages=None,
            broken=True,
            truncated=truncated,
            problem="pdf.truncated" if truncated else "pdf.unreadable",
            version=version,
        )
    encrypted = False
    try:
        encrypted = bool(reader.is_encrypted)
        if encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return PdfInfo(
                pages=None,
                encrypted=True,
                needs_password=True,
                truncated=truncated,
                problem="pdf.password_required",
                version=version,
            )
    except Exception:  # noqa: BLE001 - hostile input: unsupported or damaged encryption
        return PdfInfo(
            pages=None,
            encrypted=True,
            broken=True,
            truncated=truncated,
            problem="pdf.encryption_unsupported",
            version=version,
        )
    try:
        pages: int | None = len(reader.pages)
    except Exception:  # noqa: BLE001 - hostile input: any parse failure means "broken"
        pages = None
    if not pages:
        return PdfInfo(
            pages=None,
            encrypted=encrypted,
            broken=True,
            truncated=truncated,
            problem="pdf.truncated" if truncated else "pdf.unreadable",
            version=version,
        )
    title, author = _metadata(reader)
    return PdfInfo(
        pages=pages,
        title=title,
        author=author,
        encrypted=encrypted,
        truncated=truncated,
        active_content=_active_content(reader, scan_budget),
        version=version,
    )


def extract_text(
    data: bytes,
    *,
    start_page: int = 0,
    limits: ExtractionLimits = DEFAULT_EXTRACTION,
    password: str = "",
) -> PdfText:
    """The text of up to `limits.max_pages` pages from `start_page`, for the full-text index.

    Blocking, CPU-bound, bounded by `limits`. Resumable: when `PdfText.next_page` is not None,
    call again with ``start_page=result.next_page`` (the archive stores it per document).
    Pages that fail to extract are skipped; a document that cannot be opened gives an empty
    result with ``stop`` set to ``unreadable`` or ``password``.
    """
    started = time.monotonic()
    reader = _open(data)
    if reader is None:
        return PdfText("", start_page, None, 0, "unreadable")
    from pypdf import PasswordType

    try:
        if reader.is_encrypted and reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
            return PdfText("", start_page, None, 0, "password")
        count = len(reader.pages)
    except Exception:  # noqa: BLE001 - hostile input
        return PdfText("", start_page, None, 0, "unreadable")
    texts: list[str] = []
    chars = 0
    page = max(0, start_page)
    end = min(count, page + max(1, limits.max_pages))
    stop = "done"
    while page < end:
        try:
            text = reader.pages[page].extract_text()
        except Exception:  # one damaged page must not stop the others
            log.debug("text extraction failed on one page", exc_info=True)
            text = ""
        text = _clean_text(text)
        page += 1
        if chars + len(text) >= limits.max_chars:
            texts.append(text[: limits.max_chars - chars])
            stop = "max_chars"
            break
        texts.append(text)
        chars += len(text) + 1
        if time.monotonic() - started > limits.time_budget and page < count:
            stop = "time_budget"
            break
    else:
        if page < count:
            stop = "max_pages"
    next_page = page if page < count else None
    if next_page is None:
        stop = "done" if stop in ("done", "max_pages", "time_budget") else stop
    return PdfText("\f".join(texts), start_page, next_page, count, stop)


def page_count(data: bytes) -> int | None:
    """The number of pages, or None when the file cannot be read (cheap: no content parsed)."""
    reader = _open(data)
    if reader is None:
        return None
    from pypdf import PasswordType

    try:
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return None
        return len(reader.pages)
    except Exception:  # noqa: BLE001 - hostile input
        return None


def _open(data: bytes) -> PdfReader | None:
    from pypdf import PdfReader

    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except Exception:  # hostile input: pypdf raises many kinds on bad files
        log.debug("PDF could not be opened", exc_info=True)
        return None


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    try:
        meta = reader.metadata
        if meta is None:
            return None, None
        return _meta_text(meta.title), _meta_text(meta.author)
    except Exception:  # noqa: BLE001 - damaged info dictionary: metadata is optional
        return None, None


def _meta_text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("\x00", "").split())
    return text[:_MAX_META_CHARS] or None


def _clean_text(text: str) -> str:
    text = text.replace("\x00", "")
    # Collapse runs of spaces but keep line breaks (they separate words in the index).
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def _active_content(reader: PdfReader, budget: int) -> tuple[str, ...]:
    """Walk the object graph from the catalog looking for things that run or hide files."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    try:
        root: PdfObject | None = reader.trailer.get("/Root")
    except Exception:  # noqa: BLE001 - hostile input
        return ()
    stack: list[PdfObject | None] = [root]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack and visited < budget:
        obj = stack.pop()
        visited += 1
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = obj.get_object()
            except Exception:  # a dangling reference in a damaged file
                log.debug("unresolvable object skipped", exc_info=True)
                continue
        if isinstance(obj, DictionaryObject):
            _flag_dictionary(obj, found)
            for key_name, value in dict.items(obj):
                if key_name not in _SKIPPED_KEYS:
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    if stack:
        log.debug("active-content scan stopped at its budget of %d objects", budget)
    return tuple(sorted(found))


def _flag_dictionary(obj: DictionaryObject, found: set[str]) -> None:
    from pypdf.generic import DictionaryObject, IndirectObject

    keys = set(dict.keys(obj))
    if "/JS" in keys or "/JavaScript" in keys:
        found.add("javascript")
    action = dict.get(obj, "/S")
    if isinstance(action, str) and action in _ACTION_FLAGS:
        found.add(_ACTION_FLAGS[action])
    kind = dict.get(obj, "/Type")
    subtype = dict.get(obj, "/Subtype")
    if "/EmbeddedFiles" in keys or kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        found.add("embedded_files")
    if kind == "/Filespec" and "/EF" in keys:
        found.add("embedded_files")
    if subtype in ("/RichMedia", "/Screen", "/Movie", "/3D"):
        found.add("rich_media")
    if "/AA" in keys:
        found.add("additional_actions")
    if "/XFA" in keys:
        found.add("xfa")
    if "/OpenAction" in keys:
        target = dict.get(obj, "/OpenAction")
        try:
            resolved = target.get_object() if isinstance(target, IndirectObject) else target
        except Exception:  # noqa: BLE001 - dangling reference
            resolved = None
        # A destination array (open at page N) is harmless; an action dictionary is not.
        if isinstance(resolved, DictionaryObject) and dict.get(resolved, "/S") != "/GoTo":
            found.add("open_action")
