"""Message templates: the recurring messages of seeds 000 and 003, with placeholders.

A template is a subject and a body in French with ``{{placeholder}}`` marks, an audience
(patient or professional), optional default attachments (file names relative to the
template's folder) and labels for its placeholders. Pli ships defaults
(``resources/templates/*.json``); the user's own templates (the profile's ``templates``
folder) override a default of the same id, add new ones, or hide a default. Reading and
writing those files is `app.config.templates`' job; here are the format, the merge rule and
`render`.

File format (UTF-8 JSON, one template per file, the id is the file name without ``.json``)::

    {
      "format": 1,
      "title": "Votre ordonnance",
      "audience": "patient",
      "category": "Après la consultation",
      "description": "Envoi d'une ordonnance au patient.",
      "subject": "Votre ordonnance du {{date}}",
      "body": ["Bonjour {{patient_civilite}} {{patient_nom}},", "", "…"],
      "placeholders": {"date": "Date de l'ordonnance",
                       "commentaire": {"label": "Commentaire", "optional": true}},
      "attachments": ["consignes.pdf"]
    }

``body`` is a list of lines (easier to edit) or one string. A placeholder is
``{{name}}`` (spaces allowed inside the braces), its name lower-case letters, digits and
``_``. Placeholders used but not declared are required and labelled by their name.
A user file ``{"format": 1, "hidden": true}`` hides the default of the same id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from app.domain.account import Identity
from app.domain.errors import ValidationError

TEMPLATE_FORMAT = 1
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")

#: Placeholders Pli can fill by itself (from the account, the patient record and the clock),
#: with their labels. Templates may use others; the user types those.
STANDARD_PLACEHOLDERS: Mapping[str, str] = {
    "date": "Date du jour",
    "expediteur": "Signature (nom et fonction de l'expéditeur)",
    "praticien": "Praticien",
    "structure": "Structure (cabinet, établissement)",
    "patient_civilite": "Civilité du patient (Madame, Monsieur)",
    "patient_nom": "Nom du patient",
    "patient_prenom": "Prénom du patient",
    "patient_date_naissance": "Date de naissance du patient",
}


class Audience(StrEnum):
    """Whom a template is written for."""

    PATIENT = "patient"
    PROFESSIONAL = "professional"


class TemplateSource(StrEnum):
    """Where a template comes from."""

    DEFAULT = "default"  # shipped with Pli
    USER = "user"  # the user's own folder


@dataclass(frozen=True)
class Placeholder:
    """A placeholder's label and whether it may stay empty."""

    label: str
    optional: bool = False


