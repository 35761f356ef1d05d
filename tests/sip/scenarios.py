"""SIPp scenarios (UAS and UAC) generated for the engine tests."""

from __future__ import annotations

HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n'
TAIL = "</scenario>\n"


def sdp(direction: str = "sendrecv") -> str:
    return (
        "v=0\n"
        "o=sipp 1 [cseq] IN IP[local_ip_type] [local_ip]\n"
        "s=-\n"
        "c=IN IP[media_ip_type] [media_ip]\n"
        "t=0 0\n"
        "m=audio [media_port] RTP/AVP 0 101\n"
        "a=rtpmap:0 PCMU/8000\n"
        "a=rtpmap:101 telephone-event/8000\n"
        "a=fmtp:101 0-15\n"
        f"a={direction}\n"
    )


def _resp(code: int, reason: str, body: str = "", retrans: bool = False, cseq: str = "") -> str:
    headers = (
        f"SIP/2.0 {code} {reason}\n"
        "[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]SIPpTag01[call_number]\n"
        "[last_Call-ID:]\n"
        + (f"{cseq}\n" if cseq else "[last_CSeq:]\n")
        + "Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n"
    )
    if body:
        headers += "Content-Type: application/sdp\nContent-Length: [len]\n\n" + body
    else:
        headers += "Content-Length: 0\n\n"
    attr = ' retrans="500"' if retrans else ""
    return f"  <send{attr}><![CDATA[\n{headers}]]></send>\n"


def _check(regexp: str, var: str, where: str = "msg") -> str:
    return (
        f'    <action><ereg regexp="{regexp}" search_in="{where}" check_it="true" '
        f'assign_to="{var}"/><log message="matched [${var}]"/></action>\n'
    )


def uas(
    middle: str = "", name: str = "uas", ring: bool = True, expect: tuple[str, ...] = ()
) -> str:
    """Answer an INVITE (180, 200), run ``middle``, wait for BYE. The INVITE must match
    each regular expression in ``expect`` (else SIPp fails)."""
    checks = "".join(_check(rx, f"inv{i}") for i, rx in enumerate(expect))
    out = HEAD.format(name=name) + '  <recv request="INVITE" crlf="true">\n' + checks
    out += "  </recv>\n"
    if ring:
        out += _resp(180, "Ringing")
    out += _resp(200, "OK", sdp(), retrans=True)
    out += '  <recv request="ACK" crlf="true"/>\n' + middle
    out += '  <recv request="BYE"/>\n' + _resp(200, "OK") + TAIL
    return out


def uas_status(code: int, reason: str) -> str:
    """Refuse an INVITE with ``code`` after ringing."""
    return (
        HEAD.format(name=f"uas-{code}")
        + '  <recv request="INVITE" crlf="true"/>\n'
        + _resp(180, "Ringing")
        + _resp(code, reason)
        + '  <recv request="ACK"/>\n'
        + TAIL
    )


def uas_ring_until_cancel() -> str:
    """Ring and never answer; accept a CANCEL (200 + 487)."""
    return (
        HEAD.format(name="uas-noanswer")
        + '  <recv request="INVITE" crlf="true">\n'
        + '    <action><ereg regexp="CSeq: *[0-9]+" search_in="msg" assign_to="cs"/>'
        + "</action>\n  </recv>\n"
        + _resp(180, "Ringing")
        + '  <recv request="CANCEL"/>\n'
        + _resp(200, "OK")
        + _resp(487, "Request Terminated", cseq="[$cs] INVITE")
        + '  <recv request="ACK"/>\n'
        + TAIL
    )


def uas_early_media_then_answer() -> str:
    """183 with SDP (early media), then 200."""
    return (
        HEAD.format(name="uas-183")
        + '  <recv request="INVITE" crlf="true"/>\n'
        + _resp(183, "Session Progress", sdp())
        + '  <pause milliseconds="200"/>\n'
        + _resp(200, "OK", sdp(), retrans=True)
        + '  <recv request="ACK" crlf="true"/>\n'
        + '  <recv request="BYE"/>\n'
        + _resp(200, "OK")
        + TAIL
    )


HOLD_MIDDLE = (
    '  <recv request="INVITE">\n'
    + _check("a=sendonly", "hold")
    + "  </recv>\n"
    + _resp(200, "OK", sdp("recvonly"), retrans=True)
    + '  <recv request="ACK" crlf="true"/>\n'
    + '  <recv request="INVITE">\n'
    + _check("a=sendrecv", "resume")
    + "  </recv>\n"
    + _resp(200, "OK", sdp("sendrecv"), retrans=True)
    + '  <recv request="ACK" crlf="true"/>\n'
)

HOLD_ONLY_MIDDLE = (
    '  <recv request="INVITE">\n'
    + _check("a=sendonly", "hold")
    + "  </recv>\n"
    + _resp(200, "OK", sdp("recvonly"), retrans=True)
    + '  <recv request="ACK" crlf="true"/>\n'
)


