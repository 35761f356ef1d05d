"""Load and save ``settings.toml`` atomically; a bad file is kept aside, never lost."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from softphone.settings._model import Settings, SettingsError
from softphone.settings._paths import ProfilePaths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class LoadResult:
    """What :meth:`SettingsStore.load` found. ``message`` is for the user when not empty."""

    settings: Settings
    message: str = ""
    moved_aside: Path | None = None


class SettingsStore:
    """The settings file of one profile."""

    def __init__(self, paths: ProfilePaths) -> None:
        self.paths = paths

    @property
    def path(self) -> Path:
        return self.paths.settings_file

    def load(self) -> LoadResult:
        """Read the settings; defaults when there is no file; a bad file is moved aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return LoadResult(Settings())
        except OSError as exc:
            return LoadResult(Settings(), f"Could not read {self.path}: {exc}. Using defaults.")
        try:
            data = tomllib.loads(raw.decode("utf-8"))
            return LoadResult(Settings.from_dict(data))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, SettingsError) as exc:
            aside = self._move_aside()
            return LoadResult(
                Settings(),
                f"Settings file {self.path} is invalid ({exc}); it was kept as {aside.name} "
                "and defaults are used.",
                aside,
            )

    def save(self, settings: Settings) -> None:
        """Write atomically (temp file, fsync, rename) so a crash never leaves half a file."""
        self.paths.config_dir.mkdir(parents=True, exist_ok=True)
        data = tomli_w.dumps(settings.to_dict()).encode("utf-8")
        tmp = self.path.with_suffix(".toml.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.invalid-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.invalid-{stamp}-{n}")
        os.replace(self.path, aside)
        return aside
