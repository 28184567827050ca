"""Accounts: configuration, secrets, TLS policy, credentials and IMAP connections.

Secrets (passwords, refresh tokens, client certificates, OIDC client secrets) live in the
encrypted archive; access tokens live in memory only (ECO.1.2.5). Transports never read
secrets themselves: this service hands them credentials when they connect.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from app.config.paths import AppPaths
from app.config.resources import igc_sante_bundle
from app.config.settings import Settings
from app.domain.account import AccountConfig, AuthMethod, Endpoint, host_belongs_to_domain
from app.domain.addresses import MailAddress
from app.domain.errors import AuthError, KnownError, NetworkError, ValidationError
from app.domain.events import (
    AccountAdded,
    AccountChanged,
    AccountRemoved,
    OutboxChanged,
    OutboxCounts,
    PendingOperationsChanged,
    SessionEnded,
)
from app.domain.outbox import OutboxState
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.accounts import AccountRow, SecretRepository
from app.transport.imap_session import Credentials, ImapSession
from app.transport.oidc import (
    AuthorizationRequest,
    CibaRequest,
    LoopbackRedirect,
    OidcClient,
    TokenSet,
)
from app.transport.revocation import RevocationChecker, RevocationMode
from app.transport.smtp_submitter import SmtpSubmitter
from app.transport.tls import ClientCertificate, TlsPolicy, make_context

log = logging.getLogger(__name__)

T = TypeVar("T")
SessionT = TypeVar("SessionT", ImapSession, SmtpSubmitter)

SECRET_PASSWORD = "password"  # noqa: S105 - the name of a secret kind, not a secret
SECRET_REFRESH_TOKEN = "refresh_token"  # noqa: S105
SECRET_CLIENT_CERT = "client_certificate"  # noqa: S105
SECRET_OIDC_CLIENT = "oidc_client_secret"  # noqa: S105

#: Refresh the access token when it has less than this left (PSC tokens live ~120 s).
REFRESH_MARGIN = 30.0


@dataclass(frozen=True)
class Account:
    """An account and its archive id."""

    id: int
    config: AccountConfig

    @property
    def name(self) -> str:
        """Its short name (``pli account add NAME``)."""
        return self.config.name

    @property
    def address(self) -> str:
        """Its mailbox address."""
        return self.config.address


@dataclass(frozen=True)
class ImapLoginPlan:
    """Everything needed to open an IMAP session in another process (`imap_login_plan`)."""

    endpoint: Endpoint
    policy: TlsPolicy
    revocation: RevocationMode
    crl_cache: Path | None
    trust_store: Path
    credentials: Credentials = field(repr=False)
    connect_timeout: float
    read_timeout: float


@dataclass
class _TokenState:
    tokens: TokenSet | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AccountService:
    """Everything about accounts a front end or another service needs."""

    def __init__(
        self, store: StoreGateway, paths: AppPaths, settings: Settings, events: EventBus
    ) -> None:
        self._store = store
        self._paths = paths
        self._settings = settings
        self._events = events
        self._tokens: dict[int, _TokenState] = {}
        self._http = SerialExecutor("oidc")

    def apply_settings(self, settings: Settings) -> None:
        """Use `settings` from the next operation on (the settings screen applied them)."""
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self._settings

    # -- configuration ----------------------------------------------------------------------

    async def add(
        self,
        config: AccountConfig,
        *,
        password: str | None = None,
        client_certificate: bytes | None = None,
        client_certificate_password: str | None = None,
        oidc_client_secret: str | None = None,
    ) -> Account:
        """Create an account and store its secrets (encrypted).

        Raises:
            ValidationError: ``account.exists``, ``account.password_required``,
                ``account.oidc_required``, client-certificate errors.
        """
        if config.auth is AuthMethod.PASSWORD and not password:
            raise ValidationError("account.password_required")
        if config.auth is AuthMethod.OAUTH2 and config.oidc is None:
            raise ValidationError("account.oidc_required")
        if config.auth is AuthMethod.EXTERNAL and client_certificate is None:
            raise ValidationError("account.client_certificate_required")
        ca_file = config.ca_file
        if ca_file is not None and not await asyncio.to_thread(Path(ca_file).is_file):
            raise ValidationError("tls.trust_store_unreadable", path=config.ca_file)
        cert_pem: bytes | None = None
        if client_certificate is not None:
            cert = ClientCertificate.load(client_certificate, client_certificate_password)
            cert_pem = cert.certificate_pem + cert.chain_pem + cert.key_pem
            config = _with(config, client_certificate=True)

        def work(archive: Archive) -> int:
            account_id = archive.accounts.add(config)
            scope = SecretRepository.account_scope(account_id)
            if password:
                archive.secrets.put(scope, SECRET_PASSWORD, password.encode("utf-8"))
            if cert_pem is not None:
                archive.secrets.put(scope, SECRET_CLIENT_CERT, cert_pem)
            if oidc_client_secret:
                archive.secrets.put(scope, SECRET_OIDC_CLIENT, oidc_client_secret.encode())
            archive.audit.add(
                account_id=account_id, actor="local", action="account.add", target=config.name
            )
            return account_id

        account_id = await self._store.write(work)
        self._events.publish(AccountAdded(account_id=account_id, account=config.name))
        return Account(account_id, config)

    async def update(self, name: str, config: AccountConfig) -> Account:
        """Replace an account's settings (servers, identity, return box…); secrets stay."""
        account = await self.get(name)
        if account.config.retired and not config.retired:
            config = _with(config, retired=True)  # an archive only stays one
        ca_file = config.ca_file
        if ca_file is not None and not await asyncio.to_thread(Path(ca_file).is_file):
            raise ValidationError("tls.trust_store_unreadable", path=ca_file)
        self._tokens.pop(account.id, None)

        def work(archive: Archive) -> None:
            archive.accounts.update(account.id, config)
            archive.audit.add(
                account_id=account.id, actor="local", action="account.update", target=config.name
            )

        await self._store.write(work)
        self._events.publish(AccountChanged(account_id=account.id, account=config.name))
        return Account(account.id, config)

    async def set_password(self, name: str, password: str) -> None:
        """Replace an account's password.

        Raises:
            ValidationError: ``account.retired`` (an archive only keeps no secret).
        """
        account = await self.get(name)
        _refuse_retired(account)

        def work(archive: Archive) -> None:
            scope = SecretRepository.account_scope(account.id)
            archive.secrets.put(scope, SECRET_PASSWORD, password.encode("utf-8"))
            archive.audit.add(account_id=account.id, actor="local", action="account.password")

        await self._store.write(work)
        self._tokens.pop(account.id, None)
        self._events.publish(AccountChanged(account_id=account.id, account=account.name))

    async def list(self) -> list[Account]:
        """Every account."""
        rows = await self._store.read(lambda a: a.accounts.all())
        return [Account(r.id, r.config) for r in rows]

    async def get(self, name: str | None = None) -> Account:
        """An account by name; with no name, the only account there is.

        Raises:
            NotFoundError: ``account.not_found``; ValidationError ``account.ambiguous``.
        """
        if name is None:
            rows = await self._store.read(lambda a: a.accounts.all())
            if len(rows) == 1:
                return Account(rows[0].id, rows[0].config)
            if not rows:
                raise ValidationError("account.none")
            raise ValidationError("account.ambiguous")
        row: AccountRow = await self._store.read(lambda a: a.accounts.get(name))
        return Account(row.id, row.config)

    async def remove(self, name: str) -> None:
        """Delete an account and everything archived for it."""
        account = await self.get(name)
        await self._store.read(lambda a: a.accounts.remove(account.id))
        await self._store.write(
            lambda a: a.audit.add(
                account_id=None, actor="local", action="account.remove", target=name
            )
        )
        self._tokens.pop(account.id, None)
        self._events.publish(AccountRemoved(account_id=account.id, account=account.name))

    async def retire(self, name: str) -> Account:
        """Remove the mailbox but keep its archive.

        Its secrets (password, refresh token, client certificate, OIDC client secret) are
        deleted from the archive and the account is marked retired: no sync, no sending, no
        connection is ever attempted again; its messages, folders, patients and audit trail
        stay, readable and searchable offline. Messages of its outbox never handed to a server
        will not leave: they are marked failed (``account.retired``) rather than left waiting
        (`unsent` counts them beforehand). Idempotent.
        """
        account = await self.get(name)
        config = _with(account.config, retired=True)
        self._tokens.pop(account.id, None)

        def work(archive: Archive) -> tuple[int, list[int], tuple[int, int]]:
            archive.accounts.update(account.id, config)
            archive.secrets.delete_scope(SecretRepository.account_scope(account.id))
            # Local changes not yet replayed never will be: they stay done here only.
            dropped = archive.pending.pending(account.id)
            for op in dropped:
                archive.pending.failed(op.id, "account.retired")
            unsent = archive.outbox.abandon_queued(account.id, "account.retired")
            archive.audit.add(
                account_id=account.id,
                actor="local",
                action="account.retire",
                target=name,
                detail=f"{len(unsent)} unsent" if unsent else None,
            )
            return len(dropped), unsent, archive.outbox.counts(account.id)

        dropped, unsent, (waiting, failed) = await self._store.write(work)
        self._events.publish(AccountChanged(account_id=account.id, account=account.name))
        if dropped:
            self._events.publish(
                PendingOperationsChanged(account_id=account.id, account=account.name, pending=0)
            )
        for entry_id in unsent:
            self._events.publish(
                OutboxChanged(
                    account_id=account.id,
                    account=account.name,
                    outbox_id=entry_id,
                    state=OutboxState.FAILED.value,
                    code="account.retired",
                )
            )
        if unsent:
            self._events.publish(
                OutboxCounts(
                    account_id=account.id, account=account.name, waiting=waiting, failed=failed
                )
            )
        return Account(account.id, config)

    async def unsent(self, name: str) -> int:
        """How many messages of the account's outbox have not been handed to a server yet."""
        account = await self.get(name)
        waiting, _failed = await self._store.query(lambda a: a.outbox.counts(account.id))
        return waiting

    async def is_retired(self, account_id: int) -> bool:
        """Whether the account, as stored now, is an archive only."""
        row = await self._store.read(lambda a: a.accounts.by_id(account_id))
        return row.config.retired

    # -- TLS --------------------------------------------------------------------------------

    def trust_store(self, account: Account) -> Path:
        """The CA file servers must chain to (IGC-Santé unless the account names another)."""
        if account.config.ca_file:
            return Path(account.config.ca_file)
        return igc_sante_bundle()

    async def tls_policy(self, account: Account) -> TlsPolicy:
        """The TLS policy for this account's servers."""
        cert: ClientCertificate | None = None
        if account.config.client_certificate:
            pem = await self._secret(account, SECRET_CLIENT_CERT)
            if pem is None:
                raise ValidationError("account.client_certificate_required")
            cert = ClientCertificate.load(pem)
        tls = self._settings.tls
        return TlsPolicy(
            ca_file=self.trust_store(account),
            allow_tls13=tls.allow_tls13,
            tls12_ciphers=tls.tls12_ciphers,
            client_certificate=cert,
        )

    def revocation_checker(self, account: Account) -> RevocationChecker:
        """The revocation checker for this account's servers (CRLs cached in the profile)."""
        return RevocationChecker(
            RevocationMode(self._settings.tls.revocation),
            self._paths.crl_cache_dir,
            self.trust_store(account),
        )

    # -- credentials ------------------------------------------------------------------------

    async def credentials(self, account: Account, host: str) -> Credentials:
        """What to log in with, right now (refreshing the access token if needed)."""
        config = account.config
        if config.auth is AuthMethod.OAUTH2:
            domain = MailAddress.parse(config.address).domain
            if not (config.servers_confirmed or host_belongs_to_domain(host, domain)):
                # Never send a token to a server the user typed by hand without checking it
                # belongs to the mailbox's domain (spec §2).
                raise AuthError("auth.server_not_confirmed", host=host)
            token = await self.access_token(account)
            return Credentials(AuthMethod.OAUTH2, config.login, token)
        if config.auth is AuthMethod.EXTERNAL:
            return Credentials(AuthMethod.EXTERNAL, config.login)
        password = await self._secret(account, SECRET_PASSWORD)
        if password is None:
            raise AuthError("auth.password_missing")
        return Credentials(AuthMethod.PASSWORD, config.login, password.decode("utf-8"))

    async def imap_session(self, account: Account, executor: SerialExecutor) -> ImapSession:
        """A connected, authenticated IMAP session, built on `executor`'s thread."""
        return await self._open(account, executor, ImapSession, "IMAP")

    async def imap_login_plan(self, account: Account) -> ImapLoginPlan:
        """What another process needs to open an IMAP session of the account (body workers).

        The same checks as `imap_session` before connecting (retired account, server
        confirmed for a token); the secret is in the returned value, memory only.
        """
        if await self.is_retired(account.id):
            raise ValidationError("account.retired", account=account.name)
        endpoint = account.config.imap
        tls = self._settings.tls
        return ImapLoginPlan(
            endpoint=endpoint,
            policy=await self.tls_policy(account),
            revocation=RevocationMode(tls.revocation),
            crl_cache=self._paths.crl_cache_dir,
            trust_store=self.trust_store(account),
            credentials=await self.credentials(account, endpoint.host),
            connect_timeout=tls.connect_timeout,
            read_timeout=tls.read_timeout,
        )

    async def smtp_submitter(self, account: Account, executor: SerialExecutor) -> SmtpSubmitter:
        """A connected, authenticated submission session, built on `executor`'s thread."""
        return await self._open(account, executor, SmtpSubmitter, "SMTP")

    async def _open(
        self,
        account: Account,
        executor: SerialExecutor,
        kind: type[SessionT],
        protocol: str,
    ) -> SessionT:
        """Connect, secure, check revocation, log in; audited either way (spec §6).

        Raises:
            ValidationError: ``account.retired`` (checked on the stored account, never
                connects).
        """
        if await self.is_retired(account.id):
            raise ValidationError("account.retired", account=account.name)
        policy = await self.tls_policy(account)
        revocation = self.revocation_checker(account)
        endpoint = account.config.imap if protocol == "IMAP" else account.config.smtp
        tls = self._settings.tls
        credentials = await self.credentials(account, endpoint.host)

        def open_session() -> SessionT:
            session = kind(
                endpoint,
                make_context(policy),
                revocation,
                connect_timeout=tls.connect_timeout,
                read_timeout=tls.read_timeout,
            )
            session.connect()
            try:
                session.authenticate(credentials)
            except BaseException:
                session.close()
                raise
            return session

        request = f"{protocol} {endpoint} {account.config.auth.value}"
        try:
            session = await executor.run(open_session)
        except KnownError as error:
            await self.audit(
                account, "session.login", outcome=f"error:{error.code}", request=request
            )
            raise
        if await self.is_retired(account.id):
            # Retired while this session was opening: it is not used.
            await executor.run(session.close)
            raise ValidationError("account.retired", account=account.name)
        await self.audit(account, "session.login", request=request)
        return session

    # -- OpenID Connect ---------------------------------------------------------------------

    async def _oidc_client(self, account: Account) -> OidcClient:
        oidc = account.config.oidc
        if oidc is None:
            raise ValidationError("account.oidc_required")
        secret = await self._secret(account, SECRET_OIDC_CLIENT)
        context = None
        if oidc.ca_file:
            context = await asyncio.to_thread(ssl.create_default_context, cafile=oidc.ca_file)
        return OidcClient(
            oidc,
            client_secret=secret.decode() if secret else None,
            context=context,
            timeout=self._settings.tls.read_timeout,
        )

    async def access_token(self, account: Account) -> str:
        """A valid access token (memory only), refreshed quietly before it expires.

        Pro Santé Connect rotates refresh tokens: each refresh returns a new one and the old
        one is spent, and using a spent one ends the session (providers that detect reuse
        revoke the whole grant). Another process on the same profile may refresh at the same
        moment, so the refresh runs inside one write transaction of the archive: the stored
        token is read again there, used, and replaced before the transaction ends. A process
        refreshing concurrently waits for that transaction, then reads the token just
        rotated, never the stale one. (The archive's writers wait meanwhile: one HTTP
        exchange, bounded by the read timeout.)

        Raises:
            AuthError: ``auth.login_required`` (never logged in), ``auth.session_ended``
                (the provider refused the refresh: ECO.1.2.6).
        """
        state = self._tokens.setdefault(account.id, _TokenState())
        async with state.lock:
            if state.tokens is not None and not state.tokens.expires_within(REFRESH_MARGIN):
                return state.tokens.access_token
            client = await self._oidc_client(account)
            outcome, tokens = await self._store.write(
                partial(_refresh_in_transaction, account=account, client=client)
            )
            if outcome == "login_required":
                raise AuthError("auth.login_required", account=account.name)
            if outcome == "session_ended" or tokens is None:
                state.tokens = None
                self._events.publish(SessionEnded(account_id=account.id, account=account.name))
                raise AuthError("auth.session_ended")
            state.tokens = tokens
            return tokens.access_token

    async def _keep_tokens(self, account: Account, tokens: TokenSet) -> None:
        state = self._tokens.setdefault(account.id, _TokenState())
        state.tokens = tokens
        if tokens.refresh_token:
            refresh = tokens.refresh_token.encode("utf-8")
            scope = SecretRepository.account_scope(account.id)
            await self._store.write(lambda a: a.secrets.put(scope, SECRET_REFRESH_TOKEN, refresh))

    async def _forget_refresh_token(self, account: Account, outcome: str) -> None:
        scope = SecretRepository.account_scope(account.id)

        def work(archive: Archive) -> None:
            archive.secrets.delete(scope, SECRET_REFRESH_TOKEN)
            archive.audit.add(
                account_id=account.id,
                actor=account.address,
                action="session.end",
                outcome=outcome,
            )

        await self._store.write(work)

    async def login_browser(
        self,
        account: Account,
        open_browser: Callable[[str], object],
        *,
        wait_seconds: float = 300.0,
    ) -> None:
        """Authorization code + PKCE in the system browser, code back on 127.0.0.1."""
        _refuse_retired(account)
        client = await self._oidc_client(account)
        redirect = LoopbackRedirect()
        try:
            request: AuthorizationRequest = await self._http.run(
                client.authorization_request, redirect.redirect_uri
            )
        except BaseException:
            redirect.close()
            raise
        open_browser(request.url)
        code = await asyncio.get_running_loop().run_in_executor(
            None, redirect.wait, request.state, wait_seconds
        )
        tokens = await self._http.run(client.exchange_code, request, code)
        await self._keep_tokens(account, tokens)
        await self.audit(account, "session.login_oidc", request="authorization_code+PKCE")
        self._events.publish(AccountChanged(account_id=account.id, account=account.name))

    async def login_ciba(
        self,
        account: Account,
        binding_message: str | None,
        on_pending: Callable[[CibaRequest], object],
    ) -> None:
        """CIBA poll mode: the user approves on the e-CPS app or with the CPS card.

        `binding_message` is the short code shown both here and on the phone or card reader
        (a new `new_binding_message` when None); `on_pending` gets the request (its
        ``binding_message`` to show) once the provider waits for the approval.
        """
        _refuse_retired(account)
        binding_message = binding_message or new_binding_message()
        oidc = account.config.oidc
        if oidc is None or not oidc.rpps:
            raise ValidationError("account.rpps_required")
        client = await self._oidc_client(account)
        request: CibaRequest = await self._http.run(client.start_ciba, oidc.rpps, binding_message)
        on_pending(request)
        while True:
            await asyncio.sleep(request.interval)
            if time.time() > request.expires_at:
                raise AuthError("auth.login_expired")
            tokens = await self._http.run(client.poll_ciba, request)
            if tokens is not None:
                break
        await self._keep_tokens(account, tokens)
        await self.audit(account, "session.login_oidc", request="CIBA poll")
        self._events.publish(AccountChanged(account_id=account.id, account=account.name))

    async def logout(self, account: Account) -> None:
        """End the login session: revoke the refresh token, forget every token."""
        refresh = await self._secret(account, SECRET_REFRESH_TOKEN)
        self._tokens.pop(account.id, None)
        if refresh is not None and account.config.oidc is not None:
            client = await self._oidc_client(account)
            try:
                await self._http.run(client.revoke, refresh.decode("utf-8"))
            except NetworkError:
                log.warning("could not reach the provider to revoke the session")
        await self._forget_refresh_token(account, "ok")
        self._events.publish(AccountChanged(account_id=account.id, account=account.name))

    # -- helpers ----------------------------------------------------------------------------

    async def _secret(self, account: Account, kind: str) -> bytes | None:
        scope = SecretRepository.account_scope(account.id)
        return await self._store.read(lambda a: a.secrets.get(scope, kind))

    async def audit(
        self,
        account: Account,
        action: str,
        *,
        target: str | None = None,
        request: str | None = None,
        outcome: str = "ok",
        detail: str | None = None,
    ) -> None:
        """Record a mailbox operation in the audit trail."""
        await self._store.write(
            lambda a: a.audit.add(
                account_id=account.id,
                actor=account.address,
                action=action,
                target=target,
                request=request,
                outcome=outcome,
                detail=detail,
            )
        )

    async def aclose(self) -> None:
        """Stop the HTTP thread."""
        self._http.shutdown(wait=False)


