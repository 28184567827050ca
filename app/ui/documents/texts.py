"""The documents' states and problems in plain French (English source, Qt translations).

Problem codes (``xdm.*``, ``zip.*``, ``image.*``…) are not errors: they describe what is
wrong with a received file while the rest of it is still shown. Errors raised by the engine
go through the window's `ErrorPresenter` instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from app.ui.i18n import QT_TRANSLATE_NOOP

_CONTEXT = "DocumentTexts"


# fmt: off
_TEXTS: dict[str, str] = {
    # Why a file cannot be shown at all
    "pdf.password_required": QT_TRANSLATE_NOOP("DocumentTexts", "This PDF is protected by a password: Pli cannot show it. Ask the sender for an unprotected copy."),  # noqa: E501
    "pdf.encryption_unsupported": QT_TRANSLATE_NOOP("DocumentTexts", "This PDF is encrypted in a way Pli cannot read. Ask the sender for an unprotected copy."),  # noqa: E501
    "pdf.unreadable": QT_TRANSLATE_NOOP("DocumentTexts", "This PDF is damaged and cannot be shown. Ask the sender to send it again."),  # noqa: E501
    "pdf.truncated": QT_TRANSLATE_NOOP("DocumentTexts", "This PDF is incomplete (it was cut during sending). Ask the sender to send it again."),  # noqa: E501
    "pdf.active_content": QT_TRANSLATE_NOOP("DocumentTexts", "This PDF contains scripts or actions: Pli shows its pages but never runs them."),  # noqa: E501
    "image.unreadable": QT_TRANSLATE_NOOP("DocumentTexts", "This image is damaged or is not a JPEG, PNG or TIFF image."),  # noqa: E501
    "image.too_large": QT_TRANSLATE_NOOP("DocumentTexts", "This image is far too large to be shown safely (it may be a trap): Pli did not open it."),  # noqa: E501
    "image.too_many_frames": QT_TRANSLATE_NOOP("DocumentTexts", "This image has too many pages to be shown."),  # noqa: E501
    "rtf.unreadable": QT_TRANSLATE_NOOP("DocumentTexts", "This RTF document cannot be read."),
    "rtf.too_large": QT_TRANSLATE_NOOP("DocumentTexts", "This RTF document is too large to be shown."),  # noqa: E501
    "zip.broken": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file is damaged or is not a zip file."),  # noqa: E501
    "zip.too_many_entries": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file holds too many files: Pli refused to open it (it may be a trap)."),  # noqa: E501
    "zip.too_large": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file would unpack to a huge size: Pli refused to open it (it may be a trap, a \"zip bomb\")."),  # noqa: E501
    "zip.ratio": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file is compressed abnormally: Pli refused to open it (it may be a trap, a \"zip bomb\")."),  # noqa: E501
    "zip.unsafe_name": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file tries to write outside its folder: Pli refused to open it."),  # noqa: E501
    "zip.symlink": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file contains links to other files: Pli refused to open it."),  # noqa: E501
    "zip.encrypted": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file is protected by a password: Pli cannot check it."),  # noqa: E501
    "zip.duplicate_name": QT_TRANSLATE_NOOP("DocumentTexts", "This zip file holds the same name twice: Pli refused to open it."),  # noqa: E501
    "attachment.refused": QT_TRANSLATE_NOOP("DocumentTexts", "This type of file is not accepted by MSSanté: Pli does not open it."),  # noqa: E501
    "kind.unsupported": QT_TRANSLATE_NOOP("DocumentTexts", "Pli cannot show this type of file. You can save it or open it with another application."),  # noqa: E501
    "document.empty": QT_TRANSLATE_NOOP("DocumentTexts", "This file is empty."),
    # Doubts and problems of an XDM package (shown beside what is shown)
    "xdm.patient_missing": QT_TRANSLATE_NOOP("DocumentTexts", "The package does not say which patient it is about."),  # noqa: E501
    "xdm.patient_not_ins": QT_TRANSLATE_NOOP("DocumentTexts", "The patient is not identified by an INS: check the identity."),  # noqa: E501
    "xdm.patient_ins_invalid": QT_TRANSLATE_NOOP("DocumentTexts", "The INS %1 is not valid (its key does not check): check the patient's identity."),  # noqa: E501
    "xdm.patient_test_oid": QT_TRANSLATE_NOOP("DocumentTexts", "Test identity: this is not a real patient."),  # noqa: E501
    "xdm.patient_demo_oid": QT_TRANSLATE_NOOP("DocumentTexts", "Demonstration identity: this is not a real patient."),  # noqa: E501
    "xdm.patient_mismatch": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 is about another patient than the package."),  # noqa: E501
    "xdm.cda_patient_mismatch": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 names another patient inside than in the package's description."),  # noqa: E501
    "xdm.document_patient_missing": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 does not say which patient it is about."),  # noqa: E501
    "xdm.type_code_unknown": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 has an unknown document type: check what it is before filing it."),  # noqa: E501
    "xdm.metadata_missing": QT_TRANSLATE_NOOP("DocumentTexts", "The package has no description (METADATA.XML): its documents are shown as found."),  # noqa: E501
    "xdm.metadata_malformed": QT_TRANSLATE_NOOP("DocumentTexts", "The package's description cannot be read: its documents are shown as found."),  # noqa: E501
    "xdm.no_documents": QT_TRANSLATE_NOOP("DocumentTexts", "The package lists no document."),
    "xdm.size_mismatch": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 does not have the size announced: it may have been altered."),  # noqa: E501
    "xdm.hash_mismatch": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 does not match its fingerprint: it may have been altered."),  # noqa: E501
    "xdm.hash_missing": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 has no fingerprint: its integrity cannot be checked."),  # noqa: E501
    "xdm.document_missing": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 is announced but missing from the package."),  # noqa: E501
    "xdm.cda_malformed": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 cannot be read."),
    "xdm.embedded_not_pdf": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 carries a file that is not a PDF."),  # noqa: E501
    "xdm.duplicate_document": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 is a copy of an earlier one."),  # noqa: E501
    "xdm.version_conflict": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 conflicts with another version of the same document."),  # noqa: E501
    "xdm.uri_unsafe": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 points outside the package: ignored."),  # noqa: E501
    "xdm.document_unlisted": QT_TRANSLATE_NOOP("DocumentTexts", "Document %1 is not described by the package."),  # noqa: E501
}
_GENERIC = QT_TRANSLATE_NOOP("DocumentTexts", "Something is not right with this document (%1).")
# fmt: on


def problem_text(code: str, params: Mapping[str, str] | None = None) -> str:
    """One French sentence for a document problem or state code."""
    params = params or {}
    template = _TEXTS.get(code)
    if template is None:
        family = code.split(".", 1)[0]
        if family in ("zip", "pdf", "image", "rtf") and f"{family}.unreadable" in _TEXTS:
            template = _TEXTS[f"{family}.unreadable"]
        elif family == "zip":
            template = _TEXTS["zip.broken"]
        else:
            return QCoreApplication.translate(_CONTEXT, _GENERIC).replace("%1", code)
    text = QCoreApplication.translate(_CONTEXT, template)
    value = params.get("document") or params.get("value") or ""
    return text.replace("%1", value)


def known_problem_codes() -> set[str]:
    """Codes with their own sentence (tests)."""
    return set(_TEXTS)
