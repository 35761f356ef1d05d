"""Build a self-contained Softphone bundle with PyInstaller.

    python packaging/build.py [--dist DIR]

Linux: ``DIR/softphone/`` (one folder: the ``softphone`` executable, its libraries,
``softphone.desktop`` and the icon) and ``DIR/softphone-<version>-linux-x86_64.tar.gz``.
macOS: ``DIR/Softphone.app`` (then ``hdiutil create -srcfolder DIR/Softphone.app
Softphone.dmg``). Windows: ``DIR\\softphone\\softphone.exe`` (zip it, or feed it to an
installer tool). PyInstaller does not cross-compile: build on each platform.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller; return the bundle folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "packaging" / "softphone.spec"),
        ],
        check=True,
    )
    bundle = dist / "softphone"
    if sys.platform.startswith("linux"):
        shutil.copy(ROOT / "resources" / "app" / "softphone.desktop", bundle)
        shutil.copy(ROOT / "resources" / "app" / "softphone.png", bundle)
    return bundle


def archive(bundle: Path) -> Path:
    """A tarball of the Linux bundle."""
    from softphone import __version__

    name = f"softphone-{__version__}-linux-{platform.machine()}.tar.gz"
    out = bundle.parent / name
    with tarfile.open(out, "w:gz") as tar:
        tar.add(bundle, arcname="softphone")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    parser.add_argument("--no-archive", action="store_true")
    args = parser.parse_args()
    bundle = build(args.dist, args.work)
    print(f"bundle: {bundle}")
    if sys.platform.startswith("linux") and not args.no_archive:
        print(f"archive: {archive(bundle)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
