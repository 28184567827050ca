"""`pli account …`: add, list, remove mailboxes; log in to Pro Santé Connect."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import webbrowser
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.output import add_json_flag, table
from app.domain.account import (
    AccountConfig,
    AuthMethod,
    BoxType,
    Endpoint,
    Identity,
    OidcSettings,
    Security,
)
from app.domain.errors import ValidationError

if TYPE_CHECKING:  # the account service (IMAP, SMTP, OIDC) loads when a command runs
    from app.services.account_service import Account

CLIENT_CERT_PASSWORD_ENV = "PLI_CLIENT_CERT_PASSWORD"  # noqa: S105 - a variable name


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli account`."""
    account = subparsers.add_parser("account", help="add, list and remove mailboxes")
    commands = account.add_subparsers(dest="account_command", metavar="ACTION")
    commands.required = True

    add = commands.add_parser("add", help="add a mailbox")
    add.add_argument("name", help="a short name for the account (e.g. cabinet)")
    add.add_argument("--address", required=True, help="the MSSanté address of the mailbox")
    add.add_argument("--imap", required=True, metavar="HOST[:PORT]", help="IMAP server")
    add.add_argument("--smtp", required=True, metavar="HOST[:PORT]", help="submission server")
    add.add_argument(
        "--security",
        choices=[s.value for s in Security],
        default=Security.STARTTLS.value,
        help="starttls (143/587, the MSSanté default) or tls (993/465); never plaintext",
    )
    add.add_argument("--username", help="login name when it is not the address")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.add_argument(
        "--auth",
        choices=[a.value for a in AuthMethod],
        help="password (default), oauth2 (Pro Santé Connect), external (client certificate)",
    )
    add.add_argument("--ca-file", metavar="PEM", help="trust store instead of IGC-Santé's")
    add.add_argument(
        "--client-cert",
        metavar="FILE",
        help="client TLS certificate, PEM or PKCS#12 (password in $PLI_CLIENT_CERT_PASSWORD)",
    )
    add.add_argument("--box-type", choices=[b.value for b in BoxType], default="PER")
    identity = add.add_argument_group("identity (the From display name, spec ECO.2.2.7)")
    identity.add_argument("--title", default="", help="e.g. Dr")
    identity.add_argument("--given-name", default="")
    identity.add_argument("--family-name", default="")
    identity.add_argument("--entity", default="", help="practice, service or organisation")
    add.add_argument("--reply-to", help="return box: patients' replies go there (spec §3)")
    add.add_argument(
        "--server-files-sent",
        action="store_true",
        help="the submission server files a copy in Sent itself (no IMAP APPEND)",
    )
    oidc = add.add_argument_group("Pro Santé Connect (with --auth oauth2)")
    oidc.add_argument("--oidc-issuer")
    oidc.add_argument("--oidc-client-id")
    oidc.add_argument("--oidc-discovery-url", help="when not at the standard path")
    oidc.add_argument("--oidc-client-auth", choices=["none", "secret", "broker"], default="none")
    oidc.add_argument("--oidc-broker-url", help="the editor's token broker (holds the secret)")
    oidc.add_argument("--oidc-client-secret-file", metavar="FILE")
    oidc.add_argument("--oidc-scope", default="openid scope_all")
    oidc.add_argument("--oidc-acr", default="eidas1")
    oidc.add_argument("--rpps", help="RPPS number, for the CIBA login (e-CPS, CPS card)")
    oidc.add_argument(
        "--oidc-ca-file", metavar="PEM", help="trust store for the provider (default: system)"
    )
    add.add_argument(
        "--confirm-servers",
        action="store_true",
        help="confirm these servers belong to the mailbox's operator (needed to send a token "
        "to a server outside the address's domain)",
    )
    add_json_flag(add)
    add.set_defaults(handler=_add)

    edit = commands.add_parser("set", help="change a mailbox's servers, identity or options")
    edit.add_argument("name")
    edit.add_argument("--imap", metavar="HOST[:PORT]")
    edit.add_argument("--smtp", metavar="HOST[:PORT]")
    edit.add_argument("--security", choices=[s.value for s in Security])
    edit.add_argument("--username")
    edit.add_argument("--ca-file", metavar="PEM")
    edit.add_argument("--title")
    edit.add_argument("--given-name")
    edit.add_argument("--family-name")
    edit.add_argument("--entity")
    edit.add_argument("--reply-to", help="return box (empty to remove)")
    edit.add_argument("--server-files-sent", choices=["yes", "no"])
    edit.add_argument("--confirm-servers", choices=["yes", "no"])
    add_json_flag(edit)
    edit.set_defaults(handler=_set)

    listing = commands.add_parser("list", help="list mailboxes")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)

    remove = commands.add_parser("remove", help="remove a mailbox and its local archive")
    remove.add_argument("name")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.add_argument(
        "--keep-archive",
        action="store_true",
        help="keep the archived messages, readable and searchable offline; only the "
        "mailbox's secrets are deleted and it is never synced again",
    )
    remove.set_defaults(handler=_remove)

    password = commands.add_parser("password", help="change the stored password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", required=True)
    password.set_defaults(handler=_password)

    login = commands.add_parser("login", help="log in to Pro Santé Connect")
    login.add_argument("name")
    login.add_argument(
        "--ciba", action="store_true", help="approve on the e-CPS app or with the CPS card"
    )
    login.add_argument(
        "--no-browser", action="store_true", help="print the address instead of opening it"
    )
    login.add_argument("--binding-message", default=None, help=argparse.SUPPRESS)
    login.set_defaults(handler=_login)

    logout = commands.add_parser("logout", help="end the Pro Santé Connect session")
    logout.add_argument("name")
    logout.set_defaults(handler=_logout)


