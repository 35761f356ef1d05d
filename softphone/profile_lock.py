"""One live process per profile: an exclusive ``flock`` on ``<data dir>/softphone.lock``.

The kernel drops the lock when its process ends, however it ends (``kill -9`` too), so a
crashed phone never blocks the next start. The file holds the owner's pid, for the
message a second phone prints.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "softphone.lock"


class ProfileInUseError(RuntimeError):
    """Another live process holds the profile (``pid``: its process id, 0 if unknown)."""

    def __init__(self, profile: str, pid: int) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"profile '{profile}' is in use by a running Softphone ({who}); "
            "quit it first or choose another --profile"
        )
        self.pid = pid


class ProfileLock:
    """Held from :meth:`acquire` until :meth:`release` or the end of the process."""

    def __init__(self, data_dir: Path, profile: str) -> None:
        self.path = data_dir / LOCK_FILE
        self.profile = profile
        self._fd: int | None = None

    def acquire(self) -> ProfileLock:
        """Take the lock or raise :class:`ProfileInUseError` naming the owner's pid."""
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise ProfileInUseError(self.profile, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def _read_pid(fd: int) -> int:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0)
    except (OSError, ValueError):
        return 0
