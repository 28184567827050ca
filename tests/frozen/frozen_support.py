"""Shared by the tests of the built artefacts (a module, not conftest: tests import it)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_ENV = "PLI_FROZEN_BUNDLE"
EXE_NAME = "pli.exe" if sys.platform == "win32" else "pli"

Runner = Callable[..., subprocess.CompletedProcess[str]]


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def built_bundle() -> Path:
    return Path(os.environ.get(BUNDLE_ENV) or ROOT / "dist" / "pli")
