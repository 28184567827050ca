"""Fixtures for the tests of the built artefacts (`make test-frozen`).

The bundle is `dist/pli` (packaging/build.py), or the onedir folder named by PLI_FROZEN_BUNDLE
(for instance an installed copy on Windows). Each session runs a copy of it in a folder whose
path holds a space and accented letters, as a Windows user's profile path often does: the
bundle must not depend on where it was built (the build venv is gone, the checkout is not
importable from it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from frozen_support import EXE_NAME, Runner, built_bundle


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = built_bundle()
    if not (source / EXE_NAME).is_file():
        pytest.skip(
            f"the bundle is not built ({source / EXE_NAME} is missing): `make test-frozen` "
            "builds it, or `make package` then `.venv/bin/pytest -m frozen tests/frozen`"
        )
    target = tmp_path_factory.mktemp("install") / "Programmes Hélène" / "Pli"
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def build_info(bundle: Path) -> dict[str, Any]:
    path = built_bundle().parent / "pli-build.json"
    if not path.is_file():
        pytest.skip(f"{path} is missing: the bundle was not made by packaging/build.py")
    info: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return info


def _clean_env(home: Path) -> dict[str, str]:
    """Only what a user's session has: no PYTHONPATH, no venv, and never the real home."""
    env = {"HOME": str(home), "PLI_TESTING": "1"}
    if sys.platform == "win32":
        for name in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "TEMP", "TMP"):
            if name in os.environ:
                env[name] = os.environ[name]
        env["LOCALAPPDATA"] = env["APPDATA"] = str(home)
    else:
        env["PATH"] = "/usr/bin:/bin"
        env["LC_ALL"] = "C.UTF-8"
        env["TMPDIR"] = str(home)
    return env


@pytest.fixture
def pli(bundle: Path, tmp_path: Path) -> Runner:
    """Run the frozen `pli` with arguments, in a clean environment; returns the process."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> Any:
        return subprocess.run(
            [str(bundle / EXE_NAME), *args],
            cwd=tmp_path,
            env={**_clean_env(home), **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    return run
