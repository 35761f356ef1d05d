"""Load ``settings.toml`` (never rewriting it) and save it atomically (an explicit Save)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from softphone.settings._lenient import read_settings
from softphone.settings._model import Settings
from softphone.settings._paths import ProfilePaths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class LoadResult:
    """What :meth:`SettingsStore.load` found: the settings and one message per problem."""

    settings: Settings
    problems: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """All problems in one text (empty when there are none)."""
        return "\n".join(self.problems)


class SettingsStore:
    """The settings file of one profile."""

    def __init__(self, paths: ProfilePaths) -> None:
        self.paths = paths

    @property
    def path(self) -> Path:
        return self.paths.settings_file

    def load(self) -> LoadResult:
        """Read the settings, never writing the file: defaults when there is none or it
        cannot be parsed; a bad value (or account) is reported and only it is left out."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return LoadResult(Settings())
        except OSError as exc:
            return LoadResult(Settings(), (f"Could not read {self.path}: {exc}. Using defaults.",))
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return LoadResult(
                Settings(),
                (
                    f"Settings file {self.path} cannot be read as TOML ({exc}); defaults are "
                    "used and the file is left as it is.",
                ),
            )
        settings, problems = read_settings(data)
        return LoadResult(settings, tuple(f"settings.toml: {p}" for p in problems))

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
