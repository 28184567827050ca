"""How commands print: human text or stable JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO


class Output:
    """Prints a command's result.

    With ``--json`` only the JSON document reaches stdout (one document per command, UTF-8,
    keys documented in the README); progress and warnings always go to stderr.
    """

    def __init__(
        self, *, as_json: bool, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.as_json = as_json
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr

    def result(self, data: Any, lines: Iterable[str] = ()) -> None:
        """Print the command's result: `data` as JSON with ``--json``, else the text `lines`."""
        if self.as_json:
            json.dump(data, self._stdout, ensure_ascii=False, sort_keys=False, default=str)
            self._stdout.write("\n")
        else:
            for line in lines:
                self._stdout.write(f"{line}\n")
        self._stdout.flush()

    def text(self, line: str) -> None:
        """A line of human output (silent with ``--json``)."""
        if not self.as_json:
            self._stdout.write(f"{line}\n")
            self._stdout.flush()

    def progress(self, line: str) -> None:
        """A progress or status line, on stderr so it never mixes with results."""
        self._stderr.write(f"{line}\n")
        self._stderr.flush()

    def warn(self, line: str) -> None:
        """A warning, on stderr."""
        self._stderr.write(f"pli: warning: {line}\n")
        self._stderr.flush()

    def error(self, line: str) -> None:
        """The one-line error of a failed command, on stderr."""
        self._stderr.write(f"pli: error: {line}\n")
        self._stderr.flush()


def iso_time(epoch: int | None) -> str | None:
    """Epoch seconds as local ISO 8601 time (None stays None)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def table(rows: list[list[str]], headers: list[str]) -> list[str]:
    """Format rows as aligned text columns."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    out = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    out.extend("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in rows)
    return out


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` switch every listing command accepts."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document (stable keys) on stdout"
    )
