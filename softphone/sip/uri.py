"""Parse and validate SIP URIs (RFC 3261 section 19.1, the subset a phone dials)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from softphone.sip.errors import InvalidUriError, Ipv6NotSupportedError, UnsupportedTransportError

TRANSPORTS = ("udp", "tcp", "tls")

_HOST = r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9\-.]*[A-Za-z0-9])?)"
_URI_RE = re.compile(
    r"^(?P<scheme>sips?):"
    r"(?:(?P<user>[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+)(?::(?P<password>[^@]*))?@)?"
    + _HOST
    + r"(?::(?P<port>\d{1,5}))?"
    r"(?P<params>(?:;[A-Za-z0-9\-_.!~*'()%]+(?:=[A-Za-z0-9\-_.!~*'()%\[\]:]*)?)*)"
    r"(?P<headers>\?.*)?$"
)
_NAME_ADDR_RE = re.compile(r'^\s*(?:"(?P<q>(?:[^"\\]|\\.)*)"|(?P<t>[^<"]*?))\s*<(?P<uri>[^>]+)>')


@dataclass(frozen=True)
class SipUri:
    """A parsed ``sip:``/``sips:`` URI."""

    scheme: str
    host: str
    user: str | None = None
    port: int | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        """The transport the URI asks for (``tls`` for sips:)."""
        if self.scheme == "sips":
            return "tls"
        return self.params.get("transport", "udp").lower()

    def __str__(self) -> str:
        out = f"{self.scheme}:"
        if self.user:
            out += f"{self.user}@"
        out += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            out += f":{self.port}"
        for k, v in self.params.items():
            out += f";{k}={v}" if v else f";{k}"
        return out


def check_not_ipv6(host: str) -> None:
    """Raise :class:`Ipv6NotSupportedError` if ``host`` is an IPv6 address."""
    h = host.strip("[]")
    try:
        addr = ipaddress.ip_address(h)
    except ValueError:
        return
    if addr.version == 6:
        raise Ipv6NotSupportedError(
            f"IPv6 address {host!r} refused: the bundled PJSIP aborts on IPv6 media; use IPv4"
        )


def parse_uri(text: str) -> SipUri:
    """Parse ``text`` (a bare URI or ``"Name" <uri>``) or raise :class:`InvalidUriError`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidUriError(f"empty SIP URI: {text!r}")
    raw = text.strip()
    m = _NAME_ADDR_RE.match(raw)
    if m:
        raw = m.group("uri").strip()
    um = _URI_RE.match(raw)
    if um is None:
        if not re.match(r"^sips?:", raw, re.I):
            raise InvalidUriError(f"not a SIP URI (must start with sip: or sips:): {text!r}")
        raise InvalidUriError(f"malformed SIP URI: {text!r}")
    host = um.group("host")
    check_not_ipv6(host)
    port = um.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise InvalidUriError(f"port out of range in SIP URI: {text!r}")
    params: dict[str, str] = {}
    for part in filter(None, (um.group("params") or "").split(";")):
        k, _, v = part.partition("=")
        params[k.lower()] = v
    uri = SipUri(
        scheme=um.group("scheme").lower(),
        host=host.lower(),
        user=um.group("user"),
        port=int(port) if port is not None else None,
        params=params,
    )
    if "transport" in params:
        check_transport(params["transport"])
    return uri


def check_transport(name: str) -> str:
    """``name`` lower-cased if it is udp/tcp/tls, else :class:`UnsupportedTransportError`."""
    t = str(name).lower()
    if t not in TRANSPORTS:
        raise UnsupportedTransportError(
            f"unknown transport {name!r}: use one of {', '.join(TRANSPORTS)}"
        )
    return t


def display_name_of(text: str) -> str:
    """The display name of a name-addr (``"Bob" <sip:bob@x>`` -> ``Bob``), else ``""``."""
    m = _NAME_ADDR_RE.match(text or "")
    if not m:
        return ""
    return (m.group("q") if m.group("q") is not None else (m.group("t") or "")).strip()


def uri_of(text: str) -> str:
    """The bare URI inside a name-addr (or ``text`` itself)."""
    m = _NAME_ADDR_RE.match(text or "")
    return m.group("uri").strip() if m else (text or "").strip()
