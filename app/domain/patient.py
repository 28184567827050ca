"""A patient's identity fields, checked where they are typed in."""

from __future__ import annotations

from datetime import date

from app.domain.errors import ValidationError

#: No living patient was born before this.
EARLIEST_BIRTH = date(1890, 1, 1)


def birth_date(text: str | None, *, today: date | None = None) -> str | None:
    """A date of birth as typed (``AAAA-MM-JJ``), checked; None for empty input.

    Raises:
        ValidationError: ``patient.bad_birth_date`` when not a real date, in the future or
            implausibly old.
    """
    if text is None or not text.strip():
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("patient.bad_birth_date", value=text) from None
    if not EARLIEST_BIRTH <= value <= (today or date.today()):
        raise ValidationError("patient.bad_birth_date", value=text)
    return value.isoformat()
