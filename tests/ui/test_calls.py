"""The call screens driven through the real QML against FakePhoneUiService."""

from __future__ import annotations

from PySide6.QtCore import Qt

from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.service import CallQuality, CallState
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d
from tests.ui.conftest import Clock


def _outgoing(win: PhoneWindow, service: FakePhoneUiService, number: str = "4155550199") -> str:
    d.type_text(win, number)
    d.click(win, "callButton")
    d.pump(400)  # the call screen fades in
    return service.calls()[-1].uuid


class TestOutgoing:
    def test_calling_then_ringing_then_timer(
        self, win: PhoneWindow, service: FakePhoneUiService, clock: Clock
    ) -> None:
        """An outgoing call shows calling..., ringing..., then mm:ss once connected."""
        uuid = _outgoing(win, service)
        assert service.intents[-1] == ("dial", ("4155550199",))
        assert d.text_of(win, "callName") == "(415) 555-0199"
        assert d.text_of(win, "callStatus") == "calling..."
        service.progress(uuid, CallState.RINGING)
        assert d.text_of(win, "callStatus") == "ringing..."
        service.progress(uuid, CallState.ACTIVE)
        assert d.text_of(win, "callStatus") == "00:00"
        clock.now += 75
        win.view_model.refresh()
        assert d.text_of(win, "callStatus") == "01:15"

    def test_padlock_shows_when_media_is_encrypted(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """The padlock by the status appears only while the call's media is SRTP."""
        uuid = _outgoing(win, service)
        service.progress(uuid, CallState.ACTIVE)
        assert not d.exists(win, "encryptedBadge")
        service.set_encrypted(uuid, True)
        assert d.exists(win, "encryptedBadge")
        service.set_encrypted(uuid, False)
        assert not d.exists(win, "encryptedBadge")

    def test_end_button_ends_and_returns_to_keypad(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """The red button ends the call; the Phone app comes back."""
        uuid = _outgoing(win, service)
        d.click(win, "endButton")
        assert service.intents[-1] == ("end", (uuid,))
        d.pump(400)
        assert not d.exists(win, "callScreen")
        assert d.exists(win, "callButton")

    def test_escape_ends_the_call(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """Esc ends the current call."""
        uuid = _outgoing(win, service)
        d.key(win, Qt.Key.Key_Escape)
        assert service.intents[-1] == ("end", (uuid,))

    def test_failed_call_shows_why(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """A call that fails shows an error banner with the reason."""
        uuid = _outgoing(win, service)
        service.remote_end(uuid, "486 Busy Here")
        assert d.text_of(win, "errorTitle") == "Call Failed"
        assert "486 Busy Here" in d.text_of(win, "errorDetail")
        d.click(win, "errorDismiss_0")
        assert service.intents[-1] == ("dismiss_error", (f"call-{uuid}",))
        assert not d.exists(win, "errorBanner_0")


class TestIncoming:
    def test_unlocked_banner_accept(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """Unlocked: a banner with the contact's name; Accept answers and opens the call screen."""
        uuid = service.report_incoming("+1 415 555 0100")
        d.pump(500)  # the banner slides in
        assert d.text_of(win, "bannerName") == "Bob Miller"  # caller ID from Contacts
        d.click(win, "bannerAccept")
        assert service.intents[-1] == ("answer", (uuid,))
        d.pump(400)
        assert d.text_of(win, "callStatus") == "00:00"

    def test_banner_decline(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        uuid = service.report_incoming("+442079460958")
        d.pump(500)
        d.click(win, "bannerDecline")
        assert service.intents[-1] == ("decline", (uuid,))

    def test_tap_banner_expands_to_full_screen(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Tapping the banner shows the full screen with Decline/Accept."""
        uuid = service.report_incoming("+442079460958")
        d.pump(500)
        d.click(win, "bannerBody")
        d.pump(300)
        assert d.text_of(win, "incomingName") == "+44 207 946 0958"  # unknown number formatted
        assert d.text_of(win, "incomingSubtitle") == "Softphone Audio"
        d.click(win, "acceptButton")
        assert service.intents[-1] == ("answer", (uuid,))

    def test_locked_full_screen_slide_to_answer(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Locked: full screen; a short slide springs back, a full slide answers."""
        service.set_locked(True)
        uuid = service.report_incoming("sip:carla@example.com", "Carla Diaz")
        d.pump(300)
        assert d.text_of(win, "incomingName") == "Carla Diaz"
        assert d.exists(win, "remindMeButton") and d.exists(win, "messageButton")
        assert not d.exists(win, "acceptButton")
        d.slide(win, "slideKnob", 80)
        assert ("answer", (uuid,)) not in service.intents
        d.pump(400)
        d.slide(win, "slideKnob", 300)
        assert service.intents[-1] == ("answer", (uuid,))

    def test_remind_me_declines(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        service.set_locked(True)
        uuid = service.report_incoming("+14155550100")
        d.pump(300)
        d.click(win, "remindMeButton")
        assert service.intents[-1] == ("decline", (uuid,))

    def test_enter_answers_escape_declines(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Enter answers an incoming call; Esc declines the next one."""
        first = service.report_incoming("+14155550100")
        d.key(win, Qt.Key.Key_Return)
        assert service.intents[-1] == ("answer", (first,))
        service.end(first)
        second = service.report_incoming("+14155550101")
        d.key(win, Qt.Key.Key_Escape)
        assert service.intents[-1] == ("decline", (second,))


class TestInCall:
    def _active(self, win: PhoneWindow, service: FakePhoneUiService) -> str:
        uuid = service.report_incoming("+14155550100")
        service.answer(uuid)
        d.pump(400)
        return uuid

    def test_mute_round_trip(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """Mute asks the service; the button lights only when the service reports it."""
        uuid = self._active(win, service)
        d.click(win, "muteButton")
        assert service.intents[-1] == ("set_muted", (uuid, True))
        assert d.find(win, "muteButton").property("checked") is True

    def test_touch_and_hold_mute_holds(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """Touch-and-hold on mute puts the call on hold, as on iOS."""
        uuid = self._active(win, service)
        d.long_press(win, "muteButton")
        assert ("set_held", (uuid, True)) in service.intents
        assert d.text_of(win, "callStatus") == "on hold"
        assert d.exists(win, "onHoldBadge")

    def test_keypad_sends_dtmf_and_shows_digits(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """The keypad overlay sends DTMF and shows what was typed; keyboard digits do too."""
        self._active(win, service)
        d.click(win, "keypadButton")
        for name in ("key_1", "key_2", "key_hash"):
            d.click(win, name)
        assert service.dtmf_sent == "12#"
        assert d.text_of(win, "callName") == "12#"
        d.type_text(win, "9*")
        assert service.dtmf_sent == "12#9*"
        d.click(win, "hideKeypad")
        assert d.text_of(win, "callName") == "Bob Miller"

    def test_audio_route_picker(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """The audio button opens the device picker; choosing Speaker routes there."""
        self._active(win, service)
        d.click(win, "audioButton")
        d.pump(350)
        d.click(win, "route_speaker")
        assert service.intents[-1] == ("set_audio_route", ("speaker",))
        assert d.find(win, "audioButton").property("checked") is True

    def test_facetime_is_disabled(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        self._active(win, service)
        before = len(service.intents)
        d.click(win, "faceTimeButton")
        assert len(service.intents) == before
        assert d.find(win, "faceTimeButton").isEnabled() is False

    def test_quality_badge_and_audio_warning(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Call statistics show as a badge; lost audio shows why."""
        uuid = self._active(win, service)
        service.set_quality(uuid, CallQuality("PCMA", 3.4, loss_percent=2))
        assert d.find(win, "qualityBadge").isVisible()
        assert win.view_model.primaryCall["qualityText"] == "PCMA · MOS 3.4 · 2% loss"
        service.set_device(audio_available=False, audio_reason="no PulseAudio server")
        assert d.text_of(win, "audioWarning") == "Audio unavailable: no PulseAudio server"

    def test_add_call_returns_to_keypad(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """add call shows the keypad with a return-to-call bar; the new call holds the first."""
        first = self._active(win, service)
        d.click(win, "addCallButton")
        d.pump(400)
        assert d.exists(win, "returnToCall")
        d.type_text(win, "5550100")
        d.click(win, "callButton")
        d.pump(400)
        assert service.calls()[0].uuid == first and service.calls()[0].on_hold
        assert d.text_of(win, "callStatus") == "calling..."
        assert d.exists(win, "heldCallLine")


class TestTwoCalls:
    def _waiting(self, win: PhoneWindow, service: FakePhoneUiService) -> tuple[str, str]:
        first = service.report_incoming("+14155550100")
        service.answer(first)
        second = service.report_incoming("+34612345678")
        d.pump(400)
        return first, second

    def test_hold_and_accept_then_swap_then_merge(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Call waiting: Hold & Accept, held line "on hold", Swap, Merge Calls, conference list."""
        _first, second = self._waiting(win, service)
        assert d.exists(win, "endAndAcceptButton") and d.exists(win, "holdAndAcceptButton")
        d.click(win, "holdAndAcceptButton")
        assert service.intents[-1] == ("hold_and_accept", (second,))
        d.pump(400)
        assert d.text_of(win, "callName") == "Carla Diaz"
        assert d.exists(win, "heldCallLine")
        d.click(win, "swapButton")
        assert service.intents[-1] == ("swap", ())
        assert d.text_of(win, "callName") == "Bob Miller"
        d.click(win, "mergeButton")
        assert service.intents[-1] == ("merge", ())
        assert d.text_of(win, "callName") == "Conference"
        d.click(win, "conferenceInfo")
        assert d.exists(win, "conferenceRow_0") and d.exists(win, "conferenceRow_1")
        d.click(win, "conferenceEnd_1")
        assert service.intents[-1][0] == "end"

    def test_private_splits_a_member_out_of_the_conference(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        first, second = self._waiting(win, service)
        d.click(win, "holdAndAcceptButton")
        d.pump(400)
        d.click(win, "mergeButton")
        d.pump(400)
        d.click(win, "conferenceInfo")
        d.pump(400)
        row_uuid = win.view_model.property("conferenceCalls")[0]["uuid"]
        d.click(win, "conferencePrivate_0")
        assert service.intents[-1] == ("unmerge", (row_uuid,))
        d.pump(400)
        assert not d.exists(win, "conferenceList")
        held = [c.uuid for c in service.calls() if c.on_hold]
        assert held == [u for u in (first, second) if u != row_uuid]

    def test_end_and_accept(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        _first, second = self._waiting(win, service)
        d.click(win, "endAndAcceptButton")
        assert service.intents[-1] == ("end_and_accept", (second,))
        assert [c.uuid for c in service.calls()] == [second]

    def test_decline_keeps_the_first_call(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        _first, second = self._waiting(win, service)
        d.click(win, "declineButton")
        assert service.intents[-1] == ("decline", (second,))
        d.pump(300)
        assert d.text_of(win, "callName") == "Bob Miller"
