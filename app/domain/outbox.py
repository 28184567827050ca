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


# -- recipients refused for now ----------------------------------------------------------------
#
# A server may accept a message for some recipients and refuse others only "for now" (a 4xx at
# RCPT, RFC 5321 §4.2.5: Postfix's "451 4.3.0 Temporary lookup failure" while its directory is
# down, greylisting). The message left for the others (the entry goes on to filed, its copy in
# Sent made once); those recipients wait in the entry's ``refused`` records (``pending``) and
# are tried again later, alone, with the same Message-ID (RFC 5321 §4.5.4.1: retry with
# backoff, give up after a while), as an MTA's queue would.

#: Delay before the first new try of a recipient refused for now (seconds); doubled each time.
RETRY_FIRST_DELAY_SECONDS = 300

#: Longest delay between two tries of a recipient refused for now (seconds).
RETRY_MAX_DELAY_SECONDS = 4 * 3600

#: How long a recipient refused for now is tried again before it fails for good (seconds).
RETRY_LIFETIME_SECONDS = 24 * 3600

#: How many answers "not now" a recipient may get before it fails for good.
RETRY_MAX_ATTEMPTS = 12


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th answer "not now" before trying again."""
    exponent = max(0, min(attempts - 1, 16))
    return int(min(RETRY_FIRST_DELAY_SECONDS * 2**exponent, RETRY_MAX_DELAY_SECONDS))


def retry_exhausted(since: int, attempts: int, now: int) -> bool:
    """Whether a recipient refused for now since `since`, `attempts` times, is given up."""
    return attempts >= RETRY_MAX_ATTEMPTS or now - since >= RETRY_LIFETIME_SECONDS
