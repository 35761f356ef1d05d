"""The screens on the real phone: real CallKit layer, real pjsua2 engine, and the test
line as the peer. Answer, keypad DTMF, hold, end, and an outgoing call, by clicking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.callkit import CallState
from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.ui._runner import AsyncioTaskRunner
from softphone.ui.phone_service import RuntimePhoneService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d

pytestmark = pytest.mark.integration


@pytest.fixture
async def real(qapp: object, tmp_path: Path) -> AsyncIterator[tuple[PhoneRuntime, PhoneWindow]]:
    runtime = PhoneRuntime(create_engine(), Settings())
    await runtime.start()
    win = PhoneWindow(RuntimePhoneService(runtime), runner=AsyncioTaskRunner(), reduce_motion=True)
    try:
        yield runtime, win
    finally:
        win.close()
        await runtime.stop()


async def test_answer_dtmf_hold_and_end_by_clicking(
    real: tuple[PhoneRuntime, PhoneWindow],
) -> None:
    runtime, win = real
    line = runtime.test_line
    assert line is not None
    host, port = runtime.engine.local_address("udp")
    await line.ring(f"sip:me@{host}:{port}")
    await d.until(lambda: d.exists(win, "incomingBanner"))
    assert "Softphone Test Line" in d.text_of(win, "bannerName")
    d.pump(500)  # the banner slides in
    d.click(win, "bannerAccept")
    await d.until(lambda: bool(runtime.system.calls) and runtime.system.calls[0].has_connected)
    await line.wait_for("answered")
    await d.until(lambda: d.exists(win, "callScreen"))
    d.pump(500)  # the call screen fades in
    d.click(win, "keypadButton")
    await d.until(lambda: d.exists(win, "callKeypad"))
    for digit in "47":
        d.type_text(win, digit)
    for digit in "47":
        await line.wait_for("dtmf", digit=digit)
    d.click(win, "hideKeypad")
    d.pump(300)

    d.long_press(win, "muteButton")  # touch-and-hold mute puts the call on hold, as iOS
    await line.wait_for("held")
    await d.until(lambda: runtime.system.calls[0].state is CallState.HELD)
    await d.until(lambda: d.exists(win, "onHoldBadge"))

    d.click(win, "endButton")
    await line.wait_for("ended")
    await d.until(lambda: not [c for c in runtime.system.calls if not c.has_ended])
    await d.until(lambda: not d.exists(win, "callScreen"))


async def test_dial_the_echo_line_from_the_keypad(
    real: tuple[PhoneRuntime, PhoneWindow],
) -> None:
    runtime, win = real
    d.type_text(win, "echo")  # SIP users can be typed on a desktop keyboard
    if d.text_of(win, "dialNumber").lower() != "echo":
        win.view_model.dial("echo")
    else:
        d.click(win, "callButton")
    await d.until(lambda: d.exists(win, "callScreen"))
    await d.until(lambda: d.text_of(win, "callStatus") in ("calling...", "ringing...", "00:00"))
    await d.until(lambda: d.text_of(win, "callStatus").startswith("00:"), timeout=10)
    await d.until(lambda: "PCMU" in str(win.view_model.property("primaryCall").get("qualityText")))
    await d.until(lambda: d.exists(win, "qualityBadge"), timeout=5)  # codec/MOS from RTCP
    d.click(win, "endButton")
    await d.until(lambda: not [c for c in runtime.system.calls if not c.has_ended])


async def test_a_bad_setting_is_named_in_the_error_banner(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """settings.toml with one bad value: the window's error banner names the key and the
    reason (the phone as ``softphone run`` builds it from the loaded file)."""
    import argparse

    from softphone import session
    from softphone.settings import SettingsStore, profile_paths

    monkeypatch.setenv("SOFTPHONE_HOME", str(tmp_path))
    paths = profile_paths("banner").ensure()
    paths.settings_file.write_text('[sip]\nudp_port = 99999\ncodecs = ["PCMA/8000"]\n')
    store = SettingsStore(paths)
    args = argparse.Namespace(profile="banner")
    runtime = session._runtime(args, paths, store, store.load(), None)
    assert runtime.settings.sip.codecs == ("PCMA/8000",)
    win = PhoneWindow(RuntimePhoneService(runtime), runner=AsyncioTaskRunner(), reduce_motion=True)
    try:
        await d.until(lambda: d.exists(win, "errorDetail"))
        detail = d.text_of(win, "errorDetail")
        assert "sip.udp_port" in detail and "must be 0-65535" in detail, detail
    finally:
        win.close()


async def test_a_sip_message_shows_as_a_banner(
    real: tuple[PhoneRuntime, PhoneWindow], tmp_path: Path
) -> None:
    """A MESSAGE from another SIP phone (SIPp) becomes the window's notification."""
    from tests.sip import dialog_scenarios as ds
    from tests.sip.helpers import start_sipp

    runtime, win = real
    host, port = runtime.engine.local_address("udp")
    sipp = await start_sipp(
        ds.out_of_dialog("MESSAGE", 200, body="Meeting moved to 3", log_headers=()),
        tmp_path,
        f"{host}:{port}",
    )
    await sipp.expect_success()
    await d.until(lambda: d.exists(win, "errorBanner_0"))
    assert d.text_of(win, "errorTitle") == "Message from SIPp Caller"
    assert d.text_of(win, "errorDetail") == "Meeting moved to 3"
