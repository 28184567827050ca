"""`pli send|outbox|end-exchange|patients|patient|templates|receipts`: writing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.exit_codes import ExitCode, exit_code_for
from app.cli.messages import describe
from app.cli.output import add_json_flag, iso_time, table
from app.config.templates import load_templates
from app.domain.addresses import Ins
from app.domain.checks import Issue
from app.domain.documents import display_subject
from app.domain.errors import AuthError, KnownError, ValidationError

if TYPE_CHECKING:  # the composer and the outbox load when a command runs (`pli --help` fast)
    from app.services.account_service import Account
    from app.services.compose_service import NewPatient, SendOutcome, XdmRequest
    from app.services.container import Services

#: Outbox states whose entry says why it waits or failed.
_EXPLAINED = frozenset({"queued", "failed", "uncertain"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the writing commands."""
    send = subparsers.add_parser(
        "send",
        help="write a message (checked by the MSSanté rules; queued when offline)",
        description="Exit 0 when the server accepted the message, 75 when it is queued because "
        "the server is unreachable (it leaves at the next sync or pli outbox --flush), 3 when "
        "a rule refuses it (nothing is queued).",
    )
    send.add_argument("--account", help="the sending mailbox (default: the only one)")
    send.add_argument("--to", nargs="+", required=True, metavar="ADDR")
    send.add_argument("--cc", nargs="+", default=[], metavar="ADDR")
    send.add_argument("--bcc", nargs="+", default=[], metavar="ADDR")
    send.add_argument("--subject", help="required unless a template gives one")
    body = send.add_mutually_exclusive_group(required=True)
    body.add_argument("--body-file", metavar="FILE", help="the text (- for standard input)")
    body.add_argument("--template", metavar="NAME", help="a template (see pli templates)")
    send.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template value (repeatable)",
    )
    send.add_argument("--attach", action="append", default=[], metavar="FILE")
    send.add_argument(
        "--reply-to-message",
        type=int,
        metavar="ID",
        help="answer this archived message (In-Reply-To, References)",
    )
    receipt = send.add_mutually_exclusive_group()
    receipt.add_argument(
        "--receipt",
        action="store_true",
        default=None,
        help="ask for a read receipt (default: towards patients only)",
    )
    receipt.add_argument("--no-receipt", dest="receipt", action="store_false")
    send.add_argument("--dsn", action="store_true", help="ask for delivery reports (RFC 3461)")
    send.add_argument(
        "--convert-to-pdf",
        action="store_true",
        help="towards patients, send TIFF and RTF attachments as PDF",
    )
    send.add_argument(
        "--patient-name",
        metavar="NOM",
        help="a new patient's name (writing to a patient needs INS and name)",
    )
    send.add_argument("--patient-given", metavar="PRENOM")
    send.add_argument("--patient-birth-date", metavar="YYYY-MM-DD")
    xdm = send.add_argument_group(
        "a PDF as a structured document (IHE_XDM.zip)",
        "Sends FILE to professionals as a CDA R2 level-1 document in an IHE_XDM.zip, with the "
        "PDF beside it under its standard name; the subject (XDM/1.0/DDM+…) and the "
        "X-MSS-CODECDA and X-MSS-INS headers are set by the rules, so --subject is left out. "
        "The patient's name comes from their record, or from --patient-name/--patient-given.",
    )
    xdm.add_argument("--xdm", metavar="FILE", help="the PDF to send as a CDA document")
    xdm.add_argument("--xdm-patient", metavar="INS", help="the patient it is about")
    xdm.add_argument("--xdm-title", metavar="TITLE", help="the document's title")
    xdm.add_argument(
        "--xdm-type-code", metavar="CODE", help="LOINC document type (e.g. 11488-4, 11490-0)"
    )
    xdm.add_argument("--xdm-type-display", metavar="TEXT", help="the type's libellé")
    xdm.add_argument("--xdm-act-date", metavar="YYYY-MM-DD", help="date of the act (today)")
    xdm.add_argument("--xdm-file-number", metavar="N", help="patient file number (PDF name)")
    send.add_argument("--yes", action="store_true", help="accept the warnings of the checks")
    send.add_argument("--queue-only", action="store_true", help="queue without trying to send now")
    add_json_flag(send)
    send.set_defaults(handler=_send)

    draft = subparsers.add_parser("draft", help="messages being written (kept encrypted here)")
    drafts = draft.add_subparsers(dest="draft_command", metavar="ACTION")
    drafts.required = True
    save = drafts.add_parser("save", help="save (or update with --id) a draft")
    save.add_argument("--id", type=int, help="the draft to update")
    save.add_argument("--account")
    save.add_argument("--to", nargs="+", default=[], metavar="ADDR")
    save.add_argument("--cc", nargs="+", default=[], metavar="ADDR")
    save.add_argument("--subject", default="")
    save.add_argument("--body-file", metavar="FILE")
    save.add_argument("--attach", action="append", default=[], metavar="FILE")
    add_json_flag(save)
    save.set_defaults(handler=_draft_save)
    listing = drafts.add_parser("list", help="the drafts")
    add_json_flag(listing)
    listing.set_defaults(handler=_draft_list)
    draft_send = drafts.add_parser("send", help="send a draft (then it is deleted)")
    draft_send.add_argument("id", type=int)
    draft_send.add_argument("--yes", action="store_true", help="accept the checks' warnings")
    add_json_flag(draft_send)
    draft_send.set_defaults(handler=_draft_send)
    delete = drafts.add_parser("delete", help="discard a draft")
    delete.add_argument("id", type=int)
    delete.set_defaults(handler=_draft_delete)

    outbox = subparsers.add_parser(
        "outbox",
        help="messages written in Pli and their status",
        description="With --flush: exit 0 when nothing waits any more, 75 when something still "
        "waits (server unreachable, an answer being checked, or recipients the server refused "
        "only for now, which Pli tries again later by itself).",
    )
    outbox.add_argument("--account")
    outbox.add_argument(
        "--flush",
        action="store_true",
        help="send what waits, now (recipients refused for now are tried again too)",
    )
    add_json_flag(outbox)
    outbox.set_defaults(handler=_outbox)

    end = subparsers.add_parser(
        "end-exchange",
        help="close the conversation with a patient ([FIN], X-MSS-MES: FIN)",
    )
    end.add_argument("--account")
    end.add_argument("--patient", required=True, metavar="INS")
    end.add_argument("--text", help="the message shown to the patient")
    add_json_flag(end)
    end.set_defaults(handler=_end_exchange)

    patients = subparsers.add_parser("patients", help="patients and their conversations")
    add_json_flag(patients)
    patients.set_defaults(handler=_patients)

    patient = subparsers.add_parser("patient", help="one patient")
    commands = patient.add_subparsers(dest="patient_command", metavar="ACTION")
    commands.required = True
    show = commands.add_parser("show", help="the patient's record and whole conversation")
    show.add_argument("ins")
    add_json_flag(show)
    show.set_defaults(handler=_patient_show)
    add = commands.add_parser("add", help="create a patient record (INS and name)")
    add.add_argument("ins")
    add.add_argument("--name", required=True, metavar="NOM")
    add.add_argument("--given", required=True, metavar="PRENOM")
    add.add_argument("--birth-date", metavar="YYYY-MM-DD")
    add_json_flag(add)
    add.set_defaults(handler=_patient_add)
    edit = commands.add_parser("set", help="change a patient's record")
    edit.add_argument("ins")
    edit.add_argument("--name", metavar="NOM")
    edit.add_argument("--given", metavar="PRENOM")
    edit.add_argument("--birth-date", metavar="YYYY-MM-DD")
    edit.add_argument(
        "--objection",
        choices=["yes", "no"],
        help="the patient objects to being written to (spec §6)",
    )
    add_json_flag(edit)
    edit.set_defaults(handler=_patient_set)

    templates = subparsers.add_parser("templates", help="message templates")
    templates.add_argument("name", nargs="?", help="show one template")
    add_json_flag(templates)
    templates.set_defaults(handler=_templates)

    receipts = subparsers.add_parser("receipts", help="read receipts asked of you")
    receipts.add_argument("send", nargs="?", choices=["send"], help="send one")
    receipts.add_argument("id", nargs="?", type=int, help="the message asking for it")
    receipts.add_argument(
        "--confirm",
        action="store_true",
        help="send it even though it goes elsewhere than the sender",
    )
    add_json_flag(receipts)
    receipts.set_defaults(handler=_receipts)


