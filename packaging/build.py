"""Build Pli's frozen bundle and, on request, its Windows installer.

    .venv/bin/python packaging/build.py              # dist/pli/ (onedir), dist/pli-build.json
    python packaging/build.py --installer [--sign]    # then dist/pli-VERSION-setup.exe (makensis)
    python packaging/build.py --installer-only --payload DIR [--out FILE] [--sign]

The bundle (STYLE.md §8, Parsec's freeze_program.py):

1. a clean temporary venv gets the pinned build tools (packaging/requirements-build.txt);
2. `python -m build` makes the sdist, then the wheel from the sdist (so the wheel holds exactly
   what a release holds: no stale files from the work tree);
3. the wheel is installed in that venv with ``-c requirements/constraints.txt``; anything
   installed that neither file pins stops the build (deterministic builds, Electrum);
4. PyInstaller runs packaging/app.spec there (onedir) into dist/pli/;
5. dist/pli-build.json records what was built: version, commit, tools, size, and the list of
   Python modules frozen into the executable (tests/frozen reads it).

The installer step signs (``--sign``, Windows: see installer/README.md) every executable, DLL
and extension module that is not already validly signed, verifies them all, runs makensis on
installer/pli.nsi (which signs the installer and its uninstaller through ``!finalize`` and
``!uninstfinalize``), then verifies the installer. The commands come from the environment:
``PLI_SIGN_COMMAND`` (the file to sign is appended) and ``PLI_VERIFY_COMMAND`` (idem; exit 0 =
valid), so no certificate detail lives in the repository.

Uses the standard library only: it runs with any Python 3.11+ (the dev venv's, or CI's).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "app.spec"
BUILD_REQUIREMENTS = ROOT / "packaging" / "requirements-build.txt"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
NSIS_SCRIPT = ROOT / "installer" / "pli.nsi"
WINDOWS = sys.platform == "win32"

#: Installed in every venv by `python -m venv` itself, hence not pinned by us.
_VENV_BASE = {"pip"}
#: Windows PE files that Authenticode can sign.
_SIGNABLE = {".exe", ".dll", ".pyd"}

SIGN_ENV = "PLI_SIGN_COMMAND"
VERIFY_ENV = "PLI_VERIFY_COMMAND"


class BuildError(Exception):
    """A step failed; the message says which and why."""


def project() -> tuple[str, str]:
    """The project's name and version, from pyproject.toml."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(data["name"]), str(data["version"])


def numeric_version(version: str) -> str:
    """``X.Y.Z.W`` for Windows version resources (``0.1.0rc1`` -> ``0.1.0.0``)."""
    numbers: list[str] = []
    for part in version.split(".")[:4]:
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        numbers.append(digits or "0")
        if digits != part:
            break
    return ".".join([*numbers, "0", "0", "0", "0"][:4])


