"""Indexing in worker processes: hostile PDFs are skipped with a reason, never hang the queue.

The hostile files are made here, as bytes: a content stream of millions of operators (PDFium
needs seconds and more than a gigabyte for it), a page tree that contains itself, a PDF that
needs a password, a truncated one. Each goes through real worker processes (spawn), and a
plain PDF sent after it is still indexed.
"""

from __future__ import annotations

import json
import os

import pytest

from app.documents.indexing import STATE_INDEXED, STATE_NOT_INDEXABLE, PartJob, PartResult
from app.services.index_workers import IndexWorkers
from tests.unit.documents.docfactories import encrypted_pdf, text_pdf, truncated_pdf


def _pdf_of(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def operators_pdf(count: int) -> bytes:
    """One page whose content stream shows `count` strings (PDFium: ~9 µs and ~800 B each)."""
    content = b"BT /F1 1 Tf " + b"1 0 Td (ab) Tj " * count + b"ET"
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            _stream(content),
        ]
    )


def looping_pdf() -> bytes:
    """A page tree whose Kids holds the Pages node itself."""
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(b"BT ET"),
        ]
    )


def job(data: bytes, part: str = "2") -> PartJob:
    return PartJob(part, "application/pdf", f"doc{part}.pdf", "binary", data)


def info(result: PartResult) -> dict[str, object]:
    parsed = json.loads(result.info)
    assert isinstance(parsed, dict)
    return parsed


def alive(pid: int) -> bool:
    """Whether a process exists (a stopped worker was waited for: it is gone, not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_documents_are_indexed_in_worker_processes_that_stop_with_the_pool() -> None:
    pool = IndexWorkers(2)
    try:
        assert pool.pids() == []  # nothing is started before the first document
        results = [await pool.run(job(text_pdf(2, marker=f"zorglub{i}"), str(i))) for i in (2, 3)]
        for number, result in zip((2, 3), results, strict=True):
            assert result.state == STATE_INDEXED
            assert result.part_id == str(number)
            assert f"zorglub{number}" in " ".join(result.chunks)
            assert info(result)["kind"] == "pdf"
        pids = pool.pids()
        assert pids
        assert os.getpid() not in pids
        # Idle workers can be let go; they start again for the next document.
        await pool.release()
        assert pool.pids() == []
        again = await pool.run(job(text_pdf(marker="retour")))
        assert "retour" in " ".join(again.chunks)
        assert pool.started == len(pids) + 1
        pids += pool.pids()
    finally:
        await pool.aclose()
    assert pool.pids() == []
    if os.name == "posix":
        assert not any(alive(pid) for pid in pids)
    with pytest.raises(RuntimeError):
        await pool.run(job(text_pdf()))


async def test_one_worker_is_started_when_one_is_asked_for() -> None:
    pool = IndexWorkers(2)
    try:
        for marker in ("un", "deux", "trois"):
            [result] = await pool.run_many([job(text_pdf(marker=marker))], parallel=1)
            assert marker in " ".join(result.chunks)
        both = await pool.run_many([job(text_pdf(), str(n)) for n in range(2, 6)], parallel=1)
        assert [r.part_id for r in both] == ["2", "3", "4", "5"]
        assert pool.started == 1  # the same worker each time
    finally:
        await pool.aclose()


async def test_a_document_over_its_time_budget_is_skipped_and_its_worker_replaced() -> None:
    pool = IndexWorkers(1, wall_seconds=0.5, memory_bytes=None)
    try:
        assert (await pool.run(job(text_pdf()))).state == STATE_INDEXED
        first = pool.pids()
        slow = await pool.run(job(operators_pdf(400_000)))  # seconds of PDFium work
        assert slow.state == STATE_NOT_INDEXABLE
        assert info(slow)["skipped"] == "timeout"
        assert slow.chunks == ("doc2.pdf",)  # the name is still indexed
        after = await pool.run(job(text_pdf(marker="encore")))
        assert after.state == STATE_INDEXED
        assert "encore" in " ".join(after.chunks)
        assert pool.pids() != first
        assert pool.started == 2
    finally:
        await pool.aclose()


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_AS exists on POSIX only")
async def test_a_document_over_its_memory_budget_is_skipped() -> None:
    # 2 million operators take PDFium about 1.6 GB and 18 s unbounded: under a 400 MB cap it
    # fails within a few seconds, in its worker, and the next document is indexed.
    pool = IndexWorkers(1, wall_seconds=120, memory_bytes=400 * 1024 * 1024)
    try:
        greedy = await pool.run(job(operators_pdf(2_000_000)))
        assert greedy.state == STATE_NOT_INDEXABLE
        assert info(greedy)["skipped"] in ("crashed", "memory")
        after = await pool.run(job(text_pdf(marker="apres")))
        assert after.state == STATE_INDEXED
        assert "apres" in " ".join(after.chunks)
    finally:
        await pool.aclose()


async def test_encrypted_broken_and_looping_pdfs_are_skipped_with_a_reason() -> None:
    pool = IndexWorkers(2)
    try:
        encrypted = await pool.run(job(encrypted_pdf("secret")))
        truncated = await pool.run(job(truncated_pdf()))
        looping = await pool.run(job(looping_pdf()))
        garbage = await pool.run(job(b"%PDF-1.4\n" + os.urandom(4096)))
        after = await pool.run(job(text_pdf(marker="suivant")))
    finally:
        await pool.aclose()
    assert encrypted.state == STATE_NOT_INDEXABLE
    assert info(encrypted)["skipped"] == "password"
    assert info(encrypted)["encrypted"] is True
    for result in (truncated, looping, garbage):
        assert result.state == STATE_NOT_INDEXABLE
        assert info(result)["skipped"] == "unreadable"
    assert after.state == STATE_INDEXED
