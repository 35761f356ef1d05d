"""Transfers, redirects and messages in the VoIP app.

Being transferred keeps the CallKit call (same UUID) and tells the system who is on the
other end now (Apple: ``CXProvider.reportCall(with:updated:)`` with a ``CXCallUpdate``),
as an iOS VoIP app does; CallKit has no transfer action, so transferring is the app's
own (the call screen's app menu, the control API). Events: ``call.transferred``,
``call.replaced``, ``call.transfer-refused``, ``call.transfer-progress``,
``call.transfer-result``, ``call.redirected``, ``message.received``.
"""

from __future__ import annotations

import logging
import uuid as _uuid
from typing import TYPE_CHECKING

from softphone.callkit import CallKitError, CXCallUpdate, CXEndCallAction, CXTransaction
from softphone.sip import (
    CallRedirected,
    CallTransferProgress,
    CallTransferred,
    CallTransferRefused,
    MessageReceived,
    SipError,
)

if TYPE_CHECKING:
    from softphone.phone.calls import PhoneCall
    from softphone.phone.voip_app import VoipApp

log = logging.getLogger(__name__)


class Transfers:
    """The app's part of REFER, Replaces, 3xx and MESSAGE (listens to the engine)."""

    def __init__(self, app: VoipApp) -> None:
        self.app = app
        #: CallKit UUID -> the handles the call had before (Recents notes them).
        self.history: dict[_uuid.UUID, list[str]] = {}
        self._unsubscribe = app.engine.subscribe(self._on_sip_event)

    def close(self) -> None:
        self._unsubscribe()

    # ---- transferring (our REFER) ----------------------------------------------------

    async def transfer(
        self, call_uuid: _uuid.UUID, to: str | None = None, replaces: _uuid.UUID | None = None
    ) -> None:
        """Blind transfer to ``to``, or attended: the peer of ``call_uuid`` is connected
        to the peer of our call ``replaces`` (REFER with Replaces). Raises ValueError for
        a bad request and SipError when the REFER cannot be sent."""
        call = self._sip_call(call_uuid)
        if (to is None) == (replaces is None):
            raise ValueError("give either 'to' (blind transfer) or 'replaces' (attended)")
        if replaces is not None:
            if replaces == call_uuid:
                raise ValueError("a call cannot be transferred to itself")
            other = self._sip_call(replaces)
            await self.app.engine.transfer_attended(str(call.sip_call_id), str(other.sip_call_id))
            self.app._emit("call.transfer-started", call_uuid, replaces=str(replaces))
            return
        target = (to or "").strip()
        if not target:
            raise ValueError("nothing to transfer to: give a number or a SIP URI")
        uri = self.app._resolve_uri(target)
        await self.app.engine.transfer(str(call.sip_call_id), uri)
        self.app._emit("call.transfer-started", call_uuid, to=uri)

    def _sip_call(self, call_uuid: _uuid.UUID) -> PhoneCall:
        call = self.app.calls.get(call_uuid)
        if call is None or call.sip_call_id is None:
            raise LookupError(f"no SIP call {call_uuid}")
        return call

    # ---- engine events -----------------------------------------------------------------

    def _on_sip_event(self, event: object) -> None:
        try:
            if isinstance(event, CallTransferred):
                self._transferred(event)
            elif isinstance(event, CallTransferRefused):
                self._for_call(
                    event.call_id,
                    "call.transfer-refused",
                    status=event.status,
                    reason=event.reason,
                    target=event.target_uri,
                )
            elif isinstance(event, CallTransferProgress):
                self._progress(event)
            elif isinstance(event, CallRedirected):
                self._redirected(event)
            elif isinstance(event, MessageReceived):
                self.app._emit(
                    "message.received",
                    None,
                    sender=event.from_uri,
                    name=event.display_name,
                    body=event.body,
                    content_type=event.content_type,
                )
        except Exception:  # a SIP event must never take the app down
            log.exception("handling %r failed", event)

    def _for_call(self, sip_id: str, name: str, **data: object) -> PhoneCall | None:
        call = self.app.calls.by_sip(sip_id)
        if call is not None:
            self.app._emit(name, call.uuid, **data)
        return call

    def _new_party(self, call: PhoneCall, remote_uri: str, display_name: str) -> None:
        """Tell CallKit who the call is with now (Apple: ``reportCall(with:updated:)``)."""
        from softphone.phone.voip_app import display_handle, handle_for

        handle = display_handle(remote_uri) if remote_uri else call.handle
        name = display_name or None
        lookup = self.app._caller_name
        if lookup is not None:
            name = lookup(handle) or name
        self.history.setdefault(call.uuid, []).append(call.handle)
        call.handle, call.display_name = handle, name
        try:
            self.app.provider.report_call_updated(
                call.uuid,
                CXCallUpdate(remote_handle=handle_for(handle), localized_caller_name=name or ""),
            )
        except CallKitError as exc:
            log.info("report_call_updated: %s", exc)

    def _transferred(self, event: CallTransferred) -> None:
        call = self.app.calls.by_sip(event.call_id)
        if call is None:
            return
        previous = call.handle
        self._new_party(call, event.remote_uri, event.remote_display_name)
        self.app._emit(
            "call.replaced" if event.how == "replaces" else "call.transferred",
            call.uuid,
            handle=call.handle,
            name=call.display_name,
            previous=previous,
            uri=event.remote_uri,
        )

    def _progress(self, event: CallTransferProgress) -> None:
        call = self._for_call(
            event.call_id,
            "call.transfer-progress",
            code=event.code,
            reason=event.reason,
            final=event.final,
        )
        if call is None or not event.final:
            return
        ok = 200 <= event.code < 300
        self.app._emit(
            "call.transfer-result", call.uuid, ok=ok, code=event.code, reason=event.reason
        )
        if ok:  # the transferee has the other party now: we leave (RFC 5589)
            self.app._spawn(self._leave(call.uuid))

    async def _leave(self, call_uuid: _uuid.UUID) -> None:
        try:
            await self.app.controller.request(CXTransaction([CXEndCallAction(call_uuid)]))
        except (CallKitError, SipError) as exc:
            log.info("ending the transferred call: %s", exc)

    def _redirected(self, event: CallRedirected) -> None:
        call = self.app.calls.by_sip(event.call_id)
        if call is None:
            return
        if event.followed:
            self._new_party(call, event.target_uri, "")
        self.app._emit(
            "call.redirected",
            call.uuid,
            target=event.target_uri,
            followed=event.followed,
            reason=event.reason,
            handle=call.handle,
        )
