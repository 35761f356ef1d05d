"""Errors raised by the SIP engine: every one is a :class:`SipError`."""

from __future__ import annotations


class SipError(Exception):
    """Base class of everything the SIP layer raises."""


class InvalidUriError(SipError, ValueError):
    """A SIP URI that does not parse (or uses an unsupported scheme)."""


class UnsupportedTransportError(SipError, ValueError):
    """A transport name other than udp, tcp or tls."""


class Ipv6NotSupportedError(SipError, ValueError):
    """IPv6 addresses are refused: the pjsua2 wheel aborts the process on IPv6 media."""


class ConfigError(SipError, ValueError):
    """An EngineConfig/AccountConfig value that cannot work."""


class EngineStateError(SipError, RuntimeError):
    """The engine is not started (or already started)."""


class UnknownAccountError(SipError, KeyError):
    """No account with that id."""


class UnknownCallError(SipError, KeyError):
    """No (live) call with that id."""


class CallLimitError(SipError):
    """The engine already carries ``max_calls`` calls."""


class TlsVerificationError(SipError):
    """The TLS peer's certificate did not verify against the configured CA."""


class TransportError(SipError):
    """A transport could not be created (port in use, bad certificate file, ...)."""
