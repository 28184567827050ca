"""The demo mailbox's content: shipped templates rendered into messages, dated from "now".

``resources/demo/manifest.json`` lists the messages (template, folder, flags, when, what to
attach, what they answer), the fictional patients and the answers patients give. Templates are
small ``.eml`` files: headers, a blank line, a plain-text body, with ``{{…}}`` placeholders
(``{{own}}`` the demo address; ``{{mid:KEY}}``, ``{{rfc_date:KEY}}``, ``{{day:KEY}}`` another
message's Message-ID, date and day). Rendering adds Date, Message-ID and threading headers and
the attachments; the ``IHE_XDM.zip`` of the hospital is built here by Pli's own XDM writer, so
its dates are current too. A template marked ``raw`` (the bounce, a ``multipart/report``) is
used as written after substitution.

Blocking (files, PDF and zip building): run on a worker thread.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from app.config.resources import resource_path
from app.documents.xdm_writer import XdmBuild, build_xdm
from app.domain.account import Identity
from app.domain.addresses import Ins
from app.domain.documents import (
    LOINC_OID,
    CodedValue,
    DocumentAuthor,
    OutgoingDocument,
    PatientIdentity,
    PatientIdKind,
    PersonName,
)
from app.services.demo.server import SeedMessage

#: Times of day of the current demo day are before this hour, so they are always in the past.
DAY_STARTS = 8
DOMAIN = "demo.mssante.fr"
#: Long subjects (the XDM ones) stay on one line rather than folded right after the colon.
_POLICY = SMTP.clone(max_line_length=200)
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::([a-z0-9_]+))?\}\}")


@dataclass(frozen=True)
class DemoPatient:
    """A fictional patient of the demo."""

    ins: str
    family: str
    given: str
    birth_date: date
    sex: str
    mailbox_closed: bool = False


@dataclass(frozen=True)
class DemoContent:
    """What the manifest describes."""

    folder: Path
    account_name: str
    address: str
    identity: Identity
    patients: dict[str, DemoPatient]
    messages: list[dict[str, Any]] = field(repr=False)
    patient_replies: list[str] = field(repr=False)


def load_content(folder: Path | None = None) -> DemoContent:
    """Read the shipped manifest."""
    folder = folder or resource_path("demo")
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    account = data["account"]
    patients = {}
    for ins, p in data["patients"].items():
        patients[Ins.parse(ins).value] = DemoPatient(
            ins=ins,
            family=p["family"],
            given=p["given"],
            birth_date=date.fromisoformat(p["birth_date"]),
            sex=p.get("sex", "U"),
            mailbox_closed=bool(p.get("mailbox_closed", False)),
        )
    return DemoContent(
        folder=folder,
        account_name=account["name"],
        address=account["address"],
        identity=Identity(
            title=account["title"],
            given_name=account["given_name"],
            family_name=account["family_name"],
            entity=account["entity"],
        ),
        patients=patients,
        messages=list(data["messages"]),
        patient_replies=list(data["patient_replies"]),
    )


def moment(entry: dict[str, Any], now: datetime) -> datetime:
    """When a manifest message arrived, from "now" (aware, local time)."""
    now = now.astimezone()
    if "minutes_ago" in entry:
        return now - timedelta(minutes=int(entry["minutes_ago"]))
    # The demo's "today" starts at 08:00: before that, "this morning" is still yesterday's
    # night, so messages of "today" (all before 08:00) are always in the past.
    today = now.date() if now.hour >= DAY_STARTS else now.date() - timedelta(days=1)
    day = today - timedelta(days=int(entry.get("days_ago", 0)))
    hours, minutes = (int(x) for x in str(entry.get("time", "09:00")).split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=now.tzinfo)


def render(content: DemoContent, now: datetime) -> list[SeedMessage]:
    """Every message of the manifest, ready to put in the mailbox."""
    token = secrets.token_hex(4)
    when = {e["key"]: moment(e, now) for e in content.messages}
    ids = {e["key"]: f"<demo.{e['key']}.{token}@{DOMAIN}>" for e in content.messages}
    references: dict[str, list[str]] = {}
    out: list[SeedMessage] = []
    for entry in content.messages:
        key = entry["key"]
        parent = entry.get("reply_to")
        chain = [*references.get(parent, []), ids[parent]] if parent else []
        references[key] = chain
        values: dict[str, str] = {
            "own": content.address,
            "rfc_date": format_datetime(when[key]),
            "message_id": ids[key],
        }
        xdm_files: list[tuple[str, bytes, str]] = []
        if "xdm" in entry:
            build = _xdm(content, entry["xdm"], when[key], content.folder)
            values.update(
                xdm_subject=build.subject,
                xdm_codecda=build.x_mss_codecda,
                xdm_ins=build.x_mss_ins,
            )
            pdf = (content.folder / entry["xdm"]["pdf"]).read_bytes()
            xdm_files = [
                (build.zip_name, build.zip_bytes, "application/zip"),
                (build.pdf_name, pdf, "application/pdf"),
            ]
        if "bounce_of" in entry:
            original = entry["bounce_of"]
            raw = bounce(
                content,
                patient=f"{entry['patient']}@patient.mssante.fr",
                original_id=ids[original],
                original_date=when[original],
                original_subject=entry["original_subject"],
                when=when[key],
                message_id=ids[key],
            )
        else:
            text = (content.folder / entry["template"]).read_text(encoding="utf-8")
            text = _substitute(text, values, ids, when)
            attachments = [
                (a["name"], (content.folder / a["file"]).read_bytes(), "application/pdf")
                for a in entry.get("attachments", [])
            ] + xdm_files
            raw = _build(text, when[key], ids[key], chain, attachments)
        out.append(
            SeedMessage(
                folder=entry["folder"],
                raw=raw,
                when=when[key],
                flags=tuple(entry.get("flags", ())),
            )
        )
    return out


def bounce(
    content: DemoContent,
    *,
    patient: str,
    original_id: str,
    original_date: datetime,
    original_subject: str,
    when: datetime,
    message_id: str,
) -> bytes:
    """Mon espace santé's report that a patient's messaging is closed (spec §5)."""
    text = (content.folder / "bounce_closed.eml").read_text(encoding="utf-8")
    values = {
        "own": content.address,
        "rfc_date": format_datetime(when),
        "message_id": message_id,
        "patient": patient,
        "original_id": original_id,
        "original_date": format_datetime(original_date),
        "original_subject": Header(original_subject, "utf-8").encode(),
    }
    return _crlf(_substitute(text, values, {}, {}))


def _substitute(
    text: str, values: dict[str, str], ids: dict[str, str], when: dict[str, datetime]
) -> str:
    def one(match: re.Match[str]) -> str:
        name, key = match.group(1), match.group(2)
        if key is None:
            return values[name]
        if name == "mid":
            return ids[key]
        if name == "rfc_date":
            return format_datetime(when[key])
        if name == "day":
            return when[key].strftime("%d/%m/%Y")
        raise KeyError(match.group(0))

    return _PLACEHOLDER.sub(one, text)


def _build(
    text: str,
    when: datetime,
    message_id: str,
    references: list[str],
    attachments: list[tuple[str, bytes, str]],
) -> bytes:
    head, _, body = text.partition("\n\n")
    message = EmailMessage(policy=_POLICY)
    for line in head.splitlines():
        name, _, value = line.partition(":")
        message[name.strip()] = value.strip()
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id
    if references:
        message["In-Reply-To"] = references[-1]
        message["References"] = " ".join(references)
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    for name, data, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=_POLICY)


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def _xdm(content: DemoContent, spec: dict[str, Any], when: datetime, folder: Path) -> XdmBuild:
    patient = content.patients[spec["patient"]]
    act = (when - timedelta(days=int(spec.get("act_days_ago", 0)))).date()
    return build_xdm(
        (folder / spec["pdf"]).read_bytes(),
        patient=PatientIdentity(
            ins=Ins.parse(patient.ins),
            family=patient.family,
            given=patient.given,
            birth_date=patient.birth_date,
            sex=patient.sex,
            id_kind=PatientIdKind.DEMO,
        ),
        document=OutgoingDocument(
            title=spec["title"],
            type_code=CodedValue(spec["type_code"], LOINC_OID, spec.get("type_display", "")),
            act_date=act,
        ),
        author=DocumentAuthor(
            name=PersonName(family="Service des urgences", given=""),
            institution="CH de Valbonne (démonstration)",
        ),
        created=when,
    )
