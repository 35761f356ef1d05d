"""The app's own book of calls: CallKit UUID <-> SIP call id, and what each side knows."""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class PhoneCall:
    """One call as the VoIP app sees it (the seeds' ``Call`` object of the CallManager)."""

    uuid: _uuid.UUID
    outgoing: bool
    handle: str
    sip_call_id: str | None = None  # the engine's id; None until the INVITE exists
    sip_dialog_id: str | None = None  # the SIP Call-ID header (push payloads carry it)
    display_name: str | None = None
    connected: bool = False
    ending_locally: bool = False  # an end action is in progress: SIP's end is expected
    from_push: bool = False
    account_id: str | None = None  # the SIP account an outgoing call goes out on
    pending_answer: object | None = None  # a CXAnswerCallAction waiting for the INVITE
    dtmf_received: list[str] = field(default_factory=list)
    remote_hold: bool = False  # the other side holds us (its re-INVITE: sendonly/inactive)
    cancel_reason: str = ""  # a received CANCEL's Reason header (answered elsewhere ...)


class CallBook:
    """Look calls up by CallKit UUID, engine call id or SIP Call-ID."""

    def __init__(self) -> None:
        self._by_uuid: dict[_uuid.UUID, PhoneCall] = {}

    def add(self, call: PhoneCall) -> PhoneCall:
        if call.uuid in self._by_uuid:
            raise ValueError(f"call {call.uuid} already exists")
        self._by_uuid[call.uuid] = call
        return call

    def get(self, uuid: _uuid.UUID) -> PhoneCall | None:
        return self._by_uuid.get(uuid)

    def by_sip(self, sip_call_id: str) -> PhoneCall | None:
        return next((c for c in self._by_uuid.values() if c.sip_call_id == sip_call_id), None)

    def by_dialog(self, dialog_id: str) -> PhoneCall | None:
        return next(
            (c for c in self._by_uuid.values() if c.sip_dialog_id and c.sip_dialog_id == dialog_id),
            None,
        )

    def remove(self, uuid: _uuid.UUID) -> PhoneCall | None:
        return self._by_uuid.pop(uuid, None)

    def __iter__(self) -> Iterator[PhoneCall]:
        return iter(list(self._by_uuid.values()))

    def __len__(self) -> int:
        return len(self._by_uuid)
