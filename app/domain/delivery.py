"""Where a sent message stands for each recipient: submitted → delivered → read, or failed.

`MessageStatus` is the vocabulary of a sent message's progress and `merge_status` the rule
that a new report never takes it backwards; `status_from_dsn_action` reads a delivery
report's ``Action``.

Pure: no I/O.
"""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    """Where a sent message (or one of its recipients) stands.

    ``submitted`` (the submission server accepted it) → ``delivered`` (a DSN or an MDN says it
    arrived) → ``read`` (a read receipt says it was displayed); or ``failed`` (a bounce, a failure
    DSN, or an MDN reporting an error, such as a failed automatic integration).
    """

    SUBMITTED = "submitted"
    DELIVERED = "delivered"
    FAILED = "failed"
    READ = "read"


_STATUS_RANK = {
    MessageStatus.SUBMITTED: 0,
    MessageStatus.DELIVERED: 1,
    MessageStatus.FAILED: 2,
    MessageStatus.READ: 3,
}


def merge_status(current: MessageStatus | None, reported: MessageStatus | None) -> MessageStatus:
    """The status after a new report: never backwards.

    The order is submitted < delivered < failed < read: a failure may follow a delivery report
    (a relay accepted the message, then the final system bounced it, or an automatic
    integration failed); a read receipt proves the message arrived, so it wins over everything
    and nothing replaces it. Reports arriving out of order therefore give the same result.
    A report that says nothing (None, e.g. a "delayed" DSN) keeps the current status.
    """
    if current is None:
        return reported or MessageStatus.SUBMITTED
    if reported is None:
        return current
    return reported if _STATUS_RANK[reported] > _STATUS_RANK[current] else current


def status_from_dsn_action(action: str) -> MessageStatus | None:
    """A DSN ``Action`` (RFC 3464 §2.3.3) as a status.

    ``delivered``, ``relayed`` (handed to a system that sends no DSN) and ``expanded`` (to a
    list) count as delivered; ``failed`` as failed; ``delayed`` (and anything unknown) says
    nothing new.
    """
    action = action.strip().lower()
    if action in ("delivered", "relayed", "expanded"):
        return MessageStatus.DELIVERED
    if action == "failed":
        return MessageStatus.FAILED
    return None