# -- send ------------------------------------------------------------------------------------


async def _read(path: str) -> bytes:
    if path == "-":
        data: bytes = await asyncio.to_thread(sys.stdin.buffer.read)
        return data
    try:
        return await asyncio.to_thread(Path(path).read_bytes)
    except OSError as error:
        raise ValidationError("file.unreadable", path=path) from error


def _issue_line(issue: Issue) -> str:
    return describe(KnownError(issue.code, **issue.params))


async def _send(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.account)
    subject = args.subject
    attachments: list[tuple[str, bytes]] = []
    if args.template:
        text, template_subject, template_files = await _from_template(ctx, services, account, args)
        subject = subject or template_subject
        attachments.extend(template_files)
    else:
        text = (await _read(args.body_file)).decode("utf-8", errors="replace")
    for path in args.attach:
        attachments.append((Path(path).name, await _read(path)))
    xdm = await _xdm_request(args)
    from app.services.compose_service import Outgoing, has_xdm_package, new_patient_for

    if not subject and xdm is None and not has_xdm_package(attachments):
        raise ValidationError("send.subject_required")
    new_patients: dict[str, NewPatient] = {}
    if xdm is None:
        new_patients = new_patient_for(
            args.to + args.cc, args.patient_name, args.patient_given, args.patient_birth_date
        )
    outgoing = Outgoing(
        to=tuple(args.to),
        cc=tuple(args.cc),
        bcc=tuple(args.bcc),
        subject=subject or "",
        text=text,
        attachments=tuple(attachments),
        reply_to_message=args.reply_to_message,
        read_receipt=args.receipt,
        dsn=args.dsn,
        convert_to_pdf=args.convert_to_pdf,
        accept_warnings=args.yes,
        new_patients=new_patients,
        xdm=xdm,
    )
    try:
        outcome = await services.compose.send(account, outgoing, flush=not args.queue_only)
    except ValidationError as error:
        issues = error.params.get("issues")
        if error.code == "send.refused" and isinstance(issues, tuple | list) and issues:
            # One line: each reason's sentence, its code in brackets (for scripts).
            reasons = "; ".join(f"{_issue_line(i)} [{i.code}]" for i in issues)
            ctx.out.error(f"not sent, nothing queued: {reasons}")
            return int(exit_code_for(error))
        if isinstance(issues, tuple | list):
            for issue in issues:
                ctx.out.progress(f"  - {_issue_line(issue)}")
            if error.code == "send.needs_confirmation":
                ctx.out.progress("  (add --yes to send anyway)")
        raise
    return _report_outcome(ctx, outcome)


