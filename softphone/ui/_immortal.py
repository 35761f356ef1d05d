"""Work around PySide6 6.12's refcount bug on Python 3.11 (before PEP 683 immortal objects).

Some PySide6 calls give back ``None`` (and a few singletons/enum types) without taking a
reference, so each call lowers its refcount until CPython aborts with
"deallocating None". Call :func:`make_singletons_immortal` before creating Qt objects:
it adds a huge refcount to those objects so they can never reach zero. On Python >= 3.12
they are immortal already and this does nothing.
"""

from __future__ import annotations

import ctypes
import enum
import sys

_BOOST = 1 << 40
_done: set[int] = set()


def _pin(obj: object) -> None:
    if id(obj) in _done:
        return
    ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _done.add(id(obj))


def make_singletons_immortal(*modules: object) -> None:
    """Pin None/True/False/... and the enum types in the given PySide6 modules or classes."""
    if sys.version_info >= (3, 12):
        return
    for obj in (None, True, False, Ellipsis, NotImplemented):
        _pin(obj)
    for module in modules:
        for name in dir(module):
            _pin_enums(getattr(module, name, None), depth=2)


def _pin_enums(obj: object, depth: int) -> None:
    if isinstance(obj, type):
        if issubclass(obj, enum.Enum):
            _pin(obj)
            return
        if depth > 0:
            for inner in vars(obj).values():
                if isinstance(inner, type) and issubclass(inner, enum.Enum):
                    _pin(inner)
