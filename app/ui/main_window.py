"""The main window's frame: navigation, named pages, menus, toolbar, banners, status bar, lock.

The frame knows no mail: the mail page (`app.ui.mail_page`) is added once the services are
open, and later screens (composer, patients, directory) register their own pages with
`add_page`. Only Qt and light modules are imported here, so that the window shows within a
fraction of a second, before the archive is opened. Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon
from app.ui.lock import LockScreen
from app.ui.welcome import LoadingPage, WelcomePage
from app.ui.widgets.banners import DemoBanner, OfflineBanner
from app.ui.widgets.status_bar import PliStatusBar

#: Pages shown in the left navigation, in this order (later issues add theirs).
NAV_ORDER = ("mail", "patients", "outbox", "directory")


class MainWindow(QMainWindow):
    """Pli's window.

    Signals:
        closed: the user closed the window (the application then shuts down).
        lock_requested: the user asked to lock now.
        sync_requested: "Relever le courrier".
        add_account_requested: "Ajouter ma boîte MSSanté".
        demo_requested: "Essayer avec une boîte de démonstration".
        remove_demo_requested: "Retirer la démonstration".
        page_changed(str): the named page now shown.
    """

    closed = Signal()
    lock_requested = Signal()
    sync_requested = Signal()
    add_account_requested = Signal()
    demo_requested = Signal()
    remove_demo_requested = Signal()
    page_changed = Signal(str)

    def __init__(self, state: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._pages: dict[str, QWidget] = {}
        self._nav_items: dict[str, QListWidgetItem] = {}
        self._nav_actions: dict[str, QAction] = {}
        self._locked = False
        self._toolbar_was_visible = False
        self._hidden_while_locked: list[QWidget] = []
        self._state_savers: list[Callable[[QSettings], None]] = []
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Pli"))
        self.setWindowIcon(icon("pli"))
        self.setMinimumSize(QSize(880, 560))
        self.setAccessibleName(self.tr("Pli - secure health messaging"))

        # -- central area: [navigation | banners + pages], or the lock screen ----------------
        self._outer = QStackedWidget(self)
        self._content = QWidget(self._outer)
        row = QHBoxLayout(self._content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.navigation = QListWidget(self._content)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(self.tr("Sections"))
        self.navigation.setFixedWidth(112)
        self.navigation.setIconSize(QSize(26, 26))
        self.navigation.setViewMode(QListWidget.ViewMode.IconMode)
        self.navigation.setMovement(QListWidget.Movement.Static)
        self.navigation.setFlow(QListWidget.Flow.TopToBottom)
        self.navigation.setWrapping(False)
        self.navigation.setSpacing(2)
        self.navigation.setGridSize(QSize(104, 70))
        self.navigation.currentItemChanged.connect(self._on_navigation_current_changed)
        self.navigation.hide()
        column = QWidget(self._content)
        stack_layout = QVBoxLayout(column)
        stack_layout.setContentsMargins(0, 0, 0, 0)
        stack_layout.setSpacing(0)
        self.offline_banner = OfflineBanner(column)
        self.demo_banner = DemoBanner(column)
        self.demo_banner.action_clicked.connect(self.remove_demo_requested)
        self.offline_banner.action_clicked.connect(self.sync_requested)
        self.pages = QStackedWidget(column)
        stack_layout.addWidget(self.demo_banner)
        stack_layout.addWidget(self.offline_banner)
        stack_layout.addWidget(self.pages, 1)
        row.addWidget(self.navigation)
        row.addWidget(column, 1)
        self.lock_screen = LockScreen(self._outer)
        self._outer.addWidget(self._content)
        self._outer.addWidget(self.lock_screen)
        self.setCentralWidget(self._outer)

        self.loading = LoadingPage(self.pages)
        self.welcome = WelcomePage(self.pages)
        self.welcome.demo_requested.connect(self.demo_requested)
        self.welcome.add_account_requested.connect(self.add_account_requested)
        self.add_page("loading", self.loading)
        self.add_page("welcome", self.welcome)

        # -- actions, menus, toolbar, status bar ---------------------------------------------
        self._build_actions()
        self._build_menus()
        self.toolbar = QToolBar(self.tr("Message actions"), self)
        self.toolbar.setObjectName("mainToolBar")
        self.toolbar.setAccessibleName(self.tr("Message actions"))
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.hide()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.status = PliStatusBar(self)
        self.setStatusBar(self.status)
        self.show_page("loading")
        self.restore_state()

    # -- actions and menus -----------------------------------------------------------------------

    def _action(
        self,
        text: str,
        handler: Callable[[], object] | None = None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if handler is not None:
            action.triggered.connect(handler)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.add_account_action = self._action(
            self.tr("&Add a mailbox…"), self.add_account_requested.emit, None, "add"
        )
        self.remove_demo_action = self._action(
            self.tr("&Remove the demonstration mailbox"), self.remove_demo_requested.emit
        )
        self.remove_demo_action.setVisible(False)
        self.sync_action = self._action(
            self.tr("&Check for new mail"), self.sync_requested.emit, "F5", "sync"
        )
        self.lock_action = self._action(
            self.tr("&Lock Pli"), self.lock_requested.emit, "Ctrl+Shift+L", "lock"
        )
        self.quit_action = self._action(self.tr("&Quit"), self.close, "Ctrl+Q")
        # Ctrl+F here; the search bar itself answers Ctrl+K.
        self.find_action = self._action(self.tr("&Find…"), self._on_find_triggered, "Ctrl+F")
        self.find_action.setEnabled(False)
        self.toolbar_action = QAction(self.tr("Show the &toolbar"), self)
        self.toolbar_action.setCheckable(True)
        self.toolbar_action.setChecked(True)
        self.toolbar_action.toggled.connect(self._on_toolbar_action_toggled)
        self.fullscreen_action = self._action(
            self.tr("&Full screen"), self._on_fullscreen_triggered, "F11"
        )
        self.shortcuts_action = self._action(
            self.tr("&Keyboard shortcuts"), self.show_shortcuts, "F1"
        )
        self.about_action = self._action(self.tr("&About Pli"), self._on_about_triggered)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setAccessibleName(self.tr("Menu bar"))
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.file_menu.addAction(self.add_account_action)
        self.file_menu.addAction(self.remove_demo_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.sync_action)
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu(self.tr("&Edit"))
        self.edit_menu.addAction(self.find_action)
        self.view_menu = bar.addMenu(self.tr("&View"))
        self._view_pages_separator = self.view_menu.addSeparator()
        self.view_menu.addAction(self.toolbar_action)
        self.view_menu.addAction(self.fullscreen_action)
        self.message_menu = bar.addMenu(self.tr("&Message"))
        self.message_menu.setEnabled(False)
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)
        for menu in (
            self.file_menu,
            self.edit_menu,
            self.view_menu,
            self.message_menu,
            self.help_menu,
        ):
            menu.setAccessibleName(menu.title().replace("&", ""))

    def set_message_actions(self, actions: Sequence[QAction]) -> None:
        """Fill the Message menu and the toolbar with the mail page's actions."""
        self.message_menu.clear()
        self.toolbar.clear()
        for action in actions:
            if action.isSeparator():
                self.message_menu.addSeparator()
                self.toolbar.addSeparator()
                continue
            self.message_menu.addAction(action)
            self.toolbar.addAction(action)
            if action not in self.actions():
                self.addAction(action)
        self.message_menu.setEnabled(bool(actions))
        for button in self.toolbar.findChildren(QWidget):
            if button.parent() is self.toolbar and not button.accessibleName():
                default = getattr(button, "defaultAction", None)
                act = default() if callable(default) else None
                if isinstance(act, QAction):
                    button.setAccessibleName(act.text().replace("&", ""))

    # -- pages -------------------------------------------------------------------------------------

    def add_page(
        self,
        name: str,
        widget: QWidget,
        title: str | None = None,
        icon_name: str | None = None,
        shortcut: str | None = None,
    ) -> None:
        """Register a named page; with a `title` it also appears in the left navigation."""
        if name in self._pages:
            old = self._pages.pop(name)
            self.pages.removeWidget(old)
            old.deleteLater()
        self._pages[name] = widget
        self.pages.addWidget(widget)
        if title is None:
            return
        item = self._nav_items.get(name)
        if item is None:
            item = QListWidgetItem(icon(icon_name or name), title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
            item.setToolTip(title.replace("&", ""))
            order = [n for n in NAV_ORDER if n in self._nav_items or n == name]
            order += [n for n in self._nav_items if n not in NAV_ORDER]
            position = order.index(name) if name in order else self.navigation.count()
            self.navigation.insertItem(min(position, self.navigation.count()), item)
            self._nav_items[name] = item
            action = QAction(title, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, n=name: self.show_page(n))
            self.addAction(action)
            self.view_menu.insertAction(self._view_pages_separator, action)
            self._nav_actions[name] = action

    def close_pages(self) -> None:
        """Delete every page built on the services (the application is shutting down)."""
        for name in list(self._pages):
            if name in ("loading", "welcome"):
                continue
            widget = self._pages.pop(name)
            self.pages.removeWidget(widget)
            widget.deleteLater()
        self.set_message_actions([])
        self.show_page("loading")

    def page(self, name: str) -> QWidget | None:
        """A registered page."""
        return self._pages.get(name)

    def current_page(self) -> str:
        """The name of the page shown."""
        widget = self.pages.currentWidget()
        for name, page in self._pages.items():
            if page is widget:
                return name
        return ""

    def show_page(self, name: str) -> None:
        """Show a named page (the navigation follows)."""
        widget = self._pages[name]
        self.pages.setCurrentWidget(widget)
        in_navigation = name in self._nav_items
        self.navigation.setVisible(in_navigation and bool(self._nav_items))
        self.toolbar.setVisible(
            name == "mail" and self.toolbar_action.isChecked() and bool(self.toolbar.actions())
        )
        self.find_action.setEnabled(name == "mail")
        if in_navigation:
            item = self._nav_items[name]
            if self.navigation.currentItem() is not item:
                self.navigation.setCurrentItem(item)
        self.page_changed.emit(name)

    def _on_navigation_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            name = current.data(Qt.ItemDataRole.UserRole)
            if isinstance(name, str) and name in self._pages and self.current_page() != name:
                self.show_page(name)

    def _on_find_triggered(self) -> None:
        page = self._pages.get("mail")
        focus = getattr(page, "focus_search", None)
        if callable(focus):
            focus()

    def _on_toolbar_action_toggled(self, checked: bool) -> None:
        self.toolbar.setVisible(checked and self.current_page() == "mail")

    def _on_fullscreen_triggered(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def set_demo(self, present: bool) -> None:
        """Label the demonstration mailbox everywhere it shows."""
        self.demo_banner.setVisible(present)
        self.remove_demo_action.setVisible(present)

    # -- help --------------------------------------------------------------------------------------

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every action with a keyboard shortcut: (what, keys), in French."""
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for action in self.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = action.text().replace("&", "").rstrip("…")
            if keys and text and text not in seen:
                seen.add(text)
                rows.append((text, keys))
        return rows

    def show_shortcuts(self) -> None:
        """A list of the keyboard shortcuts."""
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Keyboard shortcuts"))
        dialog.setAccessibleName(dialog.windowTitle())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(dialog)
        rows = self.shortcut_rows()
        table = QTableWidget(len(rows), 2, dialog)
        table.setAccessibleName(self.tr("Keyboard shortcuts"))
        table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab leaves the table for the Close button
        for i, (text, keys) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(text))
            table.setItem(i, 1, QTableWidgetItem(keys))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(close.text().replace("&", ""))
        layout.addWidget(buttons)
        dialog.resize(520, 460)
        dialog.open()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Pli"),
            self.tr(
                "<p><b>Pli</b>: secure health messaging (MSSanté) for health and "
                "social care professionals.</p><p>Your messages are archived encrypted on "
                "this computer.</p>"
            ),
        )

    # -- lock ----------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """Whether the content is hidden behind the lock screen."""
        return self._locked

    def lock(self, *, needs_passphrase: bool, minutes: int) -> None:
        """Hide every content (other windows of Pli included) behind the lock screen."""
        if self._locked:
            return
        self._locked = True
        self._hidden_while_locked = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and not isinstance(w, QMenu)
        ]
        for widget in self._hidden_while_locked:
            widget.hide()
        self.lock_screen.set_mode(needs_passphrase=needs_passphrase, minutes=minutes)
        self._outer.setCurrentWidget(self.lock_screen)
        self.menuBar().hide()
        self._toolbar_was_visible = self.toolbar.isVisible()
        self.toolbar.hide()
        self.status.hide()
        for action in self.actions():
            action.setEnabled(False)
        self.lock_screen.reset()

    def unlock(self) -> None:
        """Show the content again."""
        if not self._locked:
            return
        self._locked = False
        for action in self.actions():
            action.setEnabled(True)
        self.find_action.setEnabled(self.current_page() == "mail")
        self.menuBar().show()
        self.toolbar.setVisible(self._toolbar_was_visible)
        self.status.show()
        self._outer.setCurrentWidget(self._content)
        for widget in self._hidden_while_locked:
            widget.show()
        self._hidden_while_locked = []

    # -- remembered geometry -----------------------------------------------------------------------

    def add_state_saver(self, saver: Callable[[QSettings], None]) -> None:
        """Also save this (a page's splitters) when the window's state is saved."""
        self._state_savers.append(saver)

    def state_store(self) -> QSettings | None:
        """Where the window's geometry and splitters are kept (an INI file in the profile)."""
        return self._state

    def restore_state(self) -> None:
        """Geometry and toolbar as they were (a sensible size the first time)."""
        geometry = self._state.value("window/geometry") if self._state is not None else None
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        available = QApplication.primaryScreen().availableGeometry()
        width = min(1280, int(available.width() * 0.9))
        height = min(820, int(available.height() * 0.9))
        self.resize(width, height)
        self.move(
            available.x() + (available.width() - width) // 2,
            available.y() + (available.height() - height) // 2,
        )

    def save_state(self) -> None:
        """Remember geometry and splitters (no health data: sizes and positions only)."""
        if self._state is None:
            return
        self._state.setValue("window/geometry", self.saveGeometry())
        self._state.setValue("window/toolbar", self.toolbar_action.isChecked())
        for saver in self._state_savers:
            saver(self._state)
        self._state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Remember the state, then let the application shut down in the background."""
        self.save_state()
        event.accept()
        self.closed.emit()
