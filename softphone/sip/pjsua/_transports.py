"""SIP transports (UDP, TCP, TLS 1.2) from an EngineConfig, and TLS failure wording."""

from __future__ import annotations

import re
from typing import Any

import pjsua2 as pj

from softphone.sip.config import EngineConfig, TlsConfig, TransportConfig
from softphone.sip.errors import TransportError
from softphone.sip.pjsua._objects import pj_error_text

TRANSPORT_KINDS = {
    "udp": pj.PJSIP_TRANSPORT_UDP,
    "tcp": pj.PJSIP_TRANSPORT_TCP,
    "tls": pj.PJSIP_TRANSPORT_TLS,
}
#: What PJSIP's SSL socket says when the peer's certificate did not verify.
_CERT_FAILURE = re.compile(r"(?i)CERTVERIF|certificate verification|certificate verify")


def _transport_config(t: TransportConfig, tls: TlsConfig) -> Any:
    tc = pj.TransportConfig()
    tc.port = t.port
    tc.boundAddress = t.bind_address
    if t.bind_address not in ("", "0.0.0.0"):
        tc.publicAddress = t.bind_address
    if t.kind == "tls":
        tcfg = tc.tlsConfig
        tcfg.method = pj.PJSIP_TLSV1_2_METHOD
        tcfg.CaListFile = tls.ca_file
        tcfg.certFile = t.cert_file
        tcfg.privKeyFile = t.key_file
        tcfg.verifyServer = tls.verify_server
        tcfg.verifyClient = tls.verify_client
        tcfg.requireClientCert = tls.verify_client
    return tc


def create_transports(ep: Any, config: EngineConfig) -> dict[str, tuple[int, str, int]]:
    """Create every configured transport: kind -> (transport id, host, port).

    Raises :class:`TransportError` naming the transport and PJSIP's reason (e.g. the
    port is taken).
    """
    out: dict[str, tuple[int, str, int]] = {}
    for t in config.transports:
        try:
            tid = ep.transportCreate(TRANSPORT_KINDS[t.kind], _transport_config(t, config.tls))
        except pj.Error as exc:
            raise TransportError(
                f"cannot create {t.kind} transport on {t.bind_address}:{t.port}: "
                f"{pj_error_text(exc)}"
            ) from exc
        name, _, port_text = str(ep.transportGetInfo(tid).localName).rpartition(":")
        out[t.kind] = (tid, name, int(port_text))
    return out


def tls_failure_reason(reason: str) -> str | None:
    """A user's wording for a TLS certificate failure in PJSIP's ``reason``, else None."""
    if not _CERT_FAILURE.search(reason):
        return None
    return f"TLS certificate verification failed (check [sip] tls_ca_file): {reason}"
