"""``softphone push`` with the simulated caller behind it: the caller's INVITE is made and
held (as a push server holds a call for a sleeping phone), the VoIP push announces it,
and once the app has reported the call to CallKit the INVITE is let through, so it is
matched to the pushed call as a real server's would be: by Call-ID when the payload
carries it (Flexisip's ``call-id`` is the INVITE's Call-ID here), otherwise as the only
call waiting for an INVITE."""

from __future__ import annotations

import asyncio
import contextlib
import uuid as _uuid
from collections.abc import Callable, Mapping
from typing import Any

from softphone.control import ConflictError
from softphone.phone.push import PushWakeUp
from softphone.phone.voip_app import AppEvent, VoipApp
from softphone.pushkit.payloads import parse_voip_payload
from softphone.sip.testline import TestLineError, TestLineProcess

#: How long the caller waits for the app to report the pushed call (and for a push that
#: the ``push-delay`` fault holds back).
REPORT_WAIT = 10.0
#: App events that mean the pushed call will never be reported: no INVITE follows.
_NOT_REPORTED = {
    "push.report-refused": "CallKit refused the pushed call",
    "push.not-reported": "the app did not report the push",
    "push.dropped": "PushKit dropped the push",
    "app.killed": "iOS killed the app",
}


async def push_with_call(
    push: PushWakeUp,
    app: VoipApp,
    line: TestLineProcess,
    phone_uri: str,
    params: Mapping[str, Any],
    on_line_error: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Send the push of ``params`` (``preset``, ``caller``, ``payload``) with the test
    line's INVITE behind it; the APNs answer plus ``call`` (the reported call's UUID) and
    ``invite`` (what the simulated caller did)."""
    payload = params.get("payload")
    payload = dict(payload) if isinstance(payload, Mapping) else None
    preset = params.get("preset")
    preset = "flexisip" if preset in (None, "generic") else str(preset)
    caller = str(params.get("caller") or "Alice")
    display = parse_voip_payload(payload).caller_name if payload is not None else caller
    try:
        call_id = await line.ring_held(phone_uri, display)
    except TestLineError as exc:
        if on_line_error is not None:
            on_line_error(str(exc))
        raise ConflictError(f"{exc}; push with --no-call to send the push alone") from exc
    waiter = _ReportWaiter(app)
    delay = push.delivery_delay  # a push-delay fault holds the push back this long
    try:
        # Flexisip's payload carries the INVITE's Call-ID; the other services their own id.
        pushed_id = call_id if preset == "flexisip" else None
        sent = await push.send(preset=preset, caller=caller, payload=payload, call_id=pushed_id)
        if sent.get("status") != 200:
            await _drop(line, call_id)
            return {**sent, "invite": {"sent": False, "why": "APNs did not accept the push"}}
        expected = parse_voip_payload(sent.get("payload")).call_id
        reported, why = await waiter.wait(expected, REPORT_WAIT + delay)
    finally:
        waiter.close()
    if reported is not None and not _waits_for_invite(app, reported):
        reported, why = None, "the pushed call ended at once (e.g. a stale push: missed)"
    if reported is None:
        await _drop(line, call_id)
        return {**sent, "invite": {"sent": False, "why": why}}
    await line.release(call_id)
    invite = {"sent": True, "sip_call_id": call_id, "from": display}
    return {**sent, "call": reported, "invite": invite}


def _waits_for_invite(app: VoipApp, call: str) -> bool:
    pushed = app.calls.get(_uuid.UUID(call))
    return pushed is not None and pushed.sip_call_id is None


async def _drop(line: TestLineProcess, call_id: str) -> None:
    with contextlib.suppress(TestLineError):
        await line.hangup(call_id)


class _ReportWaiter:
    """Watches the app's events from now on for the pushed call's report."""

    def __init__(self, app: VoipApp) -> None:
        self._events: list[AppEvent] = []
        self._changed = asyncio.Event()
        self._unsubscribe = app.subscribe(self._on_event)

    def _on_event(self, event: AppEvent) -> None:
        self._events.append(event)
        self._changed.set()

    async def wait(self, call_id: str, timeout: float) -> tuple[str | None, str]:
        """(the call's UUID, "") once the app reported the push with ``call_id`` (any
        pushed call when the payload has none); (None, why) when it will not be."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in self._events:
                data = event.data
                pushed = event.name == "call.incoming" and data.get("via") == "push"
                if pushed and (not call_id or data.get("sip_call_id") == call_id):
                    return event.call, ""
                if event.name in _NOT_REPORTED:
                    detail = data.get("reason") or data.get("rule") or ""
                    why = _NOT_REPORTED[event.name] + (f" ({detail})" if detail else "")
                    return None, why
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                return None, f"the pushed call was not reported within {timeout:g} s"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def close(self) -> None:
        self._unsubscribe()
