"""IMAP refusals classified by code and by text (issue 14 #3): a full mailbox is recognised
whether the server says ``[OVERQUOTA]`` (RFC 5530, Dovecot) or only ``Over quota`` (Cyrus)."""

from __future__ import annotations

import pytest

from app.cli.messages import describe
from app.transport.imap_session import refusal_error


@pytest.mark.parametrize(
    "answer",
    [
        "APPEND command error: BAD [b'[OVERQUOTA] Quota exceeded (mailbox for user is full)']",
        "append failed: NO [b'Over quota']",
        "APPEND command error: NO [b'Over Quota']",
        "NO Quota exceeded",
        "NO Mailbox is full",
        "NO [b'Message would exceed quota']",
        "NO over-quota",
    ],
)
def test_a_full_mailbox_is_recognised_by_code_and_by_text(answer: str) -> None:
    error = refusal_error(answer, "imap.example.test")
    assert error.code == "server.over_quota"
    said = describe(error)
    assert "imap.example.test" in said and "full" in said
    assert "?" not in said
    assert answer.split("[b'")[-1].rstrip("']")[:8] in said  # the server's own words


@pytest.mark.parametrize(
    "answer",
    ["NO [TRYCREATE] Mailbox does not exist", "NO Permission denied", "BAD Quotation marks"],
)
def test_other_refusals_are_not_quota(answer: str) -> None:
    error = refusal_error(answer, "imap.example.test")
    assert error.code == "server.refused"
    assert error.params["detail"] == answer
