"""The Inspector window (real QML, offscreen): linked timeline/ladder, detail, filters, export."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from softphone.ui.inspector import sample
from softphone.ui.inspector.calls import nearest_index
from softphone.ui.inspector.export import load_session
from softphone.ui.inspector.feed import InspectorFeed
from softphone.ui.inspector.window import InspectorWindow
from tests.inspector.conftest import click_item, find_item, press_key, type_text


def _row_of(inspector: InspectorWindow, kind: str, summary_part: str) -> int:
    rows = inspector.view_model.timeline.rows
    return next(i for i, e in enumerate(rows) if e.kind == kind and summary_part in e.summary)


class TestLinking:
    def test_clicking_a_timeline_entry_moves_the_ladder_to_the_nearest_sip_message(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        """Clicking the hold request picks its call and selects the hold re-INVITE."""
        vm = inspector.view_model
        row = _row_of(inspector, "TransactionRequested", "onHold: true")
        entry = vm.timeline.rows[row]
        vm.scrollTimelineTo.emit(row)
        click_item(qtbot, inspector.window, f"timelineRow_{row}")
        assert vm.currentCallIndex == 2  # "All calls", registration, Bob's call
        selected = vm.ladder.rows[vm.selectedSipIndex]
        assert selected.first_line == "INVITE sip:bob@127.0.0.1:5060 SIP/2.0"
        assert selected.cseq == "2 INVITE"
        times = [m.at for m in vm.ladder.rows]
        assert vm.selectedSipIndex == nearest_index(times, entry.at)
        ladder = find_item(inspector.window, "ladderList")
        assert ladder is not None and ladder.property("currentIndex") == vm.selectedSipIndex
        assert "CXSetHeldCallAction" in vm.detailText

    def test_clicking_a_sip_arrow_shows_the_full_message(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        """The detail pane shows the whole (redacted) message text, headers and SDP."""
        vm = inspector.view_model
        vm.setCurrentCallIndex(2)
        qtbot.waitUntil(lambda: find_item(inspector.window, "sipArrow_5") is not None)
        click_item(qtbot, inspector.window, "sipArrow_5")
        msg = vm.ladder.rows[5]
        assert vm.selectedSipIndex == 5
        shown = find_item(inspector.window, "detailText")
        assert shown is not None
        text = shown.property("text")
        assert (
            msg.first_line in text
            and "a=sendonly" in text
            and f"Call-ID: {msg.sip_call_id}" in text
        )
        assert text.endswith(msg.text.replace("\r", ""))

    def test_clicking_a_sip_arrow_highlights_the_timeline_entries_around_it(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        """The BYE highlights End-call events within a second of it, nothing from 5 s earlier."""
        vm = inspector.view_model
        vm.setCurrentCallIndex(2)
        bye = next(i for i, m in enumerate(vm.ladder.rows) if m.first_line.startswith("BYE"))
        vm.scrollLadderTo.emit(bye)
        click_item(qtbot, inspector.window, f"sipArrow_{bye}")
        lit = [vm.timeline.rows[i] for i in sorted(vm.timeline.highlighted)]
        assert {e.kind for e in lit} >= {"TransactionRequested", "ActionFulfilled", "CallEnded"}
        assert all(abs(e.at - vm.ladder.rows[bye].at) <= 1.0 for e in lit)
        row_item = find_item(inspector.window, f"timelineRow_{min(vm.timeline.highlighted)}")
        assert row_item is not None and row_item.property("highlighted") is True


class TestFilters:
    def test_typing_a_filter_narrows_the_timeline(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        click_item(qtbot, inspector.window, "filterField")
        type_text(inspector.window, "timedout")
        vm = inspector.view_model
        qtbot.waitUntil(lambda: len(vm.timeline.rows) == 1)
        assert vm.timeline.rows[0].kind == "ActionTimedOut"

    def test_problems_only_keeps_warnings_and_violations(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        click_item(qtbot, inspector.window, "problemsOnly")
        vm = inspector.view_model
        assert vm.problemsOnly
        assert sorted(e.severity for e in vm.timeline.rows) == ["violation", "warning"]

    def test_call_picker_filters_timeline_and_ladder(self, inspector: InspectorWindow) -> None:
        vm = inspector.view_model
        assert vm.callLabels[0] == "All calls" and len(vm.callLabels) == 4
        vm.setCurrentCallIndex(3)
        assert {e.call_uuid for e in vm.timeline.rows} == {sample.OUT_UUID}
        assert {m.sip_call_id for m in vm.ladder.rows} == {sample.OUT_CALL_ID}
        picker = find_item(inspector.window, "callPicker")
        assert picker is not None and picker.property("currentIndex") == 3

    def test_violation_row_is_drawn_red(self, qtbot: QtBot, inspector: InspectorWindow) -> None:
        vm = inspector.view_model
        row = _row_of(inspector, "RuleViolated", "")
        vm.scrollTimelineTo.emit(row)
        qtbot.waitUntil(lambda: find_item(inspector.window, f"timelineRow_{row}") is not None)
        item = find_item(inspector.window, f"timelineRow_{row}")
        assert item is not None and item.property("color").name() == "#fde2e1"


class TestLiveFeed:
    def test_appends_from_another_thread_reach_the_window(
        self, qtbot: QtBot, inspector: InspectorWindow, sample_feed: InspectorFeed
    ) -> None:
        """A SIP-logging thread appends 200 messages; the ladder shows them all."""
        vm = inspector.view_model
        vm.setCurrentCallIndex(2)
        before = len(vm.ladder.rows)
        template = sample_feed.sip()[-1]
        assert template.sip_call_id == sample.OUT_CALL_ID
        template = replace(template, sip_call_id=sample.CALL_ID)

        def log_thread() -> None:
            for i in range(200):
                sample_feed.append_sip(replace(template, at=template.at + i * 0.001))

        t = threading.Thread(target=log_thread)
        t.start()
        t.join(timeout=10)
        qtbot.waitUntil(lambda: len(vm.ladder.rows) == before + 200, timeout=3000)
        assert f"{before + 200} SIP" in vm.countsText


class TestExportSlots:
    def test_export_json_slot_writes_a_loadable_session(
        self, inspector: InspectorWindow, sample_feed: InspectorFeed, tmp_path: Path
    ) -> None:
        path = tmp_path / "session.json"
        assert inspector.view_model.exportJson(str(path))
        back = load_session(path)
        assert len(back.sip()) == len(sample_feed.sip())
        assert len(back.timeline()) == len(sample_feed.timeline())

    def test_export_html_slot_and_a_failing_export(
        self, qtbot: QtBot, inspector: InspectorWindow, tmp_path: Path
    ) -> None:
        vm = inspector.view_model
        assert vm.exportHtml(str(tmp_path / "r.html"))
        with qtbot.waitSignal(vm.exportDone) as blocker:
            assert not vm.exportHtml(str(tmp_path / "missing-dir" / "r.html"))
        assert str(blocker.args[0]).startswith("Export failed")
        assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


class TestEntryPoint:
    def test_open_inspector_can_share_the_apps_engine(
        self, qtbot: QtBot, sample_feed: InspectorFeed
    ) -> None:
        """Given the phone's engine, the window is created there and shows the feed."""
        from PySide6.QtQml import QQmlApplicationEngine

        from softphone.ui.inspector import open_inspector

        engine = QQmlApplicationEngine()
        window = open_inspector(sample_feed, parent_engine=engine)
        try:
            qtbot.waitExposed(window.window)
            assert window.engine is engine
            assert window.window.title() == "Softphone Inspector"
            assert len(window.view_model.ladder.rows) == len(sample_feed.sip())
        finally:
            window.close()

    def test_export_button_opens_a_save_dialog_and_the_url_slot_saves(
        self, qtbot: QtBot, inspector: InspectorWindow, tmp_path: Path
    ) -> None:
        """The toolbar button opens the dialog; its accepted URL goes to exportToUrl."""
        from PySide6.QtCore import QUrl

        click_item(qtbot, inspector.window, "exportHtmlButton")
        target = tmp_path / "from-dialog.html"
        assert inspector.view_model.exportToUrl(QUrl.fromLocalFile(str(target)), "html")
        assert "<svg" in target.read_text()


