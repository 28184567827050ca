"""`pli sync|list|show|search|audit|folders|flag|move|delete`: the archive."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.output import add_json_flag, iso_time, table
from app.domain.documents.naming import display_subject  # the module alone (start-up time)
from app.domain.errors import ValidationError
from app.domain.message import FLAG_WORDS, Flag, MessageSummary, Person

if TYPE_CHECKING:  # annotations only: `pli list` loads no sync machinery (start-up time)
    from app.domain.events import Event
    from app.services.account_service import Account
    from app.services.archive_service import SearchFilters
    from app.services.container import Services
    from app.services.mailbox_sync import SyncReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the archive commands."""
    sync = subparsers.add_parser("sync", help="bring the local archive in step with the server")
    sync.add_argument("name", nargs="?", help="account (default: every account)")
    sync.add_argument("--watch", action="store_true", help="then stay connected for new mail")
    sync.add_argument(
        "--interval",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="with --watch: look at every folder this often (INBOX is pushed at once)",
    )
    sync.add_argument(
        "--no-bodies", action="store_true", help="only the message lists (bodies later)"
    )
    sync.add_argument(
        "--no-index",
        action="store_true",
        help="do not index the text of attachments now (it is done at the next sync)",
    )
    sync.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_json_flag(sync)
    sync.set_defaults(handler=_sync)

    listing = subparsers.add_parser("list", help="list archived messages, newest first")
    _filters(listing)
    add_json_flag(listing)
    listing.set_defaults(handler=_list)

    search = subparsers.add_parser("search", help="full-text search of the archive")
    search.add_argument("query", help='words (all must match), "a phrase", prefix*')
    _filters(search, default_limit=50)
    add_json_flag(search)
    search.set_defaults(handler=_search)

    show = subparsers.add_parser("show", help="show one message")
    show.add_argument("id", type=int)
    show.add_argument("--raw", action="store_true", help="print the message as archived")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    thread = subparsers.add_parser("thread", help="show the conversation of a message")
    thread.add_argument("id", type=int)
    add_json_flag(thread)
    thread.set_defaults(handler=_thread)

    folders = subparsers.add_parser("folders", help="folders and their counts")
    folders.add_argument("name", nargs="?", help="account")
    add_json_flag(folders)
    folders.set_defaults(handler=_folders)

    quota = subparsers.add_parser("quota", help="how full the mailbox is on the server")
    quota.add_argument("name", nargs="?", help="account")
    add_json_flag(quota)
    quota.set_defaults(handler=_quota)

    audit = subparsers.add_parser("audit", help="the audit trail of mailbox operations")
    audit.add_argument("--account")
    audit.add_argument("--since", metavar="YYYY-MM-DD")
    audit.add_argument("--action", help="only actions starting with this (e.g. sync.)")
    fmt = audit.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="CSV export on stdout")
    add_json_flag(fmt)  # type: ignore[arg-type]
    audit.set_defaults(handler=_audit)

    flag = subparsers.add_parser("flag", help="mark messages (replayed to the server)")
    flag.add_argument("ids", type=int, nargs="+", metavar="ID")
    flag.add_argument(
        "--set",
        action="append",
        default=[],
        choices=sorted(FLAG_WORDS),
        metavar="FLAG",
        help="read, flagged, answered, deleted, draft (repeatable)",
    )
    flag.add_argument(
        "--clear", action="append", default=[], choices=sorted(FLAG_WORDS), metavar="FLAG"
    )
    add_json_flag(flag)
    flag.set_defaults(handler=_flag)

    move = subparsers.add_parser("move", help="file messages in another folder")
    move.add_argument("ids", type=int, nargs="+", metavar="ID")
    move.add_argument("--to", required=True, metavar="FOLDER")
    add_json_flag(move)
    move.set_defaults(handler=_move)

    delete = subparsers.add_parser("delete", help="delete messages from the archive and the server")
    delete.add_argument("ids", type=int, nargs="+", metavar="ID")
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)


