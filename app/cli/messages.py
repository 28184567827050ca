"""English text for every error code (the command line speaks plain English).

The window has its own French table (`app/ui/error_presenter.py`); both are checked by the
tests against the codes the code base raises, so no code reaches a user untranslated.
"""

from __future__ import annotations

import re
from string import Formatter

from app.domain.errors import KnownError

MESSAGES: dict[str, str] = {
    # Addresses and patients
    "address.malformed": "'{value}' is not a valid e-mail address",
    "patient.bad_birth_date": "'{value}' is not a date of birth (YYYY-MM-DD, in the past)",
    "xdm.subject_given": "a document sent as IHE_XDM.zip gets its subject from the MSSanté "
    "rules (XDM/1.0/DDM+…): leave out --subject",
    "send.xdm_option_missing": "{option} is needed with --xdm",
    "send.xdm_option_alone": "{option} only goes with --xdm FILE",
    "contact.patient": "{address} is a patient's address: patients are followed with "
    "pli patients, not as contacts",
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
    "xdm.type_code_unknown": "the document type '{code}' is not a known LOINC code",
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
    # Engine: accounts and the command line
    "account.ambiguous": "several accounts exist: name one (see pli account list)",
    "account.client_certificate_required": "this account needs a client certificate "
    "(--client-cert FILE)",
    "account.exists": "an account named '{name}' already exists",
    "account.none": "no account yet: add one with pli account add",
    "account.nothing_to_change": "say what to change (see --help)",
    "send.subject_required": "the message needs a subject (--subject, or a template)",
    "send.patient_identity_ambiguous": "--patient-name and --patient-given go with exactly one "
    "patient recipient",
    "send.bad_var": "'{value}' is not KEY=VALUE",
    "patient.unknown": "writing to a new patient needs the patient's identity: add it with pli "
    "patient add {ins} --name NOM --given PRENOM, or give --patient-name and --patient-given",
    "patient.not_found": "no patient with INS {ins} (see pli patients)",
    "patient.exists": "a patient with INS {ins} already exists",
    "outbox.not_found": "no outbox entry {id}",
    "draft.not_found": "no draft {id}",
    "mdn.already_sent": "a read receipt was already sent for message {id}",
    "mdn.needs_confirmation": "the receipt for message {id} would go to another address than "
    "the sender's: check it, then add --confirm",
    "receipt.id_required": "say which message (pli receipts send ID)",
    "network.server_busy": "the server is busy (temporary refusal): the message waits and will "
    "be tried again",
    "account.not_found": "no account named '{name}' (see pli account list)",
    "account.oidc_required": "OAuth2 login needs --oidc-issuer and --oidc-client-id",
    "account.password_required": "a password is needed (--password-stdin)",
    "account.rpps_required": "the CIBA login needs the practitioner's RPPS number (--rpps)",
    "account.retired": "the mailbox '{account}' was removed and its archive kept: it can be read "
    "and searched, but nothing is synced, sent or changed on it",
    "confirmation.required": "this removes data: add --yes to confirm",
    "date.malformed": "'{value}' is not a date: use YYYY-MM-DD",
    "endpoint.malformed": "'{value}' is not a server: use HOST or HOST:PORT",
    "file.unreadable": "cannot read the file {path}",
    "flag.nothing_to_do": "say which flags to set or clear (--set FLAG, --clear FLAG)",
    "folder.not_found": "no folder '{folder}' in this account (see pli folders)",
    "message.none_selected": "no message given",
    "message.not_archived_yet": "message {id} is listed but its body is not archived yet: "
    "run pli sync",
    "message.not_found": "no message {id} in the archive",
    "message.several_accounts": "these messages belong to several accounts: act on one "
    "account at a time",
    "operation.unknown": "unknown queued operation '{kind}' (a newer version wrote it?)",
    "search.empty_query": "the search has no word to look for",
    # Engine: login
    "auth.bad_credentials": "the server {host} refused the login: check the user name and "
    "password (or log in again)",
    "auth.login_cancelled": "the login was cancelled",
    "auth.login_denied": "the login was refused (denied on the phone, card reader or browser)",
    "auth.login_expired": "the login was not completed in time: try again",
    "auth.login_required": "this account has no login session: run pli account login {account}",
    "auth.method_unavailable": "the server {host} does not offer {method} authentication",
    "auth.password_missing": "no password stored for this account: run pli account password",
    "auth.server_not_confirmed": "no access token is sent to {host}: it is outside the "
    "mailbox's domain and was not confirmed as the operator's server (re-add the account with "
    "--confirm-servers if it is)",
    "auth.session_ended": "the login session has ended (the provider refused to renew it): "
    "run pli account login to open a new one",
    "oidc.broker_missing": "client authentication by broker needs --oidc-broker-url",
    "oidc.ciba_refused": "the provider refused the login request ({error})",
    "oidc.ciba_unsupported": "the provider does not offer CIBA (login on the phone)",
    "oidc.discovery_failed": "the login provider's configuration could not be read (HTTP {status})",
    "oidc.secret_missing": "client authentication by secret needs --oidc-client-secret-file",
    "oidc.state_mismatch": "the login answer did not match the request (ignored for safety)",
    "oidc.token_refused": "the login provider refused the request ({error})",
    "client_cert.no_key": "the client certificate file has no private key",
    "client_cert.unreadable": "the client certificate cannot be read (PEM or PKCS#12 expected)",
    "client_cert.wrong_password": "the client certificate's password is wrong "
    "($PLI_CLIENT_CERT_PASSWORD)",
    # Engine: network and TLS (spec §2)
    "network.connection_lost": "the connection to {host} was lost",
    "network.not_connected": "not connected to {host}",
    "network.refused": "{host}:{port} refused the connection (wrong port, or server down)",
    "network.timeout": "{host} did not answer in time",
    "network.unknown_host": "the server name {host} is unknown (check the name, or the network)",
    "network.unreachable": "cannot reach {host} (no network, or the server is down)",
    "http.bad_json": "the server's answer was not readable (HTTP {status})",
    "http.insecure_url": "{url} is refused: HTTPS is required",
    "http.too_large": "the answer of {host} was too large",
    "tls.bad_cipher_setting": "the TLS cipher setting is not valid",
    "tls.certificate_refused": "the certificate of {host} was refused: {detail}",
    "tls.cipher_refused": "{host}:{port} offers no allowed TLS cipher suite (MSSanté allows only "
    "four ECDHE-RSA suites)",
    "tls.client_certificate_refused": "{host}:{port} refused the client certificate",
    "tls.expired": "the certificate of {host} has expired",
    "tls.handshake_failed": "the secure connection to {host}:{port} failed ({detail})",
    "tls.not_tls": "{host}:{port} does not speak TLS here (wrong port or security setting?)",
    "tls.not_yet_valid": "the certificate of {host} is not valid yet (check the computer's clock)",
    "tls.protocol_refused": "{host}:{port} only offers a TLS version older than 1.2: refused",
    "tls.revocation_unknown": "the revocation of {host}'s certificate could not be checked "
    "(no CRL available) and the settings require it",
    "tls.revoked": "the certificate of {host} has been revoked",
    "tls.self_signed": "the certificate of {host} is self-signed: not trusted",
    "tls.starttls_refused": "{host}:{port} refused to start TLS: nothing was sent in clear",
    "tls.starttls_unavailable": "{host}:{port} does not offer STARTTLS: refused (never plaintext)",
    "tls.trust_store_unreadable": "the trust store {path} cannot be read",
    "tls.untrusted": "the certificate of {host} does not chain to a trusted authority "
    "(IGC-Santé, or the account's --ca-file)",
    "tls.wrong_host": "the certificate presented is not for {host}",
    "server.over_quota": "the mailbox on {host} is full: delete or archive messages (the "
    "server said: {detail})",
    "server.refused": "the server {host} refused: {detail}",
    # Sending: SMTP submission (app/transport/smtp_submitter.py)
    "network.outcome_unknown": "the connection to {host} was lost after the whole message was "
    "sent: it may have been delivered; look for it (Sent folder, delivery report) before "
    "sending it again",
    "server.temporary_failure": "the server {host} cannot take the message now ({detail}): "
    "nothing was sent, try again later",
    "server.message_too_large": "the message ({size:,} bytes) is too large for this server "
    "(limit {limit:,} bytes at {host}): nothing was sent; send the attachments in several "
    "messages, or make them smaller",
    "server.recipients_refused": "{host} refused every recipient ({addresses}): nothing was sent",
    "server.sender_refused": "{host} refused the sender address: {detail}",
    "server.protocol_error": "the server {host} answered unexpectedly ({detail})",
    "auth.required": "the server {host} requires a login first",
    "dsn.bad_request": "the delivery report request is not valid (NOTIFY, RET or ENVID)",
    # Sending: composition and checks (app/domain/compose.py, app/domain/checks.py)
    "draft.no_recipient": "the message has no recipient",
    "draft.x_mss_nil_missing": "no product reference (X-MSS-NIL) is set in the settings "
    "(sending.x_mss_nil)",
    "draft.header_invalid": "the {header} value must be one line of plain ASCII text",
    "draft.naive_date": "the message date has no time zone",
    "draft.no_subject": "the message has no subject",
    "draft.xdm_headers_missing": "an IHE_XDM.zip is attached without {missing}",
    "message_id.malformed": "'{value}' is not a Message-ID",
    "end_of_exchange.not_patient": "'{value}' is not a patient's address (…@patient.mssante.fr): "
    "only an exchange with a patient can be ended",
    "recipient.patient_ins_invalid": "{address} is not a valid patient address: it must be "
    "built from the patient's qualified INS (15 characters with a correct key)",
    "recipient.apicrypt": "{address} is an Apicrypt address, not reachable from MSSanté: write "
    "to {suggestion} instead",
    "recipient.untrusted_domain": "{domain} ({addresses}) is not in the MSSanté trust space's "
    "white list: the message would leave secure health messaging",
    "trust_list.missing": "the MSSanté white list is not imported, so {domains} could not be "
    "checked (run pli directory whitelist import)",
    "size.too_large": "the message ({size} bytes) is larger than the {limit} bytes allowed "
    "(25 MB towards patients, the operator's limit otherwise)",
    "attachment.pdf_suggested": "'{name}' cannot be viewed in Mon espace santé: convert it to "
    "PDF before sending it to a patient",
    "attachment.refused": "'{name}' is refused",
    "send.refused": "not sent, nothing queued: {codes}",
    "send.needs_confirmation": "not sent yet: these warnings must be accepted first: {codes}",
    # Receipts and bounces (app/domain/receipts.py)
    "mdn.not_requested": "this message asks for no read receipt",
    "bounce.patient.messaging_closed": "not delivered: the patient's Mon espace santé messaging "
    "is closed",
    "bounce.patient.patient_unknown": "not delivered: no patient has this address in Mon espace "
    "santé",
    "bounce.patient.invalid_address": "not delivered: the patient's address is not valid",
    "bounce.patient.too_large": "not delivered: the message is too large for Mon espace santé "
    "(25 MB in all)",
    "bounce.patient.other": "not delivered to the patient by Mon espace santé",
    # Message templates (app/domain/templates.py, app/config/templates.py)
    "template.invalid": "the template '{id}' is not valid ({reason})",
    "template.unreadable": "a template file cannot be read ({reason})",
    "template.missing_values": "the template needs values for: {names}",
    "template.not_found": "there is no template '{id}'",
    "template.attachment_missing": "the template '{id}' names an attachment that does not "
    "exist: {name}",
    # One Pli per profile (app/services/instance.py, app/cli/forward.py)
    "profile.busy": "Pli is open on this profile (pid {pid}) and the command could not run "
    "beside it in time: close it, or try again (--wait SECONDS waits longer)",
    "profile.forward_refused": "Pli is open on this profile (pid {pid}) but refused the "
    "command (its instance.json does not match it): close it and try again",
    "profile.other_version": "another version of Pli is open on this profile (pid {pid}): close "
    "it, then run the command again",
    "profile.forward_lost": "the Pli holding this profile (pid {pid}) stopped before the command "
    "ended: check what it did (pli outbox, pli list) before running it again",
    "profile.stdin_too_large": "the standard input is larger than the {limit} bytes a command "
    "passed to the open Pli may read",
    # Engine: the archive (encrypted store)
    "store.cannot_open": "the archive cannot be opened",
    "store.corrupt": "the archive file is damaged: restore a backup (see the backups folder)",
    "store.locked_by_other": "another program holds the archive file locked: close it and retry",
    "store.no_memory": "not enough memory to work on the archive",
    "store.older_schema": "this archive has not been upgraded to this Pli's schema yet (schema "
    "{found}, this one writes {supported}): open it with pli first",
    "store.busy": "the archive is in use by another Pli: try again",
    "store.disk_full": "the disk is full: nothing was lost, free some space and retry",
    "store.exists": "this profile already exists",
    "store.io_error": "the archive could not be read or written (disk error)",
    "store.keyring_failed": "the system keyring failed",
    "store.keyring_missing_key": "the archive key is missing from the system keyring",
    "store.newer_schema": "this archive was written by a newer Pli (schema {found}, this one "
    "reads up to {supported}): update Pli",
    "store.no_keyring": "no system keyring here: set PLI_PASSPHRASE or use --passphrase-file "
    "to protect the archive with a passphrase",
    "store.not_initialised": "this profile has no archive yet",
    "store.not_passphrase_protected": "this archive is protected by the system keyring, not a "
    "passphrase",
    "store.passphrase_file_unreadable": "the passphrase file cannot be read",
    "store.passphrase_mismatch": "the two passphrases differ",
    "store.passphrase_required": "the archive is locked: give its passphrase (PLI_PASSPHRASE or "
    "--passphrase-file)",
    "store.passphrase_too_short": "the passphrase must have at least {minimum} characters",
    "store.profile_unreadable": "the profile file is damaged or from an unknown version",
    "store.read_only": "the archive is read-only",
    "store.sort_key_exhausted": "too many messages with the same arrival second",
    "store.wrong_key_or_damaged": "the archive cannot be decrypted: wrong key, or damaged file",
    "store.wrong_passphrase": "wrong passphrase",
    "store.blob_missing": "a message's stored body is missing (a file under blobs/ was deleted "
    "or truncated)",
    "store.blob_damaged": "a message's stored body is damaged (a file under blobs/ was altered)",
    "store.blobs_unavailable": "the archive's body files are not available",
    "attachment.too_large": "'{name}' is too large to be read ({size} bytes; at most {limit})",
    "demo.start_failed": "the demo mailbox's local server could not start on {host}",
    "discovery.bad_answer": "the DNS server's answer could not be read",
    "discovery.bad_name": "this domain name cannot be looked up",
    "discovery.dns_unreachable": "no DNS server answered: give the servers by hand",
    "discovery.insecure_url": "the configuration address is not HTTPS: it was not used",
    "outbox.already_leaving": "message {id} is already leaving: it can no longer be cancelled",
    "outbox.nothing_to_retry": "message {id} has not failed: there is nothing to retry",
}


_FORMAT_SPEC = re.compile(r"\{(\w+):[^}]*\}")


def describe(error: KnownError) -> str:
    """One line of English for a known error."""
    template = MESSAGES.get(error.code)
    if template is None:
        return error.code
    fields = {name for _, name, _, _ in Formatter().parse(template) if name}
    values = {name: error.params.get(name, "?") for name in fields}
    try:
        return template.format(**values)
    except (ValueError, TypeError):
        # A number format ({limit:,}) on a value that is not a number ("?"): plain text.
        return _FORMAT_SPEC.sub(r"{\1}", template).format(**values)
