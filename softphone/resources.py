"""Locate files under ``resources/`` in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder: ``softphone/_resources`` in a wheel, ``resources/`` in a checkout."""
    installed = _PACKAGE_DIR / "_resources"
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"Softphone resources not found next to {_PACKAGE_DIR}")


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource_path("qml", "Main.qml")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing resource: {path}")
    return path
