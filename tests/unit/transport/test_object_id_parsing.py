"""RFC 8474 object ids as servers write them: Cyrus (``EMAILID (M…)``, ``THREADID NIL``), pymap
(doubled parentheses), and what must not be taken for one."""

from __future__ import annotations

import pytest

from app.transport.imap_session import (
    _EMAILID_RE,
    _THREADID_RE,
    _meta_object_id,
    _object_id,
    _status_mailbox_ids,
)


@pytest.mark.parametrize(
    ("meta", "email_id", "thread_id"),
    [
        (
            b"1 (UID 4 EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))",
            "M6d99ac3275bb4e",
            "T64b478a75b7ea9",
        ),
        (b"1 (UID 4 BODY[HEADER] {36} EMAILID (M85456e65f7) THREADID NIL)", "M85456e65f7", None),
        (
            b"2 (UID 9 EMAILID ((M6413b165ca86ff79)) THREADID ((Tef81717f4)))",
            "M6413b165ca86ff79",
            "Tef81717f4",
        ),
        (b"3 (UID 2 FLAGS (\\Seen))", None, None),
        (b"3 (UID 2 EMAILID (M bad id))", None, None),
    ],
)
def test_emailid_and_threadid_in_a_fetch_response(
    meta: bytes, email_id: str | None, thread_id: str | None
) -> None:
    assert _meta_object_id(_EMAILID_RE, meta) == email_id
    assert _meta_object_id(_THREADID_RE, meta) == thread_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((b"67mmkgj0qzfnevmaijyi05mm",), "67mmkgj0qzfnevmaijyi05mm"),  # STATUS, parsed
        ([b"(F2212ea87-6097-4256)"], "F2212ea87-6097-4256"),  # SELECT's response code
        (b"F_1", "F_1"),
        (None, None),
        ((None,), None),  # NIL
        ((b"a", b"b"), None),
        (b"F1;drop", None),
        (b"x" * 256, None),  # longer than RFC 8474 allows
    ],
)
def test_object_id_values(value: object, expected: str | None) -> None:
    assert _object_id(value) == expected


def test_mailbox_ids_of_a_list_status_answer_as_imaplib_keeps_it() -> None:
    """Cyrus's untagged STATUS lines: atoms, quoted names, modified UTF-7, a literal name (a
    (prefix, name) pair then the rest of its line), and a line that gives no usable id."""
    data = [
        b"INBOX (MAILBOXID (fx6k39yxzqqv5lf0kmbuk3xf))",
        b'"INBOX.Patients suivis" (MAILBOXID (67mmkgj0qzfnevmaijyi05mm))',
        b'"INBOX.Comptes rendus &AOk-t&AOk-" (MAILBOXID (a1))',
        (b"{12}", b'INBOX.Dr "X"'),
        b" (MAILBOXID (b2))",
        b"INBOX.Sent (MESSAGES 3)",
        b"INBOX.Trash (MAILBOXID NIL)",
        b"",
        None,
    ]
    assert _status_mailbox_ids(data) == {
        "INBOX": "fx6k39yxzqqv5lf0kmbuk3xf",
        "INBOX.Patients suivis": "67mmkgj0qzfnevmaijyi05mm",
        "INBOX.Comptes rendus été": "a1",
        'INBOX.Dr "X"': "b2",
    }
