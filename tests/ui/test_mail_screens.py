"""The mail screens against real services and a real Dovecot: folders, list, reading, search.

Every scenario runs on the test's qasync loop (tests/ui/conftest.py): the panes call the real
services, the services talk to the suite's Dovecot on 127.0.0.1, and the engine's events
reach the panes as Qt signals.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests
from PySide6.QtGui import QAccessible  # noqa: TID251 - window tests
from PySide6.QtTest import QTest  # noqa: TID251 - window tests
from PySide6.QtWidgets import QApplication  # noqa: TID251 - window tests

from app.domain.account import AccountConfig, BoxType, Endpoint, Security
from app.domain.message import Flag
from app.services.account_service import Account
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.models.folder_model import FolderTreeModel
from app.ui.models.message_list_model import MessageListModel
from app.ui.widgets.mail_workspace import MailWorkspace
from app.ui.widgets.message_actions import ComposeRequest, MoveDialog
from tests.servers.fixtures import MailAccount
from tests.support.mail import message, tiny_pdf
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"


def ins_with_key(first13: str) -> str:
    """A valid INS: 13 digits and their key (97 - number mod 97)."""
    return f"{first13}{97 - int(first13) % 97:02d}"


PATIENT_INS = ins_with_key("2840575123456")  # a woman (first digit 2)


async def add_account(
    services: Services, mail: MailAccount, name: str = "cabinet", box: BoxType = BoxType.CAB
) -> Account:
    config = AccountConfig(
        name=name,
        address=mail.address,
        imap=Endpoint(mail.imap_host, mail.imap_port, Security.STARTTLS),
        smtp=Endpoint(mail.smtp_host, mail.smtp_port, Security.STARTTLS),
        box_type=box,
        ca_file=str(mail.ca_bundle),
    )
    return await services.accounts.add(config, password=mail.password)


async def sync(services: Services, account: Account) -> None:
    """One pass of the engine (what `pli sync` does): mail, bodies, patients, PDF text."""
    await services.supervisor.run_once([account])


async def replay(services: Services, account: Account) -> None:
    """Send the local changes to the server now (the running supervisor does it by itself)."""
    assert await services.supervisor.replay_now(account)


async def server_flags(mail: MailAccount, folder: str = "INBOX") -> list[tuple[str, ...]]:
    """Flags of every message of a folder, as Dovecot has them."""
    found = await asyncio.to_thread(mail.dovecot.messages, mail.address, folder)
    return [m.flags for m in found]


async def workspace(
    ui: UiLoop, services: Services, *, mark_read: bool = False, page_size: int = 200
) -> MailWorkspace:
    """The mail screen on real services, shown at 1366×768 (built, then shown: two turns).

    Opening a message marks it read only with `mark_read` (the first message opens by itself).
    """
    ctx = UiContext.create(services, ui.errors)
    mail = MailWorkspace(ctx)
    mail.reading.mark_read = mark_read
    mail.messages.model._page_size = page_size
    mail._ctx_keepalive = ctx  # type: ignore[attr-defined]  # the signals live with the widget
    mail.resize(1366, 768)
    await ui.settle(0)
    mail.show()
    await ui.settle()
    return mail


async def opened(ui: UiLoop, mail: MailWorkspace) -> None:
    """Until the folders are read and the first inbox is shown with its first message open."""
    await mail.folders.refresh()
    await ui.until(lambda: mail.messages.model.source is not None)
    await mail.messages.wait_idle()
    await ui.until(lambda: mail.messages.model.rowCount() == 0 or mail.reading.message_id)


def test_folder_tree_list_and_reading(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    dove = mail_account.dovecot
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for n in range(25):
        dove.deliver(
            mail_account.address,
            message(subject=f"Compte rendu {n:02d}", date=start + timedelta(minutes=n))[0],
            internal_date=(start + timedelta(minutes=n)).timestamp(),
        )
    dove.create_folder(mail_account.address, "Patients/Durand")
    dove.deliver(mail_account.address, message(subject="Suivi")[0], folder="Patients/Durand")

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services, page_size=5)  # five pages for 25 messages
        # (Qt's model tester fetches every page itself: it checks these models elsewhere.)
        await opened(ui, mail)

        # Folders: the account, its inbox in French with the unread count, nested folders.
        folders = mail.folders.model
        assert [a.name for a in folders.accounts()] == ["cabinet"]
        inbox = next(f for f in folders.folders(account.id) if f.role == "inbox")
        index = folders.folder_index(inbox.id)
        assert index.data() == "Boîte de réception"
        assert index.siblingAtColumn(1).data() == "25"
        assert index.data(Qt.ItemDataRole.FontRole).bold()
        assert "25 non lus" in index.data(Qt.ItemDataRole.AccessibleTextRole)
        nested = next(f for f in folders.folders(account.id) if f.name == "Patients/Durand")
        nested_index = folders.folder_index(nested.id)
        assert nested_index.data() == "Durand"
        assert nested_index.parent().data() == "Patients"

        # The list: newest first, the pages that fill the view at first, more as it scrolls.
        model = mail.messages.model
        await mail.messages.wait_idle()
        assert model.rowCount() < 25
        assert model.summary(0).subject == "Compte rendu 24"
        assert model.canFetchMore()
        for _ in range(10):
            mail.messages.view.scrollToBottom()
            await ui.settle()
            await mail.messages.wait_idle()
        assert model.rowCount() == 25
        assert await model.load_more() == 0
        assert not model.canFetchMore()
        assert [model.summary(r).subject for r in range(25)] == [
            f"Compte rendu {n:02d}" for n in range(24, -1, -1)
        ]

        # The first message is open; opening a message marks it read, here and on the server.
        first = model.summary(0)
        assert mail.reading.message_id == first.id
        await mail.reading._task
        assert not model.summary(0).flags & Flag.SEEN
        mail.reading.mark_read = True
        await mail.reading.show_message(first.id)
        assert mail.reading.subject.text() == "Compte rendu 24"
        assert "Élodie Lefèvre" in mail.reading.browser.toPlainText()
        await mail.messages.wait_idle()
        assert model.summary(0).flags & Flag.SEEN
        await mail.folders.wait_idle()
        assert folders.folder_index(inbox.id).siblingAtColumn(1).data() == "24"
        await replay(ui_services, account)
        assert sum("\\Seen" in flags for flags in await server_flags(mail_account)) == 1

        # Another folder from the tree.
        mail.folders.select_folder(nested.id)
        await ui.until(lambda: mail.messages.folder_id == nested.id)
        await mail.messages.wait_idle()
        assert [model.summary(r).subject for r in range(model.rowCount())] == ["Suivi"]
        assert mail.messages.title.text() == "Durand"

    ui.run(scenario(), timeout=120)


def test_flag_reaches_dovecot_and_delete_keeps_focus(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    dove = mail_account.dovecot
    start = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    for n in range(4):
        dove.deliver(
            mail_account.address,
            message(subject=f"Message {n}", date=start + timedelta(minutes=n))[0],
            internal_date=(start + timedelta(minutes=n)).timestamp(),
        )
    dove.create_folder(mail_account.address, "Trash")

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        model = mail.messages.model
        actions = mail.message_actions
        assert [model.summary(r).subject for r in range(4)] == [
            "Message 3",
            "Message 2",
            "Message 1",
            "Message 0",
        ]

        # Reply, reply to all and forward hand the message to the composer.
        asked: list[ComposeRequest] = []
        actions.compose_requested.connect(asked.append)
        mail.messages.select_id(model.summary(0).id)
        for action in (actions.reply, actions.reply_all, actions.forward):
            action.trigger()
        first = model.summary(0).id
        assert asked == [
            ComposeRequest("reply", first),
            ComposeRequest("reply_all", first),
            ComposeRequest("forward", first),
        ]

        # Follow up "Message 2": the row shows it at once; the engine, running as in the
        # window, replays it to Dovecot by itself.
        await ui_services.supervisor.start([account])
        mail.messages.select_id(model.summary(1).id)
        assert actions.follow.text() == "&Suivre"
        actions.follow.trigger()
        await ui.until(lambda: model.summary(1).flags & Flag.FLAGGED)
        assert "Suivi." in model.index(1).data(Qt.ItemDataRole.AccessibleTextRole)
        assert actions.follow.text() == "Ne plus &suivre"
        for _ in range(150):
            if any("\\Flagged" in flags for flags in await server_flags(mail_account)):
                break
            await asyncio.sleep(0.1)
        assert sum("\\Flagged" in flags for flags in await server_flags(mail_account)) == 1
        await ui_services.supervisor.stop()

        # Delete it from the keyboard's path: the cursor lands on the next message.
        mail.messages.view.setFocus()
        deleted = model.summary(1).id
        await actions.delete_selected()
        assert model.row_of(deleted) is None
        assert mail.messages.current_id() == model.summary(1).id
        assert model.summary(1).subject == "Message 1"
        await replay(ui_services, account)
        assert len(await server_flags(mail_account, "Trash")) == 1
        assert len(await server_flags(mail_account)) == 3

        # Déplacer vers…: the folder chooser, then the message leaves the list at once.
        moved = mail.messages.current_id()
        actions.move.trigger()
        await ui.until(
            lambda: any(
                isinstance(w, MoveDialog) for w in QApplication.topLevelWidgets() if w.isVisible()
            )
        )
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MoveDialog))
        assert dialog.windowTitle() == "Déplacer vers…"
        archives = next(f for f in dialog.model.folders(account.id) if f.role == "archive")
        assert "INBOX" not in [f.name for f in dialog.model.folders(account.id)]
        dialog.view.setCurrentIndex(dialog.model.folder_index(archives.id))
        dialog.accept()
        await ui.until(lambda: model.row_of(moved) is None)
        await mail.messages.wait_idle()
        assert model.rowCount() == 2
        await replay(ui_services, account)
        assert len(await server_flags(mail_account, archives.name)) == 1

    ui.run(scenario(), timeout=120)


def test_search_finds_words_inside_attached_pdfs_and_highlights_them(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    dove = mail_account.dovecot
    dove.deliver(
        mail_account.address,
        message(subject="Bilan sanguin", pdf=tiny_pdf("Hemoglobine glyquee 6.8"))[0],
    )
    dove.deliver(mail_account.address, message(subject="Sans rapport")[0])

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        model = mail.messages.model
        assert model.rowCount() == 2

        # Ctrl+K, then typing: the search runs after a short pause; only the PDF has the word.
        mail.activateWindow()
        mail.messages.view.setFocus()
        QTest.keyClick(mail, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        assert mail.search.field.hasFocus()
        QTest.keyClicks(mail.search.field, "glyquee")
        assert mail.messages.query is None  # not at every keystroke
        await ui.until(lambda: mail.messages.query == "glyquee", within=5)
        await mail.messages.wait_idle()
        assert [model.summary(r).subject for r in range(model.rowCount())] == ["Bilan sanguin"]
        assert model.index(0).data(MessageListModel.TermsRole) == ["glyquee"]
        assert mail.messages.title.text() == "Résultats pour «\u00a0glyquee\u00a0»"
        await ui.until(lambda: mail.reading.message_id == model.summary(0).id)
        await mail.reading._task
        await ui.until(lambda: mail.reading.attachments.count() == 1)
        assert "document PDF" in mail.reading.attachments.item(0).text()

        # The subject's words are highlighted in the reading pane too.
        mail.search.field.setText("bilan")
        mail.search.search_now()
        await ui.until(lambda: mail.messages.query == "bilan")
        await mail.messages.wait_idle()
        await ui.until(lambda: mail.reading.message_id == model.summary(0).id)
        await mail.reading._task

        # A filter alone (with attachment) lists without words.
        mail.search.field.clear()
        mail.search.attachment.setChecked(True)
        mail.search.search_now()
        await ui.until(lambda: mail.messages.query is None and mail.search.active)
        await mail.messages.wait_idle()
        assert [model.summary(r).subject for r in range(model.rowCount())] == ["Bilan sanguin"]

        # Échap clears: back to the folder.
        mail.search.field.setFocus()
        QTest.keyClick(mail.search.field, Qt.Key.Key_Escape)
        assert mail.search.field.text() == "" and not mail.search.attachment.isChecked()
        await ui.until(lambda: not mail.search.active)
        await mail.messages.wait_idle()
        await ui.until(lambda: model.rowCount() == 2)

    ui.run(scenario(), timeout=120)


def test_html_is_sanitised_and_nothing_remote_is_loaded(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    html = (
        "<html><head><script>document.title='pwned'</script>"
        "<style>body{background:url(http://127.0.0.1:9/bg.png)}</style></head><body>"
        '<p onclick="alert(1)">Résultat <b>normal</b>.</p>'
        '<img src="http://127.0.0.1:9/pixel.png" alt="traceur">'
        '<a href="javascript:alert(1)">lien piégé</a>'
        '<iframe src="http://127.0.0.1:9/"></iframe></body></html>'
    )
    raw, _ = message(subject="Lettre HTML", body="x")
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/html", 1)
    raw = raw.split(b"\n\n", 1)[0] + b"\n\n" + html.encode()
    mail_account.dovecot.deliver(mail_account.address, raw)

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        await mail.reading._task
        shown = mail.reading.browser.toHtml()
        assert "Résultat" in mail.reading.browser.toPlainText()
        for bad in ("script", "pwned", "onclick", "javascript", "iframe", "127.0.0.1", "url("):
            assert bad not in shown
        assert "http" not in mail.reading.browser.refused
        assert mail.reading.banner.isVisible()
        assert "1 image distante non chargée" in mail.reading.banner.text()

        # A link is never followed by the viewer: javascript: is ignored, a web address is
        # only opened once the user says so.
        from PySide6.QtCore import QUrl  # noqa: TID251 - window tests
        from PySide6.QtWidgets import QMessageBox  # noqa: TID251 - window tests

        def asking() -> list[QMessageBox]:
            return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                    and w.isVisible()]  # fmt: skip

        mail.reading.browser.link_activated.emit(QUrl("javascript:alert(1)"))
        await ui.settle()
        assert asking() == []
        mail.reading.browser.link_activated.emit(QUrl("https://www.ameli.fr/"))
        await ui.until(lambda: len(asking()) == 1)
        box = asking()[0]
        assert box.windowTitle() == "Ouvrir le lien\u202f?"
        assert "https://www.ameli.fr/" in box.text()
        box.reject()

    ui.run(scenario(), timeout=120)


def test_patient_row_reads_as_a_sentence(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None, qtmodeltester
) -> None:
    dove = mail_account.dovecot
    sender = f"Jeanne DURAND <{PATIENT_INS}@patient.mssante.fr>"
    raw, _ = message(
        sender=sender,
        subject="Résultats d'analyse",
        pdf=tiny_pdf("Glycemie"),
        date=datetime.now(UTC) - timedelta(minutes=5),
    )
    dove.deliver(mail_account.address, raw)

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        # Qt's model tester watches both models through every change that follows.
        qtmodeltester.check(mail.folders.model)
        qtmodeltester.check(mail.messages.model)
        await opened(ui, mail)
        row = mail.messages.model.index(0)
        sentence = row.data(Qt.ItemDataRole.AccessibleTextRole)
        cuts = (0, 1, 3, 5, 7, 10, 13, 15)
        grouped = " ".join(PATIENT_INS[a:b] for a, b in itertools.pairwise(cuts))
        assert sentence.startswith(f"Non lu. De Jeanne DURAND, patiente, INS {grouped}. ")
        assert "Objet\u00a0: Résultats d'analyse." in sentence
        assert "Reçu aujourd'hui à " in sentence or "Reçu hier à " in sentence
        assert sentence.endswith("Pièce jointe.")
        # The reading pane says who it is.
        await mail.reading._task
        assert mail.reading.patient.isVisible()
        assert grouped in mail.reading.patient.text()
        # What a screen reader is given for the row: the list's accessible cell says it all.
        view = QAccessible.queryAccessibleInterface(mail.messages.view)
        cells = [view.child(i) for i in range(view.childCount())]
        names = [c.text(QAccessible.Text.Name) for c in cells if c is not None]
        assert sentence in names

    ui.run(scenario(), timeout=120)


def test_new_mail_appears_in_the_open_list_without_reload(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    dove = mail_account.dovecot
    dove.deliver(mail_account.address, message(subject="Ancien")[0])

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        model = mail.messages.model
        current = mail.messages.current_id()
        assert model.rowCount() == 1
        # The engine as the window runs it: IDLE pushes the new message, the list grows.
        supervisor = ui_services.supervisor
        await supervisor.start([account])
        try:
            await ui.until(lambda: supervisor.state(account.id).value == "online", within=20)
            await asyncio.sleep(0.5)  # IDLE entered
            await asyncio.to_thread(
                dove.deliver, mail_account.address, message(subject="Nouveau")[0]
            )
            await ui.until(lambda: model.rowCount() == 2, within=30)
        finally:
            await supervisor.stop()
        assert model.summary(0).subject == "Nouveau"
        assert mail.messages.current_id() == current  # the selection stayed
        await mail.folders.wait_idle()
        inbox = next(f for f in mail.folders.model.folders(account.id) if f.role == "inbox")
        assert inbox.messages == 2

    ui.run(scenario(), timeout=120)


def test_folder_model_is_sound(qtmodeltester) -> None:
    from app.ui.models.folder_model import AccountRow, FolderRow

    model = FolderTreeModel()
    qtmodeltester.check(model)
    account = AccountRow(1, "cabinet", "cabinet@test.mssante.fr", "CAB")
    model.set_account(account, [FolderRow(1, "INBOX", "inbox", 3, 1)])
    model.set_account(AccountRow(2, "perso", "p@test.mssante.fr", "PER"), [])
    model.set_account(
        account,
        [
            FolderRow(1, "INBOX", "inbox", 3, 0),
            FolderRow(2, "Patients/Durand", None, 1, 1),
            FolderRow(3, "Trash", "trash", 0, 0),
        ],
    )
    assert [a.name for a in model.accounts()] == ["perso", "cabinet"]
    assert model.update_counts(2, messages=1, unread=0)
    model.remove_account(2)
    assert [a.name for a in model.accounts()] == ["cabinet"]


def test_every_control_has_a_french_name_and_a_keyboard_path(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    from PySide6.QtWidgets import (  # noqa: TID251 - window tests
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QTextBrowser,
        QWidget,
    )

    mail_account.dovecot.deliver(mail_account.address, message(pdf=tiny_pdf())[0])

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        await mail.reading._task
        await ui.until(lambda: mail.reading.attachments.count() == 1)
        mail.search.filters_button.setChecked(True)
        await ui.settle()
        interactive = (
            QAbstractButton,
            QAbstractItemView,
            QAbstractSpinBox,
            QComboBox,
            QLineEdit,
            QTextBrowser,
        )
        problems = []
        checked = 0
        for widget in mail.findChildren(QWidget):
            if not isinstance(widget, interactive) or not widget.isVisibleTo(mail):
                continue
            if isinstance(widget.parent(), QLineEdit | QAbstractSpinBox | QComboBox):
                continue  # a field's own clear button or editor: part of the field
            checked += 1
            name = QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)
            if not name:
                problems.append(f"{type(widget).__name__} {widget.objectName()!r}: no name")
            if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                problems.append(f"{type(widget).__name__} {name!r}: out of the keyboard's reach")
        assert checked >= 15
        assert problems == []

        # Tab from the search field goes through every enabled control and comes back: no trap.
        mail.activateWindow()
        mail.search.field.setFocus(Qt.FocusReason.TabFocusReason)
        await ui.settle(0)
        reached: list[QWidget] = []
        for _ in range(80):
            focus = QApplication.focusWidget()
            if focus is None or (reached and focus is reached[0]):
                break
            if focus not in reached:
                reached.append(focus)
            QTest.keyClick(focus, Qt.Key.Key_Tab)
            await ui.settle(0)
        assert QApplication.focusWidget() is mail.search.field  # the cycle closed
        for widget in mail.findChildren(QWidget):
            if (
                isinstance(widget, interactive)
                and widget.isVisibleTo(mail)
                and widget.isEnabled()
                and not isinstance(widget.parent(), QLineEdit | QAbstractSpinBox | QComboBox)
            ):
                assert widget in reached, f"{type(widget).__name__} not reached by Tab"
        # The actions have French names and shortcuts.
        texts = {a.text().replace("&", ""): a.shortcut().toString() for a in
                 mail.message_actions.actions}  # fmt: skip
        assert texts["Répondre"] == "Ctrl+R"
        assert texts["Répondre à tous"] == "Ctrl+Shift+R"
        assert texts["Transférer"] == "Ctrl+L"
        assert texts["Supprimer"] == "Del"
        assert texts["Déplacer vers…"]

    ui.run(scenario(), timeout=120)


def test_accounts_appear_side_by_side_as_they_are_added_and_go_when_removed(
    ui: UiLoop, ui_services: Services, mail_account_factory, french: None
) -> None:
    practice, personal = mail_account_factory(), mail_account_factory()
    practice.dovecot.deliver(practice.address, message(subject="Au cabinet")[0])
    personal.dovecot.deliver(personal.address, message(subject="Pour moi")[0])

    async def scenario() -> None:
        mail = await workspace(ui, ui_services)  # an empty profile: nothing to show yet
        await mail.folders.refresh()
        assert mail.folders.model.accounts() == []
        assert mail.messages.model.source is None

        # Each account appears when added, its folders when listed: events, no reload.
        cab = await add_account(ui_services, practice, "cabinet", BoxType.CAB)
        await ui.until(lambda: [a.name for a in mail.folders.model.accounts()] == ["cabinet"])
        await sync(ui_services, cab)
        await ui.until(lambda: any(f.role == "inbox" for f in mail.folders.model.folders(cab.id)))
        per = await add_account(ui_services, personal, "perso", BoxType.PER)
        await sync(ui_services, per)
        await ui.until(lambda: len(mail.folders.model.accounts()) == 2)
        await mail.folders.wait_idle()
        # PER before CAB, whatever the order they were added in.
        assert [a.name for a in mail.folders.model.accounts()] == ["perso", "cabinet"]
        tooltip = mail.folders.model.account_index(cab.id).data(Qt.ItemDataRole.ToolTipRole)
        assert "Boîte du cabinet" in tooltip and practice.address in tooltip

        # Choosing the second account's inbox shows its messages.
        inbox = next(f for f in mail.folders.model.folders(per.id) if f.role == "inbox")
        mail.folders.select_folder(inbox.id)
        await ui.until(lambda: mail.messages.folder_id == inbox.id)
        await mail.messages.wait_idle()
        assert mail.messages.model.summary(0).subject == "Pour moi"

        await ui_services.accounts.remove("perso")
        await ui.until(lambda: [a.name for a in mail.folders.model.accounts()] == ["cabinet"])
        assert mail.messages.model.rowCount() == 0 and mail.reading.message_id is None

    ui.run(scenario(), timeout=120)


def test_the_sender_is_named_from_the_health_directory(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None, tmp_path: Path
) -> None:
    from tests.support.directory_extraction import person_line, write_extraction

    extraction = tmp_path / "Extraction_Correspondance_MSSante_20261201.txt"
    write_extraction(
        extraction,
        5,
        extra=[
            person_line(
                address="paul.durand@medecin.mssante.fr",  # the test messages' sender
                family="DURAND",
                given="Paul",
                rpps="10001234567",
                organisation="Clinique du Parc",
            )
        ],
    )
    mail_account.dovecot.deliver(mail_account.address, message(subject="Avis")[0])

    async def scenario() -> None:
        await ui_services.directory.import_file(extraction)
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        await mail.reading._task
        identity = mail.reading.identity
        assert identity.isVisible()
        assert identity.text().startswith("Annuaire\u00a0: Dr Paul DURAND — Médecin")
        assert "Clinique du Parc" in identity.text() and "RPPS 10001234567" in identity.text()

    ui.run(scenario(), timeout=120)


def test_a_message_gone_from_the_server_stays_and_says_so(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    dove = mail_account.dovecot
    old = dove.deliver(mail_account.address, message(subject="Ancien compte rendu")[0])
    dove.deliver(mail_account.address, message(subject="Récent")[0])

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await sync(ui_services, account)
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        model = mail.messages.model
        # The operator purges it on the server; the next sync marks it, the row changes in place.
        await asyncio.to_thread(dove.expunge, mail_account.address, "INBOX", [old])
        await sync(ui_services, account)
        row = next(r for r in range(model.rowCount()) if model.summary(r).subject.startswith("A"))
        await ui.until(lambda: model.summary(row).gone_from_server, within=10)
        sentence = model.index(row).data(Qt.ItemDataRole.AccessibleTextRole)
        assert sentence.endswith("Supprimé du serveur, conservé ici.")
        mail.messages.select_id(model.summary(row).id)
        await ui.until(lambda: mail.reading.message_id == model.summary(row).id)
        await mail.reading._task
        assert mail.reading.banner.text().startswith("Supprimé du serveur, conservé ici")
        assert "Élodie Lefèvre" in mail.reading.browser.toPlainText()  # still readable

    ui.run(scenario(), timeout=120)


def test_the_body_appears_in_the_open_message_once_archived(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount, french: None
) -> None:
    mail_account.dovecot.deliver(mail_account.address, message(subject="Lettre longue")[0])

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await ui_services.supervisor.run_once([account], bodies=False)  # headers first
        mail = await workspace(ui, ui_services)
        await opened(ui, mail)
        await mail.reading._task
        assert "pas encore archivé" in mail.reading.banner.text()
        assert "Élodie Lefèvre" not in mail.reading.browser.toPlainText()
        await sync(ui_services, account)  # the bodies come: the open message shows its text
        await ui.until(lambda: "Élodie Lefèvre" in mail.reading.browser.toPlainText())
        await ui.until(lambda: not mail.reading.banner.isVisible())

    ui.run(scenario(), timeout=120)


def test_folder_tree_reads_cyrus_names_without_the_inbox_prefix(
    qtmodeltester, french: None
) -> None:
    from app.ui.models.folder_model import AccountRow, FolderRow

    model = FolderTreeModel()
    qtmodeltester.check(model)
    account = AccountRow(1, "cabinet", "cabinet@test.mssante.fr", "CAB")
    model.set_account(
        account,
        [
            FolderRow(1, "INBOX", "inbox", 3, 0, path=("INBOX",)),
            FolderRow(2, "INBOX.Suivis", None, 0, 0, path=("Suivis",)),
            FolderRow(3, "INBOX.Suivis.Durand", None, 1, 1, path=("Suivis", "Durand")),
        ],
    )
    top = model.account_index(1)
    labels = [model.index(r, 0, top).data() for r in range(model.rowCount(top))]
    assert not any("INBOX." in str(label) for label in labels), labels
    followed = next(
        model.index(r, 0, top)
        for r in range(model.rowCount(top))
        if str(model.index(r, 0, top).data()).startswith("Suivis")
    )
    assert model.rowCount(followed) == 1
    assert str(model.index(0, 0, followed).data()).startswith("Durand")
    assert (
        model.folder_label(
            FolderRow(3, "INBOX.Suivis.Durand", None, 1, 1, path=("Suivis", "Durand"))
        )
        == "Durand"
    )
