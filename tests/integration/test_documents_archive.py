"""Documents of archived messages: listed, searched inside, exported per patient, audited."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message, tiny_pdf

pytestmark = pytest.mark.integration

PATIENT = "279035121518989@patient.mssante.fr"


@pytest.fixture
def pli(tmp_path: Path, mail_account) -> Pli:
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", mail_account)
    return pli


def test_words_inside_attached_pdfs_are_found_by_search(pli: Pli, mail_account) -> None:
    raw, _ = message(subject="Bilan", pdf=tiny_pdf("Ferritinemie basse Zygomatique"))
    mail_account.dovecot.deliver(mail_account.address, raw)
    result = pli("sync", "--json").ok().json()
    assert result["indexed_documents"] == 1
    assert result["documents_to_index"] == 0
    found = pli("search", "zygomatique", "--json").ok().json()["messages"]
    assert [m["subject"] for m in found] == ["Bilan"]
    # Indexing is done once: the next sync has nothing to index.
    assert pli("sync", "--json").ok().json()["indexed_documents"] == 0


def test_attachments_are_typed_from_their_content(pli: Pli, mail_account) -> None:
    msg = EmailMessage()
    msg["From"] = "Dr Paul Durand <paul.durand@medecin.mssante.fr>"
    msg["To"] = mail_account.address
    msg["Subject"] = "Pièces jointes"
    msg["Message-ID"] = "<pj@test>"
    msg.set_content("Voir pièces jointes.")
    msg.add_attachment(
        tiny_pdf("ok"), maintype="application", subtype="pdf", filename="compte-rendu.pdf"
    )
    msg.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 200,
        maintype="application",
        subtype="pdf",
        filename="../../facture.pdf",
    )
    mail_account.dovecot.deliver(mail_account.address, msg.as_bytes())
    pli("sync", "--no-index").ok()
    message_id = pli("list", "--json").json()["messages"][0]["id"]
    listed = pli("attachments", str(message_id), "--json").ok().json()["attachments"]
    good, bad = listed
    assert good["accepted"] and good["detected_type"] == "pdf"
    assert good["pdf"]["pages"] == 1
    assert not bad["accepted"]
    assert "/" not in bad["name"] and bad["name_changed"]
    assert "claims to be" in bad["refusal"]["text"] or "refused" in bad["refusal"]["text"]
    text = pli("attachments", str(message_id)).ok().out
    assert "REFUSED" in text


def test_export_files_documents_per_patient_without_overwriting(
    pli: Pli, mail_account, tmp_path: Path
) -> None:
    raw, _ = message(
        sender=f"Élodie LEFÈVRE <{PATIENT}>",
        subject="Mon ordonnance",
        pdf=tiny_pdf("Ordonnance"),
        pdf_name="ordonnance.pdf",
    )
    mail_account.dovecot.deliver(mail_account.address, raw)
    pli("sync").ok()
    message_id = pli("list", "--json").json()["messages"][0]["id"]
    root = tmp_path / "Dossiers patients"
    first = pli("export", str(message_id), "--to", str(root), "--json").ok().json()["files"]
    second = pli("export", str(message_id), "--to", str(root), "--json").ok().json()["files"]
    assert len(first) == len(second) == 1
    path1, path2 = Path(first[0]["path"]), Path(second[0]["path"])
    assert path1.parent == path2.parent
    assert path1.parent.name == "LEFÈVRE_Élodie_279035121518989"
    assert path1.name.endswith("_ordonnance.pdf")
    assert second[0]["renamed"] and path1 != path2
    assert path1.read_bytes() == path2.read_bytes() == tiny_pdf("Ordonnance")
    audit = pli("audit", "--action", "document.export", "--json").json()["entries"]
    assert len(audit) == 2
    assert all(e["target"] == str(message_id) for e in audit)


def test_an_xdm_package_is_read_from_the_archive(pli: Pli, mail_account, tmp_path: Path) -> None:
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(tiny_pdf("Echographie abdominale"))
    package = tmp_path / "IHE_XDM.zip"
    built = (
        pli(
            "xdm",
            "build",
            "--pdf",
            str(pdf),
            "--patient-ins",
            "279035121518989",
            "--patient-name",
            "Lefèvre",
            "--patient-given",
            "Élodie",
            "--type-code",
            "11528-7",
            "--type-display",
            "CR d'imagerie médicale",
            "--title",
            "Échographie abdominale",
            "--act-date",
            "2026-11-02",
            "--out",
            str(package),
            "--json",
        )
        .ok()
        .json()
    )
    msg = EmailMessage()
    msg["From"] = "Service imagerie <imagerie@chu.mssante.fr>"
    msg["To"] = mail_account.address
    msg["Subject"] = built["subject"]
    msg["Message-ID"] = "<xdm@test>"
    msg["X-MSS-CODECDA"] = built["headers"]["X-MSS-CODECDA"]
    msg["X-MSS-INS"] = built["headers"]["X-MSS-INS"]
    msg.set_content("Veuillez trouver le compte rendu.")
    msg.add_attachment(
        package.read_bytes(), maintype="application", subtype="zip", filename="IHE_XDM.zip"
    )
    mail_account.dovecot.deliver(mail_account.address, msg.as_bytes())
    pli("sync").ok()
    message_id = pli("list", "--json").json()["messages"][0]["id"]
    (attachment,) = pli("attachments", str(message_id), "--json").ok().json()["attachments"]
    assert attachment["accepted"]
    assert attachment["xdm"]["patient"]["id"]["value"] == "279035121518989"
    assert pli("search", "abdominale", "--json").ok().json()["messages"]
    files = pli("export", str(message_id), "--to", str(tmp_path / "out"), "--json").json()["files"]
    names = sorted(Path(f["path"]).name for f in files)
    assert names[0].startswith("20261102_") and names[0].endswith("_LEFÈVRE_Élodie.pdf")
