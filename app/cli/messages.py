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
}


def describe(error: KnownError) -> str:
    """One line of English for a known error."""
    template = MESSAGES.get(error.code)
    if template is None:
        return error.code
    fields = {name for _, name, _, _ in Formatter().parse(template) if name}
    values = {name: error.params.get(name, "?") for name in fields}
    return template.format(**values)
