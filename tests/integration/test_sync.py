"""`pli sync` against real servers: archive, resync, flags both ways, purge, UIDVALIDITY, move.

The tests that depend on the server run on Dovecot and on Cyrus in both namespace layouts
(``imap_account``, tests/servers/imap_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message, tiny_pdf

pytestmark = pytest.mark.integration


@pytest.fixture
def pli(tmp_path: Path) -> Pli:
    return Pli(tmp_path / "profile")


def by_subject(listing: dict) -> dict[str, dict]:
    return {m["subject"]: m for m in listing["messages"]}


def test_first_sync_archives_every_message_body_and_attachment(pli: Pli, imap_account) -> None:
    server = imap_account.server
    raw1, mid1 = message(subject="Résultats de biologie", pdf=tiny_pdf("Hemoglobine"))
    raw2, _ = message(subject="Suivi infirmier", body="Pansement refait, cicatrisation correcte.")
    raw3, _ = message(subject="Réponse", in_reply_to=mid1, references=[mid1])
    server.deliver(imap_account.address, raw1)
    server.deliver(imap_account.address, raw2, flags=["\\Seen", "\\Flagged"])
    lefevre = imap_account.folder("Patients/Lefevre")  # INBOX.Patients.Lefevre on Cyrus
    server.create_folder(imap_account.address, lefevre)
    server.deliver(imap_account.address, raw3, folder=lefevre)
    pli.add_account("cab", imap_account)

    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == 3
    assert report["bodies_archived"] == 3
    assert report["missing_bodies"] == 0

    listing = pli("list", "--json").ok().json()
    messages = by_subject(listing)
    assert set(messages) == {"Résultats de biologie", "Suivi infirmier", "Réponse"}
    assert all(m["archived"] for m in messages.values())
    assert messages["Suivi infirmier"]["flags"] == ["seen", "flagged"]
    assert messages["Résultats de biologie"]["has_attachments"]
    assert messages["Réponse"]["folder"] == lefevre
    # Threaded across folders by In-Reply-To/References.
    assert messages["Réponse"]["thread"] == messages["Résultats de biologie"]["thread"]

    # The archived bytes are exactly what was delivered (IMAP serves CRLF line ends).
    raw = pli("show", str(messages["Résultats de biologie"]["id"]), "--raw").ok().out
    assert raw.replace("\r\n", "\n").encode() == raw1

    shown = pli("show", str(messages["Suivi infirmier"]["id"]), "--json").ok().json()
    assert "cicatrisation correcte" in shown["body"]
    assert shown["from"]["address"] == "paul.durand@medecin.mssante.fr"
    assert [
        a["filename"]
        for a in pli("show", str(messages["Résultats de biologie"]["id"]), "--json").json()[
            "attachments"
        ]
    ] == ["compte-rendu.pdf"]

    # Full-text search, accent-insensitive, over subject, body and people.
    found = pli("search", "cicatrisation", "--json").ok().json()["messages"]
    assert [m["subject"] for m in found] == ["Suivi infirmier"]
    found = pli("search", "resultats", "--json").ok().json()["messages"]
    assert [m["subject"] for m in found] == ["Résultats de biologie"]
    found = (
        pli("search", "durand", "--folder", lefevre, "--account", "cab", "--json")
        .ok()
        .json()["messages"]
    )
    assert [m["subject"] for m in found] == ["Réponse"]
    assert pli("search", "cicatris*", "--json").ok().json()["messages"]

    audit = pli("audit", "--json").ok().json()["entries"]
    actions = {e["action"] for e in audit}
    assert {"account.add", "session.login", "sync.fetch_headers", "sync.fetch_bodies"} <= actions
    assert all(e["actor"] == imap_account.address for e in audit if e["action"].startswith("sync"))


def test_resync_without_change_changes_nothing(pli: Pli, imap_account) -> None:
    imap_account.server.deliver(imap_account.address, message()[0])
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    before = pli("audit", "--json").json()["entries"]
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == 0 and report["bodies_archived"] == 0
    assert all(f["unchanged"] for f in report["folders"])
    after = pli("audit", "--json").json()["entries"]
    fetches = [e for e in after[len(before) :] if e["action"].startswith("sync.fetch")]
    assert fetches == []


def test_new_mail_and_flags_travel_both_ways(pli: Pli, imap_account) -> None:
    server = imap_account.server
    uid = server.deliver(imap_account.address, message(subject="Premier")[0])
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    first = by_subject(pli("list", "--json").json())["Premier"]
    assert first["flags"] == []

    # Server side: another client reads it; new mail arrives.
    server.add_flags(imap_account.address, "INBOX", [uid], ["\\Seen"])
    server.deliver(imap_account.address, message(subject="Second")[0])
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == 1
    assert report["flags_changed"] == 1
    messages = by_subject(pli("list", "--json").json())
    assert messages["Premier"]["flags"] == ["seen"]

    # Local side: flag it in Pli; the server sees it at once.
    result = (
        pli("flag", str(messages["Second"]["id"]), "--set", "flagged", "--set", "read", "--json")
        .ok()
        .json()
    )
    assert result["sent_to_server"] is True
    on_server = {m.message_id: m for m in server.messages(imap_account.address)}
    second = [m for m in on_server.values() if m.uid != uid][0]
    assert set(second.flags) == {"\\Flagged", "\\Seen"}
    pli("flag", str(messages["Premier"]["id"]), "--clear", "read").ok()
    assert (
        "\\Seen" not in [m for m in server.messages(imap_account.address) if m.uid == uid][0].flags
    )
    audit = pli("audit", "--action", "replay.", "--json").json()["entries"]
    assert len(audit) == 2 and all(e["outcome"] == "ok" for e in audit)


def test_operator_purge_keeps_the_message_in_the_archive(pli: Pli, imap_account) -> None:
    server = imap_account.server
    uid = server.deliver(imap_account.address, message(subject="Ancien compte rendu")[0])
    server.deliver(imap_account.address, message(subject="Récent")[0])
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    server.expunge(imap_account.address, "INBOX", [uid])

    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["gone_from_server"] == 1
    old = by_subject(pli("list", "--json").json())["Ancien compte rendu"]
    assert old["gone_from_server"] is True and old["archived"] is True
    assert "Cher confrère" in pli("show", str(old["id"]), "--json").ok().json()["body"]
    assert pli("search", "ancien", "--json").ok().json()["messages"]

    # Still there after another sync; gone only when the user deletes it in Pli.
    pli("sync").ok()
    assert "Ancien compte rendu" in by_subject(pli("list", "--json").json())
    pli("delete", str(old["id"])).ok()
    assert "Ancien compte rendu" not in by_subject(pli("list", "--json").json())
    assert pli("search", "ancien", "--json").ok().json()["messages"] == []
    assert len(server.messages(imap_account.address)) == 1


def test_uidvalidity_change_rebinds_without_duplicates_or_refetch(
    pli: Pli, imap_account, imap_server_name: str
) -> None:
    server = imap_account.server
    # Cyrus removes an INBOX only with its user, so there no restore can give INBOX a new
    # UIDVALIDITY: another folder plays the part (the rebinding is the same for every folder).
    folder = "INBOX" if imap_server_name == "dovecot" else imap_account.folder("Dossiers")
    if folder != "INBOX":
        server.create_folder(imap_account.address, folder)
    for n in range(3):
        server.deliver(imap_account.address, message(subject=f"Message {n}")[0], folder)
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    ids_before = {m["subject"]: m["id"] for m in pli("list", "--json").json()["messages"]}
    audit_before = len(pli("audit", "--json").json()["entries"])

    server.set_uidvalidity(imap_account.address, folder, 4242)
    server.deliver(imap_account.address, message(subject="Après le changement")[0], folder)
    report = pli("sync", "--json").ok().json()["accounts"][0]
    inbox = [f for f in report["folders"] if f["folder"] == folder][0]
    assert inbox["uidvalidity_reset"] is True
    assert inbox["rebound"] == 3 and inbox["new"] == 1

    messages = pli("list", "--json").json()["messages"]
    assert len(messages) == 4
    ids_after = {m["subject"]: m["id"] for m in messages}
    assert all(ids_after[s] == i for s, i in ids_before.items())  # same archive entries
    assert all(not m["gone_from_server"] for m in messages)
    fetched = [
        e
        for e in pli("audit", "--json").json()["entries"][audit_before:]
        if e["action"] == "sync.fetch_bodies"
    ]
    assert len(fetched) == 1 and "1 messages" in fetched[0]["detail"]
    # And the local archive follows the new UIDs: a flag change reaches the right message.
    pli("flag", str(ids_after["Message 0"]), "--set", "flagged").ok()
    flagged = [m for m in server.messages(imap_account.address, folder) if "\\Flagged" in m.flags]
    assert len(flagged) == 1


def test_move_is_replayed_and_the_message_keeps_its_archive_entry(pli: Pli, imap_account) -> None:
    server = imap_account.server
    server.deliver(imap_account.address, message(subject="À classer")[0])
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    entry = by_subject(pli("list", "--json").json())["À classer"]
    pli("move", str(entry["id"]), "--to", "Archive").ok()

    archive = imap_account.folder("Archive")
    assert server.messages(imap_account.address, "INBOX") == []
    assert len(server.messages(imap_account.address, archive)) == 1
    moved = by_subject(pli("list", "--json").json())["À classer"]
    assert moved["id"] == entry["id"] and moved["folder"] == archive
    assert moved["uid"] == server.messages(imap_account.address, archive)[0].uid
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["new"] == 0 and len(pli("list", "--json").json()["messages"]) == 1


def test_no_health_data_in_clear_anywhere_in_the_profile(pli: Pli, mail_account) -> None:
    subject = "Dépistage confidentiel Zorglub"
    body = "Résultat sérologique de Monsieur Quetzalcoatl"
    dove = mail_account.dovecot
    dove.deliver(
        mail_account.address, message(subject=subject, body=body, pdf=tiny_pdf("Xylophage"))[0]
    )
    pli.add_account("cab", mail_account)
    pli("sync").ok()
    pli("search", "Quetzalcoatl").ok()
    needles = [
        b"Zorglub",
        b"Quetzalcoatl",
        b"Xylophage",
        mail_account.address.encode(),
        b"paul.durand",
        mail_account.password.encode(),
    ]
    files = [p for p in pli.profile.rglob("*") if p.is_file()]
    assert any(p.name == "archive.db" for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} in clear in {path.name}"
