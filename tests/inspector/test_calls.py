"""Grouping records into calls and finding neighbours in time."""

from __future__ import annotations

from softphone.ui.inspector import sample
from softphone.ui.inspector.calls import (
    around,
    entries_for,
    group_calls,
    messages_for,
    nearest_index,
    parties,
)


class TestNeighbours:
    def test_nearest_index(self) -> None:
        """The closest time wins; ties go to the earlier; ends clamp."""
        times = [1.0, 2.0, 4.0]
        assert [nearest_index(times, t) for t in (0.0, 1.4, 1.5, 1.6, 3.1, 9.0)] == [
            0, 0, 0, 1, 2, 2,
        ]  # fmt: skip
        assert nearest_index([], 1.0) == -1

    def test_around_gives_the_window_or_the_nearest(self) -> None:
        times = [1.0, 1.5, 2.0, 10.0]
        assert around(times, 1.6, 0.5) == [1, 2]
        assert around(times, 6.0, 0.5) == [2]


class TestGrouping:
    def test_sample_has_registration_and_two_calls(self) -> None:
        """The UUID/Call-ID link groups SIP messages under the CallKit call."""
        feed = sample.make_sample_feed()
        calls = group_calls(feed.timeline(), feed.sip())
        assert [c.key for c in calls] == [sample.REG_CALL_ID, sample.CALL_UUID, sample.OUT_UUID]
        incoming = calls[1]
        assert incoming.sip_call_ids == [sample.CALL_ID]
        assert incoming.label == "Bob <sip:bob@lab.example>"
        msgs = messages_for(incoming, feed.sip())
        assert {m.sip_call_id for m in msgs} == {sample.CALL_ID}
        assert msgs[0].first_line.startswith("INVITE")
        assert all(e.call_uuid == sample.CALL_UUID for e in entries_for(incoming, feed.timeline()))
        assert parties(msgs) == [sample.LOCAL, sample.PROXY]
