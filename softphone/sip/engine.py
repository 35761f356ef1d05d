"""The SIP engine interface the phone layer codes against (pjsua2 and fake implement it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, runtime_checkable

from softphone.sip.config import AccountConfig, EngineConfig
from softphone.sip.events import CallInfo, CallStats, RegistrationState, SipEvent
from softphone.sip.media import AudioBridge

EventCallback = Callable[[SipEvent], None]
Unsubscribe = Callable[[], None]


@runtime_checkable
class SipEngine(Protocol):
    """A SIP user agent. Events reach subscribers on the asyncio loop that ran ``start``.

    Errors are :class:`softphone.sip.errors.SipError` subclasses. Call ids are opaque
    strings chosen by the engine (not SIP Call-IDs, which the events carry separately).
    """

    def subscribe(self, callback: EventCallback) -> Unsubscribe:
        """Deliver every event to ``callback``; the returned function stops that."""

    async def start(self, config: EngineConfig) -> None:
        """Create transports and start the user agent."""

    async def stop(self) -> None:
        """Hang up calls, unregister accounts and shut down (never aborts)."""

    def local_address(self, transport: str = "udp") -> tuple[str, int]:
        """(host, port) the given transport listens on."""

    def add_account(self, account: AccountConfig) -> str:
        """Add an account (registers it when ``register_on_add``); returns its id."""

    async def remove_account(self, account_id: str) -> None:
        """Unregister (if registered) and forget the account."""

    async def register(self, account_id: str) -> RegistrationState:
        """Send REGISTER and wait for the final outcome."""

    async def unregister(self, account_id: str) -> RegistrationState:
        """Send REGISTER with Expires: 0 and wait for the final outcome."""

    def registration_state(self, account_id: str) -> RegistrationState:
        """The account's current registration state."""

    async def make_call(
        self,
        uri: str,
        account_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Send INVITE to ``uri`` (direct IP when ``account_id`` is None); returns call id."""

    async def answer(self, call_id: str, code: int = 200) -> None:
        """Answer an incoming call (200, or a provisional like 180/183)."""

    async def reject(self, call_id: str, code: int = 486) -> None:
        """Refuse an incoming call with a final status (486 busy, 603 decline, ...)."""

    async def hangup(self, call_id: str) -> None:
        """End a call in any state (CANCEL before answer, BYE after)."""

    async def hold(self, call_id: str) -> None:
        """Put the call on hold (re-INVITE with a=sendonly)."""

    async def unhold(self, call_id: str) -> None:
        """Resume a held call (re-INVITE with a=sendrecv)."""

    def set_mute(self, call_id: str, muted: bool) -> None:
        """Stop/resume transmitting the microphone into the call."""

    async def send_dtmf(self, call_id: str, digits: str, method: str | None = None) -> None:
        """Send DTMF digits (``"rfc4733"`` or ``"info"``; None = the configured method)."""

    async def transfer(self, call_id: str, target: str) -> None:
        """Blind transfer: send REFER to ``target``; the outcome comes as
        ``CallTransferProgress`` events (the peer's NOTIFYs)."""

    async def transfer_attended(self, call_id: str, to_call_id: str) -> None:
        """Attended transfer: REFER the peer of ``call_id`` to the peer of
        ``to_call_id`` with ``Replaces`` (RFC 3891)."""

    async def conference(self, call_ids: Iterable[str]) -> None:
        """Mix the given calls together (and with the local audio) on the bridge."""

    def call_stats(self, call_id: str) -> CallStats:
        """Codec, RTT, jitter, loss and a MOS estimate of a call."""

    def active_calls(self) -> list[CallInfo]:
        """Snapshots of all live calls."""

    def set_audio_bridge(self, bridge: AudioBridge | None) -> None:
        """Use ``bridge`` for microphone/speaker audio (None = null device)."""
