"""CDA documents: what identifies one, and how it relates to versions already known (spec §5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class CdaIdentity:
    """What identifies a CDA document and its versions (spec §5).

    Attributes:
        document_id: the CDA ``id`` (``root`` or ``root^extension``), unique per version.
        set_id: the CDA ``setId``, shared by every version of one document.
        version: the CDA ``versionNumber``.
    """

    document_id: str
    set_id: str = ""
    version: int | None = None


class VersionRelation(StrEnum):
    """How a document relates to documents already known."""

    NEW = "new"
    DUPLICATE = "duplicate"  # same CDA id: the very same version again
    NEWER_VERSION = "newer_version"  # same setId, higher versionNumber
    OLDER_VERSION = "older_version"  # same setId, lower versionNumber (superseded)
    SAME_VERSION = "same_version"  # same setId and versionNumber, another id (suspicious)


def classify_version(candidate: CdaIdentity, known: Iterable[CdaIdentity]) -> VersionRelation:
    """How `candidate` relates to `known` documents (duplicates first, then versions)."""
    relation = VersionRelation.NEW
    for other in known:
        if candidate.document_id and candidate.document_id == other.document_id:
            return VersionRelation.DUPLICATE
        if not candidate.set_id or candidate.set_id != other.set_id:
            continue
        mine, theirs = candidate.version, other.version
        if mine is None or theirs is None:
            relation = VersionRelation.SAME_VERSION
        elif mine > theirs:
            if relation is VersionRelation.NEW:
                relation = VersionRelation.NEWER_VERSION
        elif mine < theirs:
            relation = VersionRelation.OLDER_VERSION
        else:
            relation = VersionRelation.SAME_VERSION
    return relation
