"""The settings schema: frozen dataclasses, validated when read from a dict (TOML)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

TRANSPORTS = ("udp", "tcp", "tls")
SRTP_MODES = ("off", "optional", "mandatory")
DTMF_METHODS = ("rfc4733", "info")  # RFC 4733 telephone-events, or SIP INFO
APNS_ENVIRONMENTS = ("sandbox", "production")
DEFAULT_CODECS = ("PCMU/8000", "PCMA/8000", "G722/16000")
_ACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SettingsError(ValueError):
    """A settings value that is missing, of the wrong type or out of range.

    ``path`` names the offending key, e.g. ``accounts[0].transport``.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class AccountSettings:
    """One SIP account. The password is not here: it lives in the secret store."""

    id: str
    uri: str
    display_name: str = ""
    registrar: str = ""
    username: str = ""
    transport: str = "udp"
    register: bool = True
    srtp: str = "off"
    enabled: bool = True


@dataclass(frozen=True)
class SipSettings:
    """The SIP stack: local ports, codecs, DTMF, TLS."""

    bind_address: str = "127.0.0.1"
    udp_port: int = 0
    tcp_port: int = 0
    tls_port: int = -1
    codecs: tuple[str, ...] = DEFAULT_CODECS
    dtmf_method: str = "rfc4733"
    tls_verify: bool = True
    tls_ca_file: str = ""
    user_agent: str = "Softphone"


@dataclass(frozen=True)
class AudioSettings:
    """Chosen devices (empty = the system default) and levels."""

    microphone: str = ""
    speaker: str = ""
    ringer: str = ""
    speaker_volume: float = 1.0
    mic_gain: float = 1.0


@dataclass(frozen=True)
class CallSettings:
    """CallKit-side behaviour of the emulated device."""

    app_name: str = "Softphone"
    unanswered_timeout: float = 30.0
    includes_calls_in_recents: bool = True
    maximum_call_groups: int = 2
    maximum_calls_per_call_group: int = 4
    media_lost_after: float = 6.0  # seconds without incoming RTP before "Reconnecting…"
    media_timeout: float = 30.0  # seconds without RTP before the call fails (0: never)
    accept_transfers: bool = True  # follow a REFER / INVITE with Replaces (else 603)
    max_redirects: int = 5  # 3xx answers followed per call (0: none)
    accept_messages: bool = True  # show SIP MESSAGEs (else 405)


@dataclass(frozen=True)
class PushSettings:
    """VoIP push: the embedded APNs emulator or real APNs (key passphrase in the secret store)."""

    enabled: bool = True
    use_emulator: bool = True
    bundle_id: str = "com.example.softphone"
    team_id: str = ""
    key_id: str = ""
    key_file: str = ""
    environment: str = "sandbox"


