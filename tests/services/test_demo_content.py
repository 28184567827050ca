"""The demo mailbox's shipped content: fictional but valid, current whatever the hour, small."""

from __future__ import annotations

import email
import email.policy
import zipfile
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest

from app.config.resources import resource_path
from app.documents.xdm_reader import read_xdm
from app.domain.addresses import Ins, MailAddress
from app.domain.receipts import classify_patient_bounce
from app.services.demo.content import DOMAIN, load_content, moment, render

PARIS = ZoneInfo("Europe/Paris")


def test_the_shipped_folder_is_small_and_complete() -> None:
    folder = resource_path("demo")
    files = [p for p in folder.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_500_000
    content = load_content()
    names = {p.name for p in files}
    for entry in content.messages:
        assert entry["template"] in names
        for attachment in entry.get("attachments", []):
            assert attachment["file"] in names
        if "xdm" in entry:
            assert entry["xdm"]["pdf"] in names


def test_patients_have_valid_ins_and_fictional_identities() -> None:
    content = load_content()
    assert len(content.patients) >= 5
    for ins, patient in content.patients.items():
        assert Ins.parse(ins).value == ins  # key checked
        assert MailAddress.parse(f"{ins}@patient.mssante.fr").patient_ins is not None
        # The NIR encodes the sex, year and month of birth: the identity agrees with it.
        assert ins[0] == ("1" if patient.sex == "M" else "2")
        assert ins[1:3] == f"{patient.birth_date.year % 100:02d}"
        assert ins[3:5] == f"{patient.birth_date.month:02d}"
    assert content.address.endswith("@" + DOMAIN)


@pytest.mark.parametrize("hour", [0, 3, 7, 8, 12, 23])
def test_every_message_is_in_the_past_and_answers_come_after_questions(hour: int) -> None:
    content = load_content()
    now = datetime(2026, 3, 9, hour, 30, tzinfo=PARIS)
    when = {e["key"]: moment(e, now) for e in content.messages}
    assert all(w <= now for w in when.values())
    for entry in content.messages:
        if "reply_to" in entry:
            assert when[entry["reply_to"]] < when[entry["key"]]
        if "bounce_of" in entry:
            assert when[entry["bounce_of"]] < when[entry["key"]]
    overnight = [
        when[e["key"]]
        for e in content.messages
        if e["folder"] == "INBOX" and e.get("days_ago") == 0
    ]
    assert overnight and all(now - w < timedelta(hours=32) for w in overnight)


def test_rendered_messages_are_complete_and_parse() -> None:
    content = load_content()
    now = datetime.now(PARIS)
    messages = render(content, now)
    assert len(messages) == len(content.messages)
    assert {m.folder for m in messages} == {"INBOX", "Sent", "Archives"}
    ids = set()
    for seeded in messages:
        assert b"{{" not in seeded.raw
        assert b"\r\n" in seeded.raw
        parsed = email.message_from_bytes(seeded.raw, policy=email.policy.default)
        assert parsed["Message-ID"] and parsed["Date"] and parsed["From"] and parsed["Subject"]
        ids.add(str(parsed["Message-ID"]))
    assert len(ids) == len(messages)


def test_the_hospital_package_and_the_bounce_are_what_pli_expects() -> None:
    content = load_content()
    messages = render(content, datetime.now(PARIS))
    xdm_entry = next(i for i, e in enumerate(content.messages) if "xdm" in e)
    parsed = email.message_from_bytes(messages[xdm_entry].raw, policy=email.policy.default)
    assert str(parsed["Subject"]).startswith("XDM/1.0/DDM+")
    assert parsed["X-MSS-CODECDA"]
    zipped = next(p for p in parsed.iter_attachments() if p.get_filename() == "IHE_XDM.zip")
    data = zipped.get_content()
    assert zipfile.is_zipfile(BytesIO(data))
    package = read_xdm(data)
    # The only remark: the patient's identifier is in the demo domain (fictional INS).
    assert [p.code for p in package.problems] == ["xdm.patient_demo_oid"]
    ins = content.messages[xdm_entry]["xdm"]["patient"]
    assert package.patient_id is not None and ins in str(package.patient_id)

    bounce_entry = next(i for i, e in enumerate(content.messages) if "bounce_of" in e)
    bounce = classify_patient_bounce(messages[bounce_entry].raw)
    assert bounce is not None
    assert bounce.ins is not None and bounce.ins.value == content.messages[bounce_entry]["patient"]
    assert bounce.code.endswith("messaging_closed")
    original = content.messages[bounce_entry]["bounce_of"]
    original_index = next(i for i, e in enumerate(content.messages) if e["key"] == original)
    original_id = email.message_from_bytes(messages[original_index].raw)["Message-ID"]
    assert bounce.original_message_id in (original_id, original_id.strip("<>"))
