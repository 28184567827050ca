"""The folder tree: accounts (PER, CAB, ORG side by side) and their folders with unread counts.

Plain rows in (`AccountRow`, `FolderRow`), updated in place: a new folder list for an account
is merged into the tree (rows inserted, removed or refreshed, never a reset), so the view
keeps its selection and expanded branches. Two columns: the name, and the unread count.

Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from app.ui.models.formatting import format_count

ModelIndex = QModelIndex | QPersistentModelIndex


translate = QCoreApplication.translate


#: Special-use folders first, in this order (RFC 6154 roles), then the others by name.
ROLE_ORDER = ("inbox", "drafts", "sent", "archive", "junk", "trash")
#: Account types side by side in this order (spec §1).
BOX_ORDER = ("PER", "CAB", "ORG", "APP")


def role_label(role: str | None) -> str | None:
    """The French name of a special-use folder."""
    labels = {
        "inbox": translate("FolderModel", "Inbox"),
        "sent": translate("FolderModel", "Sent"),
        "drafts": translate("FolderModel", "Drafts"),
        "trash": translate("FolderModel", "Trash"),
        "junk": translate("FolderModel", "Junk"),
        "archive": translate("FolderModel", "Archives"),
    }
    return labels.get(role or "")


def box_label(box_type: str) -> str:
    """What a mailbox type means (spec §1)."""
    labels = {
        "PER": translate("FolderModel", "Personal mailbox"),
        "CAB": translate("FolderModel", "Practice mailbox"),
        "ORG": translate("FolderModel", "Organisation mailbox"),
        "APP": translate("FolderModel", "Application mailbox"),
    }
    return labels.get(box_type, box_type)


@dataclass(frozen=True)
class AccountRow:
    """An account as the tree shows it."""

    id: int
    name: str
    address: str
    box_type: str = "PER"
    demo: bool = False
    # The mailbox was removed but its archive kept: shown, read only, never synced.
    retired: bool = False


@dataclass(frozen=True)
class FolderRow:
    """A folder as the tree shows it (`name` is the full server name)."""

    id: int
    name: str
    role: str | None
    messages: int
    unread: int
    on_server: bool = True
    gone: int = 0
    #: The levels a user sees, top first (the server's delimiter, without the personal
    #: namespace's ``INBOX.``); empty: `name` split on ``/``.
    path: tuple[str, ...] = ()

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels a user sees of the folder's name, top first."""
        return self.path or tuple(self.name.split("/"))


class NodeKind(IntEnum):
    """What a tree node stands for."""

    ACCOUNT = 1
    FOLDER = 2
    GROUP = 3  # a path level with no folder of its own ("Patients" above "Patients/Durand")


@dataclass(eq=False)
class _Node:
    kind: NodeKind
    key: str
    parent: _Node | None
    account: AccountRow
    folder: FolderRow | None = None
    label: str = ""
    children: list[_Node] = field(default_factory=list)

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent is not None else 0

    def unread(self) -> int:
        if self.kind is NodeKind.ACCOUNT:
            return sum(n.unread() for n in self.children)
        own = self.folder.unread if self.folder is not None else 0
        return own + sum(n.unread() for n in self.children)


@dataclass(frozen=True)
class _Spec:
    kind: NodeKind
    key: str
    label: str
    folder: FolderRow | None
    children: tuple[_Spec, ...]


