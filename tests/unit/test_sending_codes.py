"""Every code the sending side can produce has an English text (app/cli/messages.py)."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli.messages import MESSAGES, describe
from app.domain.bounces import BounceReason, PatientBounce
from app.domain.errors import ServerError

ROOT = Path(__file__).parents[2]
SOURCES = [
    ROOT / "app" / "domain" / "compose.py",
    ROOT / "app" / "domain" / "checks.py",
    ROOT / "app" / "domain" / "mdn.py",
    ROOT / "app" / "domain" / "reports.py",
    ROOT / "app" / "domain" / "bounces.py",
    ROOT / "app" / "domain" / "templates.py",
    ROOT / "app" / "config" / "templates.py",
    ROOT / "app" / "transport" / "smtp_submitter.py",
]
_CODE = re.compile(
    r"""["']((?:draft|message_id|end_of_exchange|recipient|trust_list|size|send|mdn|network|"""
    r"""server|auth|tls|dsn|template|attachment|address|ins)\.[a-z_]+)["']"""
)


def test_every_sending_code_has_an_english_text() -> None:
    codes: set[str] = set()
    for source in SOURCES:
        codes.update(_CODE.findall(source.read_text(encoding="utf-8")))
    codes.update(PatientBounce(reason, None, None, "", "").code for reason in BounceReason)
    assert len(codes) > 40
    assert sorted(c for c in codes if c not in MESSAGES) == []


def test_a_submission_error_reads_as_one_line() -> None:
    error = ServerError(
        "server.message_too_large", host="smtp.x.fr", smtp_code=552, detail="", size=12, limit=10
    )
    assert describe(error) == (
        "the message (12 bytes) is too large for this server (limit 10 bytes at smtp.x.fr): "
        "nothing was sent; send the attachments in several messages, or make them smaller"
    )
    # Numbers read with separators; a limit the server did not say reads as "?".
    big = ServerError("server.message_too_large", host="h", size=12_345_678, limit=10_240_000)
    assert "(12,345,678 bytes)" in describe(big) and "(limit 10,240,000 bytes" in describe(big)
    unknown = ServerError("server.message_too_large", host="h", size=12, limit="?")
    assert "(limit ? bytes" in describe(unknown)
