"""Files shipped with Pli (`resources/` in the repository, `app.resources` once installed)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """A shipped file, as a real path (the TLS layer needs files).

    Works in a checkout (editable install), from a wheel, and in the PyInstaller bundle.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root, "app", "resources", *parts)
    base = resources.files("app.resources")
    return Path(str(base.joinpath(*parts)))


def igc_sante_bundle(*, test_pki: bool = False) -> Path:
    """The IGC-Santé CA certificates that MSSanté servers chain to (spec §2, ECO.1.1.5)."""
    return resource_path("trust", "igc-sante-test.pem" if test_pki else "igc-sante-prod.pem")
