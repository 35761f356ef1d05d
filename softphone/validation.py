"""Checks for numbers that come from outside (control API, fault options, scenario files).

Stdlib only, so any layer may import it. Each check raises :class:`ValueError` whose
message names the field, the allowed range and the value given, e.g. ``seconds must be a
finite number between 0 and 3600, got inf``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

#: Deepest nesting a JSON document from outside may have.
MAX_JSON_DEPTH = 32


def _shown(value: object) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # inf, -inf, nan
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def finite_number(name: str, value: object, minimum: float, maximum: float) -> float:
    """``value`` as a float when it is a finite number (not a bool) in [minimum, maximum]."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not (ok and math.isfinite(number) and minimum <= number <= maximum):
        raise ValueError(
            f"{name} must be a finite number between {minimum:g} and {maximum:g}, "
            f"got {_shown(value)}"
        )
    return number


def integer(name: str, value: object, minimum: int, maximum: int) -> int:
    """``value`` when it is an integer (not a bool; 2.0 is accepted) in [minimum, maximum]."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value, ok = int(value), True
    if not (ok and minimum <= value <= maximum):  # type: ignore[operator]
        raise ValueError(
            f"{name} must be an integer between {minimum} and {maximum}, got {_shown(value)}"
        )
    return int(value)  # type: ignore[call-overload]


def option(
    options: Mapping[str, Any], name: str, default: float, minimum: float, maximum: float
) -> float:
    """A finite number option of a fault (``default`` when not given)."""
    return finite_number(name, options.get(name, default), minimum, maximum)


def check_json(
    value: Any, where: str = "", limit: int = MAX_JSON_DEPTH, *, finite: bool = True
) -> None:
    """ValueError when lists/objects in ``value`` nest deeper than ``limit`` or (``finite``)
    a float in it is not finite; the message names the place (``options.seconds``)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, where)]
    while stack:
        item, depth, path = stack.pop()
        if finite and isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{path or 'a number'} must be a finite number, got {item!r}")
        if isinstance(item, dict):
            if depth > limit:
                raise ValueError(f"{path or 'JSON'} nests deeper than {limit} levels")
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            if depth > limit:
                raise ValueError(f"{path or 'JSON'} nests deeper than {limit} levels")
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity (ValueError instead)."""
    return json.dumps(value, allow_nan=False, **kwargs)
