"""One message never stops a sync (issue 14 #11): hostile headers and MIME trees are archived
as they came, the unreadable ones marked and counted, and the sync goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration

NESTED_COMMENT_FROM = (
    b"From: a@b.example " + b"(" * 5000 + b")" * 5000 + b"\r\n"
    b"To: cabinet@test.mssante.fr\r\n"
    b"Subject: pathological\r\n"
    b"Message-ID: <pathological@test.example>\r\n"
    b"\r\n"
    b"body\r\n"
)


def test_a_message_whose_address_header_recurses_without_end_does_not_stop_the_sync(
    tmp_path: Path, mail_account
) -> None:
    dove = mail_account.dovecot
    for n in range(3):
        dove.deliver(mail_account.address, message(subject=f"Avant {n}")[0])
    dove.deliver(mail_account.address, NESTED_COMMENT_FROM)
    for n in range(3):
        dove.deliver(mail_account.address, message(subject=f"Après {n}")[0])
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", mail_account)
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == 7
    assert report["missing_bodies"] == 0
    listing = pli("list", "--json").ok().json()["messages"]
    assert len(listing) == 7
    hostile = [m for m in listing if m["subject"] == "pathological"]
    assert len(hostile) == 1
    raw = pli("show", str(hostile[0]["id"]), "--raw").ok().out
    assert raw.replace("\r\n", "\n").encode() == NESTED_COMMENT_FROM.replace(b"\r\n", b"\n")


# -- property: whatever the headers and the MIME tree, every message is archived -------------

_NASTY_TEXT = st.one_of(
    st.text(min_size=0, max_size=60),
    st.builds(lambda n: "(" * n + ")" * n, st.integers(0, 3000)),
    st.builds(lambda n: "<" * n + "a@b" + ">" * n, st.integers(0, 500)),
    st.builds(lambda n: '"' * n + "a@b", st.integers(0, 500)),
    st.builds(lambda n: "=?utf-8?q?" * n, st.integers(0, 300)),
    st.builds(lambda n: "x" * n, st.sampled_from([0, 1000, 70_000, 300_000])),
    st.builds(lambda n: ", ".join(f"u{i}@d.example" for i in range(n)), st.integers(0, 3000)),
    st.just('Groupe: a@b, (c) <d@e>;, "x\\"y" <f@g>'),
)


def _header_value(text: str) -> bytes:
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8", "replace")


@st.composite
def _mime_tree(draw: st.DrawFn, depth: int = 0) -> bytes:
    kind = draw(st.sampled_from(["leaf", "multipart", "broken"]) if depth < 60 else st.just("leaf"))
    if kind == "leaf":
        ctype = draw(
            st.sampled_from(
                [
                    b"text/plain; charset=utf-8",
                    b"text/plain; charset=x-unknown",
                    b"text/html",
                    b"application/pdf; name*0*=utf-8''a; name*1*=%FF",
                    b"message/rfc822",
                ]
            )
        )
        cte = draw(st.sampled_from([b"7bit", b"base64", b"quoted-printable", b"x-weird"]))
        body = draw(st.binary(max_size=200))
        return (
            b"Content-Type: "
            + ctype
            + b"\r\nContent-Transfer-Encoding: "
            + cte
            + b"\r\n\r\n"
            + body
        )
    boundary = draw(st.sampled_from([b"b", b"", b"--", b"x" * 80, b"same"]))
    if kind == "broken":
        return b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n--' + boundary
    children = draw(st.lists(_mime_tree(depth + 1), min_size=0, max_size=4))
    count = draw(st.sampled_from([0, 1, 2, 500]))
    if count == 500:
        children = [b"Content-Type: text/plain\r\n\r\nx"] * 500
    out = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
    for child in children:
        out += b"--" + boundary + b"\r\n" + child + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


@st.composite
def hostile_messages(draw: st.DrawFn) -> bytes:
    headers = []
    for name in (
        b"From",
        b"To",
        b"Cc",
        b"Reply-To",
        b"Subject",
        b"Date",
        b"Message-ID",
        b"References",
        b"In-Reply-To",
        b"Disposition-Notification-To",
    ):
        if draw(st.booleans()):
            headers.append(name + b": " + _header_value(draw(_NASTY_TEXT)))
    tree = draw(_mime_tree())
    return b"\r\n".join(headers) + b"\r\nMIME-Version: 1.0\r\n" + tree


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(batch=st.lists(hostile_messages(), min_size=1, max_size=4))
def test_every_hostile_message_is_archived(
    batch: list[bytes], tmp_path_factory: pytest.TempPathFactory, mail_account_factory
) -> None:
    account = mail_account_factory()
    for raw in batch:
        account.dovecot.deliver(account.address, raw)
    pli = Pli(tmp_path_factory.mktemp("hostile") / "profile")
    pli.add_account("cab", account)
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == len(batch)
    assert report["missing_bodies"] == 0
    assert len(pli("list", "--json").ok().json()["messages"]) == len(batch)
