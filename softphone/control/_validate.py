"""Checking a command's parameters against the command table (the API and scenario files)."""

from __future__ import annotations

import re
from typing import Any

from softphone import validation
from softphone.control._commands import Command, Param
from softphone.control._errors import InvalidParamsError

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
    "object": (dict,),
}


def validate_params(command: Command, params: object) -> dict[str, Any]:
    """Check ``params`` against the command's table; raise :class:`InvalidParamsError`."""
    if not isinstance(params, dict):
        raise InvalidParamsError("the request body must be a JSON object")
    unknown = sorted(str(k) for k in set(params) - set(command.params))
    if unknown:
        raise InvalidParamsError(f"unknown parameter(s) for {command.name}: {', '.join(unknown)}")
    for name, spec in command.params.items():
        if name not in params:
            if spec.required:
                raise InvalidParamsError(f"{command.name} needs parameter '{name}'")
            continue
        value = params[name]
        ok_types = _JSON_TYPES[spec.type]
        if not isinstance(value, ok_types) or (
            spec.type in ("number", "integer") and isinstance(value, bool)
        ):
            raise InvalidParamsError(f"'{name}' must be a {spec.type}, got {_show(value)}")
        _check_value(name, spec, value)
    return dict(params)


def _show(value: object) -> str:
    try:
        text = validation.dumps(value)
    except (ValueError, TypeError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_value(name: str, spec: Param, value: Any) -> None:
    if spec.enum and value not in spec.enum:
        raise InvalidParamsError(f"'{name}' must be one of {', '.join(spec.enum)}")
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise InvalidParamsError(f"'{name}' has an invalid format: {value!r}")
    if spec.max_length and len(value) > spec.max_length:
        raise InvalidParamsError(f"'{name}' is longer than {spec.max_length} characters")
    try:
        if spec.type == "number":
            validation.finite_number(name, value, spec.minimum, spec.maximum)
        elif spec.type == "integer":
            validation.integer(name, value, int(spec.minimum), int(spec.maximum))
        elif spec.type == "object":
            validation.check_json(value, name)
    except ValueError as exc:
        raise InvalidParamsError(str(exc)) from None


__all__ = ["validate_params"]
