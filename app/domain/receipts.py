"""Receipts: read receipts (MDN), delivery reports (DSN) and patient bounces, by one name.

The work is done by one module per job: `app.domain.delivery` (the status of a sent message),
`app.domain.mdn` (asking for and writing read receipts), `app.domain.reports` (reading MDNs and
DSNs), `app.domain.bounces` (Mon espace santé's non-delivery reports) and
`app.domain.mime_parts` (reading parsed messages). This module gathers their public names for
the code that deals with receipts as a whole (the examination of incoming mail).
"""

from __future__ import annotations

from app.domain.bounces import (
    BOUNCE_EXPLANATIONS,
    BounceReason,
    PatientBounce,
    classify_patient_bounce,
)
from app.domain.delivery import MessageStatus, merge_status, status_from_dsn_action
from app.domain.mdn import (
    AUTOMATIC_ACTION,
    MANUAL_ACTION,
    SENT_AUTOMATICALLY,
    SENT_MANUALLY,
    Disposition,
    build_mdn,
    mdn_request,
    needs_confirmation,
)
from app.domain.reports import DsnRecipient, DsnReport, MdnReport, parse_dsn, parse_mdn

__all__ = [
    "AUTOMATIC_ACTION",
    "BOUNCE_EXPLANATIONS",
    "MANUAL_ACTION",
    "SENT_AUTOMATICALLY",
    "SENT_MANUALLY",
    "BounceReason",
    "Disposition",
    "DsnRecipient",
    "DsnReport",
    "MdnReport",
    "MessageStatus",
    "PatientBounce",
    "build_mdn",
    "classify_patient_bounce",
    "mdn_request",
    "merge_status",
    "needs_confirmation",
    "parse_dsn",
    "parse_mdn",
    "status_from_dsn_action",
]
