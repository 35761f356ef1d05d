"""An APNs-compatible emulator (HTTP/2 over TLS, raw h2 + asyncio) with a device channel."""

from ._auth import ProviderAuthError, ProviderKey, verify_provider_token
from ._core import (
    ApnsCore,
    ApnsRequest,
    ApnsResponse,
    DeviceRecord,
    Environment,
    Fault,
    Push,
    RecordedRequest,
)
from ._emulator import ApnsEmulator, EmulatorInfo
from .device_client import DeviceChannelClient, DeviceChannelError

__all__ = [
    "ApnsCore",
    "ApnsEmulator",
    "ApnsRequest",
    "ApnsResponse",
    "DeviceChannelClient",
    "DeviceChannelError",
    "DeviceRecord",
    "EmulatorInfo",
    "Environment",
    "Fault",
    "ProviderAuthError",
    "ProviderKey",
    "Push",
    "RecordedRequest",
    "verify_provider_token",
]
