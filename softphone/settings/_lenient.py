"""Read a settings file leniently: a bad value costs only itself.

:meth:`Settings.from_dict` is strict (the first problem raises); this reader keeps every
good value, uses the default for each bad one, leaves out an invalid account alone, and
returns one message per problem, naming the key and the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from softphone.settings._model import (
    AccountSettings,
    AudioSettings,
    CallSettings,
    PushSettings,
    Settings,
    SettingsError,
    SipSettings,
    _account,
    _check_values,
    _coerce,
)

#: Old spellings still accepted (with a note): value -> today's value, per key.
ALIASES: dict[str, dict[str, str]] = {"sip.dtmf_method": {"sip_info": "info"}}
_SECTIONS: dict[str, type[Any]] = {
    "sip": SipSettings,
    "audio": AudioSettings,
    "calls": CallSettings,
    "push": PushSettings,
}


def read_settings(data: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """The settings in ``data`` (parsed TOML) and the problems found, one message each."""
    problems: list[str] = []
    unknown = sorted(set(data) - {"accounts", *_SECTIONS})
    if unknown:
        problems.append(f"settings: unknown key(s) {', '.join(unknown)}: ignored")
    accounts = _read_accounts(data.get("accounts", []), problems)
    sections = {
        name: _read_section(name, cls, data.get(name, {}), problems)
        for name, cls in _SECTIONS.items()
    }
    settings = Settings(accounts=accounts, **sections)
    return _fix_values(settings, problems), problems


def _read_section(path: str, cls: type[Any], data: object, problems: list[str]) -> Any:
    if not isinstance(data, Mapping):
        problems.append(f"{path}: must be a table, got {type(data).__name__}; defaults are used")
        return cls()
    defaults = cls()
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{path}.{name}"
        if name not in known:
            problems.append(f"{key}: unknown key: ignored")
            continue
        alias = ALIASES.get(key, {})
        if isinstance(value, str) and value in alias:
            problems.append(
                f"{key}: {value!r} is the old name of {alias[value]!r}; read as {alias[value]!r}"
            )
            value = alias[value]
        try:
            kwargs[name] = _coerce(key, getattr(defaults, name), value)
        except SettingsError as exc:
            problems.append(f"{exc}; the default ({getattr(defaults, name)!r}) is used")
    return cls(**kwargs)


def _read_accounts(raw: object, problems: list[str]) -> tuple[AccountSettings, ...]:
    if not isinstance(raw, list):
        problems.append("accounts: must be a list of tables ([[accounts]]); no account is used")
        return ()
    accounts: list[AccountSettings] = []
    for i, item in enumerate(raw):
        name = item.get("id") if isinstance(item, Mapping) else None
        label = f"account {name!r}" if isinstance(name, str) else f"account {i + 1}"
        try:
            account = _account(f"accounts[{i}]", item)
        except SettingsError as exc:
            problems.append(f"{exc}; {label} is left out")
            continue
        if any(a.id == account.id for a in accounts):
            problems.append(f"accounts[{i}].id: {account.id!r} is used twice; {label} is left out")
            continue
        accounts.append(account)
    return tuple(accounts)


def _fix_values(settings: Settings, problems: list[str]) -> Settings:
    """Reset each value the range checks refuse to its default (a whole section when
    its default does not fit the rest of the section, e.g. media_timeout)."""
    reset: set[str] = set()
    while True:
        try:
            _check_values(settings)
            return settings
        except SettingsError as exc:
            section, _, name = exc.path.partition(".")
            current = getattr(settings, section)
            default = getattr(type(current)(), name)
            if exc.path in reset:
                problems.append(f"{section}: its values do not fit together; defaults are used")
                settings = dataclasses.replace(settings, **{section: type(current)()})
                continue
            reset.add(exc.path)
            problems.append(f"{exc}; the default ({default!r}) is used")
            settings = dataclasses.replace(
                settings, **{section: dataclasses.replace(current, **{name: default})}
            )
