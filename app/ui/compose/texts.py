"""The composer's words for the engine's codes: check issues and attachment refusals, in French.

The engine gives codes and parameters (`app.domain.checks.Issue`); this module is where the
composer turns them into plain sentences (English source, French in compose_fr.ts). Must run
on the Qt thread (the translator is Qt's).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from app.domain.checks import Issue
from app.ui.i18n import QT_TRANSLATE_NOOP, format_size

_CONTEXT = "ComposeTexts"


# fmt: off
_ISSUES: dict[str, str] = {
    "address.malformed": QT_TRANSLATE_NOOP("ComposeTexts", "“{value}” is not a valid address."),
    "draft.no_recipient": QT_TRANSLATE_NOOP("ComposeTexts", "Add at least one recipient."),
    "recipient.patient_ins_invalid": QT_TRANSLATE_NOOP("ComposeTexts", "The patient address {address} does not carry a valid INS (its key is wrong): check the number."),  # noqa: E501
    "recipient.apicrypt": QT_TRANSLATE_NOOP("ComposeTexts", "{address} is an Apicrypt address: write to {suggestion}, its MSSanté form."),  # noqa: E501
    "recipient.untrusted_domain": QT_TRANSLATE_NOOP("ComposeTexts", "{addresses}: the domain {domain} is outside the MSSanté trust space. Send anyway only if you know this recipient."),  # noqa: E501
    "trust_list.missing": QT_TRANSLATE_NOOP("ComposeTexts", "The list of the trust space's domains is not loaded: {domains} could not be checked."),  # noqa: E501
    "size.too_large": QT_TRANSLATE_NOOP("ComposeTexts", "The message weighs {size}, over the limit of {limit}: remove or reduce documents."),  # noqa: E501
    "draft.x_mss_nil_missing": QT_TRANSLATE_NOOP("ComposeTexts", "The product reference (X-MSS-NIL) is not set in the settings."),  # noqa: E501
    "draft.xdm_headers_missing": QT_TRANSLATE_NOOP("ComposeTexts", "The XDM package lacks the headers {missing}."),  # noqa: E501
    "draft.no_subject": QT_TRANSLATE_NOOP("ComposeTexts", "The message has no subject."),
    "attachment.empty": QT_TRANSLATE_NOOP("ComposeTexts", "“{name}” is empty."),
    "attachment.type_refused": QT_TRANSLATE_NOOP("ComposeTexts", "“{name}” is refused: its content is {kind}, a type MSSanté does not carry (PDF, JPEG, PNG, TIFF, RTF, XDM only)."),  # noqa: E501
    "attachment.type_mismatch": QT_TRANSLATE_NOOP("ComposeTexts", "“{name}” is refused: its name says .{declared} but its content is {kind}."),  # noqa: E501
    "attachment.zip_not_xdm": QT_TRANSLATE_NOOP("ComposeTexts", "“{name}” is refused: a ZIP file may only be an IHE_XDM package."),  # noqa: E501
    "attachment.xml_not_cda": QT_TRANSLATE_NOOP("ComposeTexts", "“{name}” is refused: an XML file may only be a CDA document."),  # noqa: E501
    "attachment.pdf_suggested": QT_TRANSLATE_NOOP("ComposeTexts", "The patient cannot open “{name}” in Mon espace santé: send it as PDF."),  # noqa: E501
    "attachment.too_large": QT_TRANSLATE_NOOP("ComposeTexts", "This file is far too large for any message."),  # noqa: E501
    "attachment.no_conversion": QT_TRANSLATE_NOOP("ComposeTexts", "This file cannot be converted to PDF."),  # noqa: E501
    "patient.unknown": QT_TRANSLATE_NOOP("ComposeTexts", "Pli does not know the patient {ins} yet: choose “Patient…” and give their name, given name and birth date."),  # noqa: E501
    "send.patient_identity_ambiguous": QT_TRANSLATE_NOOP("ComposeTexts", "A new patient's identity needs exactly one patient among the recipients."),  # noqa: E501
    "patient.bad_birth_date": QT_TRANSLATE_NOOP("ComposeTexts", "The patient's birth date is not valid."),  # noqa: E501
    "xdm.not_pdf": QT_TRANSLATE_NOOP("ComposeTexts", "Only a PDF can be sent as an IHE_XDM document."),  # noqa: E501
    "xdm.subject_given": QT_TRANSLATE_NOOP("ComposeTexts", "An IHE_XDM message gets its subject from the document: leave the subject empty."),  # noqa: E501
}
_FAMILY: dict[str, str] = {
    "attachment": QT_TRANSLATE_NOOP("ComposeTexts", "A document is refused ({code})."),
    "xdm": QT_TRANSLATE_NOOP("ComposeTexts", "The IHE_XDM document has a problem ({code})."),
    "pdf": QT_TRANSLATE_NOOP("ComposeTexts", "The PDF cannot be read ({code})."),
    "image": QT_TRANSLATE_NOOP("ComposeTexts", "The image cannot be read ({code})."),
    "rtf": QT_TRANSLATE_NOOP("ComposeTexts", "The RTF document cannot be read ({code})."),
}
_GENERIC = QT_TRANSLATE_NOOP("ComposeTexts", "The message cannot be sent as it is ({code}).")
_KINDS: dict[str, str] = {
    "pdf": QT_TRANSLATE_NOOP("ComposeTexts", "PDF document"),
    "jpeg": QT_TRANSLATE_NOOP("ComposeTexts", "JPEG image"),
    "png": QT_TRANSLATE_NOOP("ComposeTexts", "PNG image"),
    "tiff": QT_TRANSLATE_NOOP("ComposeTexts", "TIFF image"),
    "rtf": QT_TRANSLATE_NOOP("ComposeTexts", "RTF document"),
    "zip": QT_TRANSLATE_NOOP("ComposeTexts", "ZIP archive"),
    "xml": QT_TRANSLATE_NOOP("ComposeTexts", "XML document"),
    "gif": QT_TRANSLATE_NOOP("ComposeTexts", "GIF image"),
    "bmp": QT_TRANSLATE_NOOP("ComposeTexts", "BMP image"),
    "webp": QT_TRANSLATE_NOOP("ComposeTexts", "WebP image"),
    "ole": QT_TRANSLATE_NOOP("ComposeTexts", "old Office document"),
    "office": QT_TRANSLATE_NOOP("ComposeTexts", "Office document"),
    "executable": QT_TRANSLATE_NOOP("ComposeTexts", "program"),
    "html": QT_TRANSLATE_NOOP("ComposeTexts", "web page"),
    "text": QT_TRANSLATE_NOOP("ComposeTexts", "plain text"),
    "empty": QT_TRANSLATE_NOOP("ComposeTexts", "empty file"),
    "other": QT_TRANSLATE_NOOP("ComposeTexts", "unknown type"),
}
#: The same, with their article, inside sentences ("its content is a program").
_KINDS_A: dict[str, str] = {
    "pdf": QT_TRANSLATE_NOOP("ComposeTexts", "a PDF document"),
    "jpeg": QT_TRANSLATE_NOOP("ComposeTexts", "a JPEG image"),
    "png": QT_TRANSLATE_NOOP("ComposeTexts", "a PNG image"),
    "tiff": QT_TRANSLATE_NOOP("ComposeTexts", "a TIFF image"),
    "rtf": QT_TRANSLATE_NOOP("ComposeTexts", "an RTF document"),
    "zip": QT_TRANSLATE_NOOP("ComposeTexts", "a ZIP archive"),
    "xml": QT_TRANSLATE_NOOP("ComposeTexts", "an XML document"),
    "gif": QT_TRANSLATE_NOOP("ComposeTexts", "a GIF image"),
    "bmp": QT_TRANSLATE_NOOP("ComposeTexts", "a BMP image"),
    "webp": QT_TRANSLATE_NOOP("ComposeTexts", "a WebP image"),
    "ole": QT_TRANSLATE_NOOP("ComposeTexts", "an old Office document"),
    "office": QT_TRANSLATE_NOOP("ComposeTexts", "an Office document"),
    "executable": QT_TRANSLATE_NOOP("ComposeTexts", "a program"),
    "html": QT_TRANSLATE_NOOP("ComposeTexts", "a web page"),
    "text": QT_TRANSLATE_NOOP("ComposeTexts", "plain text"),
    "empty": QT_TRANSLATE_NOOP("ComposeTexts", "nothing (empty file)"),
    "other": QT_TRANSLATE_NOOP("ComposeTexts", "of an unknown type"),
}
# fmt: on


def tr(text: str) -> str:
    """`text` in French."""
    return QCoreApplication.translate(_CONTEXT, text)


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


def kind_label(kind: str) -> str:
    """What a document really is, in French (``PDF document`` → ``document PDF``)."""
    return tr(_KINDS.get(kind, _KINDS["other"]))


def describe(code: str, params: Mapping[str, str] | None = None) -> str:
    """The French sentence for an issue or error code and its parameters."""
    values = _Params(params or {})
    if "kind" in values:
        values["kind"] = tr(_KINDS_A.get(values["kind"], _KINDS_A["other"]))
    for key in ("size", "limit"):
        if key in values and values[key].isdigit():
            values[key] = format_size(int(values[key]))
    values["code"] = code
    template = _ISSUES.get(code)
    if template is None:
        template = _FAMILY.get(code.split(".", 1)[0], _GENERIC)
    return tr(template).format_map(values)


def describe_issue(issue: Issue) -> str:
    """The French sentence for a check's finding."""
    return describe(issue.code, issue.params)
