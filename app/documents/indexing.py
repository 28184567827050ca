"""Text of a message's attachments for the full-text index: find them, then index each one.

Two halves, so that the costly one can run in a worker process (app.services.index_workers):

- `attachment_jobs` finds the attachments of a raw message with `bytes.find` (no stdlib
  ``email`` parse, no header objects, no line-by-line feed of base64) and returns each one's
  still-encoded bytes: cheap, run where the message was read;
- `index_part` decodes one attachment (binascii), types and judges it, inspects it once
  (pypdf: pages, encryption, active content) and extracts its text (PDFium through pypdfium2,
  pypdf when PDFium is not installed): CPU-bound, run in a worker process.

Part ids are the IMAP section numbers the archive gives the same parts
(`app.domain.mime.scan`, the ``attachments`` table): the same walk over the same boundaries.
Blocking; never raises on hostile input (what could not be done is said in the result).
"""

from __future__ import annotations

import binascii
import contextlib
import json
import logging
import os
import quopri
import re
import time
from dataclasses import dataclass, field
from typing import Any

from app.documents.pdf import ExtractionLimits, extract_text, inspect_pdf
from app.documents.sniffing import detect_kind, mime_kind, verdict_for
from app.domain.documents import DEFAULT_EXTENSIONS, DocumentKind, PdfText, sanitize_filename
from app.domain.errors import DocumentError
from app.domain.mime import MAX_DEPTH, MAX_PARTS, content_type, decode_words, parse_headers

log = logging.getLogger(__name__)

#: Bounds of the text taken from one PDF for the index (the first pages of a long report say
#: what it is; the whole of a 400-page file would cost seconds per message).
INDEX_LIMITS = ExtractionLimits(max_pages=50, max_chars=100_000, time_budget=2.0)
#: Largest attachment (decoded bytes) whose text is looked for; a larger one is skipped.
MAX_INDEXED_BYTES = 64 * 1024 * 1024
#: A PDF with more pages than this is not indexed (its page tree alone is a denial of service).
MAX_INDEXED_PAGES = 20_000
#: Header lines looked at for the blank line that ends a part's header (then a plain search).
_MAX_HEADER_LINES = 2_000

STATE_TO_INSPECT, STATE_INDEXED, STATE_NOT_INDEXABLE = 0, 1, 2

#: Parts that are part of the message's own structure, never attachments (as in
#: app.documents.attachments).
_STRUCTURAL_TYPES = frozenset(
    {
        "message/rfc822",
        "message/disposition-notification",
        "message/delivery-status",
        "message/global-disposition-notification",
        "message/global-delivery-status",
        "text/rfc822-headers",
        "application/pgp-signature",
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
    }
)
#: Text parts that are documents rather than body text.
_DOCUMENT_TEXT_TYPES = frozenset({"text/rtf", "text/xml", "text/richtext"})


@dataclass(frozen=True)
class PartJob:
    """One attachment to index: its identity and its bytes as they are in the message.

    Attributes:
        part_id: the IMAP section number (``2``, ``1.2``…).
        declared_type: the Content-Type the sender wrote (lower case, no parameters).
        raw_name: the file name the sender wrote (RFC 2047/2231 decoded), or None.
        encoding: the Content-Transfer-Encoding (lower case).
        body: the part's content, still transfer-encoded.
    """

    part_id: str
    declared_type: str
    raw_name: str | None
    encoding: str
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class PartResult:
    """What indexing one attachment gave.

    Attributes:
        part_id: as in the job.
        state: ``STATE_INDEXED`` when text was found, else ``STATE_NOT_INDEXABLE``.
        info: the JSON summary kept in the ``attachments`` table (``kind`` first; ``skipped``
            says why a document was not read: ``time_budget``, ``memory``, ``too_large``…).
        chunks: the name and the texts, in order, for the message's index row.
    """

    part_id: str
    state: int
    info: str
    chunks: tuple[str, ...] = ()


