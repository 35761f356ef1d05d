"""A pjsua2 engine in its own process, fed raw INVITEs (an abort must not kill pytest).

``python -m tests.sip.incoming_probe CASE``: starts a PjsuaEngine on 127.0.0.1, sends the
INVITEs of CASE from a raw UDP socket, prints the status line of every final response it
gets back as JSON, and exits 0 once each INVITE has its final answer.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

from softphone.sip import EngineConfig
from softphone.sip.pjsua import create_engine

SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 0\r\na=sendrecv\r\n"
)


def invite(port: int, local: int, n: int, body: str = "", extra: str = "") -> bytes:
    head = (
        f"INVITE sip:probe@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bKprobe{n};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:caller@127.0.0.1:{local}>;tag=t{n}\r\n"
        f"To: <sip:probe@127.0.0.1:{port}>\r\n"
        f"Call-ID: probe-{n}@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:caller@127.0.0.1:{local}>\r\n{extra}"
    )
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n" + body).encode()


MANY_MEDIA = SDP.format(port=20000) + "".join(
    f"m=audio {20002 + 2 * i} RTP/AVP 0\r\n" for i in range(15))


def _lie(m: bytes) -> bytes:
    return m.replace(b"Content-Length: 0", b"Content-Length: 99999999")


#: name -> (INVITEs to send, how many of them get a final answer)
CASES = {
    # Beyond the call limit (1): the second INVITE, without SDP, is refused (486).
    "busy-without-sdp": (lambda p, lp: [
        invite(p, lp, 1, SDP.format(port=20000)), invite(p, lp, 2)], 1),
    "busy-with-sdp": (lambda p, lp: [
        invite(p, lp, 1, SDP.format(port=20000)), invite(p, lp, 2, SDP.format(port=20002))], 1),
    # A UDP INVITE whose Content-Length promises more than the datagram holds (400).
    "content-length-lie": (lambda p, lp: [_lie(invite(p, lp, 1))], 1),
    # Offers with 16 media streams: PJSIP would open 32 sockets for each (488).
    "many-media": (lambda p, lp: [
        invite(p, lp, n, MANY_MEDIA) for n in (1, 2, 3)], 3),
    # A CSeq naming another method than the request line (400).
    "cseq-mismatch": (lambda p, lp: [
        invite(p, lp, 1, SDP.format(port=20000)).replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE")],
        1),
}


async def main(case: str) -> int:
    engine = create_engine()
    await engine.start(EngineConfig(max_calls=1))
    port = engine.local_address("udp")[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    make, expect = CASES[case]
    msgs = make(port, sock.getsockname()[1])
    loop = asyncio.get_running_loop()
    finals: dict[str, str] = {}
    for m in msgs:
        sock.sendto(m, ("127.0.0.1", port))
        await asyncio.sleep(0.2)
    deadline = loop.time() + 5
    while len(finals) < expect and loop.time() < deadline:
        try:
            data = sock.recv(65535).decode(errors="replace")
        except BlockingIOError:
            await asyncio.sleep(0.02)
            continue
        first = data.split("\r\n", 1)[0]
        cid = next(ln for ln in data.split("\r\n") if ln.lower().startswith("call-id"))
        code = int(first.split()[1])
        if code >= 200:
            finals[cid.split(":", 1)[1].strip()] = first
    print(json.dumps(finals), flush=True)
    await engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