def info_dtmf_middle(digits: str) -> str:
    """Expect one INFO ``application/dtmf-relay`` per digit, in order; answer each 200."""
    out = ""
    for i, d in enumerate(digits):
        out += '  <recv request="INFO">\n' + _check(f"Signal *= *[{d}]", f"d{i}", "body")
        out += _check("Content-Type: *application/dtmf-relay", f"ct{i}")
        out += "  </recv>\n" + _resp(200, "OK")
    return out


def _invite(extra_headers: str = "", direction: str = "sendrecv") -> str:
    return (
        '  <send retrans="500"><![CDATA[\n'
        "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "To: <sip:[service]@[remote_ip]:[remote_port]>\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:sipp@[local_ip]:[local_port]>\n"
        "Max-Forwards: 70\n" + extra_headers + "Content-Type: application/sdp\n"
        "Content-Length: [len]\n\n" + sdp(direction) + "]]></send>\n"
    )


def _in_dialog(method: str, cseq: int, body: str = "", ctype: str = "") -> str:
    out = (
        '  <send retrans="500"><![CDATA[\n'
        f"{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
        "Call-ID: [call_id]\n"
        f"CSeq: {cseq} {method}\n"
        "Contact: <sip:sipp@[local_ip]:[local_port]>\n"
        "Max-Forwards: 70\n"
    )
    if body:
        out += f"Content-Type: {ctype}\nContent-Length: [len]\n\n{body}"
    else:
        out += "Content-Length: 0\n\n"
    return out + "]]></send>\n"


def _ack(cseq: int) -> str:
    return (
        "  <send><![CDATA[\n"
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
        "Call-ID: [call_id]\n"
        f"CSeq: {cseq} ACK\n"
        "Contact: <sip:sipp@[local_ip]:[local_port]>\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n"
    )


def uac(middle: str = "", pause_ms: int = 300, next_cseq: int = 2, headers: str = "") -> str:
    """Call the engine, expect 200, run ``middle``, pause, BYE."""
    return (
        HEAD.format(name="uac")
        + _invite(headers)
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + '  <recv response="183" optional="true"/>\n'
        + '  <recv response="200" rtd="true"/>\n'
        + _ack(1)
        + middle
        + f'  <pause milliseconds="{pause_ms}"/>\n'
        + _in_dialog("BYE", next_cseq)
        + '  <recv response="200" crlf="true"/>\n'
        + TAIL
    )


def uac_wait_bye(middle: str = "") -> str:
    """Call the engine, expect 200, run ``middle``, then wait for the engine's BYE."""
    return (
        HEAD.format(name="uac-wait-bye")
        + _invite()
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + '  <recv response="200" rtd="true"/>\n'
        + _ack(1)
        + middle
        + '  <recv request="BYE"/>\n'
        + _resp(200, "OK")
        + TAIL
    )


def uac_expect_status(code: int) -> str:
    """Call the engine and expect it to refuse with ``code``."""
    return (
        HEAD.format(name=f"uac-{code}")
        + _invite()
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + f'  <recv response="{code}"/>\n'
        + "  <send><![CDATA[\n"
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "[last_Via:]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "[last_To:]\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 ACK\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n" + TAIL
    )


def uac_cancel(ring_ms: int = 300, reason: str = "") -> str:
    """Call the engine, wait for 180, then CANCEL (with a ``Reason:`` header if given)."""
    reason_line = f"Reason: {reason}\n" if reason else ""
    return (
        HEAD.format(name="uac-cancel")
        + _invite()
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180"/>\n'
        + f'  <pause milliseconds="{ring_ms}"/>\n'
        + "  <send><![CDATA[\n"
        "CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "[last_Via:]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "To: <sip:[service]@[remote_ip]:[remote_port]>\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 CANCEL\n"
        + reason_line
        + "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n"
        + '  <recv response="200"/>\n'
        + '  <recv response="487"/>\n'
        + "  <send><![CDATA[\n"
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "[last_Via:]\n"
        'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'
        "[last_To:]\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 ACK\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n" + TAIL
    )


REMOTE_HOLD_MIDDLE = (
    '  <pause milliseconds="200"/>\n'
    + _in_dialog("INVITE", 2, sdp("sendonly"), "application/sdp")
    + '  <recv response="100" optional="true"/>\n'
    + '  <recv response="200"/>\n'
    + _ack(2)
    + '  <pause milliseconds="300"/>\n'
)


def info_send_middle(digit: str, cseq: int = 2, ctype: str = "application/dtmf-relay") -> str:
    """Send one digit in an INFO (``application/dtmf-relay``, or ``application/dtmf``
    whose body is just the digit) and expect 200."""
    body = f"Signal={digit}\nDuration=160\n" if ctype.endswith("dtmf-relay") else digit
    return (
        '  <pause milliseconds="100"/>\n'
        + _in_dialog("INFO", cseq, body, ctype)
        + '  <recv response="200"/>\n'
    )