def attachment_jobs(raw: bytes) -> list[PartJob]:
    """The attachments of a message, as jobs for `index_part`. Cheap; never raises."""
    leaves: list[tuple[str, dict[str, str], int, int]] = []
    try:
        _walk(raw, 0, len(raw), "", leaves, 0)
    except (ValueError, IndexError, LookupError, RecursionError):
        log.debug("MIME walk stopped early", exc_info=True)
    jobs: list[PartJob] = []
    for part_id, fields, start, end in leaves:
        kind, params = content_type(fields.get("content-type"))
        if kind in _STRUCTURAL_TYPES:
            continue
        disposition_value = fields.get("content-disposition") or ""
        disposition = disposition_value.partition(";")[0].strip().lower()
        _kind, disposition_params = content_type("x/y;" + disposition_value.partition(";")[2])
        filename = disposition_params.get("filename") or params.get("name")
        raw_name = decode_words(filename) if filename else None
        if not (
            disposition == "attachment"
            or raw_name
            or kind in _DOCUMENT_TEXT_TYPES
            or kind.partition("/")[0] not in ("text", "multipart")
        ):
            continue
        encoding = fields.get("content-transfer-encoding", "7bit").strip().lower() or "7bit"
        jobs.append(PartJob(part_id, kind, raw_name or None, encoding, raw[start:end]))
    return jobs


