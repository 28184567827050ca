"""A minimal LMTP client (RFC 2033) that reads one DATA reply per recipient.

``smtplib.LMTP`` only changes the greeting: after DATA it reads a single reply, whereas an LMTP
server answers once per accepted recipient (RFC 2033 §4.2), so per-recipient outcomes such as
"mailbox full" for one recipient would be lost and the stream desynchronised.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LmtpReply:
    """One reply: code and text (joined continuation lines)."""

    code: int
    text: str

    @property
    def ok(self) -> bool:
        """2xx."""
        return 200 <= self.code < 300


class LmtpError(OSError):
    """The LMTP server refused the whole transaction (greeting, LHLO, MAIL or DATA)."""


class _Conn:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def reply(self) -> LmtpReply:
        lines = []
        while True:
            line = self.file.readline(65536)
            if not line:
                raise LmtpError("LMTP connection closed")
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(text[4:])
            if len(text) < 4 or text[3] != "-":
                return LmtpReply(int(text[:3]), "\n".join(lines))

    def command(self, line: str) -> LmtpReply:
        self.sock.sendall(line.encode("utf-8") + b"\r\n")
        return self.reply()

    def close(self) -> None:
        try:
            self.sock.sendall(b"QUIT\r\n")
            self.reply()
        except OSError:
            pass
        self.file.close()
        self.sock.close()


def lmtp_send(
    host: str,
    port: int,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
    *,
    timeout: float = 30,
    lhlo: str = "pli-test-smtp",
) -> dict[str, LmtpReply]:
    """Deliver ``data`` to ``recipients``; return each recipient's final reply.

    A recipient refused at RCPT keeps its RCPT reply; an accepted one gets its DATA reply.
    ``sender`` may be empty (null reverse-path, as for delivery status notifications).
    """
    conn = _Conn(host, port, timeout)
    try:
        greeting = conn.reply()
        if greeting.code != 220:
            raise LmtpError(f"LMTP greeting {greeting}")
        reply = conn.command(f"LHLO {lhlo}")
        if not reply.ok:
            raise LmtpError(f"LHLO {reply}")
        reply = conn.command(f"MAIL FROM:<{sender}>")
        if not reply.ok:
            raise LmtpError(f"MAIL {reply}")
        results: dict[str, LmtpReply] = {}
        accepted = []
        for rcpt in recipients:
            reply = conn.command(f"RCPT TO:<{rcpt}>")
            results[rcpt] = reply
            if reply.ok:
                accepted.append(rcpt)
        if not accepted:
            return results
        reply = conn.command("DATA")
        if reply.code != 354:
            raise LmtpError(f"DATA {reply}")
        body = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        # Dot-stuffing (RFC 5321 §4.5.2).
        body = b"\r\n".join(b"." + ln if ln.startswith(b".") else ln for ln in body.split(b"\r\n"))
        conn.sock.sendall(body + b".\r\n")
        for rcpt in accepted:
            results[rcpt] = conn.reply()
        return results
    finally:
        conn.close()
