"""InspectorFeed: validated records, bounded lists, thread-safe appends, redaction, subscribers."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from softphone.ui.inspector.feed import (
    FeedChange,
    InspectorFeed,
    PushRecord,
    SipMessage,
    TimelineEntry,
)

WALL = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def entry(at: float, **kw: object) -> TimelineEntry:
    args: dict[str, object] = dict(
        at=at, wall=WALL, source="callkit", kind="ActionFulfilled", call_uuid="U1",
        sip_call_id="c1", summary=f"entry {at}",
    )  # fmt: skip
    args.update(kw)
    return TimelineEntry(**args)  # type: ignore[arg-type]


def message(at: float, text: str = "OPTIONS sip:x SIP/2.0\r\n\r\n") -> SipMessage:
    return SipMessage(at, WALL, "sent", "127.0.0.1:5070", "127.0.0.1:5060",
                      text.split("\r\n", 1)[0], "c1", "1 OPTIONS", text)  # fmt: skip


class TestRecords:
    def test_bad_source_is_refused_with_the_allowed_values(self) -> None:
        """A record with an unknown source raises a ValueError naming the choices."""
        with pytest.raises(ValueError, match="source must be one of callkit"):
            entry(1.0, source="carrier")

    def test_bad_severity_and_direction_are_refused(self) -> None:
        """Severity and direction are checked too."""
        with pytest.raises(ValueError, match="severity"):
            entry(1.0, severity="fatal")
        with pytest.raises(ValueError, match="direction"):
            SipMessage(1.0, WALL, "both", "a", "b", "x", None, "1 X", "x")  # type: ignore[arg-type]

    def test_naive_time_types_are_refused(self) -> None:
        """``wall`` must be a datetime, ``at`` a number."""
        with pytest.raises(TypeError, match="wall"):
            entry(1.0, wall="09:00")
        with pytest.raises(TypeError, match="at must be"):
            entry("1.0")  # type: ignore[arg-type]

    def test_wrong_record_type_is_refused_and_nothing_is_appended(self) -> None:
        """append_sip(TimelineEntry) raises and the feed stays empty."""
        feed = InspectorFeed()
        with pytest.raises(TypeError, match="expected SipMessage"):
            feed.append_sip(entry(1.0))  # type: ignore[arg-type]
        assert feed.sip() == [] and feed.timeline() == []


class TestCapacity:
    def test_oldest_records_drop_and_are_counted(self) -> None:
        """A feed of capacity 10 keeps the newest 10 of 25 and counts 15 dropped."""
        feed = InspectorFeed(capacity=10)
        for i in range(25):
            feed.append_timeline(entry(float(i)))
        kept = feed.timeline()
        assert [e.at for e in kept] == [float(i) for i in range(15, 25)]
        assert feed.dropped == {"timeline": 15, "sip": 0, "push": 0}

    def test_each_list_is_bounded_separately(self) -> None:
        """SIP drops do not touch the timeline."""
        feed = InspectorFeed(capacity=3)
        for i in range(5):
            feed.append_sip(message(float(i)))
        feed.append_timeline(entry(0.0))
        assert len(feed.sip()) == 3 and len(feed.timeline()) == 1
        assert feed.dropped["sip"] == 2 and feed.dropped["timeline"] == 0

    def test_capacity_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="capacity"):
            InspectorFeed(capacity=0)


class TestThreads:
    def test_concurrent_appends_lose_nothing(self) -> None:
        """8 threads x 500 appends each: every record is kept and every subscriber call made."""
        feed = InspectorFeed(capacity=10_000)
        heard: list[FeedChange] = []
        lock = threading.Lock()

        def on_change(change: FeedChange) -> None:
            with lock:
                heard.append(change)

        feed.subscribe(on_change)
        barrier = threading.Barrier(8)

        def worker(n: int) -> None:
            barrier.wait()
            for i in range(500):
                if i % 2:
                    feed.append_timeline(entry(n * 1000 + i))
                else:
                    feed.append_sip(message(n * 1000 + i))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(feed.timeline()) == 2000 and len(feed.sip()) == 2000
        assert len(heard) == 4000
        assert feed.dropped == {"timeline": 0, "sip": 0, "push": 0}


class TestRedactionAndSubscribers:
    def test_sip_text_is_redacted_on_append(self) -> None:
        """Digest responses, folded auth lines and passwords never reach the feed."""
        raw = (
            "REGISTER sip:lab SIP/2.0\r\n"
            'Authorization: Digest username="alice",\r\n'
            ' response="deadbeefcafe", nonce="n"\r\n'
            "X-Note: password=hunter2\r\n"
            'Proxy-Authorization: Digest response="feedface01"\r\n\r\n'
        )
        feed = InspectorFeed()
        feed.append_sip(message(1.0, raw))
        text = feed.sip()[0].text
        for secret in ("deadbeefcafe", "hunter2", "feedface01"):
            assert secret not in text
        assert text.startswith("REGISTER sip:lab SIP/2.0\r\n")

    def test_push_authorization_header_is_redacted(self) -> None:
        """The APNs bearer JWT is not kept."""
        feed = InspectorFeed()
        feed.append_push(PushRecord(1.0, WALL, "ab" * 32, "t.voip", "voip",
                                    {"authorization": "bearer eyJ.secret.sig"}, {"aps": {}},
                                    200, None, "id", True, "reported"))  # fmt: skip
        assert feed.push()[0].headers == {"authorization": "bearer <redacted>"}

    def test_a_failing_subscriber_does_not_break_appends_or_others(self) -> None:
        """One subscriber raising: the record is kept and the next subscriber still hears it."""
        feed = InspectorFeed()
        heard: list[str] = []

        def broken(change: FeedChange) -> None:
            raise RuntimeError("viewer crashed")

        feed.subscribe(broken)
        unsubscribe = feed.subscribe(lambda c: heard.append(c.kind))
        feed.append_timeline(entry(1.0))
        unsubscribe()
        feed.append_timeline(entry(2.0))
        assert heard == ["timeline"] and len(feed.timeline()) == 2

    def test_origin_is_the_earliest_record(self) -> None:
        feed = InspectorFeed()
        feed.append_timeline(entry(5.0))
        feed.append_sip(message(3.0))
        assert feed.origin is not None and feed.origin[0] == 3.0


class TestNoQt:
    def test_feed_and_export_import_without_qt(self) -> None:
        """The lead's converters (any thread, headless) can use the feed without loading PySide6."""
        import subprocess
        import sys

        code = (
            "import sys, softphone.ui.inspector as i, softphone.ui.inspector.export\n"
            "f = i.InspectorFeed(); i.export_session\n"
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
        )
        root = Path(__file__).parents[2]
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=root)