async def _read_stdin_line() -> str:
    line: str = await asyncio.to_thread(sys.stdin.readline)
    return line.rstrip("\r\n")


async def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    security = Security(args.security)
    auth = AuthMethod(args.auth) if args.auth else AuthMethod.PASSWORD
    oidc = None
    if auth is AuthMethod.OAUTH2:
        if not args.oidc_issuer or not args.oidc_client_id:
            raise ValidationError("account.oidc_required")
        oidc = OidcSettings(
            issuer=args.oidc_issuer,
            client_id=args.oidc_client_id,
            discovery_url=args.oidc_discovery_url,
            client_auth=args.oidc_client_auth,
            broker_url=args.oidc_broker_url,
            scope=args.oidc_scope,
            acr_values=args.oidc_acr,
            flow="browser",
            rpps=args.rpps,
            ca_file=str(await asyncio.to_thread(Path(args.oidc_ca_file).resolve))
            if args.oidc_ca_file
            else None,
        )
    ca_file = str(await asyncio.to_thread(Path(args.ca_file).resolve)) if args.ca_file else None
    config = AccountConfig(
        name=args.name,
        address=args.address,
        imap=Endpoint.parse(args.imap, security, "imap"),
        smtp=Endpoint.parse(args.smtp, security, "smtp"),
        box_type=BoxType(args.box_type),
        username=args.username,
        auth=auth,
        ca_file=ca_file,
        oidc=oidc,
        identity=Identity(args.title, args.given_name, args.family_name, args.entity),
        reply_to=args.reply_to,
        server_files_sent=args.server_files_sent,
        servers_confirmed=args.confirm_servers,
    )
    password = await _read_stdin_line() if args.password_stdin else None
    certificate = None
    if args.client_cert:
        certificate = await asyncio.to_thread(_read_file, args.client_cert)
    secret = None
    if args.oidc_client_secret_file:
        secret = (await asyncio.to_thread(_read_file, args.oidc_client_secret_file)).decode()
        secret = secret.strip()
    services = await ctx.services()
    account = await services.accounts.add(
        config,
        password=password,
        client_certificate=certificate,
        client_certificate_password=os.environ.get(CLIENT_CERT_PASSWORD_ENV),
        oidc_client_secret=secret,
    )
    ctx.out.result(_account_json(account), [f"Account {account.name} added ({account.address})."])
    return 0


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ValidationError("file.unreadable", path=path) from error


def _account_json(account: Account) -> dict[str, Any]:
    c = account.config
    return {
        "name": c.name,
        "address": c.address,
        "box_type": c.box_type.value,
        "imap": str(c.imap),
        "smtp": str(c.smtp),
        "security": c.imap.security.value,
        "auth": c.auth.value,
        "username": c.login,
        "client_certificate": c.client_certificate,
        "reply_to": c.reply_to,
        "archive_only": c.retired,
    }