def new_binding_message() -> str:
    """A short code the user compares on the phone or card reader (CIBA binding_message)."""
    return f"PLI-{secrets.randbelow(10_000):04d}"


def _refresh_in_transaction(
    archive: Archive, account: Account, client: OidcClient
) -> tuple[str, TokenSet | None]:
    """Refresh with the stored refresh token and store its successor, in one transaction.

    Blocking (HTTP); runs on the store thread inside `StoreGateway.write`. Returns
    ``("ok", tokens)``, ``("login_required", None)`` when no token is stored, or
    ``("session_ended", None)`` when the provider refused it (then forgotten and audited).
    """
    scope = SecretRepository.account_scope(account.id)
    stored = archive.secrets.get(scope, SECRET_REFRESH_TOKEN)
    if stored is None:
        return "login_required", None
    refresh = stored.decode("utf-8")
    try:
        tokens = client.refresh(refresh)
    except AuthError as error:
        if error.code != "auth.session_ended":
            raise
        archive.secrets.delete(scope, SECRET_REFRESH_TOKEN)
        archive.audit.add(
            account_id=account.id,
            actor=account.address,
            action="session.end",
            outcome="auth.session_ended",
        )
        return "session_ended", None
    if tokens.refresh_token and tokens.refresh_token != refresh:
        archive.secrets.put(scope, SECRET_REFRESH_TOKEN, tokens.refresh_token.encode("utf-8"))
    return "ok", tokens


def _refuse_retired(account: Account) -> None:
    if account.config.retired:
        raise ValidationError("account.retired", account=account.name)


def _with(config: AccountConfig, **changes: object) -> AccountConfig:
    from dataclasses import replace

    return replace(config, **changes)  # type: ignore[arg-type]