def _header_end(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body) within raw[start:end].

    The first blank line, LF LF or CRLF CRLF (as `app.domain.mime` reads it), found line by
    line: a search for one form alone would run to the end of a long base64 body written
    with the other.
    """
    at = start
    for _ in range(_MAX_HEADER_LINES):
        newline = raw.find(b"\n", at, end)
        if newline < 0:
            return end, end
        if raw[newline + 1 : newline + 2] == b"\n" and newline + 1 < end:
            return newline, newline + 2
        if (
            raw[newline + 1 : newline + 3] == b"\r\n"
            and newline + 2 < end
            and newline > start
            and raw[newline - 1 : newline] == b"\r"
        ):
            return newline - 1, newline + 3
        at = newline + 1
    crlf = raw.find(b"\r\n\r\n", at, end)
    lf = raw.find(b"\n\n", at, crlf if crlf >= 0 else end)
    if lf >= 0:
        return lf, lf + 2
    if crlf >= 0:
        return crlf, crlf + 4
    return end, end


def _walk(
    raw: bytes,
    start: int,
    end: int,
    prefix: str,
    out: list[tuple[str, dict[str, str], int, int]],
    depth: int,
) -> None:
    """Leaves of raw[start:end] as (part id, header fields, body start, body end)."""
    head_end, body_start = _header_end(raw, start, end)
    fields = parse_headers(raw[start:head_end])
    kind, params = content_type(fields.get("content-type"))
    boundary = params.get("boundary")
    if kind.startswith("multipart/") and boundary and depth < MAX_DEPTH:
        children = _split_multipart(raw, body_start, end, boundary.encode("latin-1"))
        for index, (child_start, child_end) in enumerate(children, 1):
            if len(out) >= MAX_PARTS:
                return
            number = f"{prefix}.{index}" if prefix else str(index)
            _walk(raw, child_start, child_end, number, out, depth + 1)
        return
    out.append((prefix or "1", fields, body_start, end))


def _split_multipart(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int]]:
    """(start, end) of each body part between the delimiters, as `app.domain.mime` splits."""
    delimiter = b"--" + boundary
    parts: list[tuple[int, int]] = []
    at = raw.find(delimiter, start, end)
    while at >= 0:
        after = at + len(delimiter)
        if raw[after : after + 2] == b"--":
            break  # the close delimiter
        line_end = raw.find(b"\n", after, end)
        if line_end < 0:
            break
        content_start = line_end + 1
        nxt = raw.find(b"\n" + delimiter, content_start, end)
        if nxt < 0:
            parts.append((content_start, end))
            break
        content_end = nxt - 1 if nxt > content_start and raw[nxt - 1 : nxt] == b"\r" else nxt
        parts.append((content_start, content_end))
        at = nxt + 1
    return parts


def decode_body(encoding: str, body: bytes) -> bytes:
    """A part's content with its transfer encoding undone (lenient, as the stdlib is).

    Base64 is decoded by pybase64's SIMD decoder when it is installed (about ten times
    faster than binascii; it skips line breaks and stray characters as binascii does); what
    it refuses, by binascii's lenient decoder, as the stdlib reads it.
    """
    if encoding == "base64":
        if _fast_b64decode is not None:
            try:
                return bytes(_fast_b64decode(body))
            except ValueError:  # binascii.Error: damaged base64, read leniently below
                pass
        try:
            return binascii.a2b_base64(body)
        except binascii.Error:
            # Bad padding: decoded padded, as the stdlib does; what cannot be read stays as is.
            joined = b"".join(body.splitlines())
            cleaned = joined.translate(None, _NOT_BASE64)
            try:
                return binascii.a2b_base64(cleaned + b"=" * (-len(cleaned) % 4))
            except binascii.Error:
                return joined
    if encoding == "quoted-printable":
        return quopri.decodestring(body)
    return body


def _strict_pybase64() -> Any:
    try:
        import pybase64  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - a dependency; binascii is the fallback
        return None
    return pybase64.b64decode


_fast_b64decode = _strict_pybase64()
_NOT_BASE64 = bytes(
    set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
)


def skipped(job: PartJob, reason: str, **detail: object) -> PartResult:
    """The result of a document that was not read (`reason`: why), from what the job says."""
    kind = mime_kind(job.declared_type) or DocumentKind.OTHER
    name = sanitize_filename(job.raw_name, fallback="") or _fallback_name(job.part_id, kind)
    info = {"kind": kind.value, "skipped": reason, **detail}
    return PartResult(job.part_id, STATE_NOT_INDEXABLE, json.dumps(info), (name,))


def _fallback_name(part_id: str, kind: DocumentKind) -> str:
    ext = DEFAULT_EXTENSIONS.get(kind) or DEFAULT_EXTENSIONS.get(DocumentKind.OTHER, "bin")
    return f"piece-jointe-{part_id}.{ext}"


def index_part(job: PartJob, limits: ExtractionLimits = INDEX_LIMITS) -> PartResult:
    """Decode, type, judge, inspect once and extract the text of one attachment.

    Blocking, CPU-bound (run it in a worker process: `app.services.index_workers`). Never
    raises on a hostile document: it is skipped with a reason in the summary.
    """
    if len(job.body) > MAX_INDEXED_BYTES * 4 // 3 + 4096:
        return skipped(job, "too_large")
    data = decode_body(job.encoding, job.body)
    if len(data) > MAX_INDEXED_BYTES:
        return skipped(job, "too_large")
    kind = detect_kind(data)
    name = sanitize_filename(job.raw_name, fallback="")
    if not name:
        ext = DEFAULT_EXTENSIONS.get(kind) or DEFAULT_EXTENSIONS.get(
            mime_kind(job.declared_type) or DocumentKind.OTHER, "bin"
        )
        name = f"piece-jointe-{job.part_id}.{ext}"
    verdict = verdict_for(kind, data, job.raw_name, job.declared_type)
    summary: dict[str, Any] = {
        "kind": kind.value,
        "accepted": verdict.accepted,
        "refusal": verdict.code,
    }
    chunks: list[str] = [name]
    state = STATE_NOT_INDEXABLE
    try:
        if kind is DocumentKind.PDF:
            state = _index_pdf(data, summary, chunks, limits)
        elif kind is DocumentKind.ZIP and verdict.accepted:
            state = _index_xdm(data, summary, chunks, limits)
    except DocumentError as error:
        summary["problem"] = error.code
    return PartResult(job.part_id, state, json.dumps(summary), tuple(c for c in chunks if c))


def _index_pdf(
    data: bytes, summary: dict[str, Any], chunks: list[str], limits: ExtractionLimits
) -> int:
    info = inspect_pdf(data)
    summary.update(pages=info.pages, encrypted=info.encrypted)
    summary["active_content"] = list(info.active_content)
    if info.problem:
        summary["problem"] = info.problem
    if info.pages is None:  # unreadable, or a password is needed: nothing to extract
        summary["skipped"] = "password" if info.needs_password else "unreadable"
        return STATE_NOT_INDEXABLE
    if info.pages > MAX_INDEXED_PAGES:
        summary["skipped"] = "too_many_pages"
        return STATE_NOT_INDEXABLE
    extracted = extract_pdf_text(data, limits)
    summary.update(indexed_pages=extracted.next_page or extracted.page_count, stop=extracted.stop)
    if extracted.text:
        chunks.append(extracted.text)
        return STATE_INDEXED
    return STATE_NOT_INDEXABLE


def _index_xdm(
    data: bytes, summary: dict[str, Any], chunks: list[str], limits: ExtractionLimits
) -> int:
    from app.documents.xdm_reader import read_xdm

    package = read_xdm(data)
    state = STATE_NOT_INDEXABLE
    for document in package.documents:
        chunks.append(document.title)
        if document.cda is not None and document.cda.narrative:
            chunks.append(document.cda.narrative)
            state = STATE_INDEXED
        if document.pdf is not None:
            extracted = extract_pdf_text(document.pdf, limits)
            if extracted.text:
                chunks.append(extracted.text)
                state = STATE_INDEXED
    summary["documents"] = len(package.documents)
    return state


def extract_pdf_text(data: bytes, limits: ExtractionLimits = INDEX_LIMITS) -> PdfText:
    """A PDF's text for the index: PDFium (pypdfium2) when installed, else pypdf.

    Same contract as `app.documents.pdf.extract_text` (bounded by `limits`, never raises).
    """
    try:
        import pypdfium2  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency; pypdf is the fallback
        return extract_text(data, limits=limits)
    return _pdfium_text(pypdfium2, data, limits)


def _pdfium_text(pdfium: Any, data: bytes, limits: ExtractionLimits) -> PdfText:
    started = time.monotonic()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        stop = "password" if "password" in str(error).lower() else "unreadable"
        return PdfText("", 0, None, 0, stop)
    try:
        count = len(document)
        texts: list[str] = []
        chars = 0
        page = 0
        end = min(count, max(1, limits.max_pages))
        stop = "done"
        while page < end:
            text = _pdfium_page_text(document, page)
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
        return PdfText("\f".join(texts), 0, next_page, count, stop)
    finally:
        document.close()


def _pdfium_page_text(document: Any, index: int) -> str:
    try:
        page = document[index]
    except Exception:  # noqa: BLE001 - a damaged page must not stop the others
        return ""
    try:
        textpage = page.get_textpage()
        try:
            text = str(textpage.get_text_range())
        finally:
            textpage.close()
    except Exception:  # hostile input
        log.debug("text extraction failed on one page", exc_info=True)
        text = ""
    finally:
        page.close()
    return _clean(text)


def _clean(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n")
    # Runs of spaces collapsed, line breaks kept (they separate words in the index).
    return _SPACES.sub(" ", text).strip()


_SPACES = re.compile(r"[ \t\r\f\v\ufffe\x02]+")


#: Characters of attachment text kept per message in the index.
MAX_ATTACHMENT_TEXT = 300_000


def message_text(results: list[PartResult]) -> tuple[str, dict[str, tuple[int, str]]]:
    """The index text of a message's attachments and the state of each part, from results."""
    chunks = [chunk for result in results for chunk in result.chunks]
    states = {result.part_id: (result.state, result.info) for result in results}
    return "\n".join(c for c in chunks if c)[:MAX_ATTACHMENT_TEXT], states