async def _set(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.name)
    config = account.config
    security = Security(args.security) if args.security else config.imap.security
    changes: dict[str, Any] = {}
    if args.imap or args.security:
        changes["imap"] = (
            Endpoint.parse(args.imap, security, "imap")
            if args.imap
            else Endpoint(config.imap.host, config.imap.port, security)
        )
    if args.smtp or args.security:
        changes["smtp"] = (
            Endpoint.parse(args.smtp, security, "smtp")
            if args.smtp
            else Endpoint(config.smtp.host, config.smtp.port, security)
        )
    if args.username is not None:
        changes["username"] = args.username or None
    if args.ca_file is not None:
        changes["ca_file"] = str(await asyncio.to_thread(Path(args.ca_file).resolve))
    identity = {
        key: value
        for key, value in (
            ("title", args.title),
            ("given_name", args.given_name),
            ("family_name", args.family_name),
            ("entity", args.entity),
        )
        if value is not None
    }
    if identity:
        changes["identity"] = replace(config.identity, **identity)
    if args.reply_to is not None:
        changes["reply_to"] = args.reply_to or None
    if args.server_files_sent is not None:
        changes["server_files_sent"] = args.server_files_sent == "yes"
    if args.confirm_servers is not None:
        changes["servers_confirmed"] = args.confirm_servers == "yes"
    if not changes:
        raise ValidationError("account.nothing_to_change")
    updated = await services.accounts.update(args.name, replace(config, **changes))
    ctx.out.result(_account_json(updated), [f"Account {updated.name} updated."])
    return 0


async def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    accounts = await services.accounts.list()
    data = []
    rows = []
    for account in accounts:
        status = await services.archive.status(account)
        item = _account_json(account)
        item.update(
            messages=status.messages,
            missing_bodies=status.missing_bodies,
            gone_from_server=status.gone,
            pending_operations=status.pending_operations,
        )
        data.append(item)
        rows.append(
            [
                account.name,
                account.address,
                account.config.box_type.value,
                str(account.config.imap),
                "archive" if account.config.retired else account.config.auth.value,
                str(status.messages),
            ]
        )
    lines = (
        table(rows, ["NAME", "ADDRESS", "TYPE", "IMAP", "AUTH", "MESSAGES"])
        if rows
        else ["No account yet: pli account add NAME --address … --imap … --smtp …"]
    )
    ctx.out.result({"accounts": data}, lines)
    return 0


async def _remove(ctx: CliContext, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValidationError("confirmation.required")
        question = (
            f"Remove mailbox {args.name} (its password, tokens and certificate are deleted, it is"
            " never synced again) and keep its archive? [y/N] "
            if args.keep_archive
            else f"Remove account {args.name} and its local archive? [y/N] "
        )
        answer = await asyncio.to_thread(input, question)
        if answer.strip().lower() not in ("y", "yes", "o", "oui"):
            ctx.out.text("Nothing removed.")
            return 0
    services = await ctx.services()
    if args.keep_archive:
        unsent = await services.accounts.unsent(args.name)
        await services.accounts.retire(args.name)
        ctx.out.text(
            f"Mailbox {args.name} removed; its archive is kept (read and search it offline)."
        )
        if unsent:
            ctx.out.text(
                f"{unsent} message(s) waiting in its outbox will not be sent: they stay in the"
                " outbox, marked failed."
            )
        return 0
    await services.accounts.remove(args.name)
    ctx.out.text(f"Account {args.name} removed.")
    return 0


async def _password(ctx: CliContext, args: argparse.Namespace) -> int:
    password = await _read_stdin_line()
    if not password:
        raise ValidationError("account.password_required")
    services = await ctx.services()
    await services.accounts.set_password(args.name, password)
    ctx.out.text("Password updated.")
    return 0


async def _login(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.name)
    if args.ciba:
        from app.services.account_service import new_binding_message

        message = args.binding_message or new_binding_message()

        def pending(_request: object) -> None:
            ctx.out.progress(
                f"Approve the login on your e-CPS app or card reader. Code shown: {message}"
            )

        await services.accounts.login_ciba(account, message, pending)
    else:

        def open_browser(url: str) -> None:
            if args.no_browser or not webbrowser.open(url):
                ctx.out.progress(f"Open this address in your browser to log in:\n{url}")
            else:
                ctx.out.progress("Your browser was opened: log in there, then come back.")

        await services.accounts.login_browser(account, open_browser)
    ctx.out.text(f"Logged in: {account.name}.")
    return 0


async def _logout(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.name)
    await services.accounts.logout(account)
    ctx.out.text(f"Logged out: {account.name}.")
    return 0
