"""A SIP message generator for the wire fuzz battery: valid templates, then lies.

Each message starts as a well-formed request (or response) and gets zero or more
mutations: Content-Length lies (larger, smaller, negative, huge, not a number, twice),
missing mandatory headers, garbage/huge/CRLF-injected header values, bad start lines,
truncation, byte flips, compact and folded headers, hostile SDP (IPv6, no media, port
out of range, many streams, unknown codecs, bad crypto). ``DialogMutator`` adds
dialog-state confusion: requests inside the early dialogs the phone opened for our
INVITEs (CANCEL with the wrong branch, BYE/re-INVITE/UPDATE/PRACK/INFO/NOTIFY/REFER
before the answer, ACK for a provisional response).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

METHODS = ("INVITE", "OPTIONS", "BYE", "CANCEL", "ACK", "REGISTER", "SUBSCRIBE", "NOTIFY",
           "INFO", "MESSAGE", "UPDATE", "REFER", "PRACK", "PUBLISH")
IN_DIALOG = ("BYE", "INVITE", "UPDATE", "PRACK", "INFO", "NOTIFY", "REFER", "ACK", "CANCEL",
             "MESSAGE", "OPTIONS")
MANDATORY = ("Via", "From", "To", "Call-ID", "CSeq", "Max-Forwards", "Contact")
CLEN_LIES = ("99999999", "2147483648", "18446744073709551617", "-1", "abc", "", " 12 ",
             "0x10", "1e9", "+5", "00000000000000000000000000042")


@dataclass
class Message:
    """A SIP message under construction: start line, headers in order, body."""

    start: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    #: None: a truthful Content-Length; otherwise the raw header values to write.
    clen: list[str] | None = None
    truncate_at: int | None = None
    flips: list[int] = field(default_factory=list)

    def encode(self) -> bytes:
        lines = [self.start] + [f"{n}: {v}" for n, v in self.headers]
        clens = self.clen if self.clen is not None else [str(len(self.body))]
        lines += [f"Content-Length: {v}" for v in clens]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + self.body
        if self.flips:
            buf = bytearray(data)
            for i in self.flips:
                buf[i % len(buf)] = (buf[i % len(buf)] + 1 + i) % 256
            data = bytes(buf)
        if self.truncate_at is not None:
            data = data[: self.truncate_at % (len(data) + 1)]
        return data


@dataclass(frozen=True)
class Target:
    """Where the phone listens and where we do."""

    host: str
    port: int
    local_host: str
    local_port: int
    transport: str = "UDP"


def sdp(rng: random.Random, local: str, media_port: int) -> bytes:
    """A plausible audio offer, sometimes hostile."""
    sess = rng.randrange(1, 2**31)
    c_addr = f"IN IP4 {local}"
    m = f"m=audio {media_port} RTP/AVP 0 8 101"
    extra = ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=sendrecv"]
    roll = rng.random()
    if roll < 0.08:
        c_addr = "IN IP6 ::1"
    elif roll < 0.12:
        m = f"m=audio {media_port} RTP/AVP 96 97"  # dynamic types with no rtpmap
        extra = []
    elif roll < 0.16:
        m = "m=audio 70000 RTP/AVP 0"
    elif roll < 0.20:
        m = "\r\n".join(f"m=audio {media_port + 2 * i} RTP/AVP 0" for i in range(40))
    elif roll < 0.24:
        m = f"m=audio {media_port} RTP/SAVP 0"
        extra = ["a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "A" * rng.choice((3, 40, 400))]
    elif roll < 0.27:
        m = ""
    elif roll < 0.30:
        m = f"m=video {media_port} RTP/AVP 31"
    elif roll < 0.33:
        m = f"m=audio {media_port} RTP/AVP 123 124"
        extra = ["a=rtpmap:123 NOPE/8000", "a=rtpmap:124 opus/48000/2"]
    lines = ["v=0", f"o=- {sess} {sess} IN IP4 {local}", "s=-", f"c={c_addr}", "t=0 0"]
    if m:
        lines.append(m)
    lines += extra
    return ("\r\n".join(lines) + "\r\n").encode()


def request(
    rng: random.Random,
    method: str,
    t: Target,
    *,
    call_id: str | None = None,
    from_tag: str | None = None,
    to_tag: str | None = None,
    branch: str | None = None,
    cseq: int | None = None,
) -> Message:
    """A well-formed out-of-dialog (or, with tags, in-dialog) request to the phone."""
    call_id = call_id or f"fz{rng.getrandbits(48):x}@{t.local_host}"
    from_tag = from_tag or f"{rng.getrandbits(32):x}"
    branch = branch or f"z9hG4bK{rng.getrandbits(48):x}"
    cseq_method = "INVITE" if method == "CANCEL" else method
    to = f"<sip:phone@{t.host}:{t.port}>" + (f";tag={to_tag}" if to_tag else "")
    headers = [
        ("Via", f"SIP/2.0/{t.transport} {t.local_host}:{t.local_port};branch={branch};rport"),
        ("Max-Forwards", "70"),
        ("From", f'"Fuzz" <sip:fuzz@{t.local_host}:{t.local_port}>;tag={from_tag}'),
        ("To", to),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq if cseq is not None else rng.randrange(1, 10000)} {cseq_method}"),
        ("Contact", f"<sip:fuzz@{t.local_host}:{t.local_port}>"),
        ("User-Agent", "wirefuzz"),
    ]
    body = b""
    if method in ("INVITE", "UPDATE") and rng.random() < 0.85:
        body = sdp(rng, t.local_host, rng.randrange(20000, 30000, 2))
        headers.append(("Content-Type", "application/sdp"))
    elif method == "INFO":
        body, ctype = rng.choice(
            ((b"Signal=5\r\nDuration=160\r\n", "application/dtmf-relay"),
             (b"7", "application/dtmf"), (b"\x00\xff" * 30, "application/dtmf-relay"))
        )
        headers.append(("Content-Type", ctype))
    elif method == "MESSAGE":
        body = rng.choice((b"hello", "\u00e9t\u00e9".encode(), b"x" * 1200))
        headers.append(("Content-Type", "text/plain"))
    elif method == "NOTIFY":
        headers += [("Event", rng.choice(("refer", "dialog", "message-summary", "x"))),
                    ("Subscription-State", rng.choice(("active", "terminated", "bogus")))]
        body = b"SIP/2.0 200 OK\r\n"
        headers.append(("Content-Type", "message/sipfrag"))
    elif method == "REFER":
        headers.append(("Refer-To", rng.choice((
            f"<sip:nobody@{t.local_host}:9>", "<sip:x@[::1]>", "garbage", "<tel:+15550100>"))))
    elif method in ("SUBSCRIBE", "PUBLISH"):
        headers += [("Event", rng.choice(("presence", "dialog", "message-summary"))),
                    ("Expires", rng.choice(("3600", "0", "-5", "99999999999")))]
    elif method == "REGISTER":
        headers.append(("Expires", rng.choice(("3600", "0", "x"))))
    elif method == "PRACK":
        headers.append(("RAck", f"{rng.randrange(1, 9)} 1 INVITE"))
    msg = Message(f"{method} sip:phone@{t.host}:{t.port} SIP/2.0", headers, body)
    return msg


def response(rng: random.Random, t: Target) -> Message:
    """An unsolicited response (no transaction of the phone's matches it)."""
    code, text = rng.choice(((100, "Trying"), (180, "Ringing"), (200, "OK"), (302, "Moved"),
                             (401, "Unauthorized"), (487, "Terminated"), (603, "Decline")))
    m = request(rng, rng.choice(("INVITE", "BYE", "OPTIONS")), t)
    m.start = f"SIP/2.0 {code} {text}"
    m.headers = [(n, v) for n, v in m.headers if n not in ("Max-Forwards",)]
    if code == 401:
        m.headers.append(("WWW-Authenticate", 'Digest realm="x", nonce="' + "n" * 300 + '"'))
    return m


def mutate(rng: random.Random, m: Message) -> str:
    """Apply one random mutation; returns its name (for the report)."""
    kind = rng.choice(_MUTATIONS)
    kind(rng, m)
    return kind.__name__


def _clen_lie(rng: random.Random, m: Message) -> None:
    if rng.random() < 0.5:
        m.clen = [rng.choice(CLEN_LIES)]
    else:
        m.clen = [str(max(0, len(m.body) + rng.choice((-50, -1, 1, 7, 1000, 65536))))]


def _clen_twice(rng: random.Random, m: Message) -> None:
    m.clen = [str(len(m.body)), str(len(m.body) + rng.randrange(1, 100))]


def _drop_mandatory(rng: random.Random, m: Message) -> None:
    name = rng.choice(MANDATORY)
    m.headers = [(n, v) for n, v in m.headers if n != name]


def _garble_value(rng: random.Random, m: Message) -> None:
    i = rng.randrange(len(m.headers))
    name, _ = m.headers[i]
    value = rng.choice((
        "", " ", "<", ">;tag=", "\x00\x01\x02", "A" * rng.choice((300, 5000, 60000)),
        "x\r\nVia: SIP/2.0/UDP 1.2.3.4:5", "<sip:@>", "<sips:a@[::1]:0>", ";;;;;;",
        "\u202e\u0000", "%00%ff", "<sip:a@b;maddr=255.255.255.255>", "1 INVITE extra",
        "4294967296 INVITE", "-1 BYE",
    ))
    m.headers[i] = (name, value)


def _bad_start(rng: random.Random, m: Message) -> None:
    m.start = rng.choice((
        "INVITE sip:phone SIP/3.0", "INVITE SIP/2.0", "FOO sip:a@b SIP/2.0", "", " ",
        "INVITE sip:" + "a" * 4000 + "@b SIP/2.0", "INVITE tel:+1555 SIP/2.0",
        "INVITE sip:[::1]:5060 SIP/2.0", "invite sip:a@b sip/2.0", "SIP/2.0 999 Whatever",
        "SIP/2.0 abc OK", "\x16\x03\x01\x02\x00",
    ))


def _truncate(rng: random.Random, m: Message) -> None:
    m.truncate_at = rng.randrange(0, 4000)


def _flip(rng: random.Random, m: Message) -> None:
    m.flips = [rng.randrange(0, 4000) for _ in range(rng.randrange(1, 8))]


def _compact_folded(rng: random.Random, m: Message) -> None:
    compact = {"Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m",
               "Content-Type": "c"}
    out = []
    for n, v in m.headers:
        if rng.random() < 0.5:
            n = compact.get(n, n).lower()
        if rng.random() < 0.2 and " " in v:
            v = v.replace(" ", "\r\n  ", 1)
        out.append((n, v))
    m.headers = out


def _many_headers(rng: random.Random, m: Message) -> None:
    name = rng.choice(("Via", "Record-Route", "Route", "Contact", "X-Junk"))
    n = rng.choice((20, 200, 1000))
    hop = "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx" if name == "Via" else "<sip:127.0.0.1:9;lr>"
    m.headers += [(name, hop)] * n


def _max_forwards(rng: random.Random, m: Message) -> None:
    m.headers = [(n, rng.choice(("0", "-1", "256", "x")) if n == "Max-Forwards" else v)
                 for n, v in m.headers]


_MUTATIONS = (_clen_lie, _clen_lie, _clen_twice, _drop_mandatory, _garble_value, _bad_start,
              _truncate, _flip, _compact_folded, _many_headers, _max_forwards)

_TO_TAG = re.compile(rb"^(?:To|t)\s*:.*?;tag=([^;\s>]+)", re.I | re.M)
_CALL_ID = re.compile(rb"^(?:Call-ID|i)\s*:\s*(\S+)", re.I | re.M)
_STATUS = re.compile(rb"^SIP/2\.0 (\d{3})")


@dataclass
class EarlyDialog:
    """One INVITE of ours the phone answered provisionally: a dialog to confuse."""

    call_id: str
    from_tag: str
    branch: str
    cseq: int
    to_tag: str = ""
    final: int = 0


class DialogMutator:
    """Remembers our INVITEs and the phone's answers to them; makes in-dialog requests."""

    def __init__(self) -> None:
        self.dialogs: dict[str, EarlyDialog] = {}

    def invite(self, rng: random.Random, t: Target) -> Message:
        d = EarlyDialog(f"dlg{rng.getrandbits(48):x}@{t.local_host}",
                        f"{rng.getrandbits(32):x}", f"z9hG4bK{rng.getrandbits(48):x}",
                        rng.randrange(1, 1000))
        self.dialogs[d.call_id] = d
        return request(rng, "INVITE", t, call_id=d.call_id, from_tag=d.from_tag,
                       branch=d.branch, cseq=d.cseq)

    def heard(self, data: bytes) -> None:
        """Note a response from the phone (its To-tag and final status)."""
        cid, status = _CALL_ID.search(data), _STATUS.match(data)
        if not cid or not status:
            return
        d = self.dialogs.get(cid.group(1).decode(errors="replace"))
        if d is None:
            return
        tag = _TO_TAG.search(data)
        if tag:
            d.to_tag = tag.group(1).decode(errors="replace")
        if int(status.group(1)) >= 200:
            d.final = int(status.group(1))

    def confuse(self, rng: random.Random, t: Target) -> Message | None:
        """A request inside one of the early dialogs (often against the rules)."""
        open_ = [d for d in self.dialogs.values() if d.to_tag]
        if not open_:
            return None
        d = rng.choice(open_)
        method = rng.choice(IN_DIALOG)
        same_branch = method in ("CANCEL", "ACK") and rng.random() < 0.6
        return request(
            rng, method, t, call_id=d.call_id, from_tag=d.from_tag,
            to_tag=None if method == "CANCEL" else d.to_tag,
            branch=d.branch if same_branch else None,
            cseq=d.cseq if method in ("CANCEL", "ACK") else d.cseq + rng.randrange(-2, 3),
        )

    def cancels(self, rng: random.Random, t: Target) -> list[Message]:
        """Proper CANCELs for every INVITE the phone has not answered finally."""
        return [
            request(rng, "CANCEL", t, call_id=d.call_id, from_tag=d.from_tag, branch=d.branch,
                    cseq=d.cseq)
            for d in self.dialogs.values() if not d.final
        ]
