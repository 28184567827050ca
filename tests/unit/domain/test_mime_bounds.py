"""The header and MIME readers are bounded (issue 14 #11): hostile input never raises and
never makes them recurse or grow without end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import mime


def test_nested_comments_do_not_recurse_and_the_address_is_kept() -> None:
    value = "a@b.example " + "(" * 5000 + ")" * 5000
    assert [p.address for p in mime.people(value)] == ["a@b.example"]


def test_a_huge_header_value_is_cut() -> None:
    fields = mime.parse_headers(b"Subject: " + b"x" * 1_000_000 + b"\r\nFrom: a@b.example\r\n")
    assert len(fields["subject"]) == mime.MAX_HEADER_VALUE
    assert fields["from"] == "a@b.example"


def test_the_usual_forms_are_read_as_before() -> None:
    people = mime.people('"Dupont, Jean" <J@D.fr>, (service) x@y.fr, Groupe: a@b.fr;')
    assert [(p.name, p.address) for p in people] == [
        ("Dupont, Jean", "j@d.fr"),
        ("service", "x@y.fr"),
        ("", "a@b.fr"),
    ]


_PIECES = st.sampled_from(["(", ")", "<", ">", '"', "\\", ",", ";", ":", "@", "a", " ", "=?"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=3000).map("".join))
def test_any_address_header_is_read_without_raising(value: str) -> None:
    for person in mime.people(value):
        assert "@" in person.address


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=5000), st.integers(0, 50))
def test_any_body_is_scanned_without_raising(body: bytes, depth: int) -> None:
    nested = b""
    for level in range(depth):
        nested += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    scanned = mime.scan(nested + body)
    assert len(scanned.structure.parts) <= mime.MAX_PARTS
