"""The window in the built bundle: `pli --self-test`, the windowed `pli-gui` started offscreen
on a new profile and closed by SIGTERM, only the Qt parts Pli uses, and the Linux `.deb`
round trip (build, dpkg -i, start the installed window, dpkg -r: the user's data stays)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from frozen_support import ROOT, Runner

pytestmark = pytest.mark.frozen

GUI_NAME = "pli-gui.exe" if sys.platform == "win32" else "pli-gui"


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"


def test_self_test_passes_in_the_bundle(pli: Runner) -> None:
    done = pli("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("encrypted archive", "trust store", "window (Qt)", "PDF viewer", "French"):
        assert any(line.startswith("ok") and name in line for line in done.stdout.splitlines())


def test_only_the_qt_the_window_uses_is_shipped(bundle: Path) -> None:
    internal = _internal(bundle)
    names = {p.name for p in internal.rglob("*") if p.is_file()}
    assert not any("qgtk3" in n for n in names), "libqgtk3 pulls the host's GTK: excluded"
    assert not any(n.startswith("libQt6Qml") or n.startswith("libQt6Quick") for n in names)
    assert not any(n.startswith("libQt6Multimedia") or n.startswith("libQt6Sql") for n in names)
    translations = [p for p in internal.rglob("*.qm") if "PySide6" in p.as_posix()]
    assert translations, "Qt's own French (standard buttons) must ship"
    assert all(p.name.endswith("_fr.qm") for p in translations), [p.name for p in translations]
    ours = {p.name for p in (internal / "app" / "resources" / "i18n").glob("*.qm")}
    assert {"frame_fr.qm", "setup_fr.qm", "mail_fr.qm"} <= ours
    assert (internal / "app" / "resources" / "operators" / "mailiz.json").is_file()
    assert (bundle / GUI_NAME).is_file()


def _start_window(executable: Path, profile: Path, home: Path, platform: str) -> tuple:
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": str(home),
        "PLI_TESTING": "1",
        "PLI_PASSPHRASE": "phrase secrète du test gelé",
        "QT_QPA_PLATFORM": platform,
    }
    if "DISPLAY" in os.environ and platform == "xcb":
        env["DISPLAY"] = os.environ["DISPLAY"]
    started = time.monotonic()
    process = subprocess.Popen(
        [str(executable), "--profile", str(profile)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The welcome page shows once the archive is open: the profile's archive exists then.
    deadline = started + 60
    while not (profile / "archive.db").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _out, err = process.communicate(timeout=10)
            pytest.fail(f"the window did not open its archive: {process.returncode}\n{err}")
        time.sleep(0.05)
    return process, time.monotonic() - started


def _close(process: subprocess.Popen[str]) -> None:
    time.sleep(1.0)  # let the first screen settle
    process.send_signal(signal.SIGTERM)  # closes the window gracefully (application.py)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM close: Linux")
def test_the_windowed_executable_opens_offscreen_and_closes_cleanly(
    bundle: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    profile = tmp_path / "profil Hélène"
    process, seconds = _start_window(bundle / GUI_NAME, profile, home, "offscreen")
    _close(process)
    assert (profile / "window.ini").is_file()  # the window state was saved on close
    print(f"frozen window: archive open {seconds:.2f} s after launch")


def _deb_tools() -> bool:
    return (
        sys.platform.startswith("linux")
        and shutil.which("dpkg-deb") is not None
        and shutil.which("dpkg") is not None
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
    )


@pytest.mark.timeout(900)  # packing 200 MB on a loaded machine
@pytest.mark.skipif(not _deb_tools(), reason="needs dpkg, dpkg-deb and root")
def test_deb_round_trip(bundle: Path, tmp_path: Path) -> None:
    already = subprocess.run(["dpkg", "-s", "pli"], capture_output=True, check=False)
    if already.returncode == 0:
        pytest.skip("a pli package is already installed on this machine")
    built = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "linux" / "build_deb.py"),
            "--bundle",
            str(bundle),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [deb] = tmp_path.glob("pli_*.deb")
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: pli" in fields and "libxcb-cursor0" in fields
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./usr/bin/pli -> /opt/pli/pli",
        "./usr/share/applications/pli.desktop",
        "./usr/share/icons/hicolor/scalable/apps/pli.svg",
        "./opt/pli/pli-gui",
    ):
        assert path in contents, path
    installed = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    try:
        assert installed.returncode == 0, installed.stderr
        desktop = Path("/usr/share/applications/pli.desktop").read_text("utf-8")
        assert "Exec=/opt/pli/pli-gui" in desktop and "Icon=pli" in desktop
        if shutil.which("desktop-file-validate"):
            check = subprocess.run(
                ["desktop-file-validate", "/usr/share/applications/pli.desktop"],
                capture_output=True,
                text=True,
            )
            assert check.returncode == 0, check.stdout + check.stderr
        version = subprocess.run(["/usr/bin/pli", "--version"], capture_output=True, text=True)
        assert version.returncode == 0 and version.stdout.startswith("pli ")
        home = tmp_path / "home"
        home.mkdir()
        profile = home / "profil"
        xvfb = shutil.which("xvfb-run")
        if xvfb:
            # the real X11 platform under Xvfb: the xcb plugin and its libraries work
            started = time.monotonic()
            process = subprocess.Popen(
                [xvfb, "-a", "/opt/pli/pli-gui", "--profile", str(profile)],
                env={
                    "HOME": str(home),
                    "PATH": "/usr/bin:/bin",
                    "LC_ALL": "C.UTF-8",
                    "PLI_TESTING": "1",
                    "PLI_PASSPHRASE": "phrase secrète du paquet",
                    "QT_QPA_PLATFORM": "xcb",
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            while not (profile / "archive.db").exists():
                if process.poll() is not None or time.monotonic() - started > 60:
                    _out, err = process.communicate(timeout=10)
                    pytest.fail(f"the installed window did not start under Xvfb:\n{err}")
                time.sleep(0.05)
            time.sleep(1.0)
            os.killpg(process.pid, signal.SIGTERM)
            process.communicate(timeout=30)
        else:
            process, _ = _start_window(Path("/opt/pli/pli-gui"), profile, home, "offscreen")
            _close(process)
        assert (profile / "archive.db").is_file()
    finally:
        removed = subprocess.run(["dpkg", "-r", "pli"], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/pli").exists() and not Path("/usr/bin/pli").exists()
    assert (profile / "archive.db").is_file()  # the user's archive stays
