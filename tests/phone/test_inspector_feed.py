"""The Inspector fed by a real phone: a push wake-up call shows in the CallKit timeline,
the SIP ladder and the push log, and exports to one HTML/JSON file."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.ui.inspector import export_session, load_session
from softphone.ui.inspector_bridge import InspectorBridge

pytestmark = pytest.mark.integration


async def test_a_pushed_call_fills_timeline_ladder_and_push_log(tmp_path: Path) -> None:
    phone = PhoneRuntime(create_engine(), Settings(), push_dir=tmp_path / "apns")
    await phone.start()
    bridge = InspectorBridge(phone)
    try:
        c = phone.control
        await c.execute("push", {"preset": "flexisip", "caller": "Alice"})  # the INVITE follows
        await c.execute("wait-for", {"event": "call.incoming"})
        await c.execute("wait-for", {"event": "call.invite-matched"})
        await c.execute("answer", {})
        await c.execute("wait-for", {"event": "call.connected"})
        await c.execute("dtmf", {"digits": "5"})
        await c.execute("wait-for", {"event": "dtmf.sent"})
        await c.execute("hold", {"on": True})
        await c.execute("wait-for", {"event": "call.held"})
        await c.execute("hangup", {})
        await c.execute("wait-for", {"event": "call.ended"})
    finally:
        bridge.close()
        await phone.stop()
    feed = bridge.feed
    kinds = {e.kind for e in feed.timeline()}
    for kind in ("IncomingCallReported", "ActionFulfilled", "AudioSessionActivated", "CallEnded"):
        assert kind in kinds, kinds
    assert "push.delivered" in kinds and "call.invite-matched" in kinds
    first_lines = [m.first_line for m in feed.sip()]
    assert any(line.startswith("INVITE ") for line in first_lines), first_lines
    assert any(line.startswith("SIP/2.0 200") for line in first_lines)
    assert any(m.direction == "sent" for m in feed.sip())
    pushes = feed.push()
    assert len(pushes) == 1 and pushes[0].status == 200 and pushes[0].push_type == "voip"
    html = export_session(feed, tmp_path / "session.html")
    text = html.read_text()
    assert "INVITE" in text and "IncomingCallReported" in text
    again = load_session(export_session(feed, tmp_path / "session.json"))
    assert len(again.sip()) == len(feed.sip()) and len(again.push()) == 1
