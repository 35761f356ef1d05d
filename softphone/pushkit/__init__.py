"""The emulated PushKit service (PKPushRegistry and delivery rules). Pure Python.

How the phone layer wires it (it may import pushkit, callkit and apns; they may not
import each other)::

    registry = PKPushRegistry(loop, delegate=app, desired_push_types=[PKPushType.voip],
                              device=EmulatedDevice(clock, AppState.suspended))
    registry.subscribe(on_event)          # AppStateChanged.sip_allowed -> start/stop SIP;
                                          # RuleViolated/AppKilled -> UI and event stream
    channel = DeviceChannelClient(host, device_port, lambda m: registry.receive_push(
        m["payload"], push_id=m["apns_id"], expiration=m["expiration"],
        sent_at=m["received_at"]), info.device_secret)
    await channel.register(registry.push_token_for(PKPushType.voip).hex(), bundle_id)

    # app.did_receive_incoming_push(registry, payload, type, completion):
    #   provider.report_new_incoming_call(...)   (CallKit, from payload.call)
    #   registry.reported_call(payload.call.call_id); completion()
    #   if payload.stale: end the call as missed
    #   pending = registry.pending_invite(call_id, on_answer, on_failed)
    #   -> pending.answer_requested() on CXAnswerCallAction, invite_arrived() on INVITE
    #   registry.call_ended(call_id) when the call ends
"""

from ._clock import Clock, LoopClock, ManualClock, TimerHandle
from ._device import EmulatedDevice, EventListener
from ._events import (
    AppKilled,
    AppState,
    AppStateChanged,
    CallReported,
    DeviceLockChanged,
    PushDelivered,
    PushDropped,
    PushKitEvent,
    Rule,
    RuleViolated,
)
from ._pending_invite import PendingInvite, PendingInviteState
from ._registry import PKPushRegistry, PKPushRegistryDelegate, PushDelivery
from ._types import PKPushCredentials, PKPushPayload, PKPushType
from .payloads import UNKNOWN_CALLER, IncomingPushCall, parse_voip_payload

__all__ = [
    "UNKNOWN_CALLER",
    "AppKilled",
    "AppState",
    "AppStateChanged",
    "CallReported",
    "Clock",
    "DeviceLockChanged",
    "EmulatedDevice",
    "EventListener",
    "IncomingPushCall",
    "LoopClock",
    "ManualClock",
    "PKPushCredentials",
    "PKPushPayload",
    "PKPushRegistry",
    "PKPushRegistryDelegate",
    "PKPushType",
    "PendingInvite",
    "PendingInviteState",
    "PushDelivered",
    "PushDelivery",
    "PushDropped",
    "PushKitEvent",
    "Rule",
    "RuleViolated",
    "TimerHandle",
    "parse_voip_payload",
]
