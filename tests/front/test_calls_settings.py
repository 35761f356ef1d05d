"""``[calls]``: what CallKit shows and allows, seen in ``state``, events, Recents, the wire."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from softphone.control.client import ControlClientError
from tests.front.peers import poll, sipp
from tests.front.phones import running, wait_state
from tests.sip.scenarios import HEAD, TAIL, _invite, uac_cancel, uac_expect_status, uas


def _uac_until_final() -> str:
    """Call the phone, let it ring, and take the final status it ends the call with."""
    finals = "".join(
        f'  <recv response="{code}" optional="true" next="ack"/>\n' for code in (408, 486, 487, 603)
    )
    return (
        HEAD.format(name="uac-final")
        + _invite()
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + '  <recv response="183" optional="true"/>\n'
        + finals
        + '  <recv response="480"/>\n'
        + '  <label id="ack"/>\n'
        + "  <send><![CDATA[\n"
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "[last_Via:]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "[last_To:]\nCall-ID: [call_id]\nCSeq: 1 ACK\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n" + TAIL
    )


@pytest.mark.covers(
    "calls.app_name",
    "calls.unanswered_timeout",
    "calls.maximum_call_groups",
    "calls.includes_calls_in_recents",
)
def test_app_name_unanswered_timeout_and_call_group_limit(tmp_path: Path) -> None:
    toml = (
        '[calls]\napp_name = "Front Desk"\nunanswered_timeout = 5.0\n'
        "maximum_call_groups = 1\nincludes_calls_in_recents = true\n"
    )
    with running(tmp_path, "a", toml) as phone:
        address = phone.state()["sip"]["udp"]
        with sipp(_uac_until_final(), tmp_path, address, service="me") as caller:
            phone.wait_for("call.incoming", timeout=10)
            rang_at = time.monotonic()
            calls = phone.state()["calls"]
            assert [c["app"] for c in calls] == ["Front Desk"], calls  # "Front Desk Audio"
            phone.wait_for("call.ended", timeout=15)
            rang_for = time.monotonic() - rang_at
            caller.expect_success(10)
        assert 3.0 <= rang_for <= 15.0, f"unanswered after {rang_for:.1f} s, not ~5 s (default 30)"
        recents = poll("a missed call in Recents", lambda: phone.recents()["recents"], 5)
        assert recents[0]["missed"] and recents[0]["app"] == "Front Desk", recents

        # One call group: a second outgoing call while one is up is refused by CallKit.
        with sipp(uas(), tmp_path, service="one") as peer:
            first = phone.call(f"sip:one@{peer.address}")["call"]
            phone.wait_for("call.connected", timeout=10)
            with pytest.raises(ControlClientError, match=r"(?i)maximum call groups"):
                phone.call("echo")
            assert [c["uuid"] for c in phone.state()["calls"]] == [first]
            # Incoming: one call may wait beside the group; a caller beyond that gets 486.
            with sipp(uac_cancel(ring_ms=3000), tmp_path, address, service="me") as waiting:
                phone.wait_for("call.incoming", timeout=10)
                with sipp(uac_expect_status(486), tmp_path, address, service="me") as third:
                    third.expect_success(15)
                waiting.expect_success(15)
            phone.hangup(first)
            peer.expect_success(15)


@pytest.mark.covers(
    "calls.maximum_calls_per_call_group",
    "calls.includes_calls_in_recents",
    "calls.media_lost_after",
    "calls.media_timeout",
)
def test_calls_per_group_recents_off_and_media_watch(tmp_path: Path) -> None:
    toml = (
        "[calls]\nmaximum_calls_per_call_group = 1\nincludes_calls_in_recents = false\n"
        "media_lost_after = 1.0\nmedia_timeout = 2.5\n"
    )
    with running(tmp_path, "a", toml) as phone:
        # Two calls to the echo line (it sends RTP back): merging them would make a group
        # of two, above the limit of one.
        first = phone.call("echo")["call"]
        phone.wait_for("call.connected", timeout=15)
        phone.hold(True, first)
        phone.wait_for("call.held", timeout=10)
        second_uuid = phone.call("echo")["call"]
        phone.wait_for("call.connected", timeout=15)
        with pytest.raises(ControlClientError, match=r"(?i)maximum calls per call group"):
            phone.merge()
        for uuid in (first, second_uuid):
            phone.hangup(uuid)
            phone.wait_for("call.ended", timeout=10)
        wait_state(phone, "both echo calls ended", lambda s: not s["calls"])

        # A peer that answers but never sends RTP: "Reconnecting…" after 1 s, failed at 2.5 s.
        with sipp(uas(), tmp_path, service="mute") as peer:
            phone.call(f"sip:mute@{peer.address}")
            phone.wait_for("call.connected", timeout=10)
            connected = time.monotonic()
            phone.wait_for("call.media-lost", timeout=10)
            lost_after = time.monotonic() - connected
            ended = phone.wait_for("call.ended", timeout=15)
            ended_after = time.monotonic() - connected
            peer.expect_success(15)
        assert lost_after < 4.5, f"media lost after {lost_after:.1f} s, not ~1 s (default 6)"
        assert ended_after < 12.0, f"ended after {ended_after:.1f} s, not ~2.5 s (default 30)"
        assert ended["data"].get("by") == "app" and "no audio" in str(ended), ended
        # Not in Recents: none of the three calls.
        assert phone.recents()["recents"] == [], phone.recents()
