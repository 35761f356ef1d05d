"""SIP outcomes <-> CallKit words."""

from __future__ import annotations

import pytest

from softphone.callkit import CXCallEndedReason, CXErrorCodeIncomingCallError, CXHandleType
from softphone.phone.reasons import ended_reason, refusal_status
from softphone.phone.voip_app import display_handle, handle_for


@pytest.mark.parametrize(
    ("cause", "header", "expected"),
    [
        ("remote_hangup", "", CXCallEndedReason.REMOTE_ENDED),
        ("busy", "", CXCallEndedReason.REMOTE_ENDED),
        ("declined", "", CXCallEndedReason.REMOTE_ENDED),
        ("not_found", "", CXCallEndedReason.FAILED),
        ("timeout", "", CXCallEndedReason.UNANSWERED),
        ("failed", "", CXCallEndedReason.FAILED),
        ("remote_cancelled", "", CXCallEndedReason.REMOTE_ENDED),
        ("answered_elsewhere", "", CXCallEndedReason.ANSWERED_ELSEWHERE),
        ("remote_cancelled", 'SIP;cause=200;text="x"', CXCallEndedReason.ANSWERED_ELSEWHERE),
        ("remote_cancelled", "SIP;cause=603", CXCallEndedReason.DECLINED_ELSEWHERE),
        ("unavailable", "", CXCallEndedReason.FAILED),
        ("something new", "", CXCallEndedReason.FAILED),
    ],
)
def test_end_reasons(cause: str, header: str, expected: CXCallEndedReason) -> None:
    assert ended_reason(cause, 0, header) is expected


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (CXErrorCodeIncomingCallError.FILTERED_BY_DO_NOT_DISTURB, 486),
        (CXErrorCodeIncomingCallError.FILTERED_BY_BLOCK_LIST, 603),
        (CXErrorCodeIncomingCallError.CALL_UUID_ALREADY_EXISTS, 482),
        (CXErrorCodeIncomingCallError.CALL_LIMIT_REACHED, 486),
        (CXErrorCodeIncomingCallError.UNKNOWN, 480),
        (None, 480),
    ],
)
def test_refusals_become_sip_statuses(
    code: CXErrorCodeIncomingCallError | None, status: int
) -> None:
    assert refusal_status(code)[0] == status


def test_handles() -> None:
    assert handle_for("+1 (555) 010-2030").type is CXHandleType.PHONE_NUMBER
    assert handle_for("sip:bob@127.0.0.1").type is CXHandleType.GENERIC
    assert display_handle('"Bob" <sip:+15550102@pbx.example;user=phone>') == "+15550102"
    assert display_handle("sip:echo@127.0.0.1:5070") == "echo@127.0.0.1:5070"
    with pytest.raises(ValueError):
        handle_for("   ")
