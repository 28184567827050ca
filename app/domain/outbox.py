"""The outbox's states and which way a message may go between them.

A message written in Pli is queued (in the encrypted archive, before anything leaves), then
submitting (committed before talking to the server), submitted (the server accepted it), and
filed (a copy in Sent). A submission whose outcome is unknown (crash, lost answer) is
uncertain until the message is looked for on the server; a refusal is failed.

The values are the ones stored in the archive's ``outbox.state`` column: never rename them.
"""

from __future__ import annotations

from enum import StrEnum


class OutboxState(StrEnum):
    """Where a message written in Pli stands."""

    QUEUED = "queued"
    SUBMITTING = "submitting"
    UNCERTAIN = "uncertain"
    SUBMITTED = "submitted"
    FILED = "filed"
    FAILED = "failed"

    @property
    def pending(self) -> bool:
        """Whether a flush still has something to do (not filed, not failed)."""
        return self in PENDING_STATES

    @property
    def waiting(self) -> bool:
        """Whether it has not left yet (queued, or its submission is not confirmed)."""
        return self in WAITING_STATES


#: States a flush still moves on, in the order it treats them.
PENDING_STATES = (
    OutboxState.QUEUED,
    OutboxState.SUBMITTING,
    OutboxState.UNCERTAIN,
    OutboxState.SUBMITTED,
)

#: States of a message that has not left yet, as far as Pli knows.
WAITING_STATES = (OutboxState.QUEUED, OutboxState.SUBMITTING, OutboxState.UNCERTAIN)

#: Every transition a flush or a send may make (from → the states it may go to).
TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    OutboxState.QUEUED: frozenset({OutboxState.SUBMITTING}),
    OutboxState.SUBMITTING: frozenset(
        {
            OutboxState.SUBMITTED,
            OutboxState.UNCERTAIN,
            OutboxState.QUEUED,
            OutboxState.FAILED,
        }
    ),
    # A submission found uncertain by another flush may still end, in the flush that made it,
    # with the server's answer: accepted, refused, or not sent (connection lost before DATA).
    OutboxState.UNCERTAIN: frozenset(
        {
            OutboxState.SUBMITTED,
            OutboxState.QUEUED,
            OutboxState.UNCERTAIN,
            OutboxState.FAILED,
        }
    ),
    OutboxState.SUBMITTED: frozenset({OutboxState.FILED}),
    OutboxState.FILED: frozenset(),
    OutboxState.FAILED: frozenset(),
}


def allowed(current: OutboxState, target: OutboxState) -> bool:
    """Whether `current` → `target` is a transition of the outbox's state machine."""
    return target in TRANSITIONS[current]
