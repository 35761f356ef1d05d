"""The emulator's state dir is private: 0700, its keys, secrets and info 0600."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["secure_state_dir", "write_private"]


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``path`` readable by its owner only (0600 from the start, not chmod after)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
    os.chmod(tmp, 0o600)  # O_CREAT kept the mode of a leftover tmp file
    os.replace(tmp, path)


def secure_state_dir(state_dir: Path) -> None:
    """The state dir and its ``keys/`` 0700, every file in them 0600 (also a state dir
    made by an older version with looser modes)."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (state_dir, state_dir / "keys"):
        if not folder.is_dir():
            continue
        folder.chmod(0o700)
        for path in folder.iterdir():
            if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
