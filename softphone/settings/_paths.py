"""Per-profile directories (``--profile NAME``) under the platform's standard places."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Softphone"
_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileError(ValueError):
    """A profile name that cannot be used as a directory name."""


@dataclass(frozen=True)
class ProfilePaths:
    """Where one profile keeps its files."""

    name: str
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def secrets_file(self) -> Path:
        return self.config_dir / "secrets.enc"

    def ensure(self) -> ProfilePaths:
        """Create the profile's directories readable by this user only (0700), and
        tighten ones an older version left 0755."""
        for d in (self.config_dir, self.data_dir, self.log_dir):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            _private(d)
        own = {d.parent for d in (self.config_dir, self.data_dir, self.log_dir)}
        if len(own) == 1 and next(iter(own)).name == self.name:  # SOFTPHONE_HOME layout
            _private(next(iter(own)))
        return self


def _private(folder: Path) -> None:
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is a safe profile name, else raise :class:`ProfileError`."""
    if not isinstance(name, str) or not _PROFILE_RE.match(name):
        raise ProfileError(
            f"invalid profile name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def profile_paths(name: str = "default", root: Path | None = None) -> ProfilePaths:
    """The directories of profile ``name``.

    ``root`` (or the ``SOFTPHONE_HOME`` environment variable) puts everything under one
    folder, which tests and portable installs use; otherwise platformdirs decides.
    """
    validate_profile_name(name)
    home = os.environ.get("SOFTPHONE_HOME")
    base = root or (Path(home) if home else None)
    if base is not None:
        p = base / "profiles" / name
        return ProfilePaths(name, p / "config", p / "data", p / "log")
    return ProfilePaths(
        name,
        Path(platformdirs.user_config_dir(APP_DIR_NAME)) / "profiles" / name,
        Path(platformdirs.user_data_dir(APP_DIR_NAME)) / "profiles" / name,
        Path(platformdirs.user_log_dir(APP_DIR_NAME)) / "profiles" / name,
    )
