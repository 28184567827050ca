"""PDF inspection and text extraction on PDFs made by the suite."""

from __future__ import annotations

import docfactories as make
import pytest

from app.documents.pdf import ExtractionLimits, extract_text, inspect_pdf, page_count


def test_plain_pdf_pages_and_metadata() -> None:
    info = inspect_pdf(make.text_pdf(1, title="Compte rendu d'échographie"))
    assert info.pages == 1
    assert info.title == "Compte rendu d'échographie"
    assert info.author == "Dr Test"
    assert info.readable
    assert not info.encrypted
    assert not info.truncated
    assert info.active_content == ()
    assert info.version == "1.3"


def test_many_pages_counted() -> None:
    data = make.text_pdf(40)
    assert inspect_pdf(data).pages == 40
    assert page_count(data) == 40


def test_password_protected_pdf_is_explained() -> None:
    info = inspect_pdf(make.encrypted_pdf())
    assert info.encrypted
    assert info.needs_password
    assert info.problem == "pdf.password_required"
    assert info.pages is None
    assert not info.readable


def test_owner_password_only_pdf_opens() -> None:
    data = make.owner_only_pdf()
    info = inspect_pdf(data)
    assert info.encrypted
    assert not info.needs_password
    assert info.readable
    assert info.pages == 1
    assert "ouvert" in extract_text(data).text


def test_encrypted_pdf_text_with_password() -> None:
    data = make.encrypted_pdf("secret")
    assert extract_text(data).stop == "password"
    assert "zygomatique" in extract_text(data, password="secret").text


def test_truncated_pdf_is_broken_and_says_why() -> None:
    info = inspect_pdf(make.truncated_pdf())
    assert info.broken
    assert info.truncated
    assert info.problem == "pdf.truncated"
    assert extract_text(make.truncated_pdf()).stop == "unreadable"


def test_garbage_is_unreadable_not_an_exception() -> None:
    info = inspect_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    assert info.broken
    assert not info.truncated
    assert info.problem == "pdf.unreadable"


@pytest.mark.parametrize(
    ("factory", "flags"),
    [
        (make.javascript_pdf, {"javascript"}),
        (make.embedded_file_pdf, {"embedded_files"}),
        (make.launch_pdf, {"launch", "open_action"}),
    ],
)
def test_active_content_flagged(factory: object, flags: set[str]) -> None:
    info = inspect_pdf(factory())  # type: ignore[operator]
    assert flags <= set(info.active_content)
    assert info.has_active_content
    assert info.readable


def test_text_found_in_every_page() -> None:
    result = extract_text(make.text_pdf(3, marker="Figatellix"))
    assert result.complete
    assert result.stop == "done"
    assert result.page_count == 3
    pages = result.text.split("\f")
    assert [("page1" in pages[0]), ("page2" in pages[1]), ("page3" in pages[2])] == [True] * 3
    assert "échographie" in result.text  # accents survive extraction


def test_extraction_resumes_page_by_page() -> None:
    data = make.text_pdf(7)
    limits = ExtractionLimits(max_pages=3)
    texts = []
    start: int | None = 0
    runs = 0
    while start is not None:
        result = extract_text(data, start_page=start, limits=limits)
        texts.append(result.text)
        assert result.start_page == start
        start = result.next_page
        runs += 1
    assert runs == 3
    assert extract_text(data).text == "\f".join(texts)


def test_extraction_bounded_by_characters() -> None:
    result = extract_text(make.text_pdf(5), limits=ExtractionLimits(max_chars=500))
    assert len(result.text) == 500
    assert result.stop == "max_chars"
    assert result.next_page == 1


def test_extraction_bounded_by_time() -> None:
    result = extract_text(make.text_pdf(4), limits=ExtractionLimits(time_budget=0.0))
    assert result.stop == "time_budget"
    assert result.next_page == 1  # one page always read, so each run makes progress


def test_start_beyond_the_end_is_done() -> None:
    result = extract_text(make.text_pdf(2), start_page=5)
    assert result.complete
    assert result.text == ""
