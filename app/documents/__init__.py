"""Attachments: type detection, PDF inspection, images, IHE XDM packages. No Qt, no network.

Everything here is blocking (CPU or disk) and meant to run on a worker thread. Entry points:

* `attachments`: ``list_attachments(raw)``, ``extract_attachment(raw, part_id)``.
* `sniffing`: ``detect_kind(data)``, ``check_attachment(data, name, declared_type,
  to_patient=...)`` (the attachment policy).
* `pdf`: ``inspect_pdf(data)``, ``extract_text(data, start_page=..., limits=...)`` (bounded,
  resumable, for the full-text index).
* `images`: ``inspect_image(data)``, ``image_to_pdf``/``tiff_to_pdf``; `rtf`: ``rtf_text``,
  ``rtf_to_pdf``; `conversion`: ``to_patient_pdf(data, name)``.
* `xdm_reader`: ``read_xdm(data)``, ``package_headers(package)``; `xdm_writer`:
  ``build_xdm(pdf, patient=..., document=..., author=...)``; `cda`: ``parse_cda(data)``.
* `safezip`: ``read_zip(data)``, ``extract_zip(data, folder)``.
* `filing`: ``plan_export(raw, message_date=..., patient=...)``, ``write_export(plan, root)``.
"""
