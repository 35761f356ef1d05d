"""The call screen's Transfer… entry (the app's own menu: CallKit has no transfer
button): blind to a typed address, attended to the held call, cancel."""

from __future__ import annotations

from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d


def _active(service: FakePhoneUiService, handle: str, name: str = "") -> str:
    uuid = service.report_incoming(handle, name)
    service.answer(uuid)
    return uuid


def test_transfer_to_a_typed_address(win: PhoneWindow, service: FakePhoneUiService) -> None:
    uuid = _active(service, "+14155550100")
    d.pump(300)
    d.click(win, "transferButton")
    d.pump(400)
    d.type_text(win, "sip:carol@pbx.example.com")
    d.click(win, "transferBlind")
    assert service.intents[-1] == ("transfer", (uuid, "sip:carol@pbx.example.com"))


def test_transfer_to_the_held_call(win: PhoneWindow, service: FakePhoneUiService) -> None:
    held = _active(service, "+14155550199", "Ann")
    service.set_held(held, True)
    current = _active(service, "+14155550100")
    d.pump(300)
    d.click(win, "transferButton")
    d.pump(400)
    assert "Ann" in d.text_of(win, "transferToHeld")
    d.click(win, "transferToHeld")
    assert service.intents[-1] == ("transfer", (current, held))


def test_cancel_and_no_entry_before_the_call_connects(
    win: PhoneWindow, service: FakePhoneUiService
) -> None:
    service.dial("+442079460958")
    d.pump(300)
    assert not d.exists(win, "transferButton")  # still dialling: nothing to transfer
    service.end(service.calls()[0].uuid)
    _active(service, "+14155550100")
    d.pump(300)
    d.click(win, "transferButton")
    d.pump(400)
    d.click(win, "transferCancel")
    assert not any(name == "transfer" for name, _ in service.intents)
