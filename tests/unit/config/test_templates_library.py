"""Templates on disk: shipped defaults merged with the user's folder (app/config/templates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config.templates import (
    TemplateProblem,
    default_templates_dir,
    delete_user_template,
    hide_default_template,
    load_templates,
    save_user_template,
)
from app.domain.errors import NotFoundError, ValidationError
from app.domain.templates import Audience, MessageTemplate, TemplateSource, render


def user_template(template_id: str = "suivi-plaie", **changes: object) -> MessageTemplate:
    data: dict[str, object] = {
        "format": 1,
        "title": "Suivi de plaie",
        "audience": "patient",
        "category": "Soins infirmiers",
        "subject": "Suivi de votre pansement",
        "body": ["Bonjour {{patient_nom}},", "Photo attendue."],
        "attachments": ["protocole.pdf"],
    }
    data.update(changes)
    return MessageTemplate.from_json(json.dumps(data), template_id=template_id)


def test_the_shipped_defaults_load(tmp_path: Path) -> None:
    library = load_templates(tmp_path / "absent")
    assert library.problems == ()
    assert len(library.templates) == 12
    assert all(t.source is TemplateSource.DEFAULT for t in library.templates.values())
    assert library.folders["ordonnance"] == default_templates_dir()
    assert library.get("ordonnance").audience is Audience.PATIENT


def test_a_user_file_replaces_the_default_of_the_same_id(tmp_path: Path) -> None:
    mine = user_template("ordonnance", title="Mon ordonnance")
    path = save_user_template(tmp_path, mine)
    assert path == tmp_path / "ordonnance.json"
    library = load_templates(tmp_path)
    assert library.get("ordonnance").title == "Mon ordonnance"
    assert library.get("ordonnance").source is TemplateSource.USER
    assert library.folders["ordonnance"] == tmp_path
    assert len(library.templates) == 12


def test_user_templates_extend_and_their_attachments_resolve(tmp_path: Path) -> None:
    save_user_template(tmp_path, user_template())
    (tmp_path / "protocole.pdf").write_bytes(b"%PDF-1.4")
    library = load_templates(tmp_path)
    assert len(library.templates) == 13
    rendered = render(library.get("suivi-plaie"), {"patient_nom": "DUPONT"})
    [name] = rendered.attachments
    assert library.attachment_path("suivi-plaie", name) == (tmp_path / "protocole.pdf").resolve()


def test_a_missing_attachment_file_is_reported(tmp_path: Path) -> None:
    save_user_template(tmp_path, user_template())
    with pytest.raises(NotFoundError) as caught:
        load_templates(tmp_path).attachment_path("suivi-plaie", "protocole.pdf")
    assert caught.value.code == "template.attachment_missing"


def test_a_rendered_attachment_name_cannot_leave_the_folder(tmp_path: Path) -> None:
    save_user_template(tmp_path, user_template(attachments=["{{fichier}}"]))
    (tmp_path.parent / "secret.pdf").write_bytes(b"x")
    library = load_templates(tmp_path)
    rendered = render(library.get("suivi-plaie"), {"patient_nom": "X", "fichier": "../secret.pdf"})
    with pytest.raises(ValidationError) as caught:
        library.attachment_path("suivi-plaie", rendered.attachments[0])
    assert caught.value.params["reason"] == "attachment"


def test_hiding_and_showing_a_default(tmp_path: Path) -> None:
    hide_default_template(tmp_path, "rendez-vous")
    assert "rendez-vous" not in load_templates(tmp_path).templates
    assert delete_user_template(tmp_path, "rendez-vous")
    assert "rendez-vous" in load_templates(tmp_path).templates
    assert not delete_user_template(tmp_path, "rendez-vous")


def test_a_broken_user_file_is_reported_and_skipped(tmp_path: Path) -> None:
    save_user_template(tmp_path, user_template())
    (tmp_path / "casse.json").write_text("{pas du json", encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes('{"title": "é"}'.encode("latin-1"))
    (tmp_path / "ordonnance.json").write_text('{"format": 1, "title": ""}', encoding="utf-8")
    library = load_templates(tmp_path)
    assert "suivi-plaie" in library.templates
    # The broken override does not remove the default it meant to replace.
    assert library.get("ordonnance").source is TemplateSource.DEFAULT
    assert [(p.path.name, p.code) for p in library.problems] == [
        ("casse.json", "template.invalid"),
        ("latin1.json", "template.unreadable"),
        ("ordonnance.json", "template.invalid"),
    ]
    assert isinstance(library.problems[0], TemplateProblem)
    assert library.problems[0].params["reason"] == "json"


def test_saved_files_are_readable_utf8_json(tmp_path: Path) -> None:
    path = save_user_template(tmp_path, user_template(title="Pansement à refaire"))
    text = path.read_text(encoding="utf-8")
    assert "Pansement à refaire" in text
    assert json.loads(text)["body"] == ["Bonjour {{patient_nom}},", "Photo attendue."]


def test_an_unknown_template(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as caught:
        load_templates(None).get("inexistant")
    assert caught.value.code == "template.not_found"


def test_defaults_folder_can_be_replaced(tmp_path: Path) -> None:
    defaults = tmp_path / "defaults"
    save_user_template(defaults, user_template("seul"))
    library = load_templates(None, defaults_dir=defaults)
    assert list(library.templates) == ["seul"]
    assert library.get("seul").source is TemplateSource.DEFAULT
