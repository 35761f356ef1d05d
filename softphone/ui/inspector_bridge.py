"""Feed the Inspector from a running phone: CallKit events, the app's and PushKit's
events, every SIP message, and every APNs request the emulator saw."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from softphone.callkit import (
    ActionFailed,
    ActionTimedOut,
    CallKitEvent,
    IncomingCallRejected,
    RuleViolated,
)
from softphone.phone.runtime import PhoneRuntime
from softphone.phone.voip_app import AppEvent
from softphone.sip import SipMessageLogged
from softphone.ui.inspector.feed import InspectorFeed, PushRecord, SipMessage, TimelineEntry

_CSEQ = re.compile(r"^CSeq:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_VIA = re.compile(r"^Via:\s*SIP/2\.0/\w+\s+([^;\s]+)", re.IGNORECASE | re.MULTILINE)
_TO_HOST = re.compile(
    r"^(?:INVITE|ACK|BYE|CANCEL|REGISTER|OPTIONS|INFO|UPDATE)\s+\S*?@?([\w.\-]+:\d+)"
)


def _now() -> tuple[float, datetime]:
    return time.monotonic(), datetime.now(timezone.utc)


class InspectorBridge:
    """Subscribes to the phone's parts and appends neutral records to an InspectorFeed."""

    def __init__(self, runtime: PhoneRuntime, feed: InspectorFeed | None = None) -> None:
        self.runtime = runtime
        self.feed = feed or InspectorFeed()
        self._sip_by_call: dict[str, str] = {}
        self._unsubs: list[Callable[[], None]] = [
            runtime.system.subscribe(self._on_callkit),
            runtime.app.subscribe(self._on_app),
            runtime.engine.subscribe(self._on_sip),
        ]
        if runtime.push is not None and runtime.push.emulator is not None:
            self._unsubs.append(runtime.push.emulator.subscribe(self._on_apns))

    def close(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    def _on_callkit(self, event: CallKitEvent) -> None:
        at, wall = _now()
        data = event.to_dict()
        kind = str(data.pop("type"))
        call = event.uuid
        severity = "info"
        if isinstance(event, RuleViolated):
            severity = "violation"
        elif isinstance(event, (ActionFailed, ActionTimedOut, IncomingCallRejected)):
            severity = "warning"
        shown = {k: v for k, v in data.items() if k not in ("at", "call_uuid")}
        summary = ", ".join(f"{k}={v}" for k, v in shown.items() if v not in ("", None))[:200]
        self.feed.append_timeline(
            TimelineEntry(
                at,
                wall,
                "callkit",
                kind,
                str(call) if call else None,
                self._sip_by_call.get(str(call)) if call else None,
                summary or kind,
                data,
                severity,  # type: ignore[arg-type]
            )
        )

    def _on_app(self, event: AppEvent) -> None:
        at, wall = _now()
        source = "pushkit" if event.name.startswith(("push.", "app.")) else "app"
        severity = "info"
        if event.name in ("push.rule-violated", "app.killed"):
            severity = "violation"
        elif event.name in ("call.failed", "error", "call.refused", "action.timed-out", "problem"):
            severity = "warning"
        if event.call:
            phone_call = None
            for c in self.runtime.app.calls:
                if str(c.uuid) == event.call:
                    phone_call = c
            if phone_call is not None and phone_call.sip_dialog_id:
                self._sip_by_call[event.call] = phone_call.sip_dialog_id
        summary = ", ".join(f"{k}={v}" for k, v in event.data.items())[:200]
        self.feed.append_timeline(
            TimelineEntry(
                at,
                wall,
                source,  # type: ignore[arg-type]
                event.name,
                event.call,
                self._sip_by_call.get(event.call or ""),
                summary or event.name,
                dict(event.data),
                severity,  # type: ignore[arg-type]
            )
        )

    def _on_sip(self, event: object) -> None:
        if not isinstance(event, SipMessageLogged):
            return
        at, wall = _now()
        host, port = self.runtime.engine.local_address("udp")
        local = f"{host}:{port}"
        via = _VIA.search(event.text)
        remote = "peer"
        if event.direction == "received" and via:
            remote = via.group(1)
        else:
            target = _TO_HOST.search(event.first_line)
            remote = target.group(1) if target else remote
        cseq = _CSEQ.search(event.text)
        self.feed.append_sip(
            SipMessage(
                at,
                wall,
                "sent" if event.direction == "sent" else "received",
                local,
                remote,
                event.first_line,
                event.sip_call_id or None,
                cseq.group(1).strip() if cseq else "",
                event.text,
            )
        )

    def _on_apns(self, request: Any) -> None:
        at, wall = _now()
        token = str(getattr(request, "path", "")).rsplit("/", 1)[-1]
        headers = dict(getattr(request, "headers", ()))
        status = int(getattr(request, "status", 0))
        payload = getattr(request, "payload", "")
        self.feed.append_push(
            PushRecord(
                at,
                wall,
                token,
                headers.get("apns-topic", ""),
                headers.get("apns-push-type", ""),
                headers,
                payload if isinstance(payload, (dict, str)) else str(payload),
                status,
                getattr(request, "reason", None) or None,
                getattr(request, "apns_id", None) or None,
                status == 200,
                "delivered to the device channel" if status == 200 else "rejected by APNs",
            )
        )
