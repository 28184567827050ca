"""The NSIS script compiles (makensis -WX: any warning fails), and the signing steps sign what
they must. Run by `make test-frozen`; needs makensis (Debian: `apt-get install nsis`), which
builds Windows installers on Linux too. The payload is a dummy onedir folder: what is checked
here is the script and the build steps, not the program (tests/frozen/test_frozen_bundle.py)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frozen_support import ROOT, project_version

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.skipif(
        shutil.which("makensis") is None,
        reason="makensis is not installed (Debian: apt-get install nsis)",
    ),
]

SIGNATURE = b"\n#fake-authenticode"

# Stand-ins for signtool: `sign FILE` appends a marker and logs the file; `verify FILE` exits 0
# only when the marker is there.
FAKE_SIGNTOOL = f"""
import sys
from pathlib import Path
action, log, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
data = target.read_bytes()
if action == "verify":
    sys.exit(0 if data.endswith({SIGNATURE!r}) else 1)
target.write_bytes(data + {SIGNATURE!r})
with log.open("a", encoding="utf-8") as out:
    out.write(str(target) + "\\n")
"""


def _payload(root: Path) -> Path:
    payload = root / "pli"
    files = {
        "pli.exe": b"MZ program",
        "pli-gui.exe": b"MZ window",
        "_internal/python311.dll": b"MZ python",
        "_internal/sqlcipher3/_sqlite3.cp311-win_amd64.pyd": b"MZ sqlcipher",
        "_internal/vcruntime140.dll": b"MZ vendor" + SIGNATURE,  # signed by its publisher
        "_internal/app/resources/trust/igc-sante-prod.pem": b"-----BEGIN CERTIFICATE-----",
    }
    for name, content in files.items():
        path = payload / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return payload


def _build(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--installer-only", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_installer_compiles(tmp_path: Path) -> None:
    out = tmp_path / f"pli-{project_version()}-setup.exe"
    result = _build("--payload", str(_payload(tmp_path)), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"
    assert "Nullsoft" in out.read_bytes().decode("latin-1")


def test_installer_files_are_utf8_with_bom() -> None:
    # Without the byte order mark, makensis reads the French text in the ANSI code page.
    for name in ("pli.nsi", "licence-fr.txt"):
        assert (ROOT / "installer" / name).read_bytes()[:3] == b"\xef\xbb\xbf", name
    assert b"\r\n" in (ROOT / "installer" / "licence-fr.txt").read_bytes()


def test_signing_signs_every_unsigned_binary_then_the_uninstaller_and_installer(
    tmp_path: Path,
) -> None:
    tool = tmp_path / "fake_signtool.py"
    tool.write_text(FAKE_SIGNTOOL, encoding="utf-8")
    log = tmp_path / "signed.log"
    base = f"{shlex.quote(sys.executable)} {shlex.quote(str(tool))}"
    env = {
        "PLI_SIGN_COMMAND": f"{base} sign {shlex.quote(str(log))}",
        "PLI_VERIFY_COMMAND": f"{base} verify {shlex.quote(str(log))}",
    }
    payload = _payload(tmp_path)
    out = tmp_path / "pli-setup.exe"
    result = _build("--payload", str(payload), "--out", str(out), "--sign", env=env)
    assert result.returncode == 0, result.stdout + result.stderr

    signed = log.read_text("utf-8").splitlines()
    assert signed[:4] == [
        str(payload / "_internal" / "python311.dll"),
        str(payload / "_internal" / "sqlcipher3" / "_sqlite3.cp311-win_amd64.pyd"),
        str(payload / "pli-gui.exe"),
        str(payload / "pli.exe"),
    ]
    # Then makensis: the uninstaller (a temporary file) before it is packed, and the installer.
    assert len(signed) == 6
    assert signed[5] == str(out)
    assert out.read_bytes().endswith(SIGNATURE)
    assert (payload / "_internal" / "vcruntime140.dll").read_bytes().count(SIGNATURE) == 1
    assert (
        not (payload / "_internal/app/resources/trust/igc-sante-prod.pem")
        .read_bytes()
        .endswith(SIGNATURE)
    )


def test_signing_without_the_commands_is_refused(tmp_path: Path) -> None:
    env = {"PLI_SIGN_COMMAND": "", "PLI_VERIFY_COMMAND": ""}
    out = tmp_path / "pli-setup.exe"
    result = _build("--payload", str(_payload(tmp_path)), "--out", str(out), "--sign", env=env)
    assert result.returncode == 1
    assert "--sign needs PLI_SIGN_COMMAND" in result.stderr
    assert not out.exists()


def _wine() -> str | None:
    for candidate in ("wine64", "wine", "/usr/lib/wine/wine64"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


class _Wine:
    """A throwaway Wine prefix (a Windows user profile in a folder); nothing else is touched."""

    def __init__(self, wine: str, prefix: Path) -> None:
        self.wine = wine
        self.server = str(Path(wine).with_name("wineserver"))
        self.env = {
            **os.environ,
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono or Gecko download prompts
        }
        self.env.pop("DISPLAY", None)
        self.prefix = prefix
        self.run("wineboot", "--init")

    def run(self, *args: str) -> int:
        code = subprocess.run(
            [self.wine, *args], env=self.env, capture_output=True, timeout=180, check=False
        ).returncode
        # The uninstaller re-launches itself from a temporary copy: wait for every process.
        subprocess.run([self.server, "-w"], env=self.env, timeout=180, check=False)
        return code

    def stop(self) -> None:
        subprocess.run([self.server, "-k"], env=self.env, timeout=60, check=False)

    @property
    def user(self) -> Path:
        [home] = [p for p in (self.prefix / "drive_c" / "users").iterdir() if p.name != "Public"]
        return home

    def uninstall_key(self) -> str | None:
        text = (self.prefix / "user.reg").read_text("utf-8", errors="replace")
        start = text.find(
            "[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\Pli]"
        )
        if start < 0:
            return None
        end = text.find("\n\n", start)
        return text[start : end if end > 0 else None]


@pytest.mark.skipif(
    _wine() is None,
    reason="Wine is not installed (Debian: apt-get install --no-install-recommends wine64)",
)
def test_per_user_install_update_and_uninstall_keeping_then_deleting_data(tmp_path: Path) -> None:
    setup = tmp_path / "pli-setup.exe"
    payload = _payload(tmp_path)
    result = _build("--payload", str(payload), "--out", str(setup), "--nsis-target=amd64-unicode")
    assert result.returncode == 0, result.stdout + result.stderr
    wine = _Wine(str(_wine()), tmp_path / "prefix")
    try:
        local = wine.user / "AppData" / "Local"
        program = local / "Programs" / "Pli"
        shortcut = wine.user / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Pli.lnk"
        data = local / "Pli" / "Pli"

        desktop = wine.user / "Desktop" / "Pli.lnk"
        assert wine.run(str(setup), "/S") == 0  # silent, no administrator rights asked
        assert (program / "pli.exe").read_bytes() == b"MZ program"
        assert (program / "pli-gui.exe").read_bytes() == b"MZ window"
        assert (program / "_internal/app/resources/trust/igc-sante-prod.pem").is_file()
        assert (program / "uninstall.exe").is_file()
        assert shortcut.is_file()
        # the Start menu opens the window (no console), not the command line
        target = shortcut.read_bytes()
        assert b"pli-gui.exe" in target or "pli-gui.exe".encode("utf-16-le") in target
        assert not desktop.exists()  # the desktop shortcut is optional, unticked
        key = wine.uninstall_key()
        assert key is not None
        assert f'"DisplayVersion"="{project_version()}"' in key
        assert '"QuietUninstallString"=' in key and 'uninstall.exe\\" /S' in key

        # What Pli and the user leave: the archive, a stale module of an older version, a file
        # of the user's own in the program folder.
        data.mkdir(parents=True)
        (data / "archive.db").write_bytes(b"encrypted health data")
        (program / "_internal" / "old_module.pyd").write_bytes(b"MZ old")
        (program / "mes notes.txt").write_text("à garder", "utf-8")

        assert wine.run(str(setup), "/S", "/DESKTOP") == 0  # an update, with the desktop icon
        assert desktop.is_file()
        assert not (program / "_internal" / "old_module.pyd").exists()
        assert (data / "archive.db").read_bytes() == b"encrypted health data"

        assert wine.run(str(program / "uninstall.exe"), "/S") == 0
        assert not (program / "pli.exe").exists()
        assert not (program / "_internal").exists()
        assert not (program / "uninstall.exe").exists()
        assert not shortcut.exists()
        assert not desktop.exists()
        assert not (program / "pli-gui.exe").exists()
        assert wine.uninstall_key() is None
        assert (program / "mes notes.txt").read_text("utf-8") == "à garder"
        assert (data / "archive.db").read_bytes() == b"encrypted health data"  # kept

        (program / "mes notes.txt").unlink()
        assert wine.run(str(setup), "/S") == 0
        assert wine.run(str(program / "uninstall.exe"), "/S", "/DELETEDATA") == 0
        assert not (local / "Pli").exists()
        assert not program.exists()
    finally:
        wine.stop()