def _run(
    command: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> None:
    printable = " ".join(shlex.quote(str(part)) for part in command)
    print(f"+ {printable}", flush=True)
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        raise BuildError(f"exit status {result.returncode}: {printable}")


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _pinned_names(files: Iterable[Path]) -> set[str]:
    names: set[str] = set()
    for path in files:
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if "==" in line:
                names.add(_normalise(line.split("==", 1)[0].strip()))
    return names


def check_all_pinned(python: Path, pin_files: Sequence[Path]) -> None:
    """Fail when the build venv holds a distribution that no pin file names."""
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {_normalise(item["name"]): item["version"] for item in json.loads(listing)}
    pinned = _pinned_names(pin_files) | _VENV_BASE | {_normalise(project()[0])}
    loose = sorted(f"{name}=={ver}" for name, ver in installed.items() if name not in pinned)
    if loose:
        raise BuildError(
            "not pinned (add them to requirements/constraints.txt, with a platform marker if "
            f"they are platform-specific): {', '.join(loose)}"
        )


def _tree_size(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def _frozen_modules(python: Path, executable: Path) -> list[str]:
    """Names of the Python modules in the executable's PYZ archive (PyInstaller's own reader)."""
    lister = (
        "import json, sys\n"
        "from PyInstaller.archive.readers import CArchiveReader\n"
        "package = CArchiveReader(sys.argv[1])\n"
        "pyz = next(name for name in package.toc if name.endswith('.pyz'))\n"
        "print(json.dumps(sorted(package.open_embedded_archive(pyz).toc)))\n"
    )
    result = subprocess.run(
        [str(python), "-c", lister, str(executable)], check=True, capture_output=True, text=True
    )
    return list(json.loads(result.stdout))


def build_bundle(dist: Path, *, keep_temp: bool) -> Path:
    """Wheel -> clean venv -> PyInstaller; returns the onedir folder (``dist/pli``)."""
    name, version = project()
    started = time.monotonic()
    temp = Path(tempfile.mkdtemp(prefix="pli-build-"))
    try:
        venv = temp / "venv"
        _run([sys.executable, "-m", "venv", venv])
        python = _venv_python(venv)
        pip: list[str | Path] = [python, "-m", "pip", "--disable-pip-version-check"]
        _run([*pip, "install", "-q", "-r", BUILD_REQUIREMENTS])

        wheels = temp / "wheels"
        _run([python, "-m", "build", "--no-isolation", "--outdir", wheels, ROOT], cwd=temp)
        [wheel] = wheels.glob(f"{name}-{version}-*.whl")
        _run([*pip, "install", "-q", "-c", CONSTRAINTS, "-c", BUILD_REQUIREMENTS, wheel])
        check_all_pinned(python, [CONSTRAINTS, BUILD_REQUIREMENTS])

        # cwd is the temporary folder: the checkout must not be importable while freezing.
        env = {**os.environ, "PLI_FREEZE_FROM_WHEEL": "1"}
        env.pop("PYTHONPATH", None)
        _run(
            [
                python,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--log-level",
                "WARN",
                "--distpath",
                dist,
                "--workpath",
                temp / "work",
                SPEC,
            ],
            cwd=temp,
            env=env,
        )
        bundle = dist / name
        executable = bundle / (f"{name}.exe" if WINDOWS else name)
        for built in wheels.iterdir():
            shutil.copy2(built, dist / built.name)

        tools = subprocess.run(
            [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        size, count = _tree_size(bundle)
        modules = _frozen_modules(python, executable)
        seconds = round(time.monotonic() - started, 1)
        info = {
            "name": name,
            "version": version,
            "commit": _git("rev-parse", "HEAD"),
            "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
            "platform": f"{sys.platform}-{platform.machine().lower()}",
            "python": platform.python_version(),
            "packages": {item["name"]: item["version"] for item in json.loads(tools)},
            "executable": executable.relative_to(dist).as_posix(),
            "size_bytes": size,
            "files": count,
            "build_seconds": seconds,
            "modules": modules,
        }
        (dist / f"{name}-build.json").write_text(json.dumps(info, indent=2) + "\n", "utf-8")
        print(
            f"built {bundle} in {seconds} s: {count} files, "
            f"{size / 2**20:.1f} MiB, {len(modules)} frozen modules",
            flush=True,
        )
        return bundle
    finally:
        if keep_temp:
            print(f"kept {temp}", flush=True)
        else:
            shutil.rmtree(temp, ignore_errors=True)


def _command_from_env(variable: str) -> str:
    value = os.environ.get(variable, "").strip()
    if not value:
        raise BuildError(f"--sign needs {variable} (see installer/README.md)")
    return value


def _on_file(command: str, path: Path) -> str | list[str]:
    # Windows: the command line as written (signtool's own quoting); elsewhere: shell words.
    if WINDOWS:
        return f'{command} "{path}"'
    return [*shlex.split(command), str(path)]


def _verifies(verify: str, path: Path) -> bool:
    result = subprocess.run(_on_file(verify, path), check=False, capture_output=True)
    return result.returncode == 0


def sign_payload(payload: Path, sign: str, verify: str) -> list[Path]:
    """Sign every PE file of `payload` not already validly signed; then verify them all.

    Files signed by their own publisher (python311.dll, vcruntime140.dll) keep their
    signature. Returns the files this call signed.
    """
    files = sorted(p for p in payload.rglob("*") if p.is_file() and p.suffix.lower() in _SIGNABLE)
    unsigned = [path for path in files if not _verifies(verify, path)]
    for path in unsigned:
        print(f"+ sign {path}", flush=True)
        if subprocess.run(_on_file(sign, path), check=False).returncode != 0:
            raise BuildError(f"signing failed: {path}")
    failed = [path for path in files if not _verifies(verify, path)]
    if failed:
        raise BuildError(f"signature not valid after signing: {', '.join(map(str, failed))}")
    print(f"signatures: {len(unsigned)} signed, {len(files)} verified", flush=True)
    return unsigned


def build_installer(payload: Path, out: Path, *, sign: bool, target: str | None = None) -> Path:
    """Run makensis on installer/pli.nsi with `payload` (an onedir folder) inside.

    `target` is an NSIS stub target (``amd64-unicode`` for the tests under Wine); the default
    is NSIS's own, x86-unicode, the one official NSIS builds ship.
    """
    makensis = shutil.which("makensis")
    if makensis is None:
        raise BuildError("makensis not found (Debian: apt-get install nsis; Windows: NSIS 3)")
    _, version = project()
    defines = [
        f"-DVERSION={version}",
        f"-DVERSION_NUMERIC={numeric_version(version)}",
        f"-DSOURCE_DIR={payload.resolve()}",
        f"-DOUTFILE={out.resolve()}",
    ]
    if target:
        defines.append(f"-DTARGET={target}")
    verify = ""
    if sign:
        signer, verify = _command_from_env(SIGN_ENV), _command_from_env(VERIFY_ENV)
        sign_payload(payload, signer, verify)
        # makensis runs it on the uninstaller and the installer, replacing %1 with the file.
        defines.append(f'-DSIGN_COMMAND={signer} "%1"')
    out.parent.mkdir(parents=True, exist_ok=True)
    # -WX: a warning is an error (an unused string or a missing file is a defect here).
    _run([makensis, "-V2", "-WX", *defines, NSIS_SCRIPT], cwd=NSIS_SCRIPT.parent)
    if sign and not _verifies(verify, out):
        raise BuildError(f"the installer's signature does not verify: {out}")
    print(f"installer {out} ({out.stat().st_size / 2**20:.1f} MiB)", flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the build."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--keep-temp", action="store_true", help="keep the build venv")
    parser.add_argument("--installer", action="store_true", help="then make the installer")
    parser.add_argument(
        "--installer-only",
        action="store_true",
        help="only make the installer, from --payload (default: DIST/NAME)",
    )
    parser.add_argument("--payload", type=Path, help="onedir folder to put in the installer")
    parser.add_argument(
        "--out", type=Path, help="installer file (default: DIST/NAME-VERSION-setup.exe)"
    )
    parser.add_argument("--nsis-target", help="NSIS stub target (tests: amd64-unicode)")
    parser.add_argument(
        "--sign",
        action="store_true",
        help=f"sign and verify with ${SIGN_ENV} and ${VERIFY_ENV} (installer/README.md)",
    )
    args = parser.parse_args(argv)
    name, version = project()
    dist: Path = args.dist.resolve()
    try:
        if args.installer_only:
            payload = args.payload or dist / name
        else:
            dist.mkdir(parents=True, exist_ok=True)
            payload = build_bundle(dist, keep_temp=args.keep_temp)
        if args.installer or args.installer_only:
            if not WINDOWS:
                print("note: a Linux payload in a Windows installer only checks the script")
            out = args.out or dist / f"{name}-{version}-setup.exe"
            build_installer(payload, out, sign=args.sign, target=args.nsis_target)
    except BuildError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
