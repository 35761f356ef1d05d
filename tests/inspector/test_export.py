"""Session export: JSON that loads back, a self-contained HTML report, nothing secret in either."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from softphone.ui.inspector import sample
from softphone.ui.inspector.export import SessionFileError, export_session, load_session

SECRETS = (sample.DIGEST_RESPONSE, sample.PASSWORD, "eyJpc3MiOiJUIn0")


@pytest.fixture
def feed() -> sample.InspectorFeed:
    return sample.make_sample_feed()


class TestJson:
    def test_round_trip_keeps_every_record(
        self, feed: sample.InspectorFeed, tmp_path: Path
    ) -> None:
        """Export then load: same counts, equal records, same drop counts."""
        path = export_session(feed, tmp_path / "s.json")
        back = load_session(path)
        assert (len(back.timeline()), len(back.sip()), len(back.push())) == (
            len(feed.timeline()), len(feed.sip()), len(feed.push()),
        )  # fmt: skip
        assert back.timeline() == feed.timeline()
        assert back.sip() == feed.sip()
        assert back.push() == feed.push()
        assert back.dropped == feed.dropped

    def test_drop_counts_survive(self, tmp_path: Path) -> None:
        small = sample.InspectorFeed(capacity=5)
        sample.fill_sample(small)
        back = load_session(export_session(small, tmp_path / "s.json"))
        assert back.dropped == small.dropped and back.dropped["sip"] > 0

    def test_no_secret_in_json(self, feed: sample.InspectorFeed, tmp_path: Path) -> None:
        text = export_session(feed, tmp_path / "s.json").read_text()
        for secret in SECRETS:
            assert secret not in text

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{not json", "cannot read session"),
            ('{"format": "other"}', "not a Softphone Inspector session"),
            ('{"format": "softphone-inspector-session", "version": 99}', "unsupported"),
            (
                '{"format": "softphone-inspector-session", "version": 1, "timeline": '
                '[{"at": 1}], "sip": [], "push": []}',
                "bad record",
            ),
        ],
    )
    def test_bad_files_give_a_clear_error(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "bad.json"
        path.write_text(content)
        with pytest.raises(SessionFileError, match=message):
            load_session(path)

    def test_unknown_format_is_refused_and_writes_nothing(
        self, feed: sample.InspectorFeed, tmp_path: Path
    ) -> None:
        with pytest.raises(ValueError, match="export format"):
            export_session(feed, tmp_path / "s.pdf", "pdf")  # type: ignore[arg-type]
        assert list(tmp_path.iterdir()) == []


class TestHtml:
    def test_report_has_every_first_line_and_no_secret(
        self, feed: sample.InspectorFeed, tmp_path: Path
    ) -> None:
        """Every SIP first line appears; no password, digest response or JWT does."""
        text = export_session(feed, tmp_path / "r.html").read_text()
        for m in feed.sip():
            assert html.escape(m.first_line) in text
        for secret in SECRETS:
            assert secret not in text
        for e in feed.timeline():
            assert html.escape(e.summary) in text

    def test_report_is_self_contained(self, feed: sample.InspectorFeed, tmp_path: Path) -> None:
        """Inline CSS and SVG; no external script, stylesheet or image."""
        text = export_session(feed, tmp_path / "r.html", "html").read_text()
        assert "<style>" in text and "<svg" in text
        for needle in ("<script", "<link", "src=", "http://", "https://"):
            assert needle not in text.replace("http://www.w3.org/2000/svg", "")

    def test_violation_rows_are_marked(self, feed: sample.InspectorFeed, tmp_path: Path) -> None:
        text = export_session(feed, tmp_path / "r.html").read_text()
        assert text.count("<tr class='violation'>") == 1
        assert text.count("<tr class='warning'>") == 1

    def test_json_of_html_export_is_not_confused(
        self, feed: sample.InspectorFeed, tmp_path: Path
    ) -> None:
        """The suffix picks the format."""
        p = export_session(feed, tmp_path / "r.json")
        assert json.loads(p.read_text())["format"] == "softphone-inspector-session"
