"""Build the Linux `.deb` from the PyInstaller bundle (dist/pli/) with dpkg-deb.

    python packaging/linux/build_deb.py [--bundle dist/pli] [--out dist]

Layout of the package:

    /opt/pli/                                  the onedir bundle (pli, pli-gui, _internal/)
    /usr/bin/pli                               -> /opt/pli/pli (the command line; the window
                                               without arguments)
    /usr/share/applications/pli.desktop        the menu entry (Exec=/opt/pli/pli-gui)
    /usr/share/icons/hicolor/scalable/apps/pli.svg
    /usr/share/doc/pli/copyright               and the dependencies' licence texts (bundle)

The user's data stays in ~/.local/share/Pli (platformdirs): `dpkg -r` never touches it, and
neither does `dpkg --purge` (a package must not delete users' files).

Uses the standard library only, plus `dpkg-deb` (Debian package `dpkg`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

#: What the bundled Qt needs from the system (notes/UI.md, measured on a minimal Debian 12):
#: offscreen and xcb platforms, fonts, D-Bus for the tray and notifications.
DEPENDS = (
    "libc6 (>= 2.34)",
    "libegl1",
    "libgl1",
    "libx11-6",
    "libdbus-1-3",
    "libfontconfig1",
    "libfreetype6",
    "libglib2.0-0 | libglib2.0-0t64",
    "libxkbcommon0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "fonts-dejavu-core",
)


def project() -> tuple[str, str, str]:
    """Name, version and description from pyproject.toml."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return data["name"], data["version"], data.get("description", "Pli")


def deb_architecture() -> str:
    """The package architecture of this machine (the bundle is built for it)."""
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _tree_kib(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) // 1024 + 1


def build_deb(bundle: Path, out: Path) -> Path:
    """Stage the package tree and run ``dpkg-deb --build``; returns the .deb."""
    name, version, description = project()
    if not (bundle / name).is_file() or not (bundle / f"{name}-gui").is_file():
        raise SystemExit(f"{bundle} is not a built bundle (run `make package` first)")
    arch = deb_architecture()
    with tempfile.TemporaryDirectory(prefix="pli-deb-") as temp:
        stage = Path(temp) / "root"
        opt = stage / "opt" / name
        shutil.copytree(bundle, opt, symlinks=True)
        usr_bin = stage / "usr" / "bin"
        usr_bin.mkdir(parents=True)
        (usr_bin / name).symlink_to(f"/opt/{name}/{name}")
        apps = stage / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        shutil.copy2(HERE / "pli.desktop", apps / "pli.desktop")
        icons = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copy2(ROOT / "resources" / "icons" / "pli.svg", icons / "pli.svg")
        doc = stage / "usr" / "share" / "doc" / name
        doc.mkdir(parents=True)
        (doc / "copyright").write_text(
            "Pli, secure health messaging (MSSanté).\n"
            f"The licence texts of the bundled components are in /opt/{name}/_internal/"
            "licences/.\n",
            encoding="utf-8",
        )
        for path in stage.rglob("*"):
            if path.is_symlink():
                continue
            if (
                path.is_dir()
                or os.access(path, os.X_OK)
                or path.suffix in (".so",)
                or ".so." in path.name
            ):
                path.chmod(0o755)
            else:
                path.chmod(0o644)
        control = stage / "DEBIAN"
        control.mkdir()
        (control / "control").write_text(
            "\n".join(
                [
                    f"Package: {name}",
                    f"Version: {version}",
                    "Section: mail",
                    "Priority: optional",
                    f"Architecture: {arch}",
                    "Maintainer: Pli <pli@example.invalid>",
                    f"Installed-Size: {_tree_kib(stage)}",
                    f"Depends: {', '.join(DEPENDS)}",
                    "Homepage: https://example.invalid/pli",
                    f"Description: {description}",
                    " Desktop client for MSSanté, the French secure health messaging space:",
                    " encrypted archive, Pro Santé Connect login, documents for patients.",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        (control / "postinst").write_text(
            "#!/bin/sh\nset -e\n"
            "if command -v update-desktop-database >/dev/null 2>&1; then\n"
            "  update-desktop-database -q /usr/share/applications || true\nfi\n",
            encoding="utf-8",
        )
        (control / "postinst").chmod(0o755)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}_{version}_{arch}.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(target)],
            check=True,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "pli")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("dpkg-deb is missing (Debian package dpkg)", file=sys.stderr)
        return 2
    deb = build_deb(args.bundle, args.out)
    print(f"built {deb} ({deb.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