class TestPushLinking:
    def test_clicking_a_push_picks_its_call_and_highlights_the_report(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        """The wake-up push carries the call's UUID: its call is picked, the report lit."""
        click_item(qtbot, inspector.window, "pushRow_0")
        vm = inspector.view_model
        assert vm.currentCallIndex == 2
        lit = {vm.timeline.rows[i].kind for i in vm.timeline.highlighted}
        assert {"PushDelivered", "IncomingCallReported"} <= lit
        assert "POST /3/device/" in vm.detailText and "bearer <redacted>" in vm.detailText

    def test_a_push_naming_no_call_keeps_the_current_call(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        click_item(qtbot, inspector.window, "pushRow_1")
        vm = inspector.view_model
        assert vm.currentCallIndex == 0 and vm.selectedPushIndex == 1
        assert "400 TopicDisallowed" in vm.detailText


class TestKeyboardAndClear:
    def test_arrow_keys_walk_the_ladder_after_a_click(
        self, qtbot: QtBot, inspector: InspectorWindow
    ) -> None:
        """Click an arrow, press Down twice: the third message is shown."""
        vm = inspector.view_model
        vm.setCurrentCallIndex(2)
        click_item(qtbot, inspector.window, "sipArrow_0")
        for _ in range(2):
            press_key(inspector.window, Qt.Key.Key_Down)
        assert vm.selectedSipIndex == 2
        assert vm.ladder.rows[2].first_line in vm.detailText

    def test_clear_empties_every_pane(
        self, qtbot: QtBot, inspector: InspectorWindow, sample_feed: InspectorFeed
    ) -> None:
        click_item(qtbot, inspector.window, "clearButton")
        vm = inspector.view_model
        assert sample_feed.timeline() == [] and sample_feed.sip() == []
        assert len(vm.timeline.rows) == len(vm.ladder.rows) == len(vm.pushes.rows) == 0
        assert vm.callLabels == ["All calls"] and vm.detailText == ""
