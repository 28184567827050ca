"""Exit codes of `pli` (documented in the README; stable for scripts)."""

from __future__ import annotations

from enum import IntEnum

from app.domain import errors


class ExitCode(IntEnum):
    """What a `pli` command's exit status means."""

    OK = 0
    INTERNAL = 1  # a bug: please report it
    USAGE = 2  # bad arguments (argparse)
    VALIDATION = 3  # refused by a rule (address, INS, size, attachment type…)
    NOT_FOUND = 4  # no such account, message, patient, template…
    AUTH = 5  # credentials refused, login session ended
    NETWORK = 6  # server unreachable, connection lost, timeout
    TLS = 7  # secure channel refused (certificate, protocol, cipher, revocation)
    SERVER = 8  # the server refused (quota, NO/BAD, missing capability)
    STORE = 9  # archive locked (passphrase), newer schema, damaged
    DOCUMENT = 10  # broken or hostile attachment / package
    DIRECTORY = 11  # directory import or online API failed
    BUSY = 12  # Pli is open on this profile: the command could not be passed to it, or waited
    QUEUED = 75  # accepted but not sent yet: the server is unreachable (EX_TEMPFAIL)


_BY_TYPE: tuple[tuple[type[errors.KnownError], ExitCode], ...] = (
    (errors.ValidationError, ExitCode.VALIDATION),
    (errors.NotFoundError, ExitCode.NOT_FOUND),
    (errors.AuthError, ExitCode.AUTH),
    (errors.NetworkError, ExitCode.NETWORK),
    (errors.TlsError, ExitCode.TLS),
    (errors.ServerError, ExitCode.SERVER),
    (errors.StoreError, ExitCode.STORE),
    (errors.DocumentError, ExitCode.DOCUMENT),
    (errors.DirectoryError, ExitCode.DIRECTORY),
)


#: Codes whose exit status is not their family's.
_BY_CODE_PREFIX: tuple[tuple[str, ExitCode], ...] = (("profile.", ExitCode.BUSY),)


def exit_code_for(error: errors.KnownError) -> ExitCode:
    """The exit code of a user-presentable error."""
    for prefix, code in _BY_CODE_PREFIX:
        if error.code.startswith(prefix):
            return code
    for kind, code in _BY_TYPE:
        if isinstance(error, kind):
            return code
    return ExitCode.INTERNAL
