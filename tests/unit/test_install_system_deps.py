"""tools/install-system-deps never removes another IMAP server silently (issue 14 #9).

Run against a fake system: a PATH holding only the tools the script uses, `dpkg-query`
answering that cyrus-imapd is installed, Dovecot absent, `apt-get` recording any call.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "install-system-deps"

_DPKG_QUERY = """#!/bin/bash
# Every package is installed; the listing of all packages shows cyrus-imapd.
for arg in "$@"; do
  case "$arg" in
    *'${Package}'*)
      printf 'cyrus-imapd install ok installed imap-server\\n'
      printf 'bash install ok installed \\n'
      exit 0;;
  esac
done
printf 'install ok installed'
"""


def _fake_system(tmp_path: Path, uid: int) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "awk", "tr", "grep", "cat", "rm", "chmod", "printf"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    calls = tmp_path / "apt-calls"
    (bin_dir / "dpkg-query").write_text(_DPKG_QUERY)
    (bin_dir / "apt-get").write_text(f'#!/bin/bash\necho "$@" >> {calls}\n')
    (bin_dir / "id").write_text(f"#!/bin/bash\necho {uid}\n")
    for name in ("dpkg-query", "apt-get", "id"):
        (bin_dir / name).chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    return env, calls


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_another_imap_server_is_not_replaced(tmp_path: Path) -> None:
    env, calls = _fake_system(tmp_path, uid=0)
    done = _run(env)
    assert done.returncode == 1
    assert "cyrus-imapd" in done.stderr and "Nothing was changed" in done.stderr
    assert not calls.exists()  # apt-get never ran


def test_on_ci_the_check_gives_way(tmp_path: Path) -> None:
    # A non-root user on CI: past the check, the script asks for the packages to install.
    env, calls = _fake_system(tmp_path, uid=1000)
    done = _run(env | {"CI": "true"})
    assert done.returncode == 1
    assert "cyrus-imapd" not in done.stderr
    assert "Missing Debian packages" in done.stderr and "dovecot-imapd" in done.stderr
    assert not calls.exists()