class FolderTreeModel(QAbstractItemModel):
    """Accounts and their folders; columns: name, unread count.

    Signals: the standard model signals only (rows inserted/removed, dataChanged).
    """

    AccountIdRole = Qt.ItemDataRole.UserRole + 1
    FolderIdRole = Qt.ItemDataRole.UserRole + 2
    KindRole = Qt.ItemDataRole.UserRole + 3
    FolderRoleRole = Qt.ItemDataRole.UserRole + 4
    UnreadRole = Qt.ItemDataRole.UserRole + 5
    FolderNameRole = Qt.ItemDataRole.UserRole + 6

    COLUMN_NAME, COLUMN_UNREAD = 0, 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node(NodeKind.GROUP, "", None, AccountRow(0, "", ""))
        self._bold = QFont()
        self._bold.setBold(True)

    # -- public API ------------------------------------------------------------------------

    def accounts(self) -> list[AccountRow]:
        """The accounts shown, in display order."""
        return [n.account for n in self._root.children]

    def set_account(self, account: AccountRow, folders: Sequence[FolderRow]) -> None:
        """Show an account with these folders (merged into what is shown)."""
        spec = _Spec(NodeKind.ACCOUNT, str(account.id), account.name, None, _folder_specs(folders))
        existing = self._account_node(account.id)
        if existing is None:
            row = self._insert_position(account)
            node = _Node(NodeKind.ACCOUNT, spec.key, self._root, account, label=account.name)
            self.beginInsertRows(QModelIndex(), row, row)
            self._root.children.insert(row, node)
            self.endInsertRows()
            self._merge(node, spec)
            return
        existing.account = account
        self._propagate_account(existing, account)
        index = self._index_of(existing)
        self.dataChanged.emit(index, index.siblingAtColumn(self.COLUMN_UNREAD))
        self._merge(existing, spec)

    def remove_account(self, account_id: int) -> None:
        """Stop showing an account."""
        node = self._account_node(account_id)
        if node is None:
            return
        row = node.row()
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._root.children[row]
        self.endRemoveRows()

    def keep_accounts(self, account_ids: Sequence[int]) -> None:
        """Remove the accounts not in `account_ids`."""
        for account in self.accounts():
            if account.id not in account_ids:
                self.remove_account(account.id)

    def update_counts(self, folder_id: int, *, messages: int, unread: int) -> bool:
        """A folder's counts changed; False when the folder is not shown."""
        node = self._folder_node(folder_id)
        if node is None or node.folder is None:
            return False
        if node.folder.unread == unread and node.folder.messages == messages:
            return True
        node.folder = FolderRow(
            id=node.folder.id,
            name=node.folder.name,
            role=node.folder.role,
            messages=messages,
            unread=unread,
            on_server=node.folder.on_server,
            gone=node.folder.gone,
            path=node.folder.path,
        )
        # The folder, and every level above it (their totals include it).
        walk: _Node | None = node
        while walk is not None and walk is not self._root:
            index = self._index_of(walk)
            self.dataChanged.emit(index, index.siblingAtColumn(self.COLUMN_UNREAD))
            walk = walk.parent
        return True

    def folder_index(self, folder_id: int) -> QModelIndex:
        """The index of a folder (invalid when not shown)."""
        node = self._folder_node(folder_id)
        return self._index_of(node) if node is not None else QModelIndex()

    def account_index(self, account_id: int) -> QModelIndex:
        """The index of an account (invalid when not shown)."""
        node = self._account_node(account_id)
        return self._index_of(node) if node is not None else QModelIndex()

    def folders(self, account_id: int) -> list[FolderRow]:
        """An account's folders, in display order."""
        node = self._account_node(account_id)
        out: list[FolderRow] = []

        def walk(parent: _Node) -> None:
            for child in parent.children:
                if child.folder is not None:
                    out.append(child.folder)
                walk(child)

        if node is not None:
            walk(node)
        return out

    def folder(self, folder_id: int) -> FolderRow | None:
        """A folder shown in the tree."""
        node = self._folder_node(folder_id)
        return node.folder if node is not None else None

    def folder_label(self, folder: FolderRow) -> str:
        """The name a user sees for a folder."""
        return role_label(folder.role) or folder.levels[-1]

    # -- Qt model API -------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Standard override."""
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._node(parent)
        return self.createIndex(row, column, node.children[row])

    def parent(self, child: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Standard override."""
        if not child.isValid():
            return QModelIndex()
        node: _Node = child.internalPointer()
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """Standard override."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """Standard override."""
        return 2

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Groups without a folder of their own cannot be opened."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        node: _Node = index.internalPointer()
        if node.kind is NodeKind.GROUP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles (the view hides them; screen readers read them)."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == self.COLUMN_NAME:
                return translate("FolderModel", "Folder")
            return translate("FolderModel", "Unread")
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Standard override."""
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        column = index.column()
        unread = node.unread()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COLUMN_UNREAD:
                return format_count(unread) if unread else ""
            return self._label(node)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if unread or node.kind is NodeKind.ACCOUNT else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COLUMN_UNREAD:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self._spoken(node, unread, tooltip=role == Qt.ItemDataRole.ToolTipRole)
        if role == self.AccountIdRole:
            return node.account.id
        if role == self.FolderIdRole:
            return node.folder.id if node.folder is not None else None
        if role == self.FolderNameRole:
            return node.folder.name if node.folder is not None else None
        if role == self.KindRole:
            return int(node.kind)
        if role == self.FolderRoleRole:
            return node.folder.role if node.folder is not None else None
        if role == self.UnreadRole:
            return unread
        return None

    # -- internals -----------------------------------------------------------------------------

    def _label(self, node: _Node) -> str:
        if node.kind is NodeKind.ACCOUNT:
            if node.account.demo:  # labelled as a demo everywhere (issue 10 §7)
                return translate("FolderModel", "Demonstration")
            if node.account.retired:
                return translate("FolderModel", "%1 (archive)").replace("%1", node.account.name)
            return node.account.name
        return node.label

    def _spoken(self, node: _Node, unread: int, *, tooltip: bool) -> str:
        parts = [self._label(node)]
        if node.kind is NodeKind.ACCOUNT:
            parts.append(box_label(node.account.box_type))
            if tooltip:
                parts.append(node.account.address)
            if node.account.demo:
                parts.append(translate("FolderModel", "demo mailbox, not a real account"))
                if tooltip:
                    parts.append(node.account.name)
            if node.account.retired:
                parts.append(translate("FolderModel", "mailbox removed, archive kept offline"))
        if node.folder is not None and not node.folder.on_server:
            parts.append(translate("FolderModel", "no longer on the server, kept here"))
        if unread:
            parts.append(translate("FolderModel", "%n unread", "", unread))
        elif node.kind is not NodeKind.GROUP:
            parts.append(translate("FolderModel", "no unread message"))
        return ", ".join(parts)

    def _node(self, index: ModelIndex) -> _Node:
        if not index.isValid():
            return self._root
        node: _Node = index.internalPointer()
        return node

    def _index_of(self, node: _Node) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def _account_node(self, account_id: int) -> _Node | None:
        for node in self._root.children:
            if node.account.id == account_id:
                return node
        return None

    def _folder_node(self, folder_id: int) -> _Node | None:
        stack = list(self._root.children)
        while stack:
            node = stack.pop()
            if node.folder is not None and node.folder.id == folder_id:
                return node
            stack.extend(node.children)
        return None

    def _insert_position(self, account: AccountRow) -> int:
        key = _account_sort_key(account)
        for row, node in enumerate(self._root.children):
            if key < _account_sort_key(node.account):
                return row
        return len(self._root.children)

    def _propagate_account(self, node: _Node, account: AccountRow) -> None:
        for child in node.children:
            child.account = account
            self._propagate_account(child, account)

    def _merge(self, node: _Node, spec: _Spec) -> None:
        """Make node's children match spec's, in order, with the fewest row changes."""
        parent_index = self._index_of(node)
        wanted = [s.key for s in spec.children]
        # Remove the children no longer wanted.
        for row in range(len(node.children) - 1, -1, -1):
            if node.children[row].key not in wanted:
                self.beginRemoveRows(parent_index, row, row)
                del node.children[row]
                self.endRemoveRows()
        # Insert or update, in order.
        for row, child_spec in enumerate(spec.children):
            current = next(
                (i for i, c in enumerate(node.children) if c.key == child_spec.key), None
            )
            if current is None:
                child = _Node(
                    child_spec.kind,
                    child_spec.key,
                    node,
                    node.account,
                    child_spec.folder,
                    child_spec.label,
                )
                self.beginInsertRows(parent_index, row, row)
                node.children.insert(row, child)
                self.endInsertRows()
            else:
                if current != row:
                    self.beginMoveRows(parent_index, current, current, parent_index, row)
                    node.children.insert(row, node.children.pop(current))
                    self.endMoveRows()
                child = node.children[row]
                if (
                    child.folder != child_spec.folder
                    or child.label != child_spec.label
                    or child.kind != child_spec.kind
                ):
                    child.folder, child.label = child_spec.folder, child_spec.label
                    child.kind = child_spec.kind
                    index = self._index_of(child)
                    self.dataChanged.emit(index, index.siblingAtColumn(self.COLUMN_UNREAD))
            self._merge(node.children[row], child_spec)


def _account_sort_key(account: AccountRow) -> tuple[int, int, str]:
    box = BOX_ORDER.index(account.box_type) if account.box_type in BOX_ORDER else len(BOX_ORDER)
    return (int(account.demo), box, account.name.casefold())


def _folder_specs(folders: Sequence[FolderRow]) -> tuple[_Spec, ...]:
    """Nest folders by the levels of their names; special-use folders first."""
    tree: dict[str, Any] = {}
    by_path: dict[str, FolderRow] = {}
    for folder in folders:
        by_path["/".join(folder.levels)] = folder
        level = tree
        for segment in folder.levels:
            level = level.setdefault(segment, {})

    def build(level: dict[str, Any], prefix: str) -> tuple[_Spec, ...]:
        specs = []
        for segment, children in level.items():
            path = f"{prefix}/{segment}" if prefix else segment
            folder = by_path.get(path)
            label = (role_label(folder.role) if folder is not None else None) or segment
            specs.append(
                _Spec(
                    NodeKind.FOLDER if folder is not None else NodeKind.GROUP,
                    # A folder is known by its id: renamed on the server, it keeps its row
                    # (and the view its selection). A group of folders by its path.
                    path if folder is None else f"\x00{folder.id}",
                    label,
                    folder,
                    build(children, path),
                )
            )

        def order(spec: _Spec) -> tuple[int, str]:
            role = spec.folder.role if spec.folder is not None else None
            rank = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
            return (rank, spec.label.casefold())

        return tuple(sorted(specs, key=order))

    return build(tree, "")