@dataclass(frozen=True)
class MessageTemplate:
    """One template.

    Attributes:
        id: stable identifier (the file name without ``.json``).
        title: what the user picks from a list.
        audience: patient or professional.
        subject: subject with placeholders.
        body: body text with placeholders (LF line ends).
        category: a grouping label ("Avant la venue", "Médico-social"…).
        description: when to use it.
        placeholders: declared placeholders (labels, optional ones).
        attachments: default attachments, file names relative to the template's folder.
        source: shipped default or user file.
        hidden: a user file that hides the default of the same id.
    """

    id: str
    title: str
    audience: Audience
    subject: str
    body: str
    category: str = ""
    description: str = ""
    placeholders: Mapping[str, Placeholder] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    source: TemplateSource = TemplateSource.USER
    hidden: bool = False

    @property
    def placeholder_names(self) -> tuple[str, ...]:
        """Every placeholder used (subject, body, attachment names), in order of first use."""
        names: list[str] = []
        for text in (self.subject, self.body, *self.attachments):
            for name in _PLACEHOLDER_RE.findall(text):
                if name not in names:
                    names.append(name)
        return tuple(names)

    def placeholder(self, name: str) -> Placeholder:
        """The declared placeholder, or a required one labelled by its standard label or name."""
        declared = self.placeholders.get(name)
        if declared is not None:
            return declared
        return Placeholder(STANDARD_PLACEHOLDERS.get(name, name))

    @property
    def required(self) -> tuple[str, ...]:
        """The placeholders that must be given a value."""
        return tuple(n for n in self.placeholder_names if not self.placeholder(n).optional)

    @classmethod
    def from_json(
        cls, text: str, *, template_id: str, source: TemplateSource = TemplateSource.USER
    ) -> MessageTemplate:
        """Read a template file's text.

        Raises:
            ValidationError: ``template.invalid`` with ``reason``: ``json``, ``format``,
                ``id``, ``field`` (``name`` says which), ``attachment`` (a path leaving the
                template's folder), ``placeholder`` (an undeclared mark such as ``{{Nom}}``).
        """
        if not _ID_RE.match(template_id):
            raise ValidationError("template.invalid", id=template_id, reason="id")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValidationError("template.invalid", id=template_id, reason="json") from exc
        if not isinstance(data, dict):
            raise ValidationError("template.invalid", id=template_id, reason="json")
        if data.get("format", TEMPLATE_FORMAT) != TEMPLATE_FORMAT:
            raise ValidationError("template.invalid", id=template_id, reason="format")
        if data.get("hidden") is True:
            return cls(
                id=template_id,
                title="",
                audience=Audience.PATIENT,
                subject="",
                body="",
                source=source,
                hidden=True,
            )
        title = _string(data, "title", template_id)
        subject = _string(data, "subject", template_id)
        body = _body(data.get("body"), template_id)
        try:
            audience = Audience(data.get("audience", ""))
        except ValueError as exc:
            raise ValidationError(
                "template.invalid", id=template_id, reason="field", name="audience"
            ) from exc
        template = cls(
            id=template_id,
            title=title,
            audience=audience,
            subject=subject,
            body=body,
            category=_string(data, "category", template_id, required=False),
            description=_string(data, "description", template_id, required=False),
            placeholders=_placeholders(data.get("placeholders", {}), template_id),
            attachments=_attachments(data.get("attachments", []), template_id),
            source=source,
        )
        _check_marks(template)
        return template

    def to_json(self) -> str:
        """The file's text (inverse of `from_json`)."""
        if self.hidden:
            return json.dumps({"format": TEMPLATE_FORMAT, "hidden": True}, indent=2) + "\n"
        data: dict[str, Any] = {
            "format": TEMPLATE_FORMAT,
            "title": self.title,
            "audience": self.audience.value,
            "category": self.category,
            "description": self.description,
            "subject": self.subject,
            "body": self.body.split("\n"),
            "placeholders": {
                name: ({"label": p.label, "optional": True} if p.optional else p.label)
                for name, p in self.placeholders.items()
            },
            "attachments": list(self.attachments),
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class RenderedTemplate:
    """A template with its placeholders filled: ready to become a draft.

    Attributes:
        subject: one line.
        body: the text.
        attachments: default attachment names, relative to the template's folder.
    """

    subject: str
    body: str
    attachments: tuple[str, ...]


def render(template: MessageTemplate, values: Mapping[str, str]) -> RenderedTemplate:
    """Fill the placeholders.

    A value that is empty or only spaces counts as missing. Optional placeholders left empty
    disappear, and so do the blank lines they leave (never more than one blank line in a
    row). Values given for placeholders the template does not use are ignored. In the
    subject, line breaks in a value become spaces.

    Raises:
        ValidationError: ``template.missing_values`` with ``names`` (comma-separated, in order
            of first use) and ``missing`` (the tuple of names).
    """
    missing = tuple(n for n in template.required if not (values.get(n) or "").strip())
    if missing:
        raise ValidationError(
            "template.missing_values", id=template.id, names=", ".join(missing), missing=missing
        )

    def fill(text: str, *, one_line: bool) -> str:
        def value(match: re.Match[str]) -> str:
            found = (values.get(match.group(1)) or "").strip()
            return " ".join(found.split()) if one_line else found.replace("\r\n", "\n")

        return _PLACEHOLDER_RE.sub(value, text)

    body = fill(template.body, one_line=False)
    body = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", body).strip("\n") + "\n"
    return RenderedTemplate(
        subject=" ".join(fill(template.subject, one_line=True).split()),
        body=body,
        attachments=tuple(fill(a, one_line=True) for a in template.attachments),
    )


def merge_templates(
    defaults: Iterable[MessageTemplate], user: Iterable[MessageTemplate]
) -> dict[str, MessageTemplate]:
    """The templates the user sees: defaults, overridden or hidden by the user's files.

    Returns:
        id → template, hidden ones left out, sorted by category then title.
    """
    merged: dict[str, MessageTemplate] = {t.id: t for t in defaults}
    for template in user:
        merged[template.id] = template
    visible = [t for t in merged.values() if not t.hidden]
    visible.sort(key=lambda t: (t.category.casefold(), t.title.casefold(), t.id))
    return {t.id: t for t in visible}


def standard_values(
    identity: Identity,
    today: date,
    *,
    patient_family: str = "",
    patient_given: str = "",
    patient_title: str = "",
    patient_birth_date: date | None = None,
) -> dict[str, str]:
    """Values Pli knows for the standard placeholders (`STANDARD_PLACEHOLDERS`).

    Dates are written ``JJ/MM/AAAA``; family names upper-cased as in ECO.2.2.7; empty
    values are left out, so `render` reports them as missing.
    """
    person = " ".join(
        p for p in (identity.title, identity.given_name, identity.family_name.upper()) if p
    )
    values = {
        "date": today.strftime("%d/%m/%Y"),
        "expediteur": person,
        "praticien": person,
        "structure": identity.entity,
        "patient_civilite": patient_title,
        "patient_nom": patient_family.upper(),
        "patient_prenom": patient_given,
        "patient_date_naissance": (
            patient_birth_date.strftime("%d/%m/%Y") if patient_birth_date else ""
        ),
    }
    return {k: v.strip() for k, v in values.items() if v and v.strip()}


# -- parsing helpers --------------------------------------------------------------------------


def _string(data: Mapping[str, Any], name: str, template_id: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError("template.invalid", id=template_id, reason="field", name=name)
    return value.strip()


def _body(value: object, template_id: str) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(line, str) for line in value):
        text = "\n".join(value)
    else:
        raise ValidationError("template.invalid", id=template_id, reason="field", name="body")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValidationError("template.invalid", id=template_id, reason="field", name="body")
    return text


def _placeholders(value: object, template_id: str) -> dict[str, Placeholder]:
    if not isinstance(value, dict):
        raise ValidationError(
            "template.invalid", id=template_id, reason="field", name="placeholders"
        )
    out: dict[str, Placeholder] = {}
    for name, spec in value.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            raise ValidationError(
                "template.invalid", id=template_id, reason="field", name=f"placeholders.{name}"
            )
        if isinstance(spec, str):
            out[name] = Placeholder(spec)
        elif isinstance(spec, dict) and isinstance(spec.get("label", ""), str):
            out[name] = Placeholder(
                str(spec.get("label") or name), optional=bool(spec.get("optional", False))
            )
        else:
            raise ValidationError(
                "template.invalid", id=template_id, reason="field", name=f"placeholders.{name}"
            )
    return out


def _attachments(value: object, template_id: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(
            "template.invalid", id=template_id, reason="field", name="attachments"
        )
    for name in value:
        # Relative to the template's folder, never outside it (either path flavour).
        for flavour in (PurePosixPath(name), PureWindowsPath(name)):
            if flavour.is_absolute() or flavour.drive or ".." in flavour.parts:
                raise ValidationError(
                    "template.invalid", id=template_id, reason="attachment", name=name
                )
    return tuple(v.strip() for v in value)


def _check_marks(template: MessageTemplate) -> None:
    """Refuse ``{{…}}`` marks that are not valid placeholders (``{{Nom}}``, ``{{ }}``)."""
    for text in (template.subject, template.body, *template.attachments):
        stripped = _PLACEHOLDER_RE.sub("", text)
        bad = re.search(r"\{\{[^}]*\}\}", stripped)
        if bad:
            raise ValidationError(
                "template.invalid", id=template.id, reason="placeholder", name=bad.group(0)
            )
