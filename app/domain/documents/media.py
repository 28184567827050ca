"""PDFs and images: what inspecting one finds without rendering it."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.documents.kinds import DocumentKind


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF is, found without rendering it.

    Attributes:
        pages: page count, None when unknown (encrypted or broken).
        title: the document information title, if any.
        author: the document information author, if any.
        encrypted: the file uses PDF encryption (maybe only an owner password).
        needs_password: it cannot be opened without a password the user must type.
        broken: the structure could not be read.
        truncated: the file ends before its end marker (an incomplete download or copy).
        problem: the code explaining why it cannot be read (``pdf.*``), None when readable.
        active_content: what may run or hide inside: ``javascript``, ``launch``,
            ``embedded_files``, ``rich_media``, ``open_action``, ``additional_actions``,
            ``xfa``, ``submit_form``, ``import_data``, ``remote_goto``.
        version: the header version (``1.7``), when present.
    """

    pages: int | None
    title: str | None = None
    author: str | None = None
    encrypted: bool = False
    needs_password: bool = False
    broken: bool = False
    truncated: bool = False
    problem: str | None = None
    active_content: tuple[str, ...] = ()
    version: str | None = None

    @property
    def readable(self) -> bool:
        """Pages can be shown and text extracted."""
        return not self.broken and not self.needs_password

    @property
    def has_active_content(self) -> bool:
        """Something in the file may run or hide another file."""
        return bool(self.active_content)


@dataclass(frozen=True)
class PdfText:
    """One bounded run of text extraction; call again from `next_page` to continue.

    Attributes:
        text: the text of pages ``start_page .. next_page - 1``, pages separated by form feeds.
        start_page: first page read by this run (0-based).
        next_page: where a later run goes on, None when the document is done (or cannot be
            read).
        page_count: pages in the document (0 when unreadable).
        stop: why this run stopped: ``done``, ``max_pages``, ``max_chars``, ``time_budget``,
            ``unreadable``, ``password``.
    """

    text: str
    start_page: int
    next_page: int | None
    page_count: int
    stop: str

    @property
    def complete(self) -> bool:
        """Nothing left to read (or nothing can be read)."""
        return self.next_page is None


@dataclass(frozen=True)
class ImageInfo:
    """An image's header facts (read without decoding the pixels)."""

    kind: DocumentKind
    width: int
    height: int
    frames: int
    mode: str
