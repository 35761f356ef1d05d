"""The QA lab in Settings on the real phone: push console, a fault, export, diagnostics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import Settings
from softphone.sip.pjsua import create_engine
from softphone.ui._runner import AsyncioTaskRunner
from softphone.ui.inspector import export_session
from softphone.ui.inspector_bridge import InspectorBridge
from softphone.ui.lab_viewmodel import LabViewModel
from softphone.ui.phone_service import RuntimePhoneService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d

pytestmark = pytest.mark.integration


@pytest.fixture
async def lab_win(qapp: object, tmp_path: Path) -> AsyncIterator[tuple[PhoneRuntime, PhoneWindow]]:
    runtime = PhoneRuntime(create_engine(), Settings(), push_dir=tmp_path / "apns")
    runtime.first_run_marker = tmp_path / "welcome-shown"
    runtime.log_file = tmp_path / "softphone.log"
    runtime.log_file.write_text("INFO something happened\nAuthorization: Digest response=abc\n")
    await runtime.start()
    bridge = InspectorBridge(runtime)

    async def export(params: dict[str, str]) -> dict[str, str]:
        return {"path": str(export_session(bridge.feed, params["path"]))}

    runtime.control.extra["export"] = export
    service = RuntimePhoneService(runtime)
    win = PhoneWindow(
        service, runner=AsyncioTaskRunner(), reduce_motion=True, lab=LabViewModel(service)
    )
    try:
        yield runtime, win
    finally:
        win.close()
        bridge.close()
        await runtime.stop()


async def test_push_console_rings_this_phone(lab_win: tuple[PhoneRuntime, PhoneWindow]) -> None:
    _runtime, win = lab_win
    assert win.lab is not None
    win.lab.nextPreset()  # quickblox
    assert win.lab.property("preset") == "quickblox"
    win.lab.run("push")
    await d.until(lambda: "APNs 200" in str(win.lab.property("result")))
    await d.until(lambda: d.exists(win, "incomingBanner"))
    assert "Lab caller" in d.text_of(win, "bannerName")


async def test_fault_export_and_diagnostics(
    lab_win: tuple[PhoneRuntime, PhoneWindow], tmp_path: Path
) -> None:
    runtime, win = lab_win
    assert win.lab is not None
    win.lab.run("suspend-app")
    await d.until(lambda: "suspended" in str(win.lab.property("result")))
    assert runtime.push is not None and runtime.push.device.state.value == "suspended"
    win.lab.run("export")
    await d.until(lambda: "exported" in str(win.lab.property("result")))
    assert list(tmp_path.glob("session-*.html"))
    win.lab.copyDiagnostics()
    text = QGuiApplication.clipboard().text()
    assert "Softphone" in text and "something happened" in text
    assert "response=abc" not in text


async def test_a_broken_pushkit_rule_shows_in_the_window(
    lab_win: tuple[PhoneRuntime, PhoneWindow],
) -> None:
    _runtime, win = lab_win
    assert win.lab is not None
    win.lab.run("forget-push-report")
    await d.until(lambda: "forget-push-report" in str(win.lab.property("result")))
    win.lab.run("push")
    await d.until(lambda: d.exists(win, "errorTitle"))
    titles = {e.title for e in win.view_model._service.errors()}  # type: ignore[attr-defined]
    assert {"PushKit Rule Broken", "App Killed by iOS"} <= titles
    assert d.text_of(win, "errorTitle") in titles


async def test_network_loss_from_the_lab_shows_reconnecting_and_a_banner(
    lab_win: tuple[PhoneRuntime, PhoneWindow],
) -> None:
    runtime, win = lab_win
    assert win.lab is not None
    runtime.media_watch.lost_after, runtime.media_watch.interval = 1.0, 0.25
    await runtime.control.execute("call", {"to": "echo"})
    await runtime.control.execute("wait-for", {"event": "call.connected"})
    await d.until(lambda: d.exists(win, "callStatus"))
    win.lab.run("network-loss")  # what the "Network Loss (10 s)" row does
    await d.until(lambda: "network-loss" in str(win.lab.property("result")))
    await d.until(lambda: d.exists(win, "errorTitle"))
    assert d.text_of(win, "errorTitle") == "No Network"
    await d.until(lambda: d.text_of(win, "callStatus") == "Reconnecting…")
    await runtime.control.execute("inject", {"fault": "network-restore"})
    await d.until(lambda: ":" in d.text_of(win, "callStatus"))  # the timer again
    assert runtime.system.calls[0].state.name == "ACTIVE"


async def test_a_custom_payload_from_the_lab(lab_win: tuple[PhoneRuntime, PhoneWindow]) -> None:
    _runtime, win = lab_win
    assert win.lab is not None
    win.lab.sendPayload("{not json")
    assert "not JSON" in str(win.lab.property("result"))
    win.lab.sendPayload("[1, 2]")
    assert "must be a JSON object" in str(win.lab.property("result"))
    win.lab.sendPayload('{"aps": {}, "made_up_format": true}')  # iOS still must ring
    await d.until(lambda: "APNs 200" in str(win.lab.property("result")))
    await d.until(lambda: d.exists(win, "incomingBanner"))
    assert d.text_of(win, "bannerName") == "Unknown caller"


def test_every_lab_row_is_a_fault_the_phone_knows() -> None:
    """The Lab's rows name faults the runtime (and so the API's inject) accepts."""
    import re

    qml = (Path(__file__).resolve().parents[2] / "resources/qml/LabSection.qml").read_text()
    actions = set(re.findall(r'action: "([a-z-]+)"', qml)) - {"push", "export"}
    source = (Path(__file__).resolve().parents[2] / "softphone/phone/runtime.py").read_text()
    unknown = [a for a in sorted(actions) if f'"{a}"' not in source]
    assert actions and unknown == []
