"""Rows of what the user sent name its recipients, in the list and for screen readers."""

from __future__ import annotations

from app.domain.message import MessageSummary, Person
from app.ui.models.message_list_model import row_sentence, row_text

ME = "marie.martin@medecin.mssante.fr"
PATIENT = Person("Élodie GARNIER", "291011305508762@patient.mssante.fr")
COLLEAGUE = Person("Dr Julien LEFORT", "julien.lefort@cardio.mssante.fr")


def summary(sender: Person, *recipients: Person) -> MessageSummary:
    return MessageSummary(
        id=1,
        account="cab",
        folder="Sent",
        uid=1,
        internal_date=1_764_000_000,
        sent_date=None,
        sender=sender,
        subject="Résultats",
        flags=1,
        keywords=(),
        size=100,
        has_attachments=False,
        archived=True,
        gone_from_server=False,
        thread_id=None,
        patient_ins=None,
        recipients=recipients,
    )


def test_a_sent_message_names_its_patient_recipient() -> None:
    sent = summary(Person("Dr Marie MARTIN", ME), PATIENT)
    text = row_text(sent, {ME})
    assert text.outgoing and "Élodie GARNIER" in text.sender and "MARTIN" not in text.sender
    assert text.patient and not text.patient_sender and text.ins.startswith("2 91")
    spoken = row_sentence(sent, {ME})
    assert "Élodie GARNIER" in spoken and "MARTIN" not in spoken


def test_several_recipients_are_counted_and_a_received_message_keeps_its_sender() -> None:
    sent = summary(Person("", ME.upper()), COLLEAGUE, PATIENT)  # addresses compared lower-case
    text = row_text(sent, {ME})
    assert text.outgoing and "LEFORT" in text.sender and "1" in text.sender
    received = summary(COLLEAGUE, Person("", ME))
    assert not row_text(received, {ME}).outgoing
    assert row_text(received, {ME}).sender == "Dr Julien LEFORT"
    # Without knowing the user's addresses nothing is taken for sent.
    assert not row_text(sent).outgoing