async def _xdm_request(args: argparse.Namespace) -> XdmRequest | None:
    """The ``--xdm`` options as a request (None without ``--xdm``)."""
    if not args.xdm:
        given = [o for o in ("xdm_patient", "xdm_title", "xdm_type_code") if getattr(args, o)]
        if given:
            raise ValidationError("send.xdm_option_alone", option="--" + given[0].replace("_", "-"))
        return None
    for option in ("xdm_patient", "xdm_title", "xdm_type_code"):
        if not (getattr(args, option) or "").strip():
            raise ValidationError("send.xdm_option_missing", option="--" + option.replace("_", "-"))
    from app.services.compose_service import ComposeService, NewPatient

    patient = None
    if args.patient_name or args.patient_given:
        if not (args.patient_name and args.patient_given):
            raise ValidationError("send.patient_identity_ambiguous")
        patient = NewPatient(args.patient_name, args.patient_given, args.patient_birth_date)
    return ComposeService.xdm_request(
        await _read(args.xdm),
        patient_ins=args.xdm_patient,
        title=args.xdm_title,
        type_code=args.xdm_type_code,
        type_display=args.xdm_type_display or "",
        act_date=args.xdm_act_date,
        file_number=args.xdm_file_number,
        patient=patient,
    )


def _report_outcome(ctx: CliContext, outcome: SendOutcome) -> int:
    from app.services.compose_service import SendVerdict

    lines: list[str] = []
    for issue in outcome.warnings:
        ctx.out.warn(_issue_line(issue))
    verdict = outcome.verdict
    error = outcome.error
    login_refused = verdict is SendVerdict.QUEUED and isinstance(error, AuthError)
    if verdict is SendVerdict.SENT:
        lines.append(f"Sent ({outcome.message_id}).")
    elif verdict is SendVerdict.REFUSED:
        lines.append(
            f"Not sent: {describe(error)}." if error is not None else "Refused by the server."
        )
        lines.append("  The message stays in the outbox as failed (pli outbox).")
    elif login_refused and error is not None:
        lines.append(f"Not sent: {describe(error)}.")
        lines.append(
            "  Nothing is lost: the message waits in the outbox and leaves at the next pli "
            "sync or pli outbox --flush once the login works."
        )
    elif verdict is SendVerdict.UNCERTAIN:
        lines.append(
            "The server's answer was lost: Pli checks whether the message arrived "
            "before sending it again (pli outbox --flush)."
        )
    elif error is not None and error.code == "server.temporary_failure":
        # Reached, but it said "not now" (a 4xx: 421, 451, 454…): its own words, not
        # "cannot be reached".
        lines.append(
            f"Queued: {describe(error)}; it will leave at the next pli sync or pli outbox --flush."
        )
    else:
        lines.append(
            "Queued: the server cannot be reached now"
            + (
                f" ({describe(error or KnownError(outcome.offline_reason or '?'))})"
                if outcome.offline_reason or error is not None
                else ""
            )
            + "; it will leave at the next pli sync or pli outbox --flush."
        )
    for refused in outcome.refused:
        if refused.get("pending"):
            lines.append(
                f"  not accepted for now: {refused['address']} (the server answered: "
                f"{refused['code']} {refused['text']}); Pli tries again later by itself"
            )
            continue
        lines.append(
            f"  refused by the server: {refused['address']} ({refused['code']} {refused['text']})"
        )
    if outcome.not_filed:
        ctx.out.warn(
            "sent, but the copy in Sent could not be made yet "
            f"({describe(outcome.not_filed_error or KnownError(outcome.not_filed))}); it is "
            "tried again at the next sync"
        )
    if outcome.dsn_unavailable:
        lines.append("  note: this server offers no delivery reports (DSN): none will come")
    data = outcome.to_json_dict()
    if error is not None and verdict is not SendVerdict.SENT:
        data["last_error"] = error.code
        data["reason"] = describe(error)
    ctx.out.result(data, lines)
    if verdict is SendVerdict.SENT:
        return int(ExitCode.OK)
    if verdict is SendVerdict.REFUSED:
        return int(ExitCode.SERVER)
    if login_refused:
        return int(ExitCode.AUTH)
    return int(ExitCode.QUEUED)


