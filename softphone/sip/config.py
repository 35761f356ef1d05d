"""Engine and account configuration (validated on construction)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from softphone.sip.errors import ConfigError
from softphone.sip.uri import check_not_ipv6, check_transport, parse_uri

DEFAULT_CODECS: tuple[str, ...] = ("PCMU/8000", "PCMA/8000", "G722/16000")
#: The audio codecs the pjsua2 wheel has (no Opus), as "name/clock rate".
WHEEL_CODECS: tuple[str, ...] = (
    "PCMU/8000",
    "PCMA/8000",
    "G722/16000",
    "speex/8000",
    "speex/16000",
    "speex/32000",
    "iLBC/8000",
    "GSM/8000",
    "L16/44100",
)
#: The pjsua2 wheel's compiled call limit.
WHEEL_MAX_CALLS = 4


class SrtpMode(enum.Enum):
    """SDES-SRTP use (DTLS-SRTP is not compiled into the wheel)."""

    OFF = "off"
    OPTIONAL = "optional"
    MANDATORY = "mandatory"


class DtmfMethod(enum.Enum):
    RFC4733 = "rfc4733"
    INFO = "info"


def codec_matches(wanted: str, codec_id: str) -> bool:
    """Whether a configured codec (``"PCMU"``, ``"PCMU/8000"`` or ``"PCMU/8000/1"``) names
    the codec ``codec_id`` (PJSIP's ``"PCMU/8000/1"``); case-insensitive."""
    want = [p for p in wanted.strip().lower().split("/") if p]
    have = codec_id.lower().split("/")
    return bool(want) and want == have[: len(want)]


def unknown_codecs(names: tuple[str, ...] | list[str]) -> list[str]:
    """The configured codec names that match none of :data:`WHEEL_CODECS`."""
    return [n for n in names if not any(codec_matches(n, c) for c in WHEEL_CODECS)]


@dataclass(frozen=True)
class TransportConfig:
    """One listening transport. ``port=0`` picks a free port."""

    kind: str = "udp"
    port: int = 0
    bind_address: str = "127.0.0.1"
    #: TLS only: our certificate/key (optional for a client-only phone).
    cert_file: str = ""
    key_file: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", check_transport(self.kind))
        if not 0 <= int(self.port) < 65536:
            raise ConfigError(f"transport port out of range: {self.port}")
        check_not_ipv6(self.bind_address)


@dataclass(frozen=True)
class TlsConfig:
    """TLS 1.2 client/server settings; the peer certificate is verified by default."""

    ca_file: str = ""
    verify_server: bool = True
    verify_client: bool = False


@dataclass(frozen=True)
class EngineConfig:
    """The engine's set-up. ``srtp`` applies to direct (account-less) calls and to
    accounts whose own ``srtp`` is None."""

    transports: tuple[TransportConfig, ...] = (TransportConfig("udp"),)
    tls: TlsConfig = field(default_factory=TlsConfig)
    srtp: SrtpMode = SrtpMode.OFF
    codecs: tuple[str, ...] = DEFAULT_CODECS
    dtmf_method: DtmfMethod = DtmfMethod.RFC4733
    user_agent: str = "Softphone/0.1 (pjsua2)"
    max_calls: int = WHEEL_MAX_CALLS
    #: Seconds an outgoing call may ring before we give up (NO_ANSWER); 0 = never.
    no_answer_timeout: float = 0.0
    #: Seconds to wait for a REGISTER's final answer before reporting 408 (RFC 3261's
    #: Timer B is 32 s on UDP).
    register_timeout: float = 32.0
    #: Local user part for the account-less (direct IP) identity.
    local_user: str = "softphone"
    #: Emit a SipMessageLogged event for every SIP message (for the SIP inspector). Costs
    #: ~1 ms CPU and ~1 ms setup per call (PJSIP level-4 logging through Python): turn
    #: it on while the inspector is open.
    log_messages: bool = False
    log_level: int = 0
    #: Being transferred: follow a REFER / accept an INVITE with Replaces (else 603).
    accept_transfers: bool = True
    #: 3xx answers followed per outgoing call (0: none; a target seen twice stops).
    max_redirects: int = 5
    #: SIP MESSAGE outside a call: shown (True) or refused with 405 (False).
    accept_messages: bool = True

    def __post_init__(self) -> None:
        if not self.transports:
            raise ConfigError("at least one transport is required")
        kinds = [t.kind for t in self.transports]
        if len(set(kinds)) != len(kinds):
            raise ConfigError(f"one transport per kind, got {kinds}")
        if not 1 <= self.max_calls <= WHEEL_MAX_CALLS:
            raise ConfigError(f"max_calls must be 1..{WHEEL_MAX_CALLS} (pjsua2 wheel limit)")
        object.__setattr__(self, "srtp", SrtpMode(self.srtp))
        object.__setattr__(self, "dtmf_method", DtmfMethod(self.dtmf_method))
        if not self.codecs:
            raise ConfigError("codec priority list is empty")
        unknown = unknown_codecs(self.codecs)
        if unknown:
            raise ConfigError(
                f"unknown codec {', '.join(map(repr, unknown))} "
                f"(available: {', '.join(WHEEL_CODECS)})"
            )
        if self.register_timeout <= 0:
            raise ConfigError("register_timeout must be > 0")
        if self.no_answer_timeout < 0:
            raise ConfigError("no_answer_timeout must be >= 0")
        if not 0 <= self.max_redirects <= 20:
            raise ConfigError("max_redirects must be 0..20")


@dataclass(frozen=True)
class PushParams:
    """RFC 8599 Contact parameters (``pn-provider``, ``pn-prid``, ``pn-param``)."""

    provider: str = "apns"
    prid: str = ""
    param: str = ""

    def contact_params(self) -> str:
        parts = [f"pn-provider={self.provider}"]
        if self.prid:
            parts.append(f"pn-prid={self.prid}")
        if self.param:
            parts.append(f"pn-param={self.param}")
        return ";" + ";".join(parts)


@dataclass(frozen=True)
class AccountConfig:
    """A SIP account. ``registrar`` empty = no REGISTER (calls still go out via the URI)."""

    id: str
    uri: str
    registrar: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    realm: str = "*"
    transport: str = "udp"
    expires: int = 300
    proxy: str = ""
    push: PushParams | None = None
    register_on_add: bool = True
    display_name: str = ""
    #: SDES-SRTP for this account's calls; None = the engine's ``srtp`` (direct calls').
    srtp: SrtpMode | None = None

    def __post_init__(self) -> None:
        if self.srtp is not None:
            object.__setattr__(self, "srtp", SrtpMode(self.srtp))
        if not self.id:
            raise ConfigError("account id is empty")
        parse_uri(self.uri)
        if self.registrar:
            parse_uri(self.registrar)
        if self.proxy:
            parse_uri(self.proxy)
        object.__setattr__(self, "transport", check_transport(self.transport))
        if self.expires < 0:
            raise ConfigError("expires must be >= 0")
