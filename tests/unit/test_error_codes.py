"""Every error code the application raises has an English text for the command line."""

from __future__ import annotations

import ast
from pathlib import Path

from app.cli.messages import MESSAGES, describe
from app.domain.errors import AuthError, KnownError

APP = Path(__file__).resolve().parents[2] / "app"


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else getattr(node.func, "attr", "")
                )
                if name.endswith("Error"):
                    codes.update(s for s in _strings(node.args[0]) if "." in s and " " not in s)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(t.endswith("_CODES") for t in targets):
                    for value in node.value.values:
                        codes.update(_strings(value))
    return codes


def test_every_raised_code_has_an_english_text() -> None:
    codes = raised_codes()
    assert len(codes) > 100  # the scan really found the codes
    missing = sorted(code for code in codes if code not in MESSAGES)
    assert missing == []


def test_describe_fills_parameters_and_never_crashes_on_missing_ones() -> None:
    assert describe(AuthError("auth.server_not_confirmed", host="imap.example.org")).startswith(
        "no access token is sent to imap.example.org"
    )
    assert "?" in describe(AuthError("auth.server_not_confirmed"))
    assert describe(KnownError("some.unknown_code")) == "some.unknown_code"
