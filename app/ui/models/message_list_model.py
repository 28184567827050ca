"""The message list: one row per message, newest first, loaded page by page as the user scrolls.

Rows are plain `MessageSummary` values from a `MessageSource`. The model is updated in place
from `MessagesChanged` (rows inserted at their date, refreshed, removed), never reset, so the
view keeps its selection and scroll position. A new folder or search replaces the source
(that one is a reset).

Each row also speaks as a sentence (``Qt.AccessibleTextRole``: sender, patient, subject,
date, state), not just a subject: screen readers read that (notes/UI.md).

Must run on the Qt thread.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.domain.addresses import PATIENT_DOMAIN, Ins
from app.domain.documents import display_subject
from app.domain.errors import KnownError
from app.domain.message import Flag, MessageSummary
from app.ui.async_bridge import run_operation
from app.ui.models.formatting import format_ins, format_list_date, format_spoken_date
from app.ui.models.message_source import Cursor, MessageSource

translate = QCoreApplication.translate
ModelIndex = QModelIndex | QPersistentModelIndex

#: Rows fetched per page (a screen holds about 15; a page covers a few flicks of the wheel).
PAGE_SIZE = 200


@dataclass(frozen=True)
class RowText:
    """What a row shows, computed once per row from its summary.

    Attributes:
        sender: the sender's name (or address).
        patient: the row is about a patient (sent by one, or carrying their INS).
        patient_sender: the sender is the patient (Mon espace santé's domain).
        ins: the patient's INS, grouped for reading.
        subject: the subject (a placeholder when empty).
        date: the short date of the list.
        outgoing: the user sent it: `sender` names its recipients ("À : …").
    """

    sender: str
    patient: bool
    patient_sender: bool
    ins: str
    subject: str
    date: str
    outgoing: bool = False


def patient_ins_of(address: str) -> str | None:
    """The INS of a patient's address (``<INS>@patient.mssante.fr``), None for any other.

    Mon espace santé's own robots (its mailer daemon, its test mailbox) write from the patient
    domain too: only a valid INS makes a patient (spec §1, ECO.2.2.6).
    """
    local, _, domain = address.lower().rpartition("@")
    if domain != PATIENT_DOMAIN:
        return None
    try:
        return Ins.parse(local).value
    except KnownError:
        return None


def is_outgoing(summary: MessageSummary, own: Collection[str]) -> bool:
    """Whether the user sent this message (its sender is one of the user's mailboxes)."""
    sender = summary.sender
    return sender is not None and sender.address.lower() in own and bool(summary.recipients)


def row_text(summary: MessageSummary, own: Collection[str] = ()) -> RowText:
    """The visible texts of a row; `own` holds the user's addresses (lower case).

    A message the user sent names its recipients instead of its sender (a Sent folder, a
    search), its patient being the recipient when one is.
    """
    subject = display_subject(summary.subject) if summary.subject else ""
    subject = subject or translate("MessageListModel", "(no subject)")
    date = format_list_date(summary.internal_date)
    if is_outgoing(summary, own):
        first = summary.recipients[0]
        others = len(summary.recipients) - 1
        names = first.name or first.address
        if others:
            names = translate("MessageListModel", "%1 and %n other(s)", "", others).replace(
                "%1", names
            )
        to_ins = patient_ins_of(first.address)
        ins = summary.patient_ins or to_ins or ""
        return RowText(
            sender=translate("MessageListModel", "To: %1").replace("%1", names),
            patient=bool(ins),
            patient_sender=False,
            ins=format_ins(ins) if ins else "",
            subject=subject,
            date=date,
            outgoing=True,
        )
    sender = summary.sender
    sender_name = (sender.name or sender.address) if sender else ""
    sender_ins = patient_ins_of(sender.address) if sender else None
    ins = summary.patient_ins or sender_ins or ""
    return RowText(
        sender=sender_name or translate("MessageListModel", "(unknown sender)"),
        patient=bool(ins),
        patient_sender=sender_ins is not None,
        ins=format_ins(ins) if ins else "",
        subject=subject,
        date=date,
    )


def _patient_word(ins: str) -> str:
    """``patiente`` for an INS of a woman (NIR starting with 2), else ``patient``."""
    if ins[:1] == "2":
        return translate("MessageListModel", "patient", "a woman")
    return translate("MessageListModel", "patient", "a man or unknown")


def row_sentence(summary: MessageSummary, own: Collection[str] = ()) -> str:
    """The row as one spoken sentence: state, sender, patient, subject, date, markers."""
    text = row_text(summary, own)
    parts: list[str] = []
    if not summary.flags & Flag.SEEN:
        parts.append(translate("MessageListModel", "Unread."))
    if text.outgoing:
        first = summary.recipients[0]
        name = first.name or first.address
        if text.patient and patient_ins_of(first.address):
            who = (
                translate("MessageListModel", "To %1, %2, INS %3.")
                .replace("%1", name)
                .replace("%2", _patient_word(text.ins))
                .replace("%3", text.ins)
            )
        else:
            who = translate("MessageListModel", "To %1.").replace("%1", name)
        if len(summary.recipients) > 1:
            others = len(summary.recipients) - 1
            who += " " + translate("MessageListModel", "And %n other recipient(s).", "", others)
    elif text.patient_sender:
        who = (
            translate("MessageListModel", "From %1, %2, INS %3.")
            .replace("%1", text.sender)
            .replace("%2", _patient_word(text.ins))
            .replace("%3", text.ins)
        )
    elif text.patient and text.ins:
        about = (
            translate("MessageListModel", "From %1, about the patient with INS %2.", "a woman")
            if text.ins[:1] == "2"
            else translate(
                "MessageListModel", "From %1, about the patient with INS %2.", "a man or unknown"
            )
        )
        who = about.replace("%1", text.sender).replace("%2", text.ins)
    else:
        who = translate("MessageListModel", "From %1.").replace("%1", text.sender)
    parts.append(who)
    parts.append(translate("MessageListModel", "Subject: %1.").replace("%1", text.subject))
    when = format_spoken_date(summary.internal_date)
    if text.outgoing:
        parts.append(translate("MessageListModel", "Sent %1.").replace("%1", when))
    else:
        parts.append(translate("MessageListModel", "Received %1.").replace("%1", when))
    if summary.has_attachments:
        parts.append(translate("MessageListModel", "Attachment."))
    if summary.flags & Flag.FLAGGED:
        parts.append(translate("MessageListModel", "Followed up."))
    if summary.flags & Flag.ANSWERED:
        parts.append(translate("MessageListModel", "Answered."))
    if summary.gone_from_server:
        parts.append(translate("MessageListModel", "Deleted from the server, kept here."))
    return " ".join(parts)


def _sort_key(summary: MessageSummary) -> tuple[int, int]:
    """Newest first: rows are kept in descending (date, id) order; bisect on the negation."""
    return (-summary.internal_date, -summary.id)


class MessageListModel(QAbstractListModel):
    """Messages of a folder or a search, newest first, one column.

    Signals:
        loading_changed(bool): a page is being read (True) or arrived (False).
        source_loaded(int): the first page of a new source is shown (its row count).
        load_failed(object): reading a page failed (the error).
    """

    SummaryRole = Qt.ItemDataRole.UserRole + 1
    IdRole = Qt.ItemDataRole.UserRole + 2
    RowTextRole = Qt.ItemDataRole.UserRole + 3
    TermsRole = Qt.ItemDataRole.UserRole + 4

    loading_changed = Signal(bool)
    source_loaded = Signal(int)
    load_failed = Signal(object)

    def __init__(self, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._rows: list[MessageSummary] = []
        self._keys: list[tuple[int, int]] = []
        self._texts: dict[int, RowText] = {}
        self._own: frozenset[str] = frozenset()
        self._key_of: dict[int, tuple[int, int]] = {}  # id -> sort key: rows found by bisection
        self._source: MessageSource | None = None
        self._next: Cursor | None = None
        self._at_end = True
        self._loading = False
        self._generation = 0
        self._page_size = page_size
        self._terms: list[str] = []

    # -- the source ----------------------------------------------------------------------------

    @property
    def source(self) -> MessageSource | None:
        """Where the rows come from."""
        return self._source

    @property
    def terms(self) -> list[str]:
        """The search words highlighted in the rows."""
        return list(self._terms)

    @property
    def loading(self) -> bool:
        """A page is being read."""
        return self._loading

    def set_source(self, source: MessageSource | None, terms: Sequence[str] = ()) -> None:
        """Show another folder or search: rows cleared; call `load_first` next."""
        self._generation += 1
        self.beginResetModel()
        self._source = source
        self._terms = list(terms)
        self._rows, self._keys, self._texts, self._key_of = [], [], {}, {}
        self._next = None
        self._at_end = source is None
        self._loading = False
        self.endResetModel()

    async def load_first(self) -> int:
        """Read the source's first page; returns the rows shown."""
        await self._load(self._generation)
        if self._source is not None:
            self.source_loaded.emit(len(self._rows))
        return len(self._rows)

    async def load_more(self) -> int:
        """Read the next page (what scrolling does); returns how many rows came."""
        before = len(self._rows)
        if not self._at_end and not self._loading:
            await self._load(self._generation)
        return len(self._rows) - before

    async def _load(self, generation: int) -> None:
        source = self._source
        if source is None or self._loading:
            return
        self._loading = True
        self.loading_changed.emit(True)
        try:
            page = await source.page(self._next, self._page_size)
        finally:
            if generation == self._generation:
                self._loading = False
                self.loading_changed.emit(False)
        if generation != self._generation:
            return  # another folder or search was opened meanwhile
        items = [s for s in page.items if s.id not in self._key_of]
        if items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
            for item in items:
                key = _sort_key(item)
                self._rows.append(item)
                self._keys.append(key)
                self._key_of[item.id] = key
            self.endInsertRows()
        self._next = page.next
        self._at_end = page.next is None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: N802, B008
        """More rows wait in the archive (and none is being read)."""
        if parent.isValid():
            return False
        return self._source is not None and not self._at_end and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: N802, B008
        """The view scrolled near the end: read the next page in the background."""
        if not self.canFetchMore(parent):
            return
        run_operation(self, self._load(self._generation), on_failure=self.load_failed.emit)

    # -- updates from the engine ----------------------------------------------------------------

    def apply_changes(
        self,
        *,
        added: Iterable[MessageSummary] = (),
        changed: Iterable[MessageSummary] = (),
        removed: Iterable[int] = (),
    ) -> None:
        """Merge fresh rows in place: refresh, move when the date changed, insert, remove.

        `added` rows older than the last row shown are left for the next page when more pages
        wait (they would otherwise appear out of order at the end).
        """
        for message_id in set(removed):
            self.remove_id(message_id)
        for summary in changed:
            row = self.row_of(summary.id)
            if row is None:
                continue
            if _sort_key(summary) == self._keys[row]:
                self._rows[row] = summary
                self._texts.pop(summary.id, None)
                index = self.index(row)
                self.dataChanged.emit(index, index)
            else:
                self.remove_id(summary.id)
                self._insert(summary)
        self._insert_many([s for s in added if s.id not in self._key_of])

    def _insert_many(self, summaries: Sequence[MessageSummary]) -> None:
        """Insert new rows in order, one `rowsInserted` per run of adjacent rows.

        A first sync adds thousands of rows in one event: inserted one by one, each row was a
        signal, a view update and a list shift (0.2 s of the loop for 10,000 rows); merged,
        rows landing between the same two shown rows go in together. Rows older than the last
        one shown wait for their page when more pages wait.
        """
        if not summaries:
            return
        if len(summaries) == 1:
            self._insert(summaries[0])
            return
        fresh = sorted({s.id: s for s in summaries}.values(), key=_sort_key)
        last = self._keys[-1] if self._keys else None
        if not self._at_end and last is not None:
            fresh = [s for s in fresh if _sort_key(s) < last]
        elif not self._at_end:
            fresh = []  # nothing shown yet and a page to come: it brings them
        i = 0
        while i < len(fresh):
            key = _sort_key(fresh[i])
            row = bisect.bisect_left(self._keys, key)
            # Every following new row that sorts before the shown row at `row` goes here too.
            bound = self._keys[row] if row < len(self._keys) else None
            j = i + 1
            while j < len(fresh) and (bound is None or _sort_key(fresh[j]) < bound):
                j += 1
            run = fresh[i:j]
            self.beginInsertRows(QModelIndex(), row, row + len(run) - 1)
            self._rows[row:row] = run
            self._keys[row:row] = [_sort_key(s) for s in run]
            for summary in run:
                self._key_of[summary.id] = _sort_key(summary)
            self.endInsertRows()
            i = j

    def _insert(self, summary: MessageSummary) -> None:
        key = _sort_key(summary)
        row = bisect.bisect_left(self._keys, key)
        if row == len(self._rows) and not self._at_end:
            return  # beyond what is loaded: the next page brings it
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, summary)
        self._keys.insert(row, key)
        self._key_of[summary.id] = key
        self.endInsertRows()

    def remove_id(self, message_id: int) -> bool:
        """Remove a message's row; False when it is not shown."""
        row = self.row_of(message_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        del self._key_of[message_id]
        self._texts.pop(message_id, None)
        self.endRemoveRows()
        return True

    # -- reading rows ---------------------------------------------------------------------------

    def row_of(self, message_id: int) -> int | None:
        """The row of a message (None when not shown); O(log n)."""
        key = self._key_of.get(message_id)
        if key is None:
            return None
        row = bisect.bisect_left(self._keys, key)
        if row < len(self._rows) and self._rows[row].id == message_id:
            return row
        # The archive's order and ours disagree somewhere (same second): look it up.
        return next((r for r, s in enumerate(self._rows) if s.id == message_id), None)

    def summary(self, row: int) -> MessageSummary | None:
        """The row's message."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def ids(self) -> list[int]:
        """Every message shown, in order."""
        return [r.id for r in self._rows]

    def set_own_addresses(self, addresses: Collection[str]) -> None:
        """The user's mailboxes: what they sent names its recipients ("À : …")."""
        own = frozenset(a.lower() for a in addresses)
        if own == self._own:
            return
        self._own = own
        self._texts.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def text(self, row: int) -> RowText:
        """The row's visible texts (cached)."""
        summary = self._rows[row]
        cached = self._texts.get(summary.id)
        if cached is None:
            cached = self._texts[summary.id] = row_text(summary, self._own)
        return cached

    # -- Qt model API ---------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """Standard override."""
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Rows are selectable; nothing is editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Standard override; the delegate paints from `SummaryRole` and `RowTextRole`."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.text(index.row())
            return f"{text.sender} — {text.subject}"
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return row_sentence(summary, self._own)
        if role == self.SummaryRole:
            return summary
        if role == self.IdRole:
            return summary.id
        if role == self.RowTextRole:
            return self.text(index.row())
        if role == self.TermsRole:
            return self._terms
        return None
