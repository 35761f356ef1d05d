"""The Recents benchmark runs end to end on a small history (no timing asserts)."""

from __future__ import annotations

import json

import pytest

from benchmarks.bench_recents import TARGET_MS, main


def test_bench_reports_every_measure(qapp: object, capsys: pytest.CaptureFixture[str]) -> None:
    """Each targeted measure comes with its ratio to the target and to raw SQLite."""
    main(["--entries", "1500", "--json"])
    res = json.loads(capsys.readouterr().out.splitlines()[0])
    for name in TARGET_MS:
        assert res[name]["ms"] > 0 and res[name]["reference_ms"] > 0
        assert res[name]["ratio_to_target"] == pytest.approx(
            res[name]["ms"] / TARGET_MS[name], rel=0.01, abs=0.002
        )
    assert res["size"]["db_bytes"] > 0 and res["fill"]["entries"] == 1500
    assert res["first_page_shape"]["groups"] == 50
