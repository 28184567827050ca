"""The one thing pyproject.toml cannot say: ship the top-level ``resources/`` as ``app.resources``.

``resources/`` stays at the top of the repository (house layout, STYLE.md §1), but an installed
Pli (a wheel, the PyInstaller bundle built from that wheel) must carry the trust anchors and
templates. ``package_dir`` maps the folder to the ``app.resources`` package, so the wheel holds
``app/resources/{trust,templates,i18n}``, an editable install serves the folder itself, and
``app.config.resources`` finds it as ``app.resources`` either way. pyproject's
``packages.find`` cannot add a package that lives outside its parent's folder, hence this file;
everything else (metadata, package data) stays in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*"]), "app.resources"],
    package_dir={"app.resources": "resources"},
)
