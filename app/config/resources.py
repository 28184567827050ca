"""Files shipped with Pli (`resources/` at the top of the repository).

Found in the PyInstaller bundle (``app/resources`` inside it, see packaging/app.spec), in an
installed wheel (``app.resources``), or beside the ``app`` package in a checkout.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path


def resources_root() -> Path:
    """The folder holding the shipped resources."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root, "app", "resources")
    try:
        return Path(str(resources.files("app.resources")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """A shipped file, as a real path (the TLS layer needs files)."""
    return resources_root().joinpath(*parts)


def igc_sante_bundle(*, test_pki: bool = False) -> Path:
    """The IGC-Santé CA certificates that MSSanté servers chain to (spec §2, ECO.1.1.5)."""
    return resource_path("trust", "igc-sante-test.pem" if test_pki else "igc-sante-prod.pem")
