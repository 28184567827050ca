"""The account wizard against the suite's servers: SRV discovery from a loopback DNS server,
password and Pro Santé Connect logins, a wrong password, a refused certificate, an unreachable
server, cancelling; the From preview."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget  # noqa: TID251

from app.domain.account import AuthMethod, BoxType
from app.services.container import Services
from app.services.discovery_service import DiscoveryService
from app.ui.wizard.account_wizard import AccountWizard
from tests.servers.oidc_provider import PUBLIC_CLIENT_ID, OidcProvider, browser_login
from tests.services.test_discovery_dns import LoopbackDns
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration


@pytest.fixture
def loopback_dns(qapp: QApplication) -> Iterator[LoopbackDns]:
    server = LoopbackDns()
    # The wizard is the only window here: closing it must not end the application's loop.
    qapp.setQuitOnLastWindowClosed(False)
    yield server
    server.close()


def make_wizard(
    services: Services, ui: UiLoop, dns: LoopbackDns, **kwargs: object
) -> AccountWizard:
    discovery = DiscoveryService(
        services.accounts, [], resolvers=[dns.address], autoconfig_urls=lambda _d, _a: []
    )
    wizard = AccountWizard(services, ui.errors, discovery=discovery, **kwargs)  # type: ignore[arg-type]
    wizard.resize(700, 600)
    wizard.show()
    return wizard


def publish_srv(dns: LoopbackDns, account, *, imap_port: int | None = None) -> None:  # type: ignore[no-untyped-def]
    domain = account.address.split("@", 1)[1]
    dns.records[f"_imap._tcp.{domain}"] = [(0, 1, imap_port or account.imap_port, "127.0.0.2")]
    dns.records[f"_submission._tcp.{domain}"] = [(0, 1, account.smtp_port, "127.0.0.1")]


async def walk_to_test(
    ui: UiLoop,
    wizard: AccountWizard,
    address: str,
    *,
    ca_file: str | None,
    auth: str = "password",
    password: str = "",
) -> None:
    wizard.address.setText(address)
    wizard.next_button.click()
    await ui.until(lambda: wizard.current_step() == "servers")
    if ca_file:
        wizard.ca_file.setText(ca_file)
    wizard.next_button.click()
    await ui.until(lambda: wizard.current_step() == "identity")
    wizard.title.setText("Dr")
    wizard.given.setText("Marie")
    wizard.family.setText("Martin")
    wizard.entity.setText("Cabinet des Tilleuls")
    wizard.next_button.click()
    await ui.until(lambda: wizard.current_step() == "login")
    if auth == "password":
        wizard.auth_password.setChecked(True)
        wizard.password.setText(password)
    elif auth == "psc":
        wizard.auth_psc.setChecked(True)
    wizard.next_button.click()
    await ui.until(lambda: wizard.current_step() == "test")


def test_password_account_found_by_srv_tested_and_added(
    ui: UiLoop, ui_services: Services, mail_account, loopback_dns: LoopbackDns
) -> None:
    publish_srv(loopback_dns, mail_account)

    async def scenario() -> None:
        wizard = make_wizard(ui_services, ui, loopback_dns)
        wizard.address.setText(mail_account.address)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        assert wizard.found is not None and wizard.found.source == "srv"
        assert wizard.imap.text() == f"127.0.0.2:{mail_account.imap_port}"
        assert wizard.smtp.text() == f"127.0.0.1:{mail_account.smtp_port}"
        # loopback addresses are outside the mailbox's domain: the token rule asks
        assert not wizard.confirm_servers.isHidden()
        wizard.ca_file.setText(str(mail_account.ca_bundle))
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "identity")
        wizard.title.setText("Dr")
        wizard.given.setText("Marie")
        wizard.family.setText("Martin")
        wizard.entity.setText("Cabinet des Tilleuls")
        assert wizard.preview.text() == (
            f"Dr_Marie_MARTIN_Cabinet des Tilleuls <{mail_account.address}>"
        )
        wizard.box_type.setCurrentIndex(wizard.box_type.findData(BoxType.ORG))
        assert wizard.preview.text() == f"Cabinet des Tilleuls <{mail_account.address}>"
        wizard.box_type.setCurrentIndex(wizard.box_type.findData(BoxType.PER))
        wizard.reply_to.setText("secretariat@hopital-test.mssante.fr")
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "login")
        assert not wizard.auth_cert.isEnabled()  # client certificates: APP boxes only
        wizard.password.setText(mail_account.password)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "test")
        assert not wizard.login_button.isVisibleTo(wizard)  # no PSC login for a password
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        assert wizard.test_passed, [r.error for r in wizard.results]
        assert "✓" in wizard.imap_result.text() and "✓" in wizard.smtp_result.text()
        wizard.finish_button.click()
        await ui.until(lambda: not wizard.isVisible())
        assert wizard.result() == AccountWizard.DialogCode.Accepted
        accounts = await ui_services.accounts.list()
        assert [a.address for a in accounts] == [mail_account.address]
        config = accounts[0].config
        assert config.identity.family_name == "Martin"
        assert config.reply_to == "secretariat@hopital-test.mssante.fr"
        assert config.auth is AuthMethod.PASSWORD
        assert not config.servers_confirmed  # never confirmed: no token would go there

    ui.run(scenario(), timeout=60)


def test_wrong_password_refused_certificate_and_unreachable_server_in_plain_words(
    ui: UiLoop, ui_services: Services, mail_account, loopback_dns: LoopbackDns
) -> None:
    publish_srv(loopback_dns, mail_account)

    async def scenario() -> None:
        wizard = make_wizard(ui_services, ui, loopback_dns)
        await walk_to_test(
            ui,
            wizard,
            mail_account.address,
            ca_file=str(mail_account.ca_bundle),
            password="not-the-password",
        )
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        codes = {r.protocol: r.error.code if r.error else "ok" for r in wizard.results}
        assert codes["IMAP"] == "auth.bad_credentials", codes
        assert ui.errors.describe_code("auth.bad_credentials").title in wizard.imap_result.text()

        # The servers' certificate without the test CA: refused, with the reason.
        wizard.results = []
        wizard.back_button.click()
        wizard.back_button.click()
        wizard.back_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        wizard.ca_file.clear()  # the shipped IGC-Santé anchors do not vouch for the test CA
        for _ in range(3):
            wizard.next_button.click()
            await ui.settle()
        await ui.until(lambda: wizard.current_step() == "test")
        wizard.password.setText(mail_account.password)
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        imap = wizard.results[0]
        assert imap.error is not None and imap.error.code.startswith("tls."), imap
        reason = ui.errors.describe(imap.error)
        assert reason.advice in wizard.imap_result.text()

        # A server nobody listens on.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        wizard.results = []
        wizard.back_button.click()
        wizard.back_button.click()
        wizard.back_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        wizard.ca_file.setText(str(mail_account.ca_bundle))
        wizard.imap.setText(f"127.0.0.1:{port}")
        for _ in range(3):
            wizard.next_button.click()
            await ui.settle()
        await ui.until(lambda: wizard.current_step() == "test")
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        imap = wizard.results[0]
        assert imap.error is not None and imap.error.code.startswith("network."), imap
        assert wizard.results[1].ok  # the submission server still answered
        # Cancelling removes the account the test created.
        assert await ui_services.accounts.list()
        wizard.cancel_button.click()
        await ui.until(lambda: not wizard.isVisible())
        await ui.settle(0.2)
        assert await ui_services.accounts.list() == []

    ui.run(scenario(), timeout=90)


def test_pro_sante_connect_login_in_the_browser_then_test(
    ui: UiLoop,
    ui_services: Services,
    mail_account,
    loopback_dns: LoopbackDns,
    oidc_provider: OidcProvider,
) -> None:
    publish_srv(loopback_dns, mail_account)
    browsers: list[threading.Thread] = []

    def open_browser(url: str) -> None:
        assert "code_challenge_method=S256" in url
        thread = threading.Thread(
            target=browser_login,
            args=(url, mail_account.address, mail_account.password),
            kwargs={"ssl_context": oidc_provider.ssl_context()},
            daemon=True,
        )
        thread.start()
        browsers.append(thread)

    async def scenario() -> None:
        wizard = make_wizard(ui_services, ui, loopback_dns, open_browser=open_browser)
        wizard.address.setText(mail_account.address)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        wizard.ca_file.setText(str(mail_account.ca_bundle))
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "identity")
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "login")
        wizard.auth_psc.setChecked(True)
        wizard.issuer.setText(oidc_provider.issuer)
        wizard.client_id.setText(PUBLIC_CLIENT_ID)
        wizard.oidc_ca.setText(str(oidc_provider.ca_file))
        # The loopback servers are outside the domain: no token without the confirmation.
        wizard.next_button.click()
        await ui.settle()
        assert wizard.current_step() == "login"
        assert wizard.status.isVisibleTo(wizard)
        wizard.confirm_servers.setChecked(True)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "test")
        assert wizard.login_button.isVisibleTo(wizard)
        wizard.login_button.click()
        await ui.until(lambda: wizard.logged_in, within=30)
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        assert wizard.test_passed, [r.error for r in wizard.results]
        wizard.finish_button.click()
        await ui.until(lambda: not wizard.isVisible())
        (account,) = await ui_services.accounts.list()
        assert account.config.auth is AuthMethod.OAUTH2
        assert account.config.servers_confirmed

    ui.run(scenario(), timeout=90)
    for thread in browsers:
        thread.join(5)


def test_every_step_fits_and_reads_french(
    ui: UiLoop, ui_services: Services, loopback_dns: LoopbackDns
) -> None:
    async def scenario() -> None:
        wizard = make_wizard(ui_services, ui, loopback_dns)
        for index in range(5):
            wizard.stack.setCurrentIndex(index)
            await ui.settle()
            for widget in wizard.stack.currentWidget().findChildren(QWidget):
                if widget.isVisibleTo(wizard) and widget.width() > 0:
                    assert widget.sizeHint().width() <= wizard.width(), widget

    ui.run(scenario())


def test_add_a_mailbox_from_the_window_then_first_sync(
    ui: UiLoop, tmp_path, mail_account, loopback_dns: LoopbackDns
) -> None:
    """The welcome page's "Add my mailbox" opens the wizard; Finish opens the mail and syncs."""
    from app.config.paths import AppPaths
    from app.domain import events as ev
    from app.ui.application import PliApplication
    from tests.ui.conftest import TEST_PASSPHRASE

    mail_account.dovecot.deliver(
        mail_account.address,
        b"From: a@hopital-test.mssante.fr\r\nTo: "
        + mail_account.address.encode()
        + b"\r\nSubject: Bienvenue\r\nMessage-ID: <w1@x>\r\n\r\nBonjour\r\n",
        "INBOX",
    )

    async def scenario() -> None:
        app = PliApplication(
            AppPaths.at(tmp_path / "profile"), ui.errors, passphrase=TEST_PASSPHRASE
        )
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        assert app.window.current_page() == "welcome"
        assert any(a.shortcut().toString() == "Ctrl+," for a in app.window.actions())
        app.window.add_account_requested.emit()
        await ui.until(
            lambda: any(
                isinstance(w, AccountWizard) and w.isVisible()
                for w in QApplication.topLevelWidgets()
            )
        )
        [wizard] = [w for w in QApplication.topLevelWidgets() if isinstance(w, AccountWizard)]
        wizard.discovery.resolvers = [loopback_dns.address]
        wizard.discovery.autoconfig_urls = lambda _d, _a: []
        publish_srv(loopback_dns, mail_account)
        await walk_to_test(
            ui,
            wizard,
            mail_account.address,
            ca_file=str(mail_account.ca_bundle),
            password=mail_account.password,
        )
        wizard.finish_button.click()
        await ui.until(lambda: app.window.current_page() == "mail", within=30)
        services = app.services
        assert services is not None
        (account,) = await services.accounts.list()
        states = app.window.status.connections.states
        await ui.until(lambda: states().get(account.id) is ev.ConnectionState.ONLINE, 60)
        app.window.close()
        await run

    ui.run(scenario(), timeout=120)


