"""Crash-proofing: random sequences of in-dialog requests (re-INVITE, UPDATE, INFO, REFER,
BYE, CANCEL, NOTIFY) from a raw UDP socket into an answered call with a real phone
process; after each sequence the process is alive and ``state`` has no call left."""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softphone.testing import RunningPhone, assert_alive
from tests.front.test_transfer import Phones, address
from tests.fuzz_counts import record

pytestmark = pytest.mark.integration

METHODS = ("INVITE", "UPDATE", "INFO", "REFER", "BYE", "CANCEL", "NOTIFY")
EXAMPLES = 300
SDP = (
    "v=0\r\no=fuzz 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
)
_STATUS = re.compile(r"^SIP/2\.0 (\d{3})")
_CSEQ = re.compile(r"(?im)^CSeq:\s*(\d+)\s+(\w+)")
_TO_TAG = re.compile(r"(?im)^(?:To|t):.*;tag=([^;\s>]+)")


class Dialog:
    """One call into the phone from a raw UDP socket (the UAC side, minimal RFC 3261)."""

    def __init__(self, sock: socket.socket, phone: tuple[str, int]) -> None:
        self.sock, self.phone = sock, phone
        self.local = sock.getsockname()
        self.call_id = f"{uuid.uuid4().hex}@fuzz"
        self.tag = uuid.uuid4().hex[:10]
        self.remote_tag = ""
        self.cseq = 1
        self.invite_branch = ""

    def _request(self, method: str, cseq: int, body: str = "", extra: str = "") -> str:
        host, port = self.local
        branch = (
            self.invite_branch
            if method in ("CANCEL",) and self.invite_branch
            else (f"z9hG4bK{uuid.uuid4().hex[:12]}")
        )
        if method == "INVITE" and cseq == 1:
            self.invite_branch = branch
        to_tag = f";tag={self.remote_tag}" if self.remote_tag else ""
        ptarget = f"sip:softphone@{self.phone[0]}:{self.phone[1]}"
        head = (
            f"{method} {ptarget} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{port};branch={branch};rport\r\n"
            f"From: <sip:fuzz@{host}:{port}>;tag={self.tag}\r\n"
            f"To: <{ptarget}>{to_tag}\r\n"
            f"Call-ID: {self.call_id}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Contact: <sip:fuzz@{host}:{port}>\r\n"
            "Max-Forwards: 70\r\n" + extra
        )
        if body:
            ctype = "application/sdp" if body.startswith("v=") else "text/plain"
            return head + f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n{body}"
        return head + "Content-Length: 0\r\n\r\n"

    def send(self, method: str, body: str = "", extra: str = "", cseq: int | None = None) -> int:
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        self.sock.sendto(self._request(method, cseq, body, extra).encode(), self.phone)
        return cseq

    def ack(self, cseq: int) -> None:
        self.sock.sendto(self._request("ACK", cseq).encode(), self.phone)

    def pump(self, until: Callable[[int, str, str], bool] | None, timeout: float) -> bool:
        """Read what the phone sends for up to ``timeout`` s: answer its requests 200,
        ACK its 2xx to our INVITEs; True once ``until(code, method, msg)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(65535)
            except TimeoutError:
                return False
            msg = data.decode(errors="replace")
            status = _STATUS.match(msg)
            cseq = _CSEQ.search(msg)
            method = cseq.group(2).upper() if cseq else ""
            if status is None:  # a request from the phone (BYE, NOTIFY, a REFER's INVITE)
                if msg.startswith("INVITE"):  # the REFER target is us: busy, at once
                    self.sock.sendto(_reply(msg, 486, "Busy Here").encode(), self.phone)
                elif not msg.startswith("ACK"):
                    self.sock.sendto(_reply(msg, 200).encode(), self.phone)
                continue
            if f"Call-ID: {self.call_id}" not in msg:
                continue  # a late response of an earlier sequence's dialog
            code = int(status.group(1))
            tag = _TO_TAG.search(msg)
            if tag and not self.remote_tag and method == "INVITE" and code > 100:
                self.remote_tag = tag.group(1)
            if method == "INVITE" and 200 <= code < 300 and cseq is not None:
                self.ack(int(cseq.group(1)))
            if until is not None and until(code, method, msg):
                return True


def _reply(request: str, code: int, reason: str = "OK") -> str:
    """A response to one of the phone's requests (a To tag added when it has none)."""
    out = [f"SIP/2.0 {code} {reason}"]
    for line in request.split("\r\n")[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("to", "t") and ";tag=" not in line:
            line += ";tag=fuzzuas"
        if name in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"):
            out.append(line)
    return "\r\n".join(out) + "\r\nContent-Length: 0\r\n\r\n"


def _calls(phone: RunningPhone) -> list[object]:
    calls: list[object] = phone.state()["calls"]
    return calls


@pytest.mark.covers("readme:crash-proof")
def test_random_in_dialog_requests_never_crash_the_phone(softphone: Phones) -> None:
    phone = softphone()
    host, _, port_text = address(phone).rpartition(":")
    target = (host, int(port_text))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sent = {"sequences": 0, "requests": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(st.sampled_from(METHODS), min_size=1, max_size=6))
    def sequence(methods: list[str]) -> None:
        dialog = Dialog(sock, target)
        dialog.send("INVITE", SDP.format(port=40000), cseq=1)
        assert dialog.pump(lambda c, m, _: m == "INVITE" and c == 180, 5), "no 180"
        phone.answer()
        assert dialog.pump(lambda c, m, _: m == "INVITE" and c == 200, 5), "no 200"
        for method in methods:
            body, extra = "", ""
            if method in ("INVITE", "UPDATE"):
                body = SDP.format(port=40002)
            elif method == "INFO":
                body, extra = "Signal=5\r\nDuration=100\r\n", ""
            elif method == "REFER":  # to this socket, which answers the INVITE 486
                extra = f"Refer-To: <sip:busy@{sock.getsockname()[0]}:{sock.getsockname()[1]}>\r\n"
            elif method == "NOTIFY":
                extra = "Event: refer\r\nSubscription-State: active\r\n"
                body = "SIP/2.0 100 Trying\r\n"
            cseq = dialog.send(method, body, extra, cseq=1 if method == "CANCEL" else None)
            sent["requests"] += 1
            dialog.pump(lambda c, m, msg, n=cseq: c >= 200 and f"CSeq: {n} " in msg, 0.5)
        bye = dialog.send("BYE")
        dialog.pump(lambda c, m, msg: c >= 200 and f"CSeq: {bye} " in msg, 0.5)
        deadline = time.monotonic() + 10
        while _calls(phone):
            assert_alive(phone)
            if time.monotonic() > deadline:
                report = phone.log_path.parent / "fuzz-session.json"
                phone.export(str(report))  # the Inspector's timeline and SIP ladder
                raise AssertionError(f"calls left after {methods}: {_calls(phone)}; see {report}")
            dialog.pump(None, 0.05)
        assert_alive(phone)
        sent["sequences"] += 1

    try:
        sequence()
    finally:
        sock.close()
        record(
            "in-dialog request sequences (real phone)",
            sent["sequences"],
            crashes=0 if phone.process.poll() is None else 1,
            note=f"{sent['requests']} requests",
        )
    assert sent["sequences"] >= EXAMPLES