def _filters(parser: argparse.ArgumentParser, default_limit: int | None = None) -> None:
    parser.add_argument("--account")
    parser.add_argument("--folder")
    parser.add_argument("--from", dest="correspondent", metavar="ADDRESS", help="correspondent")
    parser.add_argument("--since", metavar="YYYY-MM-DD")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="before this day")
    parser.add_argument("--attachments", action="store_true", help="only with attachments")
    parser.add_argument("--patient", metavar="INS", help="only this patient's messages")
    parser.add_argument("--limit", type=int, default=default_limit)


def _day(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.strptime(text, "%Y-%m-%d").timestamp())
    except ValueError as error:
        raise ValidationError("date.malformed", value=text) from error


async def _build_filters(services: Services, args: argparse.Namespace) -> SearchFilters:
    account: Account | None = None
    if args.account or args.folder:
        account = await services.accounts.get(args.account)
    folder_id = (
        await services.archive.folder_id(account, args.folder) if account and args.folder else None
    )
    from app.services.archive_service import SearchFilters

    return SearchFilters(
        account_id=account.id if account else None,
        folder_id=folder_id,
        correspondent=args.correspondent,
        since=_day(args.since),
        until=_day(args.until),
        has_attachments=True if args.attachments else None,
        patient_ins=args.patient,
        limit=args.limit if args.limit is not None else -1,
    )


# -- sync -----------------------------------------------------------------------------------


