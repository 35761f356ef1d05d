"""``softphone scenario FILE``: run a scenario file against running phones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from softphone.control.scenario import ScenarioError, load_scenario, run_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``softphone scenario``."""
    parser.add_argument("file", type=Path, help="the scenario (TOML)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every step passed, 1 when one failed, 2 for a malformed file."""
    try:
        scenario = load_scenario(args.file)
    except ScenarioError as exc:
        print(f"softphone scenario: {exc}", file=sys.stderr)
        return 2
    report = run_scenario(scenario)
    print(report.to_text())
    if args.json:
        try:
            args.json.write_text(report.to_json(), encoding="utf-8")
        except OSError as exc:
            print(f"softphone scenario: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return 2
    return 0 if report.passed else 1