def test_application_box_with_a_pkcs12_certificate(
    ui: UiLoop, ui_services: Services, mail_account, loopback_dns: LoopbackDns, pki
) -> None:
    """APP boxes log in with the establishment's certificate: the PKCS#12 file is read with its
    password and kept encrypted with the account; the test says what the server answered."""
    publish_srv(loopback_dns, mail_account)
    cert = pki.client_cert("wizard-app", email=mail_account.address)

    async def scenario() -> None:
        wizard = make_wizard(ui_services, ui, loopback_dns)
        wizard.address.setText(mail_account.address)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        wizard.ca_file.setText(str(mail_account.ca_bundle))
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "identity")
        wizard.box_type.setCurrentIndex(wizard.box_type.findData(BoxType.APP))
        wizard.entity.setText("Laboratoire Test – Résultats")
        assert wizard.preview.text().startswith("Laboratoire Test – Résultats <")
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "login")
        assert wizard.auth_cert.isEnabled()
        wizard.auth_cert.setChecked(True)
        wizard.next_button.click()  # no file yet: refused in the wizard
        await ui.settle()
        assert wizard.current_step() == "login" and wizard.status.isVisibleTo(wizard)
        wizard.cert_file.setText(str(cert.p12))
        wizard.cert_password.setText(cert.p12_password)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "test")
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        (account,) = await ui_services.accounts.list()
        assert account.config.auth is AuthMethod.EXTERNAL
        assert account.config.client_certificate
        # The suite's Dovecot does not offer SASL EXTERNAL: said, not a crash.
        imap = wizard.results[0]
        assert imap.error is not None and imap.error.code == "auth.method_unavailable", imap
        assert wizard.imap_result.text()

    ui.run(scenario(), timeout=60)
