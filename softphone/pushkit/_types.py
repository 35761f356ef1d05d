"""PushKit value types: PKPushType, PKPushCredentials, PKPushPayload."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .payloads import IncomingPushCall

__all__ = ["PKPushCredentials", "PKPushPayload", "PKPushType"]


class PKPushType(str, enum.Enum):
    """Apple: ``PKPushType``."""

    voip = "PKPushTypeVoIP"
    complication = "PKPushTypeComplication"
    file_provider = "PKPushTypeFileProvider"


@dataclass(frozen=True)
class PKPushCredentials:
    """Apple: ``PKPushCredentials`` (the device token for one push type)."""

    token: bytes
    type: PKPushType

    @property
    def token_hex(self) -> str:
        """The token as APNs wants it in ``/3/device/<hex>``."""
        return self.token.hex()


@dataclass(frozen=True)
class PKPushPayload:
    """Apple: ``PKPushPayload``; ``call`` is the parsed caller (never None for VoIP),
    ``age`` seconds since the push was sent, ``stale`` when older than the answer window
    (report it, then end it as missed)."""

    dictionary_payload: Mapping[str, Any]
    type: PKPushType
    call: IncomingPushCall | None = None
    age: float = 0.0
    stale: bool = False
    for_active_call: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
