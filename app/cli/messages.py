"""English text for every error code (the command line speaks plain English).

The window has its own French table (`app/ui/error_presenter.py`); both are checked by the
tests against the codes the code base raises, so no code reaches a user untranslated.
"""

from __future__ import annotations

from string import Formatter

from app.domain.errors import KnownError

MESSAGES: dict[str, str] = {
    # Addresses and patients
    "address.malformed": "'{value}' is not a valid e-mail address",
    "ins.malformed": "'{value}' is not an INS: 15 characters expected (13 digits, or 2A/2B for "
    "Corsica, then a 2-digit key)",
    "ins.bad_key": "'{value}' is not a valid INS: its control key does not match",
    # Documents: attachment policy (app/documents/sniffing.py)
    "attachment.empty": "'{name}' is empty",
    "attachment.type_refused": "'{name}' is refused: its content is {kind}, and only PDF, JPEG, "
    "PNG, TIFF, RTF and IHE XDM packages are accepted",
    "attachment.type_mismatch": "'{name}' is refused: it claims to be {declared} but its content "
    "is {kind}",
    "attachment.zip_not_xdm": "'{name}' is refused: a zip is only accepted as an IHE XDM package "
    "(IHE_XDM.zip)",
    "attachment.xml_not_cda": "'{name}' is refused: an XML file is only accepted as a CDA document",
    "attachment.not_found": "the message has no attachment {part}",
    "attachment.no_conversion": "'{name}' is {kind}: only TIFF and RTF are converted to PDF",
    # Documents: unpacking zips (app/documents/safezip.py)
    "zip.broken": "the zip file is damaged or not a zip",
    "zip.too_many_entries": "the zip holds {count} entries, more than the {limit} allowed",
    "zip.too_large": "the zip unpacks to more than {limit} bytes: refused (possible zip bomb)",
    "zip.ratio": "'{name}' in the zip is compressed more than {limit} to 1: refused (possible zip "
    "bomb)",
    "zip.unsafe_name": "the zip holds an unsafe path '{name}' (absolute, or leaving its folder): "
    "refused",
    "zip.symlink": "the zip holds a link '{name}': refused",
    "zip.encrypted": "the zip entry '{name}' is encrypted: it cannot be checked",
    "zip.duplicate_name": "the zip holds '{name}' twice: refused",
    "zip.target_exists": "'{name}' already exists in the target folder: nothing overwritten",
    # Documents: PDF (app/documents/pdf.py)
    "pdf.truncated": "the PDF is incomplete (it ends before its end marker): it was cut during "
    "a download or a copy",
    "pdf.unreadable": "the PDF is damaged and cannot be read",
    "pdf.password_required": "the PDF is protected by a password",
    "pdf.encryption_unsupported": "the PDF uses an encryption that cannot be read",
    # Documents: images and RTF (app/documents/images.py, rtf.py)
    "image.unreadable": "the image is damaged or not a JPEG, PNG or TIFF",
    "image.too_large": "the image is larger than {limit} pixels per page: refused (possible "
    "decompression bomb)",
    "image.too_many_frames": "the image has more than {limit} pages",
    "rtf.unreadable": "the RTF document cannot be read",
    "rtf.too_large": "the RTF document is larger than {limit} bytes",
    "cda.malformed": "the CDA document is not well-formed XML or not a ClinicalDocument",
    "cda.too_large": "the CDA document is larger than {limit} bytes",
    # Documents: IHE XDM packages (app/documents/xdm_reader.py, xdm_writer.py)
    "xdm.not_pdf": "only a PDF can be packaged as a CDA level-1 document",
    "xdm.bad_date": "'{value}' is not a date: YYYY-MM-DD expected",
    "xdm.metadata_missing": "the package has no IHE_XDM/SUBSET01/METADATA.XML",
    "xdm.metadata_malformed": "the package metadata (METADATA.XML) is not well-formed XML",
    "xdm.submission_set_missing": "the package metadata has no submission set",
    "xdm.no_documents": "the package metadata lists no document",
    "xdm.size_malformed": "the declared size is not a number",
    "xdm.size_mismatch": "the file is {actual} bytes but the metadata says {declared}",
    "xdm.hash_mismatch": "the file does not match its SHA-1 hash in the metadata (altered or "
    "corrupted)",
    "xdm.hash_missing": "the metadata gives no hash: integrity cannot be checked",
    "xdm.cda_malformed": "the CDA document cannot be read",
    "xdm.embedded_undecodable": "the CDA's embedded file is not valid base64",
    "xdm.embedded_not_pdf": "the CDA's embedded file is not a PDF",
    "xdm.cda_patient_mismatch": "the CDA is about another patient than the metadata says",
    "xdm.type_mismatch": "the file is {kind}, not the XML the metadata announces",
    "xdm.title_missing": "the metadata gives no title",
    "xdm.uri_missing": "the metadata gives no file name (URI)",
    "xdm.uri_unsafe": "the metadata points outside the package: ignored",
    "xdm.document_missing": "the file named in the metadata is not in the package",
    "xdm.document_unlisted": "the document is not described by any metadata",
    "xdm.document_patient_missing": "the metadata gives no patient for this document",
    "xdm.patient_mismatch": "the document is about another patient than the package",
    "xdm.duplicate_document": "same CDA id as an earlier document (a duplicate)",
    "xdm.version_conflict": "same CDA setId and version as an earlier document but another id",
    "xdm.patient_missing": "the package names no patient",
    "xdm.patient_not_ins": "the patient is identified by {oid}, not by an INS",
    "xdm.patient_ins_invalid": "the patient identifier '{value}' is not a valid INS",
    "xdm.patient_test_oid": "the patient is a TEST identity ({oid}), not a real patient",
    "xdm.patient_demo_oid": "the patient is a DEMONSTRATION identity ({oid}), not a real patient",
    # Documents: export and command-line files (app/documents/filing.py, app/cli/documents.py)
    "export.failed": "the documents could not be written: {reason}",
    "document.file_not_found": "'{path}' does not exist",
    "document.file_unreadable": "'{path}' cannot be read: {reason}",
    "document.file_too_large": "'{path}' is larger than {limit} bytes",
    "document.file_exists": "'{path}' already exists (use --force to replace it)",
    "document.file_unwritable": "'{path}' cannot be written: {reason}",
    "document.option_empty": "{option} must not be empty",
    # Health directory (app/directory, app/services/directory_service.py, app/cli/directory.py)
    "directory.not_imported": "no directory imported yet: run 'pli directory refresh' (or "
    "'pli directory import FILE'), or set an API key to search online",
    "directory.outdated": "the directory was imported by another version of Pli: run "
    "'pli directory refresh' (or import the extraction again)",
    "directory.damaged": "the directory file is damaged: run 'pli directory refresh' (or import "
    "the extraction again)",
    "directory.query.empty": "nothing to search for: give a name, a profession, a town, an "
    "identifier…",
    "directory.query.bad_type": "'{value}' is not a mailbox type (PER, CAB, ORG or APP)",
    "directory.import.file_not_found": "'{path}' does not exist",
    "directory.import.unreadable": "'{path}' cannot be read: {reason}",
    "directory.import.bad_zip": "'{path}' is not a readable zip file",
    "directory.import.zip_without_extraction": "'{path}' holds no "
    "Extraction_Correspondance_MSSante text file",
    "directory.import.bad_header": "this is not an MSSanté extraction: no 'Type de BAL' and "
    "'Adresse BAL' columns; the current directory is kept",
    "directory.import.empty": "the file holds no usable line ({rows} read, {malformed} refused): "
    "the current directory is kept",
    "directory.import.cancelled": "import cancelled: the current directory is kept",
    "directory.import.in_use": "the directory file is in use by another program (is Pli open?): "
    "the current directory is kept",
    "directory.import.disk_full": "the disk is full: the current directory is kept",
    "directory.import.write_failed": "the new directory could not be written ({reason}): the "
    "current directory is kept",
    "directory.download.insecure_url": "'{url}' is refused: the extraction is downloaded over "
    "HTTPS only",
    "directory.download.http": "the download server answered HTTP {status}",
    "directory.download.timeout": "the download server did not answer in time",
    "directory.download.unreachable": "the download server cannot be reached ({detail})",
    "directory.download.tls": "the secure connection to the download server failed ({detail})",
    "directory.download.too_large": "the download is far larger than an extraction: stopped",
    "directory.download.incomplete": "the download ended early: try again",
    "directory.online.no_api_key": "no API key for the online directory: set "
    "PLI_ESANTE_API_KEY or pass --api-key-file (keys are free on portal.api.esante.gouv.fr)",
    "directory.online.unauthorized": "the online directory refused the API key (HTTP "
    "{status}): check it, or ask for one on portal.api.esante.gouv.fr",
    "directory.online.rate_limited": "the online directory is limiting requests (HTTP 429; 17 "
    "per second at most): try again in a moment",
    "directory.online.server_error": "the online directory is failing (HTTP {status}): try "
    "again later; the offline directory still answers",
    "directory.online.refused": "the online directory refused the request (HTTP {status})",
    "directory.online.timeout": "the online directory did not answer in time",
    "directory.online.unreachable": "the online directory cannot be reached ({detail})",
    "directory.online.tls": "the secure connection to the online directory failed ({detail})",
    "directory.online.bad_response": "the online directory sent an unexpected answer ({detail})",
    "directory.online.insecure_url": "the online directory's address '{url}' is refused: the "
    "API key is only sent over HTTPS",
    "directory.online.foreign_link": "the online directory pointed to another server: not "
    "followed (the API key is only sent to the directory)",
    "directory.whitelist.file_not_found": "'{path}' does not exist",
    "directory.whitelist.unreadable": "'{path}' cannot be read: {reason}",
    "directory.whitelist.too_large": "'{path}' is far larger than the list of domains",
    "directory.whitelist.malformed": "this is not a readable MSSanté list of domains ({detail})",
    "directory.whitelist.empty": "the list of domains names no domain",
    "directory.whitelist.checksum_mismatch": "'{path}' does not match its SHA-256 checksum: "
    "not imported",
    "directory.whitelist.checksum_unreadable": "no SHA-256 checksum in '{path}'",
    "directory.api_key_file.unreadable": "the API key file '{path}' cannot be read: {reason}",
    "directory.api_key_file.empty": "the API key file '{path}' is empty",
}


def describe(error: KnownError) -> str:
    """One line of English for a known error."""
    template = MESSAGES.get(error.code)
    if template is None:
        return error.code
    fields = {name for _, name, _, _ in Formatter().parse(template) if name}
    values = {name: error.params.get(name, "?") for name in fields}
    return template.format(**values)