async def _from_template(
    ctx: CliContext, services: Services, account: Account, args: argparse.Namespace
) -> tuple[str, str, list[tuple[str, bytes]]]:
    values: dict[str, str] = {}
    for item in args.var:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationError("send.bad_var", value=item)
        values[key.strip()] = value
    from app.services.compose_service import NewPatient

    patient = None
    if args.patient_name or args.patient_given:
        patient = NewPatient(args.patient_name or "", args.patient_given or "")
    rendered = await services.compose.render_template(
        account, args.template, to=args.to, values=values, patient=patient
    )
    return rendered.text, rendered.subject, list(rendered.attachments)


# -- drafts ----------------------------------------------------------------------------------


async def _draft_save(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.account)
    text = (await _read(args.body_file)).decode("utf-8", "replace") if args.body_file else ""
    files = [(Path(p).name, await _read(p)) for p in args.attach]
    from app.services.compose_service import Outgoing

    outgoing = Outgoing(
        to=tuple(args.to),
        cc=tuple(args.cc),
        subject=args.subject,
        text=text,
        attachments=tuple(files),
    )
    draft_id = await services.drafts.save(account, outgoing, args.id)
    ctx.out.result({"id": draft_id}, [f"Draft {draft_id} saved."])
    return 0


async def _draft_list(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    found = await services.drafts.list()
    ctx.out.result(
        {
            "drafts": [
                {
                    "id": d.id,
                    "account": d.account,
                    "to": list(d.outgoing.to),
                    "subject": d.outgoing.subject,
                    "attachments": [n for n, _ in d.outgoing.attachments],
                    "updated": iso_time(d.updated_at),
                }
                for d in found
            ]
        },
        table(
            [
                [str(d.id), d.account, ", ".join(d.outgoing.to)[:40], d.outgoing.subject[:50]]
                for d in found
            ],
            ["ID", "ACCOUNT", "TO", "SUBJECT"],
        )
        if found
        else ["No draft."],
    )
    return 0


async def _draft_send(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    outcome = await services.drafts.send(args.id, accept_warnings=args.yes)
    return _report_outcome(ctx, outcome)


async def _draft_delete(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    await services.drafts.delete(args.id)
    ctx.out.text(f"Draft {args.id} deleted.")
    return 0


# -- outbox ----------------------------------------------------------------------------------


async def _outbox(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.services.outbox_service import entry_error

    services = await ctx.services()
    account = await services.accounts.get(args.account) if args.account else None
    accounts = [account] if account else await services.accounts.list()
    waiting = False
    if args.flush:
        for each in accounts:
            # Asked by the user: recipients refused for now are tried again at once too.
            report = await services.outbox.flush(each, retry_now=True)
            if report.offline:
                waiting = True
                ctx.out.warn(
                    f"{each.name}: {describe(report.offline_error or KnownError(report.offline))}"
                )
            if report.unconfirmed:
                waiting = True
                ctx.out.warn(
                    f"{each.name}: {report.unconfirmed} message(s) lost the server's answer: "
                    "Pli looks for them on the server before sending them again"
                )
            if report.deferred:
                waiting = True
                ctx.out.warn(
                    f"{each.name}: {report.deferred} recipient(s) not accepted for now by the "
                    "server: Pli tries again later by itself (see pli outbox)"
                )
            if report.busy:
                waiting = True
                ctx.out.warn(
                    f"{each.name}: {report.busy} message(s) being sent by another Pli on this "
                    "profile: see pli outbox"
                )
    data = []
    rows = []
    for item in await services.outbox.overview(account):
        entry, statuses = item.entry, item.statuses
        reason = entry_error(entry) if entry.state.value in _EXPLAINED else None
        data.append(
            {
                "id": entry.id,
                "message_id": entry.message_id,
                "state": entry.state,
                "kind": entry.kind,
                "subject": entry.subject,
                "recipients": list(entry.recipients),
                "created": iso_time(entry.created_at),
                "submitted": iso_time(entry.submitted_at),
                "filed": iso_time(entry.filed_at),
                "attempts": entry.attempts,
                "last_error": entry.last_error,
                "reason": describe(reason) if reason is not None else None,
                "refused": list(entry.refused),
                # Recipients refused only for now: when they are tried again, and why.
                "waiting": [
                    {
                        "address": r.get("address"),
                        "reason": f"{r.get('code')} {r.get('text')}",
                        "attempts": r.get("attempts"),
                        "since": iso_time(r.get("since")),
                        "next_try": iso_time(r.get("next")),
                    }
                    for r in entry.refused
                    if r.get("pending")
                ],
                "dsn_requested": entry.dsn is not None,
                "dsn_offered": entry.dsn_offered,
                "status": {r: {"status": s, "detail": d} for r, (s, d) in statuses.items()},
            }
        )
        status = ", ".join(_recipient_status(r, s, d) for r, (s, d) in statuses.items())
        status = status or entry.state
        waits = any(s == "pending" for s, _d in statuses.values())  # the server's words in full
        if reason is not None:
            status = describe(reason)
        rows.append(
            [
                str(entry.id),
                entry.state,
                entry.kind,
                display_subject(entry.subject)[:40],
                status if reason is not None or waits else status[:60],
            ]
        )
    ctx.out.result(
        {"entries": data},
        table(rows, ["ID", "STATE", "KIND", "SUBJECT", "STATUS"])
        if rows
        else ["The outbox is empty."],
    )
    return int(ExitCode.QUEUED) if waiting else int(ExitCode.OK)


def _recipient_status(recipient: str, status: str, detail: str | None) -> str:
    """One recipient's status in the outbox table (the server's words while it waits)."""
    if status == "pending":
        return f"{recipient}: waiting (the server answered: {detail or '?'})"
    return f"{recipient}: {status}"


async def _end_exchange(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    account = await services.accounts.get(args.account)
    ins = Ins.parse(args.patient).value
    outcome = await services.receipts.end_exchange(account, ins, text=args.text)
    return _report_outcome(ctx, outcome)


# -- patients --------------------------------------------------------------------------------


def _patient_json(summary: Any) -> dict[str, Any]:
    p = summary.patient
    return {
        "ins": p.ins,
        "address": f"{p.ins}@patient.mssante.fr",
        "family_name": p.family_name,
        "given_name": p.given_name,
        "birth_date": p.birth_date,
        "source": p.source,
        "objection": p.objection,
        "messages": summary.messages,
        "last_message": iso_time(summary.last_message),
        "closed": summary.closed_at is not None,
        "closed_at": iso_time(summary.closed_at),
    }


async def _patients(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    summaries = await services.patients.list()
    rows = [
        [
            s.patient.ins,
            s.patient.family_name,
            s.patient.given_name,
            str(s.messages),
            "closed" if s.closed_at else ("objection" if s.patient.objection else "open"),
        ]
        for s in summaries
    ]
    ctx.out.result(
        {"patients": [_patient_json(s) for s in summaries]},
        table(rows, ["INS", "NAME", "GIVEN NAME", "MESSAGES", "CONVERSATION"])
        if rows
        else ["No patient yet."],
    )
    return 0


async def _patient_show(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    conversation = await services.patients.conversation(args.ins)
    summary = conversation.summary
    events = [
        {"time": iso_time(e.ts), "kind": e.kind, "message_id": e.message_ref, "detail": e.detail}
        for e in conversation.events
    ]
    messages = []
    lines = [
        f"{summary.patient.family_name} {summary.patient.given_name} — INS {summary.patient.ins}",
        "Conversation closed on " + (iso_time(summary.closed_at) or "")
        if summary.closed_at
        else "Conversation open",
    ]
    timeline: list[tuple[int, str]] = []
    for m in conversation.messages:
        detail = await services.archive.detail(m.id)
        status = conversation.statuses.get(detail.message_id or "", {})
        messages.append(
            {
                "id": m.id,
                "account": m.account,
                "folder": m.folder,
                "date": iso_time(m.internal_date),
                "from": {"name": m.sender.name, "address": m.sender.address} if m.sender else None,
                "subject": m.subject,
                "message_id": detail.message_id,
                "status": {r: s for r, (s, _d) in status.items()},
            }
        )
        who = (
            "patient"
            if m.sender and m.sender.address.startswith(summary.patient.ins)
            else (m.sender.address if m.sender else "")
        )
        shown = ", ".join(sorted({s for s, _d in status.values()}))
        timeline.append(
            (
                m.internal_date,
                f"  [{m.id}] {who}: {display_subject(m.subject)}"
                + (f" ({shown})" if shown else ""),
            )
        )
    for e in conversation.events:
        text = {
            "closed": "exchange ended",
            "reopened": "conversation reopened",
            "late_message": "a message came after the end of the exchange",
            "bounce": f"not delivered — {e.detail}",
            "objection": "the patient objects to messaging",
        }[e.kind]
        timeline.append((e.ts, f"  * {text}"))
    lines.extend(line for _ts, line in sorted(timeline, key=lambda t: t[0]))
    ctx.out.result(
        {"patient": _patient_json(summary), "messages": messages, "events": events}, lines
    )
    return 0


async def _patient_add(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    patient = await services.patients.add(args.ins, args.name, args.given, args.birth_date)
    ctx.out.result({"ins": patient.ins}, [f"Patient {patient.ins} added."])
    return 0


async def _patient_set(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    fields: dict[str, object] = {}
    if args.name is not None:
        fields["family_name"] = args.name.upper()
    if args.given is not None:
        fields["given_name"] = args.given
    if args.birth_date is not None:
        fields["birth_date"] = args.birth_date
    if args.objection is not None:
        fields["objection"] = int(args.objection == "yes")
    if not fields:
        raise ValidationError("account.nothing_to_change")
    patient = await services.patients.update(args.ins, **fields)
    ctx.out.result({"ins": patient.ins}, [f"Patient {patient.ins} updated."])
    return 0


# -- templates and receipts ------------------------------------------------------------------


async def _templates(ctx: CliContext, args: argparse.Namespace) -> int:
    library = await asyncio.to_thread(load_templates, ctx.paths.templates_dir)
    if args.name:
        t = library.get(args.name)
        ctx.out.result(
            {
                "id": t.id,
                "title": t.title,
                "audience": t.audience.value,
                "subject": t.subject,
                "body": t.body,
                "placeholders": list(t.placeholder_names),
                "attachments": list(t.attachments),
                "source": t.source.value,
            },
            [
                f"{t.title} ({t.audience.value})",
                f"Subject: {t.subject}",
                "",
                t.body,
                "Values: " + ", ".join(t.placeholder_names),
            ],
        )
        return 0
    items = list(library.templates.values())
    for problem in library.problems:
        ctx.out.warn(describe(KnownError(problem.code, **problem.params)))
    ctx.out.result(
        {
            "templates": [
                {
                    "id": t.id,
                    "title": t.title,
                    "audience": t.audience.value,
                    "category": t.category,
                    "source": t.source.value,
                    "placeholders": list(t.placeholder_names),
                }
                for t in items
            ]
        },
        table(
            [[t.id, t.audience.value, t.category, t.title] for t in items],
            ["NAME", "FOR", "CATEGORY", "TITLE"],
        ),
    )
    return 0


async def _receipts(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    if args.send:
        if args.id is None:
            raise ValidationError("receipt.id_required")
        outcome = await services.receipts.send_receipt(args.id, confirmed=args.confirm)
        return _report_outcome(ctx, outcome)
    requests = await services.receipts.receipt_requests()
    rows = [
        [
            str(r["id"]),
            r["account"],
            r["to"],
            "ask you first" if r["needs_confirmation"] else "",
            "" if r["read"] else "unread",
        ]
        for r in requests
    ]
    ctx.out.result(
        {"requests": requests},
        table(rows, ["ID", "ACCOUNT", "RECEIPT TO", "", ""])
        if rows
        else ["No read receipt is waiting."],
    )
    return 0
