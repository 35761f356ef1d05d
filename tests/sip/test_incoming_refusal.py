"""INVITEs the engine refuses before ringing never abort the process (pjsua2 pitfalls).

Each case runs the real engine in its own process (tests/sip/incoming_probe.py), since
the failure being guarded against is an abort that would take pytest down with it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.sip.helpers import REPO


def _probe(case: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "tests.sip.incoming_probe", case],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, (
        f"the engine process died ({proc.returncode}):\n{proc.stderr[-2000:]}"
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.integration
@pytest.mark.parametrize("case", ["busy-without-sdp", "busy-with-sdp"])
def test_an_invite_beyond_the_call_limit_gets_486_and_the_engine_lives(case: str) -> None:
    """Beyond max_calls an INVITE (with or without SDP) gets 486; the process survives."""
    finals = _probe(case)
    assert finals.get("probe-2@127.0.0.1", "").startswith("SIP/2.0 486"), finals


@pytest.mark.integration
@pytest.mark.parametrize(
    ("case", "status"),
    [("content-length-lie", 400), ("cseq-mismatch", 400), ("many-media", 488)],
)
def test_requests_pjsip_mishandles_are_refused_before_it_sees_them(case: str, status: int) -> None:
    """A Content-Length lie, a CSeq for another method and a 16-stream offer are refused."""
    finals = _probe(case)
    assert finals, "no final answer"
    for cid, line in finals.items():
        assert line.startswith(f"SIP/2.0 {status} "), (cid, line)