async def _sync(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    accounts = (
        [await services.accounts.get(args.name)] if args.name else (await services.accounts.list())
    )
    if not accounts:
        raise ValidationError("account.none")
    # A removed mailbox whose archive was kept: nothing to sync, no connection attempted.
    archives = [a for a in accounts if a.config.retired]
    accounts = [a for a in accounts if not a.config.retired]
    # The bus holds handlers weakly: this reference keeps progress shown until the end.
    _progress = _follow_progress(ctx, services) if not args.quiet and not args.json else None
    reports = await services.supervisor.run_once(
        accounts, bodies=not args.no_bodies, index=not args.no_index
    )
    outbox: dict[str, dict[str, Any]] = {
        r.account: {
            "submitted": r.outbox_submitted,
            "filed": r.outbox_filed,
            "failed": r.outbox_failed,
            "waiting_reason": r.outbox_waiting,
        }
        for r in reports
    }
    # Profile-wide figures: the same in every report.
    indexed_documents = reports[0].indexed_documents if reports else None
    documents_to_index = reports[0].documents_to_index if reports else None
    lines = [f"{a.name}: archive only (mailbox removed), not synced" for a in archives]
    lines += [line for r in reports for line in _report_lines(r)]
    for name, sent in outbox.items():
        if sent["submitted"]:
            lines.append(f"{name}: {sent['submitted']} queued message(s) sent")
    from app.cli.messages import describe  # the table loads with `sync` alone (start-up time)

    for r in reports:
        if r.outbox_waiting_error is not None:
            # Why messages wait (a refused login at submission names its host).
            ctx.out.warn(f"{r.account}: the outbox waits: {describe(r.outbox_waiting_error)}")
    if indexed_documents:
        lines.append(f"{indexed_documents} attached document(s) indexed for search")
    ctx.out.result(
        {
            "accounts": [_report_json(r) | {"outbox": outbox[r.account]} for r in reports],
            "archive_only": [a.name for a in archives],
            "indexed_documents": indexed_documents or 0,
            "documents_to_index": documents_to_index,
        },
        lines,
    )
    if args.watch:
        await _watch(ctx, services, accounts, args.interval)
    return 0


def _report_json(report: SyncReport) -> dict[str, Any]:
    return {
        "account": report.account,
        "new": report.added,
        "gone_from_server": report.gone,
        "flags_changed": report.flags_changed,
        "replayed_operations": report.replayed,
        "bodies_archived": report.bodies,
        "bytes_archived": report.bytes,
        "missing_bodies": report.missing_bodies,
        "unreadable": report.unreadable,
        "list_seconds": round(report.list_seconds, 3),
        "archive_seconds": round(report.archive_seconds, 3),
        "folders": [
            {
                "folder": f.folder,
                "new": f.added,
                "gone_from_server": f.gone,
                "flags_changed": f.flags_changed,
                "rebound": f.rebound,
                "uidvalidity_reset": f.uidvalidity_reset,
                "unchanged": f.unchanged,
                "renamed_from": f.renamed_from,
            }
            for f in report.folders
        ],
    }


def _report_lines(report: SyncReport) -> list[str]:
    lines = [f"{report.account}:"]
    changed = [f for f in report.folders if not f.unchanged or f.renamed_from]
    for f in changed:
        parts = []
        if f.renamed_from:
            parts.append(f"renamed on the server (was {f.renamed_from}), archive kept")
        if f.added:
            parts.append(f"{f.added} new")
        if f.gone:
            parts.append(f"{f.gone} gone from the server (kept here)")
        if f.flags_changed:
            parts.append(f"{f.flags_changed} changed")
        if f.uidvalidity_reset:
            parts.append("folder re-identified by the server")
        lines.append(f"  {f.folder}: " + (", ".join(parts) if parts else "up to date"))
    if not changed:
        lines.append("  up to date")
    if report.replayed:
        lines.append(f"  {report.replayed} local change(s) sent to the server")
    if report.bodies:
        lines.append(f"  {report.bodies} message(s) archived ({_size(report.bytes)})")
    if report.missing_bodies:
        lines.append(f"  {report.missing_bodies} message(s) still to archive")
    if report.unreadable:
        lines.append(
            f"  {report.unreadable} message(s) with an unreadable header: archived as they came"
        )
    return lines


def _follow_progress(ctx: CliContext, services: Services) -> Callable[[Event], None]:
    from app.domain.events import (
        ArchiveComplete,
        BodiesProgress,
        Event,
        HeadersProgress,
        MailboxListed,
        NewMail,
        SessionEnded,
    )

    last = {"t": 0.0}

    def show(event: Event) -> None:
        now = time.monotonic()
        if isinstance(event, HeadersProgress):
            if now - last["t"] > 0.5 or event.done == event.total:
                last["t"] = now
                ctx.out.progress(f"{event.folder}: {event.done}/{event.total} listed")
        elif isinstance(event, MailboxListed):
            ctx.out.progress(f"Mailbox listed in {event.elapsed:.1f} s")
        elif isinstance(event, BodiesProgress):
            if now - last["t"] > 1.0 or event.done == event.total:
                last["t"] = now
                ctx.out.progress(f"Archived {event.done}/{event.total} ({_size(event.bytes)})")
        elif isinstance(event, ArchiveComplete):
            ctx.out.progress(f"Archive complete in {event.elapsed:.1f} s")
        elif isinstance(event, NewMail):
            ctx.out.progress(f"New mail in {event.folder}")
        elif isinstance(event, SessionEnded):
            ctx.out.warn(f"{event.account}: login session ended: run pli account login")

    services.events.subscribe(Event, show)
    return show


async def _watch(
    ctx: CliContext, services: Services, accounts: list[Account], interval: float
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C ends the process
            loop.add_signal_handler(sig, stop.set)
    ctx.out.progress("Watching for new mail (Ctrl+C to stop)…")
    await services.supervisor.start(accounts, full_pass_seconds=interval)
    try:
        await stop.wait()
    finally:
        await services.supervisor.stop()
    ctx.out.progress("Stopped.")


# -- reading --------------------------------------------------------------------------------


def _summary_json(m: MessageSummary) -> dict[str, Any]:
    return {
        "id": m.id,
        "account": m.account,
        "folder": m.folder,
        "uid": m.uid,
        "date": iso_time(m.internal_date),
        "sent": iso_time(m.sent_date) if m.sent_date else None,
        "from": _person_json(m.sender),
        "subject": m.subject,
        "display_subject": display_subject(m.subject),
        "flags": Flag(m.flags).labels(),
        "keywords": list(m.keywords),
        "size": m.size,
        "has_attachments": m.has_attachments,
        "archived": m.archived,
        "gone_from_server": m.gone_from_server,
        "thread": m.thread_id,
        "patient_ins": m.patient_ins,
    }


def _person_json(p: Person | None) -> dict[str, str] | None:
    return {"name": p.name, "address": p.address} if p else None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _summary_rows(messages: list[MessageSummary]) -> list[str]:
    rows = []
    for m in messages:
        flags = Flag(m.flags)
        marks = ("" if Flag.SEEN in flags else "N") + ("!" if Flag.FLAGGED in flags else "")
        marks += "@" if m.has_attachments else ""
        marks += "x" if m.gone_from_server else ""
        sender = m.sender.name or m.sender.address if m.sender else ""
        date = datetime.fromtimestamp(m.internal_date).strftime("%Y-%m-%d %H:%M")
        rows.append(
            [str(m.id), date, marks, m.folder, sender[:28], display_subject(m.subject)[:60]]
        )
    if not rows:
        return ["No message."]
    return table(rows, ["ID", "DATE", "", "FOLDER", "FROM", "SUBJECT"])


async def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    filters = await _build_filters(services, args)
    messages = await services.archive.messages(filters)
    ctx.out.result({"messages": [_summary_json(m) for m in messages]}, _summary_rows(messages))
    return 0


async def _search(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    filters = await _build_filters(services, args)
    limit = filters.limit
    if limit > 0:
        # One more than shown, to know whether the results stop at the limit.
        filters = dataclasses.replace(filters, limit=limit + 1)
    messages = await services.archive.search(args.query, filters)
    truncated = 0 < limit < len(messages)
    messages = messages[:limit] if truncated else messages
    if truncated:
        ctx.out.warn(f"only the first {limit} results are shown: narrow the search or use --limit")
    ctx.out.result(
        {
            "query": args.query,
            "messages": [_summary_json(m) for m in messages],
            "truncated": truncated,
            "limit": limit if limit > 0 else None,
        },
        _summary_rows(messages),
    )
    return 0


async def _show(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    detail = await services.archive.detail(args.id)
    if args.raw:
        raw = await services.archive.raw(args.id)
        if raw is None:
            raise ValidationError("message.not_archived_yet", id=args.id)
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        return 0
    s = detail.summary
    data = _summary_json(s) | {
        "message_id": detail.message_id,
        "in_reply_to": detail.in_reply_to,
        "references": list(detail.references),
        "to": [_person_json(p) for p in detail.to],
        "cc": [_person_json(p) for p in detail.cc],
        "reply_to": [_person_json(p) for p in detail.reply_to],
        "body": detail.body_text,
        "attachments": [
            {"part": a.part, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in detail.attachments
        ],
    }
    lines = [
        f"From:    {_fmt_person(s.sender)}",
        f"To:      {', '.join(_fmt_person(p) for p in detail.to)}",
    ]
    if detail.cc:
        lines.append(f"Cc:      {', '.join(_fmt_person(p) for p in detail.cc)}")
    lines += [
        f"Date:    {iso_time(s.sent_date or s.internal_date)}",
        f"Subject: {display_subject(s.subject)}",
        f"Folder:  {s.account}/{s.folder}"
        + ("  (gone from the server)" if s.gone_from_server else ""),
    ]
    for a in detail.attachments:
        lines.append(f"Attached: {a.filename or '(unnamed)'} ({a.content_type}, {_size(a.size)})")
    lines.append("")
    lines.append(detail.body_text if s.archived else "(body not archived yet: run pli sync)")
    ctx.out.result(data, lines)
    return 0


def _fmt_person(p: Person | None) -> str:
    if p is None:
        return ""
    return f"{p.name} <{p.address}>" if p.name else p.address


async def _thread(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    summary = (await services.archive.detail(args.id)).summary
    messages = await services.archive.thread(summary.thread_id or summary.id)
    ctx.out.result({"messages": [_summary_json(m) for m in messages]}, _summary_rows(messages))
    return 0


async def _folders(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.name)
    folders = await services.archive.folders(account)
    rows = [
        [
            f.name,
            f.role or "",
            str(f.messages),
            str(f.unread),
            str(f.gone),
            "" if f.on_server else "not on server",
        ]
        for f in folders
    ]
    ctx.out.result(
        {"account": account.name, "folders": [f.__dict__ for f in folders]},
        table(rows, ["FOLDER", "ROLE", "MESSAGES", "UNREAD", "GONE", ""])
        if rows
        else ["No folder yet: run pli sync"],
    )
    return 0


async def _quota(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.name)
    found = await services.sync.quota(account)
    if found is None:
        ctx.out.result(
            {"account": account.name, "quota": None},
            ["The server does not say how full the mailbox is."],
        )
        return 0
    used, limit = found
    percent = round(100 * used / limit) if limit else 0
    ctx.out.result(
        {"account": account.name, "used_kib": used, "limit_kib": limit, "percent": percent},
        [
            f"{account.name}: {_size(used * 1024)} used of {_size(limit * 1024)} ({percent} %)"
            + (
                "  — nearly full: a full mailbox can neither send nor receive"
                if percent >= 90
                else ""
            )
        ],
    )
    return 0


async def _audit(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.account) if args.account else None
    since = _day(args.since)
    entries = await services.archive.audit(
        since=float(since) if since is not None else None,
        account=account,
        action_prefix=args.action,
    )
    if args.csv:
        sys.stdout.write(services.archive.audit_csv(entries))
        sys.stdout.flush()
        return 0
    data: list[dict[str, Any]] = [
        {
            "id": e.id,
            "time": datetime.fromtimestamp(e.ts).astimezone().isoformat(timespec="seconds"),
            "account": e.account,
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "request": e.request,
            "outcome": e.outcome,
            "detail": e.detail,
        }
        for e in entries
    ]
    rows = [
        [str(d["time"]), d["account"] or "", d["action"], d["outcome"], (d["request"] or "")[:60]]
        for d in data
    ]
    ctx.out.result(
        {"entries": data}, table(rows, ["TIME", "ACCOUNT", "ACTION", "OUTCOME", "REQUEST"])
    )
    return 0


# -- local changes --------------------------------------------------------------------------


async def _replay_now(services: Services, account: Account) -> bool:
    """Try to send queued changes right away; False when the server is unreachable."""
    return await services.supervisor.replay_now(account)


def _flags(words: list[str]) -> Flag:
    result = Flag.NONE
    for word in words:
        result |= FLAG_WORDS[word]
    return result


async def _flag(ctx: CliContext, args: argparse.Namespace) -> int:
    add, remove = _flags(args.set), _flags(args.clear)
    if not add and not remove:
        raise ValidationError("flag.nothing_to_do")
    services = await ctx.services()
    account = await services.operations.set_flags(args.ids, add, remove)
    return await _after_change(ctx, services, account, "Flags changed")


async def _move(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.operations.move(args.ids, args.to)
    return await _after_change(ctx, services, account, f"Moved to {args.to}")


async def _delete(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.operations.delete(args.ids)
    return await _after_change(ctx, services, account, "Deleted")


async def _after_change(ctx: CliContext, services: Services, account: Account, what: str) -> int:
    online = await _replay_now(services, account)
    waiting = await services.operations.pending_count(account)
    ctx.out.result(
        {
            "applied_locally": True,
            "sent_to_server": online and waiting == 0,
            "pending_operations": waiting,
        },
        [
            f"{what}."
            + (
                ""
                if online and waiting == 0
                else " The server is unreachable: the change will be sent at the next sync."
            )
        ],
    )
    return 0
