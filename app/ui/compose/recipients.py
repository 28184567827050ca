"""Recipients as chips, with as-you-type completion (directory, favourites, recent, patients).

`RecipientField` is one line of chips (À, Cc or Cci) and a text field. Typing asks the
completion service (`suggest`, a coroutine) for suggestions; choosing one, or typing an
address and Entrée / virgule / point-virgule, makes a chip. A pasted list of addresses is
split into chips. Each chip shows who it is and is flagged when its address is invalid or
outside the trust space (the composer sets `set_state`). Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Awaitable, Callable, Sequence
from email.utils import getaddresses

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QPainter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
    QWidgetItem,
)

from app.domain.addresses import Ins, MailAddress
from app.services.completion_service import Suggestion, SuggestionSource
from app.ui.widgets.mail_icons import icon as mail_icon

SuggestFunction = Callable[[str], Awaitable[list[Suggestion]]]

#: Splits a pasted list: commas, semicolons, new lines, tabs.
_SEPARATORS = re.compile(r"[,;\n\r\t]+")

_ADDRESS_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME_ROLE = Qt.ItemDataRole.UserRole + 2
_DETAILS_ROLE = Qt.ItemDataRole.UserRole + 3


class ChipState(enum.StrEnum):
    """How a recipient looks: fine, a patient, to be confirmed, or refused."""

    OK = "ok"
    PATIENT = "patient"
    WARNING = "warning"
    INVALID = "invalid"


_CHIP_STYLE = {
    ChipState.OK: ("#e8f0fe", "#1a4f9c", "#c6d7f5"),
    ChipState.PATIENT: ("#e3f4ee", "#0b5e45", "#b5e0d0"),
    ChipState.WARNING: ("#fff4d6", "#6b4a00", "#f0c96a"),
    ChipState.INVALID: ("#fde7e7", "#a11b1b", "#f1a8a8"),
}


def local_state(address: str) -> tuple[ChipState, str]:
    """What can be said of an address without the engine: invalid, patient, Apicrypt, fine.

    Returns the state and an issue code (`describe` words it), empty when fine.
    """
    parsed = MailAddress.try_parse(address)
    if parsed is None:
        return ChipState.INVALID, "address.malformed"
    if parsed.is_patient_domain:
        if parsed.is_patient_test_mailbox:
            return ChipState.PATIENT, ""
        if not Ins.is_valid(parsed.local):
            return ChipState.INVALID, "recipient.patient_ins_invalid"
        return ChipState.PATIENT, ""
    if parsed.is_apicrypt:
        return ChipState.INVALID, "recipient.apicrypt"
    return ChipState.OK, ""


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping to the next line (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:  # noqa: N802 - Qt style
        """Put `widget` at `index` (before the text field)."""
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        """Qt override."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        """Qt override."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        """Qt override."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        """Qt override."""
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        """Qt override."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        """Qt override."""
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Qt override."""
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """Qt override."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        last = len(self._items) - 1
        for index, item in enumerate(self._items):
            hint = item.sizeHint()
            if index == last:  # the text field takes what is left of the line (at least 160)
                room = rect.right() - x
                if room < 160 and x > rect.x():
                    x, y, line = rect.x(), y + line + self._spacing, 0
                    room = rect.width()
                hint = QSize(max(room, 160), hint.height())
            elif x + hint.width() > rect.right() and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class Chip(QFrame):
    """One recipient: its name (or address), a state colour, and a remove button.

    Signals:
        remove_requested: the × was pressed (or Suppr on the chip).
    """

    remove_requested = Signal()
    replace_requested = Signal(str)

    def __init__(self, address: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.name = name
        self.state = ChipState.OK
        self.reason = ""
        #: A better address to offer (the MSSanté form of an Apicrypt address), or "".
        self.suggestion = ""
        self.setObjectName("recipientChip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(2)
        self.badge = QLabel(self)
        self.badge.setFixedSize(14, 14)
        self.label = QLabel(name or address, self)
        self.remove = QToolButton(self)
        self.remove.setText("×")
        self.remove.setAutoRaise(True)
        self.remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove.clicked.connect(self.remove_requested)
        layout.addWidget(self.badge)
        layout.addWidget(self.label)
        layout.addWidget(self.remove)
        self.set_state(ChipState.OK, "")

    def set_state(self, state: ChipState, reason: str) -> None:
        """Colour and describe the chip (reason: a French sentence, or empty)."""
        self.state, self.reason = state, reason
        back, text, border = _CHIP_STYLE[state]
        self.setStyleSheet(
            f"#recipientChip {{ background: {back}; border: 1px solid {border};"
            f" border-radius: 10px; }} #recipientChip:focus {{ border: 2px solid {text}; }}"
            f" QLabel {{ color: {text}; background: transparent; }}"
            f" QToolButton {{ color: {text}; border: none; padding: 0 3px; }}"
        )
        marker = {
            ChipState.PATIENT: ("patient", "#0b7a5b"),
            ChipState.WARNING: ("blocked", "#8a5a00"),
            ChipState.INVALID: ("blocked", "#a11b1b"),
        }.get(state)
        if marker is None:
            self.badge.hide()
        else:
            self.badge.setPixmap(mail_icon(marker[0], marker[1], 14).pixmap(14, 14))
            self.badge.show()
        shown = f"{self.name} <{self.address}>" if self.name else self.address
        what = {
            ChipState.OK: "",
            ChipState.PATIENT: self.tr("patient"),
            ChipState.WARNING: self.tr("to be confirmed"),
            ChipState.INVALID: self.tr("refused"),
        }[state]
        tip = shown if not reason else f"{shown}\n{reason}"
        self.setToolTip(tip)
        self.setAccessibleName(", ".join(p for p in (shown, what, reason) if p))
        self.remove.setAccessibleName(self.tr("Remove %1").replace("%1", self.name or self.address))
        self.remove.setToolTip(self.tr("Remove this recipient"))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        """Qt override: offer the replacement address (menu key or right click)."""
        menu = QMenu(self)
        if self.suggestion:
            replace = menu.addAction(self.tr("Replace with %1").replace("%1", self.suggestion))
            replace.triggered.connect(lambda: self.replace_requested.emit(self.suggestion))
        remove = menu.addAction(self.tr("Remove this recipient"))
        remove.triggered.connect(self.remove_requested)
        menu.popup(event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


def suggestion_text(s: Suggestion, patient_word: str) -> tuple[str, str]:
    """The two lines of a suggestion: name and address; profession, type, town/structure."""
    first = f"{s.name}  <{s.address}>" if s.name else s.address
    role = patient_word if s.source is SuggestionSource.PATIENT else s.role
    details = [p for p in (role, s.box_type, s.place) if p]
    if s.patient_ins:
        details.append(f"INS {s.patient_ins}")
    return first, " · ".join(details)


class SuggestionDelegate(QStyledItemDelegate):
    """Draws a suggestion on two lines: the name in bold and the address, then the details.

    The details, in grey: profession (or "Patient"), mailbox type, town and structure.
    """

    def sizeHint(  # noqa: N802 - Qt override
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Qt override."""
        height = option.fontMetrics.height()
        return QSize(300, 2 * height + 12)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Qt override."""
        self.initStyleOption(option, index)
        rect: QRect = option.rect
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        if selected:
            painter.fillRect(rect, palette.highlight())
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        left = rect.left() + 8
        if isinstance(icon, QIcon) and not icon.isNull():
            icon.paint(painter, QRect(left, rect.top() + (rect.height() - 16) // 2, 16, 16))
        left += 24
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        line = QFontMetrics(base).height()
        top = rect.top() + 5
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        grey = text_colour if selected else QColor("#5f6368")
        name = str(index.data(_NAME_ROLE) or "")
        address = str(index.data(_ADDRESS_ROLE) or "")
        width = rect.right() - left - 8
        x = left
        if name:
            painter.setFont(bold)
            painter.setPen(text_colour)
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, width // 2)
            painter.drawText(QRect(x, top, width, line), Qt.AlignmentFlag.AlignLeft, shown)
            x += metrics.horizontalAdvance(shown) + 10
        painter.setFont(base)
        painter.setPen(grey if name else text_colour)
        painter.drawText(
            QRect(x, top, rect.right() - x - 8, line),
            Qt.AlignmentFlag.AlignLeft,
            QFontMetrics(base).elidedText(
                address, Qt.TextElideMode.ElideMiddle, max(20, rect.right() - x - 8)
            ),
        )
        details = str(index.data(_DETAILS_ROLE) or "")
        painter.setPen(grey)
        painter.drawText(
            QRect(left, top + line + 2, width, line),
            Qt.AlignmentFlag.AlignLeft,
            QFontMetrics(base).elidedText(details, Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()


class RecipientField(QFrame):
    """A line of recipient chips and the field where addresses are typed.

    Signals:
        changed: a chip was added or removed.
        suggestions_shown(int): the completion list was filled (its row count; benchmarks).
    """

    changed = Signal()
    suggestions_shown = Signal(int)

    def __init__(
        self, label: str, suggest: SuggestFunction | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recipientField")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._suggest = suggest
        self._chips: list[Chip] = []
        self._names: dict[str, str] = {}
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self.layout_ = FlowLayout(self)
        self.layout_.setContentsMargins(4, 3, 4, 3)
        self.edit = QLineEdit(self)
        self.edit.setFrame(False)
        self.edit.setAccessibleName(label)
        self.edit.setPlaceholderText(self.tr("Name, profession, town, INS or address"))
        self.layout_.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(self.edit)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(8)
        popup = self._popup()
        popup.setAccessibleName(self.tr("Suggestions"))
        popup.setMinimumWidth(460)
        self.delegate = SuggestionDelegate(popup)
        popup.setItemDelegate(self.delegate)
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_completer_activated
        )
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.edit.installEventFilter(self)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter always has one
        return popup

    # -- content ---------------------------------------------------------------------------

    def addresses(self) -> tuple[str, ...]:
        """The recipients (chips), in order; what is still being typed is not included."""
        return tuple(c.address for c in self._chips)

    def chips(self) -> list[Chip]:
        """The chips (tests and the composer's flags)."""
        return list(self._chips)

    def pending_text(self) -> str:
        """What is typed and not yet a chip."""
        return self.edit.text().strip()

    def set_addresses(self, addresses: Sequence[str]) -> None:
        """Replace every chip (opening a draft or a reply)."""
        for chip in list(self._chips):
            self._remove(chip, notify=False)
        for address in addresses:
            self.add_address(address, notify=False)
        self.changed.emit()

    def add_address(self, text: str, name: str = "", *, notify: bool = True) -> bool:
        """Add one chip (an address, or ``Name <address>``); False when already there."""
        pairs = getaddresses([text]) if "<" in text else [(name, text)]
        found_name, address = pairs[0] if pairs else (name, text)
        address = address.strip().strip("<>").strip()
        if not address:
            return False
        key = address.lower()
        if any(c.address.lower() == key for c in self._chips):
            return False
        label = name or found_name or self._names.get(key, "")
        chip = Chip(address if MailAddress.try_parse(address) is None else key, label, self)
        chip.remove_requested.connect(lambda c=chip: self._remove(c))
        self.layout_.insertWidget(len(self._chips), chip)
        chip.show()
        self._chips.append(chip)
        chip.replace_requested.connect(lambda new, c=chip: self.replace(c, new))
        state, code = local_state(chip.address)
        if code:
            from app.ui.compose.texts import describe

            params = self._params(chip.address, code)
            chip.suggestion = params.get("suggestion", "")
            chip.set_state(state, describe(code, params))
        else:
            chip.set_state(state, "")
        self.updateGeometry()
        if notify:
            self.changed.emit()
        return True

    def replace(self, chip: Chip, address: str) -> None:
        """Put `address` in place of a chip (the MSSanté form of an Apicrypt address)."""
        if chip not in self._chips:
            return
        name = chip.name
        self._remove(chip, notify=False)
        self.add_address(address, name)

    def set_state(self, address: str, state: ChipState, reason: str) -> None:
        """Flag one chip (the composer's checks)."""
        for chip in self._chips:
            if chip.address.lower() == address.lower():
                chip.set_state(state, reason)

    def add_text(self, text: str) -> int:
        """Split pasted or typed text into chips; returns how many were added."""
        added = 0
        if text.count("@") > 1 or _SEPARATORS.search(text):
            parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
            if len(parts) == 1 and text.count("@") > 1:
                parts = text.split()
            for part in parts:
                added += self.add_address(part, notify=False)
        elif text.strip():
            added += self.add_address(text.strip(), notify=False)
        if added:
            self.changed.emit()
        return added

    def commit_pending(self) -> None:
        """Turn what is typed into chips (leaving the field, sending)."""
        text = self.edit.text()
        if text.strip():
            self.add_text(text)
            self.edit.clear()
            self._popup().hide()

    def _params(self, address: str, code: str) -> dict[str, str]:
        parsed = MailAddress.try_parse(address)
        params = {"value": address, "address": address}
        if code == "recipient.apicrypt" and parsed is not None:
            params["suggestion"] = str(parsed.apicrypt_interop())
        return params

    def _remove(self, chip: Chip, *, notify: bool = True) -> None:
        if chip not in self._chips:
            return
        index = self._chips.index(chip)
        self._chips.remove(chip)
        item = self.layout_.takeAt(index)
        del item
        chip.hide()
        chip.deleteLater()
        self.edit.setFocus()
        self.updateGeometry()
        if notify:
            self.changed.emit()

    # -- typing and completion -------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Qt override."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, text = event.key(), event.text()
            if key == Qt.Key.Key_Backspace and not self.edit.text() and self._chips:
                self._chips[-1].setFocus()
                return True
            if text in (",", ";") and self.edit.text().strip():
                self.commit_pending()
                return True
        focus_out = watched is self.edit and event.type() == QEvent.Type.FocusOut
        if focus_out and not self._popup().isVisible():
            self.commit_pending()
        return super().eventFilter(watched, event)

    def _on_edit_text_edited(self, text: str) -> None:
        if _SEPARATORS.search(text) or text.count("@") > 1:  # a pasted list
            self.edit.clear()
            self.add_text(text)
            return
        self.request_suggestions(text)

    def request_suggestions(self, text: str) -> None:
        """Ask for suggestions for `text` (the previous question is dropped)."""
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._suggest is None or len(text.strip()) < 2:
            self.model.clear()
            self._popup().hide()
            return
        self._task = asyncio.ensure_future(self._fetch(text, self._generation))

    async def _fetch(self, text: str, generation: int) -> None:
        assert self._suggest is not None
        try:
            found = await self._suggest(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - completion never breaks typing
            found = []
        if generation != self._generation:
            return
        self.show_suggestions(found)

    def show_suggestions(self, found: Sequence[Suggestion]) -> None:
        """Fill and show the completion list."""
        self.model.clear()
        patient_word = self.tr("Patient")
        for s in found:
            first, second = suggestion_text(s, patient_word)
            item = QStandardItem(f"{first}\n{second}" if second else first)
            item.setData(s.address, _ADDRESS_ROLE)
            item.setData(s.name, _NAME_ROLE)
            item.setData(second, _DETAILS_ROLE)
            item.setEditable(False)
            if s.source is SuggestionSource.PATIENT:
                item.setIcon(mail_icon("patient", "#0b7a5b", 16))
            elif s.source is SuggestionSource.FAVOURITE:
                item.setIcon(mail_icon("flag", "#d93025", 16))
            item.setToolTip(item.text())
            self.model.appendRow(item)
        if found and self.edit.isVisible():
            rect = self.edit.rect()
            rect.setWidth(max(rect.width(), 460))
            self.completer.complete(rect)
        else:
            self._popup().hide()
        self.suggestions_shown.emit(len(found))

    def _on_completer_activated(self, index: QModelIndex) -> None:
        address = index.data(_ADDRESS_ROLE)
        name = index.data(_NAME_ROLE) or ""
        if isinstance(address, str):
            self._names[address.lower()] = name
            self.add_address(address, name)
        self.edit.clear()

    def _on_edit_return_pressed(self) -> None:
        popup = self._popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer handles it
        self.commit_pending()
