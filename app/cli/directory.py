"""`pli directory …`: the Annuaire Santé and the trust space's list of domains.

Offline from the national extraction, online through its FHIR API (spec §7); the list of
domains of spec §1.

No archive is needed: the directory is public data, in its own clear file; when there is an
archive, a search reads the favourites and recent correspondents from it to rank them first.
The online directory's API key comes from ``PLI_ESANTE_API_KEY`` or ``--api-key-file``
(never printed).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.output import Output, add_json_flag
from app.domain.contacts import FAVOURITE_WEIGHT
from app.domain.directory import (
    DirectoryEntry,
    DirectoryInfo,
    DirectoryQuery,
    EntryKind,
    ImportProgress,
    ImportReport,
    Mailbox,
    MailboxType,
    SearchResult,
    WhitelistInfo,
    entry_to_dict,
)
from app.domain.errors import DirectoryError, StoreError, ValidationError

if TYPE_CHECKING:  # the directory service loads when a command opens it (`pli --help` fast)
    from app.services.directory_service import DirectoryService


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli directory`."""
    directory = subparsers.add_parser(
        "directory",
        help="search the national health directory (Annuaire Santé) and its MSSanté mailboxes",
    )
    commands = directory.add_subparsers(dest="directory_command", metavar="ACTION")
    commands.required = True

    imp = commands.add_parser(
        "import",
        help="import the national extraction (Extraction_Correspondance_MSSante_*.txt or its zip)",
        description="Replaces the offline directory atomically: if anything fails, the "
        "current one is kept. Progress goes to stderr.",
    )
    imp.add_argument("file", metavar="FILE", type=Path, help="the extraction (.txt or .zip)")
    add_json_flag(imp)
    imp.set_defaults(handler=_import)

    search = commands.add_parser(
        "search",
        help="find professionals and structures and their MSSanté mailboxes",
        description="Every criterion given must match; words match by their beginning, "
        "ignoring case and accents. Exact surnames come first, then favourites and recent "
        "correspondents (read from the archive when it exists: see pli contacts).",
    )
    search.add_argument("query", nargs="*", metavar="QUERY", help="free text (any field)")
    search.add_argument("--name", metavar="N", default="", help="surname")
    search.add_argument("--given", metavar="G", default="", help="first name")
    search.add_argument("--profession", metavar="P", default="", help="e.g. Médecin, Infirmier")
    search.add_argument("--speciality", metavar="S", default="", help="savoir-faire")
    search.add_argument("--city", metavar="C", default="", help="town")
    search.add_argument("--postcode", metavar="P", default="", help="postcode (or its start)")
    search.add_argument("--department", metavar="D", default="", help="department code (69, 2A)")
    search.add_argument("--organisation", metavar="O", default="", help="structure or service")
    search.add_argument(
        "--rpps", metavar="R", default="", help="RPPS or ADELI number (or national identifier)"
    )
    search.add_argument(
        "--type", metavar="T", action="append", default=[], help="mailbox type: PER, CAB, ORG, APP"
    )
    where = search.add_mutually_exclusive_group()
    where.add_argument("--online", action="store_true", help="ask the online directory only")
    where.add_argument("--offline", action="store_true", help="never ask the online directory")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="most entries (20)")
    search.add_argument(
        "--no-contacts",
        action="store_true",
        help="do not open the archive to rank favourites and recent correspondents first",
    )
    _add_api_key_option(search)
    add_json_flag(search)
    search.set_defaults(handler=_search)

    info = commands.add_parser("info", help="what the offline directory holds and how old it is")
    _add_api_key_option(info)
    add_json_flag(info)
    info.set_defaults(handler=_info)

    refresh = commands.add_parser(
        "refresh",
        help="download the national extraction and import it",
        description="Downloads from the agency's address (setting directory.extraction_url) "
        "or --url, over HTTPS, then imports as `pli directory import`.",
    )
    refresh.add_argument("--url", metavar="URL", default=None, help="download from URL instead")
    add_json_flag(refresh)
    refresh.set_defaults(handler=_refresh)

    whitelist = commands.add_parser(
        "whitelist", help="the trust space's list of domains (listeblanchemssante.xml)"
    )
    actions = whitelist.add_subparsers(dest="whitelist_command", metavar="ACTION")
    actions.required = True
    wl_import = actions.add_parser("import", help="import listeblanchemssante.xml")
    wl_import.add_argument("file", metavar="FILE", type=Path, help="the XML list")
    wl_import.add_argument(
        "--checksum", metavar="FILE", type=Path, default=None, help="its SHA-256 checksum file"
    )
    add_json_flag(wl_import)
    wl_import.set_defaults(handler=_whitelist_import)
    wl_info = actions.add_parser("info", help="the imported list of domains")
    add_json_flag(wl_info)
    wl_info.set_defaults(handler=_whitelist_info)
    wl_check = actions.add_parser(
        "check", help="say which addresses are outside the trust space's domains"
    )
    wl_check.add_argument("addresses", nargs="+", metavar="ADDRESS")
    add_json_flag(wl_check)
    wl_check.set_defaults(handler=_whitelist_check)


