"""Error families.

`KnownError` and its subclasses are user-presentable: they carry a stable `code` and plain
parameters, never sentences. Front ends turn codes into text (English on the command line,
French in the window). Any other exception is a bug.

Parameters may hold health data (an address, a file name); `str()` of an error therefore shows
only its code and must be the only form that reaches a log line.
"""

from __future__ import annotations

from collections.abc import Mapping


class PliError(Exception):
    """Root of every exception Pli raises on purpose."""


class KnownError(PliError):
    """A failure the user can understand and act on.

    Attributes:
        code: stable identifier, e.g. ``"tls.expired"``; front ends translate it.
        params: values the message needs (host, port, limit…). May hold health data: never log.
    """

    family = "error"

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: Mapping[str, object] = params

    def __str__(self) -> str:
        return self.code


class NetworkError(KnownError):
    """The server could not be reached, or the connection dropped."""

    family = "network"


class TlsError(KnownError):
    """The secure channel was refused; `code` says why (tls.expired, tls.self_signed…)."""

    family = "tls"


class AuthError(KnownError):
    """Credentials refused, or the login session ended."""

    family = "auth"


class ServerError(KnownError):
    """The server answered but refused (quota, missing capability, NO/BAD)."""

    family = "server"


class StoreError(KnownError):
    """The local archive cannot be opened or used (wrong passphrase, newer schema…)."""

    family = "store"


class ValidationError(KnownError):
    """Input refused by a rule (address, INS, size, attachment type…)."""

    family = "validation"


class NotFoundError(KnownError):
    """A named thing (account, message, folder, patient) does not exist."""

    family = "not_found"


class DocumentError(KnownError):
    """An attachment or package is broken, hostile or of a refused type."""

    family = "document"


class DirectoryError(KnownError):
    """The health directory (import file or online API) failed."""

    family = "directory"
