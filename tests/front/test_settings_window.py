"""The Settings page in the phone window, tapped as a user taps it, on a real phone
(CallKit layer, pjsua2 engine, the profile's settings file)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF

from softphone.phone.runtime import PhoneRuntime
from softphone.settings import SettingsStore, profile_paths
from softphone.sip.pjsua import create_engine
from softphone.ui._runner import AsyncioTaskRunner
from softphone.ui.phone_service import RuntimePhoneService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d

pytestmark = pytest.mark.integration

TOML = '[[accounts]]\nid = "lab"\nuri = "sip:lab@127.0.0.1"\nregister = false\n'


@pytest.fixture
async def window(
    qapp: object, tmp_path: Path
) -> AsyncIterator[tuple[PhoneRuntime, PhoneWindow, SettingsStore]]:
    paths = profile_paths("window", root=tmp_path).ensure()
    paths.settings_file.write_text(TOML)
    store = SettingsStore(paths)
    runtime = PhoneRuntime(
        create_engine(), store.load().settings, save_settings=store.save, with_test_line=False
    )
    await runtime.start()
    win = PhoneWindow(RuntimePhoneService(runtime), runner=AsyncioTaskRunner(), reduce_motion=True)
    try:
        yield runtime, win, store
    finally:
        win.close()
        await runtime.stop()


@pytest.mark.covers(
    "page:codecs.enabled",
    "page:transport",
    "page:push.enabled",
    "page:accounts.enabled",
    "page:doNotDisturb",
    "page:locked",
)
async def test_settings_page_taps_are_saved_for_the_next_start(
    window: tuple[PhoneRuntime, PhoneWindow, SettingsStore],
) -> None:
    runtime, win, store = window
    d.click(win, "settingsButton")
    d.pump(450)
    for switch in ("codecSwitch_PCMU", "codecSwitch_G722", "pushSwitch", "accountSwitch_lab",
                   "transport_tcp"):
        _scroll_to(win, switch)  # the page is taller than the window
        d.click(win, switch)
    d.click(win, "settingsSave")
    await d.until(lambda: store.load().settings.sip.codecs == ("PCMA/8000",))
    saved = store.load().settings  # what the next start reads
    assert saved.push.enabled is False
    assert [(a.id, a.enabled, a.transport) for a in saved.accounts] == [("lab", False, "tcp")]
    await d.until(lambda: not d.exists(win, "settingsPage"))

    # The device switches act at once.
    d.click(win, "settingsButton")
    d.pump(450)
    _scroll_to(win, "settingsDnd")
    d.click(win, "settingsDnd")
    await d.until(lambda: runtime.system.do_not_disturb)
    d.click(win, "settingsLock")
    await d.until(lambda: runtime.system.device_locked)
    state = runtime.state()["device"]
    assert state == {"locked": True, "do_not_disturb": True}


def _scroll_to(win: PhoneWindow, name: str) -> None:
    """Scroll the page's Flickable (as a flick would) until ``name`` is in the window."""
    item = d.find(win, name)
    flickable = item.parentItem()
    while flickable is not None and flickable.property("contentY") is None:
        flickable = flickable.parentItem()
    assert flickable is not None, f"{name} is not in a Flickable"
    y = item.mapToItem(flickable.property("contentItem"), QPointF(0, 0)).y()
    flickable.setProperty("contentY", max(0.0, y - flickable.height() / 2))
    d.pump(50)
