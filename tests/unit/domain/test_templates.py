"""Message templates: format, rendering, merge (app/domain/templates.py) and the shipped ones."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from app.config.templates import default_templates_dir
from app.domain.account import Identity
from app.domain.errors import ValidationError
from app.domain.templates import (
    STANDARD_PLACEHOLDERS,
    Audience,
    MessageTemplate,
    Placeholder,
    TemplateSource,
    merge_templates,
    render,
    standard_values,
)

SHIPPED_IDS = {
    "consignes-preparation",
    "rendez-vous",
    "planning-passages",
    "ordonnance",
    "demande-documents-administratifs",
    "compte-rendu",
    "compte-rendu-confrere",
    "prescription-ehpad-pharmacie",
    "demande-intervention-ssiad",
    "saisine-fin-prise-en-charge-mdph",
    "fiche-signalement-dac",
    "information-preoccupante",
}


def template_json(**changes: object) -> str:
    data: dict[str, object] = {
        "format": 1,
        "title": "Envoi d'une ordonnance",
        "audience": "patient",
        "category": "Après la consultation",
        "subject": "Votre ordonnance du {{ date }}",
        "body": [
            "Bonjour {{patient_civilite}} {{patient_nom}},",
            "",
            "{{precisions}}",
            "",
            "Cordialement,",
            "{{expediteur}}",
        ],
        "placeholders": {
            "precisions": {"label": "Précisions", "optional": True},
            "patient_nom": "Nom de famille",
        },
        "attachments": ["consignes-{{patient_nom}}.pdf"],
    }
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


def load(text: str, template_id: str = "ordonnance") -> MessageTemplate:
    return MessageTemplate.from_json(text, template_id=template_id, source=TemplateSource.DEFAULT)


VALUES = {
    "date": "12/03/2026",
    "patient_civilite": "Madame",
    "patient_nom": "LEFÈVRE",
    "expediteur": "Dr Marie MARTIN",
}


# -- format -----------------------------------------------------------------------------------


def test_a_template_file_is_read() -> None:
    template = load(template_json())
    assert template.id == "ordonnance"
    assert template.audience is Audience.PATIENT
    assert template.source is TemplateSource.DEFAULT
    assert template.body.startswith("Bonjour {{patient_civilite}}")
    assert template.placeholder_names == (
        "date",
        "patient_civilite",
        "patient_nom",
        "precisions",
        "expediteur",
    )
    assert template.required == ("date", "patient_civilite", "patient_nom", "expediteur")
    assert template.placeholder("patient_nom") == Placeholder("Nom de famille")
    assert template.placeholder("date") == Placeholder(STANDARD_PLACEHOLDERS["date"])
    assert template.placeholder("precisions").optional
    assert template.attachments == ("consignes-{{patient_nom}}.pdf",)


def test_the_body_may_be_one_string() -> None:
    template = load(template_json(body="Bonjour {{patient_nom}},\r\nCordialement."))
    assert template.body == "Bonjour {{patient_nom}},\nCordialement."


def test_a_template_round_trips_through_its_file() -> None:
    template = load(template_json())
    again = MessageTemplate.from_json(
        template.to_json(), template_id=template.id, source=TemplateSource.DEFAULT
    )
    assert again == template
    assert "Précisions" in template.to_json()  # UTF-8, not \\u escapes


@pytest.mark.parametrize(
    ("text", "reason", "name"),
    [
        ("{not json", "json", None),
        ("[1, 2]", "json", None),
        (template_json(format=2), "format", None),
        (template_json(title=" "), "field", "title"),
        (template_json(subject=3), "field", "subject"),
        (template_json(audience="everyone"), "field", "audience"),
        (template_json(body=["", "  "]), "field", "body"),
        (template_json(body=[1, 2]), "field", "body"),
        (template_json(placeholders=["x"]), "field", "placeholders"),
        (template_json(placeholders={"Nom": "x"}), "field", "placeholders.Nom"),
        (template_json(attachments="a.pdf"), "field", "attachments"),
        (template_json(attachments=["../secret.pdf"]), "attachment", "../secret.pdf"),
        (template_json(attachments=["/etc/passwd"]), "attachment", "/etc/passwd"),
        (template_json(attachments=["C:\\Windows\\x.pdf"]), "attachment", "C:\\Windows\\x.pdf"),
        (template_json(subject="Objet {{Nom}}"), "placeholder", "{{Nom}}"),
        (template_json(body="Bonjour {{ }}"), "placeholder", "{{ }}"),
    ],
)
def test_invalid_templates_say_why(text: str, reason: str, name: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        load(text)
    assert caught.value.code == "template.invalid"
    assert caught.value.params["reason"] == reason
    if name is not None:
        assert caught.value.params["name"] == name


@pytest.mark.parametrize("template_id", ["../x", "Ordonnance", "", "a b", "x" * 65])
def test_template_ids_are_safe_file_names(template_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load(template_json(), template_id)
    assert caught.value.params["reason"] == "id"


def test_a_hidden_marker() -> None:
    template = load('{"format": 1, "hidden": true}')
    assert template.hidden
    assert load(template.to_json()).hidden


# -- render -------------------------------------------------------------------------------------


def test_render_fills_every_placeholder() -> None:
    rendered = render(load(template_json()), {**VALUES, "precisions": "À prendre le matin."})
    assert rendered.subject == "Votre ordonnance du 12/03/2026"
    assert rendered.body == (
        "Bonjour Madame LEFÈVRE,\n\nÀ prendre le matin.\n\nCordialement,\nDr Marie MARTIN\n"
    )
    assert rendered.attachments == ("consignes-LEFÈVRE.pdf",)


def test_missing_values_are_named_in_order() -> None:
    with pytest.raises(ValidationError) as caught:
        render(load(template_json()), {"patient_nom": "LEFÈVRE", "expediteur": "  "})
    assert caught.value.code == "template.missing_values"
    assert caught.value.params["names"] == "date, patient_civilite, expediteur"
    assert caught.value.params["missing"] == ("date", "patient_civilite", "expediteur")


def test_an_empty_optional_placeholder_leaves_no_hole() -> None:
    rendered = render(load(template_json()), VALUES)
    assert rendered.body == "Bonjour Madame LEFÈVRE,\n\nCordialement,\nDr Marie MARTIN\n"
    assert "\n\n\n" not in rendered.body


def test_values_keep_their_lines_in_the_body_not_in_the_subject() -> None:
    template = load(template_json(subject="Ordonnance {{precisions}}"))
    rendered = render(template, {**VALUES, "precisions": "ligne 1\r\nligne 2"})
    assert rendered.subject == "Ordonnance ligne 1 ligne 2"
    assert "ligne 1\nligne 2" in rendered.body


def test_unused_values_are_ignored_and_braces_in_values_stay() -> None:
    rendered = render(load(template_json()), {**VALUES, "other": "x", "precisions": "{{date}}"})
    assert "{{date}}" in rendered.body  # a value is never expanded again


# -- merge and standard values ---------------------------------------------------------------


def test_user_templates_override_hide_and_extend_the_defaults() -> None:
    defaults = [load(template_json(), "ordonnance"), load(template_json(title="Z"), "autre")]
    user = [
        MessageTemplate.from_json(template_json(title="Mon ordonnance"), template_id="ordonnance"),
        MessageTemplate.from_json('{"format": 1, "hidden": true}', template_id="autre"),
        MessageTemplate.from_json(
            template_json(title="A nouveau", category="Après la consultation"), template_id="mien"
        ),
    ]
    merged = merge_templates(defaults, user)
    assert list(merged) == ["mien", "ordonnance"]  # sorted by category then title
    assert merged["ordonnance"].title == "Mon ordonnance"
    assert merged["ordonnance"].source is TemplateSource.USER


def test_standard_values() -> None:
    values = standard_values(
        Identity(title="Dr", given_name="Marie", family_name="Martin", entity="Cabinet Médical"),
        date(2026, 3, 12),
        patient_family="Lefèvre",
        patient_given="Élodie",
        patient_title="Madame",
        patient_birth_date=date(1979, 3, 5),
    )
    assert values == {
        "date": "12/03/2026",
        "expediteur": "Dr Marie MARTIN",
        "praticien": "Dr Marie MARTIN",
        "structure": "Cabinet Médical",
        "patient_civilite": "Madame",
        "patient_nom": "LEFÈVRE",
        "patient_prenom": "Élodie",
        "patient_date_naissance": "05/03/1979",
    }
    assert set(values) == set(STANDARD_PLACEHOLDERS)


def test_unknown_standard_values_are_left_out() -> None:
    values = standard_values(Identity(given_name="Marie"), date(2026, 3, 12))
    assert values == {"date": "12/03/2026", "expediteur": "Marie", "praticien": "Marie"}


# -- the shipped templates (seeds 000 and 003) -----------------------------------------------


def shipped() -> list[MessageTemplate]:
    return [
        MessageTemplate.from_json(
            p.read_text(encoding="utf-8"), template_id=p.stem, source=TemplateSource.DEFAULT
        )
        for p in sorted(default_templates_dir().glob("*.json"))
    ]


def test_every_use_case_has_a_template() -> None:
    assert {t.id for t in shipped()} == SHIPPED_IDS


def test_audiences() -> None:
    audiences = {t.id: t.audience for t in shipped()}
    assert {i for i, a in audiences.items() if a is Audience.PATIENT} == {
        "consignes-preparation",
        "rendez-vous",
        "planning-passages",
        "ordonnance",
        "demande-documents-administratifs",
        "compte-rendu",
    }


@pytest.mark.parametrize("template", shipped(), ids=lambda t: t.id)
def test_shipped_template_renders_completely(template: MessageTemplate) -> None:
    values = {name: f"<{name}>" for name in template.placeholder_names}
    rendered = render(template, values)
    assert "{{" not in rendered.subject + rendered.body
    assert rendered.subject and rendered.body.strip()
    assert template.title and template.description and template.category
    # Every declared placeholder is used, and every used one has a French label.
    assert set(template.placeholders) <= set(template.placeholder_names)
    for name in template.placeholder_names:
        assert name in template.placeholders or name in STANDARD_PLACEHOLDERS, name
    # Signed, and without typewriter apostrophe mistakes such as a space before a comma.
    assert "{{expediteur}}" in template.body or "{{structure}}" in template.body
    assert not re.search(r" ,|  ", rendered.body)


def test_patient_templates_never_start_with_a_professional_greeting() -> None:
    for template in shipped():
        first = template.body.split("\n", 1)[0]
        if template.audience is Audience.PATIENT:
            assert first.startswith("Bonjour {{patient_civilite}} {{patient_nom}}"), template.id
        else:
            assert "{{patient_civilite}} {{patient_nom}}" not in first, template.id
