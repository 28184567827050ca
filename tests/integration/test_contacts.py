"""Favourites and recent correspondents, end to end: they come first in `pli directory search`.

Recent correspondents are learnt from mail sent with Pli and from the archived Sent folder
(mail sent by another client); favourites are marked with `pli contacts favourite`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from tests.support.cli import Pli
from tests.support.directory_extraction import person_line, write_extraction
from tests.support.mail import message

pytestmark = pytest.mark.integration

CLAIRE = "claire.martineau@medecin.mssante.fr"
ZOE = "zoe.martinez@medecin.mssante.fr"
LUC = "luc.martinon@chu-test.mssante.fr"


def test_favourites_then_recent_correspondents_come_first(
    tmp_path: Path, mail_account_factory
) -> None:
    me, colleague = mail_account_factory(), mail_account_factory()
    extraction = write_extraction(
        tmp_path / "Extraction_Correspondance_MSSante_202611010316.txt",
        300,
        seed=8,
        extra=[
            person_line(address=CLAIRE, family="MARTINEAU", given="Claire"),
            person_line(address=colleague.address, family="MARTINET", given="Paul"),
            person_line(address=LUC, family="MARTINON", given="Luc", organisation="CHU Test"),
            person_line(address=ZOE, family="MARTINEZ", given="Zoé"),
        ],
    )
    pli = Pli(tmp_path / "me")
    pli("directory", "import", str(extraction.path)).ok()
    ours = {
        CLAIRE: "MARTINEAU",
        colleague.address: "MARTINET",
        LUC: "MARTINON",
        ZOE: "MARTINEZ",
    }

    def search(*extra: str) -> list[str]:
        """Our four, in the order found (the generated rows may hold other Martin*)."""
        found = pli("directory", "search", "--name", "martin", "--limit", "50", *extra, "--json")
        return [
            ours[m["address"]]
            for e in found.ok().json()["entries"]
            for m in e["mailboxes"]
            if m["address"] in ours
        ]

    # No archive yet: the search works and does not create one.
    baseline = search()
    assert baseline == sorted(ours.values())  # alphabetical when nothing else tells them apart
    assert not AppPaths.at(pli.profile).profile_file.exists()
    assert pli("contacts", "list").ok().out.strip() == "No correspondent yet."
    pli.add_account("me", me)

    # A favourite comes first, marked as such.
    done = pli("contacts", "favourite", ZOE, "--name", "Dr Zoé Martinez", "--json").ok()
    assert done.json()["favourite"] is True
    assert search() == ["MARTINEZ", "MARTINEAU", "MARTINET", "MARTINON"]
    text = pli("directory", "search", "--name", "martin", "--limit", "50").ok().out
    assert f"{ZOE}  [favourite]" in text
    assert f"{CLAIRE}  [" not in text

    # Mail sent by another client, archived from the Sent folder, makes a recent correspondent.
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    raw, _ = message(sender=me.address, to=f"Dr Luc Martinon <{LUC}>", date=three_days_ago)
    me.dovecot.deliver(me.address, raw, folder="Sent", flags=["\\Seen"])
    pli("sync", "--quiet").ok()
    assert search() == ["MARTINEZ", "MARTINON", "MARTINEAU", "MARTINET"]

    # Mail sent with Pli: the newest correspondent comes right after the favourite.
    body = tmp_path / "body.txt"
    body.write_text("Cher confrère,\nvoici le courrier.", encoding="utf-8")
    sent = pli(
        "send", "--to", colleague.address, "--subject", "Courrier", "--body-file", str(body)
    ).ok()
    assert sent.code == 0
    assert search() == ["MARTINEZ", "MARTINET", "MARTINON", "MARTINEAU"]
    found = pli("directory", "search", "--name", "martin", "--limit", "50", "--json").ok().json()
    assert found["contacts"] == {
        ZOE: "favourite",
        colleague.address: "recent",
        LUC: "recent",
    }

    listed = pli("contacts", "list", "--json").ok().json()["contacts"]
    assert [c["address"] for c in listed] == [ZOE, colleague.address, LUC]
    assert listed[0]["name"] == "Dr Zoé Martinez"
    assert listed[2]["name"] == "Dr Luc Martinon"
    assert listed[2]["messages_sent"] == 1
    assert pli("contacts", "list", "--favourites", "--json").ok().json()["contacts"] == [listed[0]]
    table = pli("contacts", "list").ok().out
    assert "★" in table.splitlines()[1]
    assert ZOE in table.splitlines()[1]

    # --no-contacts leaves the archive closed: the plain order comes back.
    assert search("--no-contacts") == baseline

    # Unmarked: no longer first, still a contact only if mail was sent to it.
    pli("contacts", "unfavourite", ZOE).ok()
    assert search() == ["MARTINET", "MARTINON", "MARTINEAU", "MARTINEZ"]
    assert ZOE not in [
        c["address"] for c in pli("contacts", "list", "--json").ok().json()["contacts"]
    ]


def test_a_locked_archive_or_a_patient_address(tmp_path: Path) -> None:
    extraction = write_extraction(
        tmp_path / "Extraction_Correspondance_MSSante_202611010316.txt",
        50,
        seed=9,
        extra=[person_line(address=CLAIRE, family="MARTINEAU", given="Claire")],
    )
    pli = Pli(tmp_path / "p")
    pli("directory", "import", str(extraction.path)).ok()
    pli("contacts", "favourite", CLAIRE).ok()

    # Without the right passphrase the search still answers, without the ranking, and says so.
    locked = Pli(tmp_path / "p", passphrase="pas la bonne phrase secrète")
    result = locked("directory", "search", "martineau").ok()
    assert "MARTINEAU Claire" in result.out
    assert "[favourite]" not in result.out
    assert "favourites and recent correspondents not used" in result.err

    refused = pli("contacts", "favourite", "279035121518989@patient.mssante.fr")
    assert refused.code != 0
    assert "patient's address" in refused.err
    bad = pli("contacts", "favourite", "pas une adresse")
    assert bad.code != 0
    assert "not a valid e-mail address" in bad.err
