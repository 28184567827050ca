"""The demo's patients: what happens to a message the demo account sends to one of them.

A few seconds after a message reaches a patient (``<INS>@patient.mssante.fr``), the patient's
read receipt (when one was asked) and then a plausible French answer arrive in the inbox, in the
same thread (In-Reply-To/References). A patient whose messaging is closed answers nothing:
Mon espace santé's bounce comes back instead. Nobody answers an end of exchange.

Runs on the demo server's loop.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP, default
from email.utils import format_datetime, getaddresses

from app.domain.addresses import MailAddress
from app.services.demo.content import DOMAIN, DemoContent, bounce
from app.services.demo.server import DemoServer, Responder, Submission

#: How long a patient takes to answer (seconds, drawn uniformly).
DEFAULT_DELAY = (3.0, 8.0)


def patient_responder(
    content: DemoContent,
    delay: tuple[float, float] = DEFAULT_DELAY,
    *,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Responder:
    """The responder the demo server calls for every submission."""
    pick = rng or random.Random()  # noqa: S311 - picks a canned answer, nothing secret
    now = clock or (lambda: datetime.now().astimezone())

    async def respond(server: DemoServer, submission: Submission) -> None:
        headers = BytesHeaderParser(policy=default).parsebytes(submission.raw)
        subject = str(headers.get("Subject", ""))
        message_id = str(headers.get("Message-ID", "")).strip()
        references = str(headers.get("References", "")).split()
        ending = str(headers.get("X-MSS-MES", "")).strip().upper() == "FIN"
        wants_receipt = headers.get("Disposition-Notification-To") is not None
        names = {
            address.lower(): name
            for name, address in getaddresses(
                [str(headers.get("To", "")), str(headers.get("Cc", ""))]
            )
        }
        for recipient in submission.recipients:
            address = MailAddress.try_parse(recipient)
            ins = address.patient_ins if address is not None else None
            if address is None or ins is None:
                continue
            patient = content.patients.get(ins.value)
            display = (
                f"{patient.given} {patient.family}"
                if patient is not None
                else names.get(str(address).lower(), "")
            )
            wait = pick.uniform(*delay)
            if patient is not None and patient.mailbox_closed:
                raw = bounce(
                    content,
                    patient=str(address),
                    original_id=message_id,
                    original_date=now(),
                    original_subject=subject,
                    when=now(),
                    message_id=_new_id(),
                )
                server.later(min(wait, 2.0), _deliver(server, raw))
                continue
            if wants_receipt:
                receipt = _receipt(content, str(address), display, message_id, subject, now())
                server.later(max(0.5, wait / 2), _deliver(server, receipt))
            if ending:
                continue
            text = pick.choice(content.patient_replies).format(
                given=patient.given if patient else "",
                family=patient.family if patient else display,
            )
            text = "\n".join(line.strip() for line in text.splitlines())
            reply = _reply(
                content, str(address), display, subject, message_id, references, text, now
            )
            server.later(wait, _deliver_built(server, reply))

    return respond


def _deliver(server: DemoServer, raw: bytes) -> Callable[[], Awaitable[None]]:
    async def work() -> None:
        await server.append("INBOX", raw)

    return work


def _deliver_built(server: DemoServer, build: Callable[[], bytes]) -> Callable[[], Awaitable[None]]:
    async def work() -> None:
        await server.append("INBOX", build())

    return work


def _new_id() -> str:
    return f"<demo.{secrets.token_hex(8)}@{DOMAIN}>"


def _reply(
    content: DemoContent,
    address: str,
    display: str,
    subject: str,
    message_id: str,
    references: list[str],
    text: str,
    now: Callable[[], datetime],
) -> Callable[[], bytes]:
    """The answer, built when it is delivered (so its Date is the moment it arrives)."""

    def build() -> bytes:
        message = EmailMessage(policy=SMTP)
        local, _, domain = address.partition("@")
        message["From"] = Address(display, local, domain)
        message["To"] = content.address
        message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        message["Date"] = format_datetime(now())
        message["Message-ID"] = _new_id()
        if message_id:
            message["In-Reply-To"] = message_id
            message["References"] = " ".join([*references, message_id])
        message.set_content(text + "\n", charset="utf-8", cte="quoted-printable")
        return message.as_bytes(policy=SMTP)

    return build


def _receipt(
    content: DemoContent,
    address: str,
    display: str,
    message_id: str,
    subject: str,
    when: datetime,
) -> bytes:
    """A read receipt (RFC 8098), as the patient's messaging sends it."""
    boundary = f"=_mdn_{secrets.token_hex(6)}"
    human = (
        f"Le message « {subject} » que vous avez envoyé à {display or address} "
        "a été affiché par son destinataire.\r\n"
    )
    report = (
        "Reporting-UA: Mon espace santé (démonstration)\r\n"
        f"Original-Recipient: rfc822;{address}\r\n"
        f"Final-Recipient: rfc822;{address}\r\n"
        f"Original-Message-ID: {message_id}\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
    )
    local, _, domain = address.partition("@")
    sender = EmailMessage(policy=SMTP)
    sender["From"] = Address(display, local, domain)
    sender["To"] = content.address
    sender["Subject"] = f"Accusé de lecture : {subject}"
    head = sender.as_bytes(policy=SMTP).split(b"\r\n\r\n", 1)[0].decode("ascii")
    return (
        f"{head}\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: {_new_id()}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
        f'\tboundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{human}\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/disposition-notification\r\n"
        "\r\n"
        f"{report}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