def _add_api_key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api-key-file",
        metavar="FILE",
        type=Path,
        default=None,
        help="read the online directory's API key from FILE (else PLI_ESANTE_API_KEY)",
    )


# --------------------------------------------------------------------------- handlers


async def _import(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        report = await service.import_file(args.file, on_progress=_progress_printer(ctx.out))
    ctx.out.result(report_json(report), report_lines(report))
    return 0


async def _refresh(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        report = await service.refresh(args.url, on_progress=_progress_printer(ctx.out))
    ctx.out.result(report_json(report), report_lines(report))
    return 0


async def _search(ctx: CliContext, args: argparse.Namespace) -> int:
    types: set[MailboxType] = set()
    for value in args.type:
        for part in value.replace(",", " ").split():
            kind = MailboxType.parse(part)
            if kind is None:
                raise ValidationError("directory.query.bad_type", value=part)
            types.add(kind)
    query = DirectoryQuery(
        text=" ".join(args.query),
        family=args.name,
        given=args.given,
        profession=args.profession,
        speciality=args.speciality,
        city=args.city,
        postcode=args.postcode,
        department=args.department,
        organisation=args.organisation,
        identifier=args.rpps,
        types=frozenset(types),
    )
    online = True if args.online else False if args.offline else None
    boost = {} if args.no_contacts else await _contacts_boost(ctx)
    async with ctx.directory() as service:
        await _use_api_key_file(service, args)
        result = await service.search(query, limit=max(1, args.limit), online=online, boost=boost)
    if result.online_error:
        from app.cli.messages import describe  # loaded when shown (start-up time)

        reason = describe(DirectoryError(result.online_error))
        ctx.out.warn(f"online directory not used: {reason}")
    ctx.out.result(search_json(result, boost), search_lines(result, boost))
    return 0


async def _contacts_boost(ctx: CliContext) -> dict[str, float]:
    """Favourites and recent correspondents from the archive, if there is one to unlock."""
    if not ctx.has_archive():
        return {}
    try:
        services = await ctx.services()
        return await services.contacts.boost()
    except StoreError as error:
        from app.cli.messages import describe  # loaded when shown (start-up time)

        ctx.out.warn(f"favourites and recent correspondents not used: {describe(error)}")
        return {}


async def _info(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        await _use_api_key_file(service, args)
        info = await service.info()
    ctx.out.result(info_json(info), info_lines(info))
    return 0


async def _whitelist_import(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        info = await service.import_whitelist(args.file, checksum=args.checksum)
    ctx.out.result(whitelist_json(info), whitelist_lines(info))
    return 0


async def _whitelist_info(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        info = await service.whitelist_info()
    if info is None:
        ctx.out.result({"imported": False}, ["no list of domains imported"])
        return 0
    ctx.out.result(whitelist_json(info), whitelist_lines(info))
    return 0


async def _whitelist_check(ctx: CliContext, args: argparse.Namespace) -> int:
    async with ctx.directory() as service:
        check = await service.check_domains(args.addresses)
    data = {
        "whitelist_loaded": check.whitelist_loaded,
        "trusted": list(check.trusted),
        "untrusted": list(check.untrusted),
    }
    if not check.whitelist_loaded:
        lines = ["no list of domains imported: run 'pli directory whitelist import FILE'"]
    else:
        lines = [f"trusted    {a}" for a in check.trusted]
        lines += [f"UNTRUSTED  {a}" for a in check.untrusted]
    ctx.out.result(data, lines)
    # Like grep: 1 when some address is outside the list (or nothing can be said).
    return 0 if check.whitelist_loaded and not check.untrusted else 1


async def _use_api_key_file(service: DirectoryService, args: argparse.Namespace) -> None:
    path: Path | None = args.api_key_file
    if path is None:
        return
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except OSError as error:
        raise DirectoryError(
            "directory.api_key_file.unreadable", path=str(path), reason=error.strerror or ""
        ) from error
    key = text.strip()
    if not key:
        raise DirectoryError("directory.api_key_file.empty", path=str(path))
    service.set_api_key(key)


def _progress_printer(out: Output) -> Callable[[ImportProgress], None]:
    """Progress on stderr, one line per tenth of each phase."""
    last: dict[str, int] = {}

    def show(progress: ImportProgress) -> None:
        fraction = progress.fraction
        if progress.phase == "finish":
            out.progress("finishing…")
            return
        if progress.phase == "index":
            out.progress(f"indexing… step {progress.done + 1}/{progress.total}")
            return
        if fraction is None:
            return
        tenth = int(fraction * 10)
        if last.get(progress.phase) == tenth:
            return
        last[progress.phase] = tenth
        verb = "downloading" if progress.phase == "download" else "reading"
        rows = f", {progress.rows:,} lines" if progress.rows else ""
        out.progress(f"{verb}… {tenth * 10}%{rows}")

    return show


# --------------------------------------------------------------------------- presenters


def report_json(report: ImportReport) -> dict[str, Any]:
    """An import report for ``--json`` (stable keys)."""
    data = asdict(report)
    data["generated_at"] = report.generated_at.isoformat() if report.generated_at else None
    data["imported_at"] = report.imported_at.isoformat()
    data["malformed_lines"] = list(report.malformed_lines)
    return data


def report_lines(report: ImportReport) -> list[str]:
    """An import report as text."""
    types = ", ".join(f"{n:,} {t}" for t, n in sorted(report.by_type.items()))
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M") if report.generated_at else "unknown"
    lines = [
        f"imported {report.mailboxes:,} mailboxes ({types}) of {report.persons:,} professionals",
        f"from {report.source_name}, generated {generated}, in {report.seconds:.1f} s",
        f"{report.rows:,} lines read, {report.duplicates:,} repeated addresses merged, "
        f"{report.malformed:,} lines refused",
    ]
    if report.malformed:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in report.malformed_reasons.items())
        first = ", ".join(str(n) for n in report.malformed_lines[:10])
        lines.append(f"refused: {reasons} (first lines: {first})")
    return lines


def search_json(result: SearchResult, boost: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Search results for ``--json`` (stable keys).

    ``contacts`` maps the found addresses that are favourites or recent correspondents to
    ``"favourite"`` or ``"recent"``.
    """
    return {
        "source": result.source.value,
        "truncated": result.truncated,
        "stale": result.stale,
        "online_error": result.online_error,
        "entries": [entry_to_dict(e) for e in result.entries],
        "contacts": {
            m.address: mark
            for e in result.entries
            for m in e.mailboxes
            if (mark := _contact_mark(m.address, boost))
        },
    }


def search_lines(result: SearchResult, boost: Mapping[str, float] | None = None) -> list[str]:
    """Search results as text: an entry per block, a mailbox per line."""
    if not result.entries:
        return ["no match"]
    lines: list[str] = []
    for entry in result.entries:
        lines.append(_entry_title(entry))
        for mailbox in entry.mailboxes:
            mark = _contact_mark(mailbox.address, boost)
            lines.append(f"  {_mailbox_line(mailbox)}" + (f"  [{mark}]" if mark else ""))
    more = " (more match: refine the search)" if result.truncated else ""
    stale = " — the offline directory is old: 'pli directory refresh'" if result.stale else ""
    lines.append(f"{len(result.entries)} entries, {result.source.value}{more}{stale}")
    return lines


def _contact_mark(address: str, boost: Mapping[str, float] | None) -> str:
    weight = (boost or {}).get(address.lower(), 0.0)
    if weight >= FAVOURITE_WEIGHT:
        return "favourite"
    return "recent" if weight > 0 else ""


def _entry_title(entry: DirectoryEntry) -> str:
    if entry.kind is EntryKind.STRUCTURE:
        return entry.display_name
    name = " ".join(p for p in (entry.family, entry.given) if p) or entry.display_name
    details = [p for p in (entry.profession, entry.speciality) if p]
    title = name + (f" — {', '.join(details)}" if details else "")
    if entry.identifier:
        title += f" — {entry.identifier_type} {entry.identifier}"
    return title


def _mailbox_line(mailbox: Mailbox) -> str:
    kind = mailbox.type.value if mailbox.type else "?"
    where = ", ".join(p for p in (mailbox.organisation, mailbox.service, _town(mailbox)) if p)
    return f"{kind:<3}  {mailbox.address}" + (f"  ({where})" if where else "")


def _town(mailbox: Mailbox) -> str:
    return " ".join(p for p in (mailbox.postcode, mailbox.town) if p)


def info_json(info: DirectoryInfo) -> dict[str, Any]:
    """Directory state for ``--json`` (stable keys)."""
    return {
        "present": info.present,
        "extraction": report_json(info.report) if info.report else None,
        "age_days": round(info.age_days, 2) if info.age_days is not None else None,
        "stale": info.stale,
        "whitelist": whitelist_json(info.whitelist) if info.whitelist else None,
        "online": {
            "api_key_configured": info.api_key_configured,
            "base_url": info.fhir_base_url,
            "cached_answers": info.online_cache_entries,
        },
    }


def info_lines(info: DirectoryInfo) -> list[str]:
    """Directory state as text."""
    lines: list[str] = []
    report = info.report
    if report is None:
        lines.append("offline directory: none imported ('pli directory refresh')")
    else:
        generated = (
            report.generated_at.strftime("%Y-%m-%d %H:%M") if report.generated_at else "unknown"
        )
        age = f"{info.age_days:.1f} days old" if info.age_days is not None else "age unknown"
        lines.append(f"offline directory: {report.source_name}")
        lines.append(
            f"  generated {generated} ({age}), imported {report.imported_at:%Y-%m-%d %H:%M}"
        )
        types = ", ".join(f"{n:,} {t}" for t, n in sorted(report.by_type.items()))
        lines.append(
            f"  {report.mailboxes:,} mailboxes ({types}), {report.persons:,} professionals"
        )
        if info.stale:
            lines.append("  older than the configured age: online answers are preferred")
    if info.whitelist is None:
        lines.append("list of domains: none imported ('pli directory whitelist import FILE')")
    else:
        lines.extend(whitelist_lines(info.whitelist))
    key = "API key set" if info.api_key_configured else "no API key (PLI_ESANTE_API_KEY)"
    lines.append(
        f"online directory: {info.fhir_base_url}, {key}, {info.online_cache_entries} cached answers"
    )
    return lines


def whitelist_json(info: WhitelistInfo) -> dict[str, Any]:
    """The list of domains' summary for ``--json``."""
    return {
        "imported": True,
        "source_name": info.source_name,
        "generated_at": info.generated_at,
        "imported_at": info.imported_at.isoformat(),
        "entries": info.entries,
        "domains": info.domains,
    }


def whitelist_lines(info: WhitelistInfo) -> list[str]:
    """The list of domains' summary as text."""
    return [
        f"list of domains: {info.domains:,} domains ({info.entries:,} entries) from "
        f"{info.source_name}, generated {info.generated_at or 'unknown'}, imported "
        f"{info.imported_at:%Y-%m-%d %H:%M}"
    ]
