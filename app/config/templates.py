"""Message templates on disk: Pli's defaults merged with the user's own folder.

The defaults ship in ``resources/templates/*.json`` (found with `resource_path`, in a checkout,
a wheel or the frozen bundle); the user's templates live in `AppPaths.templates_dir`. A user
file with the id (file name) of a default replaces it, ``{"format": 1, "hidden": true}``
hides it, any other id adds a template. See `app.domain.templates` for the format.

Templates are text the user writes for recurring messages: they are not meant to hold
health data (values are filled at composition time), so the folder is kept in clear like the
settings. A broken user file never hides the others: it is reported in
`TemplateLibrary.problems` and skipped. Blocking: disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.config.resources import resource_path
from app.config.settings import atomic_write_text
from app.domain.errors import NotFoundError, ValidationError
from app.domain.templates import Audience, MessageTemplate, TemplateSource, merge_templates

_SUFFIX = ".json"


@dataclass(frozen=True)
class TemplateProblem:
    """A template file that could not be used.

    Attributes:
        path: the file.
        code: ``template.invalid`` or ``template.unreadable``.
        params: the error's parameters (``reason``, ``name``).
    """

    path: Path
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateLibrary:
    """The templates the user can pick, and where each one's files are.

    Attributes:
        templates: id → template (sorted by category, then title).
        folders: id → the folder its attachments are relative to.
        problems: files skipped because they could not be read.
    """

    templates: Mapping[str, MessageTemplate]
    folders: Mapping[str, Path]
    problems: tuple[TemplateProblem, ...] = ()

    def get(self, template_id: str) -> MessageTemplate:
        """One template.

        Raises:
            NotFoundError: ``template.not_found``.
        """
        template = self.templates.get(template_id)
        if template is None:
            raise NotFoundError("template.not_found", id=template_id)
        return template

    def attachment_path(self, template_id: str, name: str) -> Path:
        """The file of a template's (rendered) attachment name.

        Raises:
            NotFoundError: ``template.not_found``, or ``template.attachment_missing`` when the
                file does not exist.
            ValidationError: ``template.invalid`` when the name leaves the template's folder.
        """
        self.get(template_id)
        folder = self.folders[template_id].resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder):
            raise ValidationError(
                "template.invalid", id=template_id, reason="attachment", name=name
            )
        if not path.is_file():
            raise NotFoundError("template.attachment_missing", id=template_id, name=name)
        return path


def default_templates_dir() -> Path:
    """Where Pli's own templates are."""
    return resource_path("templates")


def load_templates(user_dir: Path | None, *, defaults_dir: Path | None = None) -> TemplateLibrary:
    """Read the defaults and the user's folder, merged (user files win).

    Args:
        user_dir: the user's templates folder (`AppPaths.templates_dir`); None or missing:
            defaults only.
        defaults_dir: the shipped templates (tests may point elsewhere).
    """
    problems: list[TemplateProblem] = []
    defaults = _read_folder(
        defaults_dir or default_templates_dir(), TemplateSource.DEFAULT, problems
    )
    user = _read_folder(user_dir, TemplateSource.USER, problems) if user_dir else {}
    merged = merge_templates((t for t, _ in defaults.values()), (t for t, _ in user.values()))
    folders = {tid: (user.get(tid) or defaults[tid])[1] for tid in merged}
    return TemplateLibrary(templates=merged, folders=folders, problems=tuple(problems))


def save_user_template(user_dir: Path, template: MessageTemplate) -> Path:
    """Write (or replace) a user template atomically; returns its file.

    Raises:
        ValidationError: ``template.invalid`` when the template would not read back.
    """
    text = template.to_json()
    MessageTemplate.from_json(text, template_id=template.id)  # never write what cannot load
    path = user_dir / f"{template.id}{_SUFFIX}"
    atomic_write_text(path, text)
    return path


def hide_default_template(user_dir: Path, template_id: str) -> Path:
    """Hide a shipped template (a user file ``{"format": 1, "hidden": true}``)."""
    hidden = MessageTemplate(
        id=template_id, title="", audience=Audience.PATIENT, subject="", body="", hidden=True
    )
    return save_user_template(user_dir, hidden)


def delete_user_template(user_dir: Path, template_id: str) -> bool:
    """Remove the user's file for `template_id` (the default, if any, shows again).

    Returns:
        True when a file was removed.
    """
    path = user_dir / f"{template_id}{_SUFFIX}"
    if not path.is_file():
        return False
    path.unlink()
    return True


def _read_folder(
    folder: Path, source: TemplateSource, problems: list[TemplateProblem]
) -> dict[str, tuple[MessageTemplate, Path]]:
    found: dict[str, tuple[MessageTemplate, Path]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob(f"*{_SUFFIX}")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                TemplateProblem(path, "template.unreadable", {"reason": type(exc).__name__})
            )
            continue
        try:
            template = MessageTemplate.from_json(text, template_id=path.stem, source=source)
        except ValidationError as exc:
            problems.append(TemplateProblem(path, exc.code, dict(exc.params)))
            continue
        found[template.id] = (template, folder)
    return found