def index_message(raw: bytes) -> tuple[str, dict[str, tuple[int, str]]]:
    """Both halves in this thread (tests, benchmarks, and when no worker process can run)."""
    return message_text([index_part(job) for job in attachment_jobs(raw)])


#: Scheduling priority the workers lower themselves by (POSIX ``nice``): indexing is
#: background work, the window and the sync come first on a two-core PC.
WORKER_NICENESS = 5


def serve(jobs: Any, results: Any, memory_bytes: int | None, limits: ExtractionLimits) -> None:
    """The loop of an indexing worker process: `PartJob` in, `PartResult` out, until None.

    `jobs` and `results` are the child's ends of two one-way pipes.

    Runs in a child process (app.services.index_workers starts it, spawn context), at a lower
    priority (`WORKER_NICENESS`, POSIX). Its address space is capped at `memory_bytes` on
    POSIX (RLIMIT_AS; Windows has no such limit: there only the parent's wall-time budget and
    the size and page caps bound a document). Says ``ready`` once its libraries are loaded,
    so that the per-document budget never counts the start-up. Jobs and
    results go through the pipes in memory: no document is ever written to disk.
    """
    import signal

    # Ctrl-C is for the parent: it stops the workers itself (a traceback per worker otherwise).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):  # not on Windows (the process keeps its normal priority there)
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)
    if memory_bytes:
        _limit_memory(memory_bytes)
    # Loaded now, so that the first document's budget is its own (XDM's readers on first use).
    import pypdf  # noqa: F401

    with contextlib.suppress(ImportError):  # pypdf is the fallback
        import pypdfium2  # noqa: F401
    results.send("ready")
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = index_part(job, limits)
        except MemoryError:
            result = skipped(job, "memory")
        except Exception:  # one hostile document never ends the worker
            log.debug("indexing failed", exc_info=True)
            result = skipped(job, "failed")
        try:
            results.send(result)
        except (OSError, ValueError):
            return


def _limit_memory(memory_bytes: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_AS (the wall-time budget still applies)
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        log.debug("address-space limit not set", exc_info=True)
