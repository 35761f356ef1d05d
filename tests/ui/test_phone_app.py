"""The Phone app tabs and the device chrome, through the real QML."""

from __future__ import annotations

from PySide6.QtCore import Qt

from softphone.ui.fake_service import FakePhoneUiService
from softphone.ui.service import UiError
from softphone.ui.window import PhoneWindow
from tests.ui import driver as d


class TestKeypad:
    def test_digits_backspace_and_formatting(self, win: PhoneWindow) -> None:
        """Keys type digits shown formatted; the delete key removes the last one."""
        for digit in "4155550100":
            d.click(win, f"key_{digit}")
        assert d.text_of(win, "dialNumber") == "(415) 555-0100"
        d.click(win, "deleteButton")
        assert d.text_of(win, "dialNumber") == "415555010"

    def test_long_press_zero_gives_plus(self, win: PhoneWindow) -> None:
        d.long_press(win, "key_0")
        d.click(win, "key_4")
        d.click(win, "key_4")
        assert d.text_of(win, "dialNumber") == "+44"

    def test_sip_uri_by_keyboard_and_enter_calls(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """A SIP URI can be typed on the keyboard; Enter places the call."""
        d.type_text(win, "sip:bob@example.com")
        d.key(win, Qt.Key.Key_Return)
        assert service.intents[-1] == ("dial", ("sip:bob@example.com",))

    def test_paste(self, win: PhoneWindow) -> None:
        """Long-press the number field, Paste inserts the clipboard."""
        d.set_clipboard("+1 415 555 0100")
        d.long_press(win, "dialNumber")
        d.click(win, "pasteButton")
        assert d.text_of(win, "dialNumber") == "+1 (415) 555-0100"

    def test_dial_refusal_is_shown(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """An intent the phone refuses shows an error instead of vanishing."""
        win.view_model.dial("   ")
        d.pump(20)
        assert d.text_of(win, "errorTitle") == "Cannot Call"
        assert service.intents == []


class TestRecents:
    def test_missed_red_filter_and_call_back(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """Missed calls are red; Missed filter hides the rest; tapping a row calls back."""
        d.click(win, "tab_recents")
        d.pump(50)
        names = [d.find(win, f"recentRow_{i}") for i in range(5)]
        assert len(names) == 5
        missed = d.find(win, "recentRow_1").findChild(type(names[0]), "recentName")
        assert missed is not None and missed.property("color").name() == "#ff3b30"
        d.click(win, "filter_missed")
        d.pump(50)
        assert d.exists(win, "recentRow_1") and not d.exists(win, "recentRow_2")
        d.click(win, "recentRow_0")
        assert service.intents[-1] == ("dial", ("+442079460958",))

    def test_details_page(self, win: PhoneWindow) -> None:
        """(i) opens the details page with each call's time, status and duration."""
        d.click(win, "tab_recents")
        d.click(win, "recentInfo_1")
        d.pump(400)
        assert d.text_of(win, "detailsName") == "+44 207 946 0958"
        assert d.exists(win, "detailsCall_0") and d.exists(win, "detailsCall_1")
        d.click(win, "detailsBack")
        d.pump(400)
        assert not d.exists(win, "recentDetails")

    def test_block_this_caller_from_the_details_page(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """iOS's "Block this Caller" row blocks the number, then offers to unblock it."""
        d.click(win, "tab_recents")
        d.click(win, "recentInfo_1")
        d.pump(400)
        assert d.text_of(win, "detailsBlockText") == "Block this Caller"
        d.click(win, "detailsBlock")
        d.pump(50)
        assert service.intents[-1] == ("set_blocked", ("+442079460958", True))
        assert d.text_of(win, "detailsBlockText") == "Unblock this Caller"
        d.click(win, "detailsBlock")
        d.pump(50)
        assert "+442079460958" not in service.blocked
        assert d.text_of(win, "detailsBlockText") == "Block this Caller"

    def test_opening_recents_marks_missed_seen(self, win: PhoneWindow) -> None:
        assert win.recents_model.property("unseenMissedCount") == 2
        d.click(win, "tab_recents")
        assert win.recents_model.property("unseenMissedCount") == 0


class TestContacts:
    def test_add_contact_then_caller_id(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """A contact added in the app names the next incoming call from that number."""
        d.click(win, "tab_contacts")
        d.click(win, "addContactButton")
        d.click(win, "contactName")
        d.type_text(win, "Zoe Quinn")
        d.click(win, "contactNumber")
        d.type_text(win, "+33612345000")
        d.click(win, "contactSave")
        assert not d.exists(win, "addContactSheet")
        service.report_incoming("+33 6 12 34 50 00")
        d.pump(500)
        assert d.text_of(win, "bannerName") == "Zoe Quinn"

    def test_invalid_contact_is_refused_with_a_reason(self, win: PhoneWindow) -> None:
        d.click(win, "tab_contacts")
        d.click(win, "addContactButton")
        d.click(win, "contactSave")
        assert d.exists(win, "contactInvalid")

    def test_placeholders_say_so(self, win: PhoneWindow) -> None:
        d.click(win, "tab_favorites")
        assert "not available" in d.text_of(win, "placeholderText")
        d.click(win, "tab_voicemail")
        assert "not available" in d.text_of(win, "placeholderText")


class TestChrome:
    def test_lock_toggle_and_swipe_unlock(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        d.click(win, "lockToggle")
        assert service.intents[-1] == ("set_locked", (True,))
        d.pump(400)
        assert d.exists(win, "lockClock")
        win_item = d.find(win, "unlockArea")
        assert win_item.isVisible()
        d.swipe_up(win, "unlockArea", 120)
        assert service.intents[-1] == ("set_locked", (False,))

    def test_dnd_toggle(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        d.click(win, "dndToggle")
        assert service.intents[-1] == ("set_do_not_disturb", (True,))
        assert win.view_model.doNotDisturb

    def test_registration_failure_is_shown(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        """The status bar and an error banner say registration failed and why."""
        service.set_registration("failed", "403 Forbidden")
        assert win.view_model.registrationText == "SIP failed: 403 Forbidden"
        assert d.find(win, "registrationStatus").isVisible()
        assert d.text_of(win, "errorTitle") == "Registration Failed"
        assert d.text_of(win, "errorDetail") == "Office: 403 Forbidden"

    def test_settings_edit_and_save(self, win: PhoneWindow, service: FakePhoneUiService) -> None:
        """Settings: toggle a codec, pick TLS and SIP INFO DTMF, enable push, Save applies them."""
        d.click(win, "settingsButton")
        d.pump(450)
        d.click(win, "codecSwitch_speex")
        d.click(win, "transport_tls")
        d.click(win, "dtmf_info")
        d.click(win, "pushSwitch")
        d.click(win, "settingsOutput")
        d.click(win, "settingsSave")
        name, (applied,) = service.intents[-1]
        assert name == "apply_settings"
        assert applied["transport"] == "tls" and applied["push"]["enabled"] is True
        assert {c["name"]: c["enabled"] for c in applied["codecs"]}["speex"] is True
        assert applied["audio"]["output"] == "USB Headset"
        assert service.settings()["transport"] == "tls"
        assert applied["dtmf_method"] == "info"

    def test_bad_settings_keep_the_old_ones_and_say_why(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        ok = win.view_model.applySettings({"transport": "carrier-pigeon"})
        d.pump(20)
        assert ok is False
        assert service.settings()["transport"] == "udp"
        assert d.text_of(win, "errorTitle") == "Settings Not Saved"

    def test_resizing_keeps_phone_proportions(self, win: PhoneWindow) -> None:
        """A wider window letterboxes the phone; its scale follows the height."""
        win.window.resize(1000, 422)
        d.pump(50)
        device = d.find(win, "device")
        assert abs(device.scale() - 0.5) < 1e-6
        assert abs(device.width() / device.height() - 390 / 844) < 1e-6

    def test_service_errors_listed_and_dismissed(
        self, win: PhoneWindow, service: FakePhoneUiService
    ) -> None:
        service.add_error(UiError("audio", "Audio Unavailable", "no input device"))
        assert d.text_of(win, "errorTitle") == "Audio Unavailable"
        d.click(win, "errorDismiss_0")
        assert not d.exists(win, "errorBanner_0")