@dataclass(frozen=True)
class Settings:
    """Everything the user can configure, as stored in ``settings.toml``."""

    accounts: tuple[AccountSettings, ...] = ()
    sip: SipSettings = field(default_factory=SipSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    calls: CallSettings = field(default_factory=CallSettings)
    push: PushSettings = field(default_factory=PushSettings)

    def to_dict(self) -> dict[str, Any]:
        """A TOML-ready dict (tuples become lists)."""
        return _plain(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """Validate ``data`` (parsed TOML); raise :class:`SettingsError` on the first problem."""
        _check_mapping("settings", data)
        _reject_unknown("settings", data, {"accounts", "sip", "audio", "calls", "push"})
        raw_accounts = data.get("accounts", [])
        if not isinstance(raw_accounts, list):
            raise SettingsError("accounts", "must be a list of tables ([[accounts]])")
        accounts = tuple(_account(f"accounts[{i}]", a) for i, a in enumerate(raw_accounts))
        ids = [a.id for a in accounts]
        if len(set(ids)) != len(ids):
            raise SettingsError("accounts", f"account ids must be unique, got {ids}")
        settings = cls(
            accounts=accounts,
            sip=_section("sip", SipSettings, data.get("sip", {})),
            audio=_section("audio", AudioSettings, data.get("audio", {})),
            calls=_section("calls", CallSettings, data.get("calls", {})),
            push=_section("push", PushSettings, data.get("push", {})),
        )
        _check_values(settings)
        return settings


_T = TypeVar("_T")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _check_mapping(path: str, data: object) -> None:
    if not isinstance(data, Mapping):
        raise SettingsError(path, f"must be a table, got {type(data).__name__}")


def _reject_unknown(path: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(path, f"unknown key(s): {', '.join(unknown)}")


def _section(path: str, cls: type[_T], data: object) -> _T:
    _check_mapping(path, data)
    assert isinstance(data, Mapping)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    _reject_unknown(path, data, set(fields))
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        kwargs[name] = _coerce(f"{path}.{name}", getattr(cls(), name), value)
    return cls(**kwargs)


def _coerce(path: str, default: object, value: object) -> object:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(path, f"must be true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(path, f"must be an integer, got {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(path, f"must be a number, got {value!r}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise SettingsError(path, f"must be a string, got {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(path, f"must be a list of strings, got {value!r}")
        return tuple(value)
    raise SettingsError(path, "unsupported setting")  # pragma: no cover - schema bug


def _account(path: str, data: object) -> AccountSettings:
    _check_mapping(path, data)
    assert isinstance(data, Mapping)
    for required in ("id", "uri"):
        if required not in data:
            raise SettingsError(f"{path}.{required}", "is required")
    placeholder = AccountSettings(id="x", uri="sip:x@x")
    fields = {f.name for f in dataclasses.fields(AccountSettings)}
    _reject_unknown(path, data, fields)
    kwargs = {k: _coerce(f"{path}.{k}", getattr(placeholder, k), v) for k, v in data.items()}
    account = AccountSettings(**kwargs)  # type: ignore[arg-type]
    if not _ACCOUNT_ID_RE.match(account.id):
        raise SettingsError(f"{path}.id", "use 1-64 letters, digits, '.', '_' or '-'")
    if not account.uri.lower().startswith(("sip:", "sips:")):
        raise SettingsError(f"{path}.uri", f"must be a sip: or sips: URI, got {account.uri!r}")
    _one_of(f"{path}.transport", account.transport, TRANSPORTS)
    _one_of(f"{path}.srtp", account.srtp, SRTP_MODES)
    return account


def _one_of(path: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(path, f"must be one of {', '.join(allowed)}, got {value!r}")


def _check_values(s: Settings) -> None:
    _one_of("sip.dtmf_method", s.sip.dtmf_method, DTMF_METHODS)
    _one_of("push.environment", s.push.environment, APNS_ENVIRONMENTS)
    if not 0 <= s.sip.udp_port <= 65535:
        raise SettingsError(
            "sip.udp_port", f"must be 0-65535 (0 = any free port), got {s.sip.udp_port}"
        )
    if not -1 <= s.sip.tcp_port <= 65535:
        raise SettingsError(
            "sip.tcp_port", f"must be -1 (TCP off) or 0-65535, got {s.sip.tcp_port}"
        )
    if not -1 <= s.sip.tls_port <= 65535:
        raise SettingsError("sip.tls_port", "must be -1 (off) or 0-65535")
    if ":" in s.sip.bind_address:
        raise SettingsError("sip.bind_address", "IPv6 is not supported (IPv4 only)")
    if not s.sip.codecs:
        raise SettingsError("sip.codecs", "needs at least one codec")
    if not 5.0 <= s.calls.unanswered_timeout <= 600.0:
        raise SettingsError("calls.unanswered_timeout", "must be between 5 and 600 seconds")
    if not 1 <= s.calls.maximum_call_groups <= 4:
        raise SettingsError("calls.maximum_call_groups", "must be 1-4 (the SIP stack's limit)")
    if not 1 <= s.calls.maximum_calls_per_call_group <= 4:
        raise SettingsError("calls.maximum_calls_per_call_group", "must be 1-4")
    if not 1.0 <= s.calls.media_lost_after <= 60.0:
        raise SettingsError("calls.media_lost_after", "must be between 1 and 60 seconds")
    if s.calls.media_timeout and not s.calls.media_lost_after <= s.calls.media_timeout <= 3600:
        raise SettingsError(
            "calls.media_timeout", "must be 0 (never) or between media_lost_after and 3600 s"
        )
    for name in ("speaker_volume", "mic_gain"):
        if not 0.0 <= getattr(s.audio, name) <= 4.0:
            raise SettingsError(f"audio.{name}", "must be between 0.0 and 4.0")
