"""SIPp scenarios for transfers (REFER, Replaces), redirects (3xx) and requests outside a
call, built from the pieces in tests/sip/scenarios.py."""

from __future__ import annotations

from tests.sip.scenarios import HEAD, TAIL, _ack, _in_dialog, _invite, _resp, sdp

_FROM = 'From: "SIPp Caller" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n'


def _reply(code: int, reason: str) -> str:
    """Answer an in-dialog request the phone sent (its To already has our tag)."""
    return (
        "  <send><![CDATA[\n"
        f"SIP/2.0 {code} {reason}\n"
        "[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\n"
        "Contact: <sip:sipp@[local_ip]:[local_port]>\n"
        "Content-Length: 0\n\n]]></send>\n"
    )


def _call_in(headers: str = "") -> str:
    """INVITE the phone and wait until it is answered (the test answers it)."""
    return (
        _invite(headers)
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + '  <recv response="183" optional="true"/>\n'
        + '  <recv response="200" rtd="true"/>\n'
        + _ack(1)
    )


def _notify_until_final() -> str:
    """Answer the phone's NOTIFYs (RFC 3515) while their sipfrag is provisional; the
    scenario goes on after the first final one (``SIP/2.0 2xx``-``6xx``)."""
    return (
        '  <label id="1"/>\n'
        '  <recv request="NOTIFY">\n'
        '    <action><ereg regexp="Event: *refer" search_in="msg" check_it="true" '
        'assign_to="ev"/>\n'
        '    <ereg regexp="SIP/2.0 ([1-6])" search_in="body" check_it="true" '
        'assign_to="all,cls"/>'
        '<todouble assign_to="n" variable="cls"/>'
        '<test assign_to="provisional" variable="n" compare="less_than" value="2"/>'
        '<log message="sipfrag [$all]"/>'
        '<log message="NOTIFY [$ev]"/>'
        "</action>\n  </recv>\n"
        + _reply(200, "OK").replace("<send>", '<send next="1" test="provisional">')
    )


def refer_caller(refer_to: str, bye: bool = True) -> str:
    """Call the phone, REFER it to ``refer_to`` (blind transfer), expect 202 and NOTIFYs
    up to ``SIP/2.0 200``, then BYE the original call (the transferor leaves)."""
    refer = _in_dialog("REFER", 2).replace(
        "Max-Forwards: 70\n",
        f"Max-Forwards: 70\nRefer-To: <{refer_to}>\n"
        "Referred-By: <sip:sipp@[local_ip]:[local_port]>\n",
    )
    out = (
        HEAD.format(name="refer-caller")
        + _call_in()
        + '  <pause milliseconds="300"/>\n'
        + refer
        + '  <recv response="202"/>\n'
        + _notify_until_final()
    )
    if bye:
        out += _in_dialog("BYE", 3) + '  <recv response="200"/>\n'
    return out + TAIL


def refer_refused(refer_to: str, code: int = 603) -> str:
    """Call the phone, REFER it and expect ``code``; then BYE."""
    refer = _in_dialog("REFER", 2).replace(
        "Max-Forwards: 70\n", f"Max-Forwards: 70\nRefer-To: <{refer_to}>\n"
    )
    return (
        HEAD.format(name="refer-refused")
        + _call_in()
        + '  <pause milliseconds="300"/>\n'
        + refer
        + f'  <recv response="{code}"/>\n'
        + '  <pause milliseconds="300"/>\n'
        + _in_dialog("BYE", 3)
        + '  <recv response="200"/>\n'
        + TAIL
    )


def answer_then_bye(hold_ms: int = 1500, user: str = "target") -> str:
    """A UAS that answers an INVITE, talks ``hold_ms`` and hangs up itself (BYE)."""
    return (
        HEAD.format(name="answer-then-bye")
        + '  <recv request="INVITE" crlf="true">\n'
        + '    <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/>\n'
        + '    <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>'
        + "</action>\n  </recv>\n"
        + _resp(180, "Ringing")
        + _resp(200, "OK", sdp(), retrans=True)
        + '  <recv request="ACK" crlf="true"/>\n'
        + f'  <pause milliseconds="{hold_ms}"/>\n'
        + '  <send retrans="500"><![CDATA[\n'
        "BYE [$contact] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        f"From: <sip:{user}@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
        "To: [$peer]\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 BYE\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n" + '  <recv response="200"/>\n' + TAIL
    )


def wait_bye_caller() -> str:
    """Call the phone, get answered, then wait for the phone's (or PJSIP's) BYE. Logs
    the dialog (``DIALOG call-id to-tag from-tag``) for an INVITE with Replaces."""
    call_in = _call_in().replace(
        '  <recv response="200" rtd="true"/>\n',
        '  <recv response="200" rtd="true">\n'
        '    <action><ereg regexp="tag=([^;> ]+)" search_in="hdr" header="To:" '
        'check_it="true" assign_to="whole,totag"/><log message="TO [$whole]"/>'
        '<log message="DIALOG [call_id] [$totag] [pid]SIPpTag00[call_number]"/></action>\n'
        "  </recv>\n",
    )
    return (
        HEAD.format(name="wait-bye-caller")
        + call_in
        + '  <recv request="BYE"/>\n'
        + _reply(200, "OK")
        + TAIL
    )


def replaces_caller(call_id: str, to_tag: str, from_tag: str) -> str:
    """INVITE the phone with ``Replaces`` naming its dialog (RFC 3891), expect it to be
    answered at once (no ringing), then BYE after a while."""
    replaces = f"Replaces: {call_id};to-tag={to_tag};from-tag={from_tag}\n"
    return (
        HEAD.format(name="replaces-caller")
        + _call_in(replaces)
        + '  <pause milliseconds="1500"/>\n'
        + _in_dialog("BYE", 2)
        + '  <recv response="200"/>\n'
        + TAIL
    ).replace('"SIPp Caller" <sip:sipp@', '"Carol" <sip:carol@')


def redirect_uas(contact: str, code: int = 302) -> str:
    """Answer an INVITE with a 3xx pointing at ``contact``."""
    resp = _resp(code, "Moved Temporarily").replace(
        "Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n", f"Contact: <{contact}>\n"
    )
    return (
        HEAD.format(name=f"redirect-{code}")
        + '  <recv request="INVITE" crlf="true"/>\n'
        + resp
        + '  <recv request="ACK"/>\n'
        + TAIL
    )


def out_of_dialog(
    method: str,
    expect: int,
    extra: str = "",
    body: str = "",
    log_headers: tuple[str, ...] = ("Allow",),
) -> str:
    """Send one request outside any dialog and expect ``expect``; log the response's
    ``log_headers`` (``NAME=value`` lines in ``-trace_logs``) for the test to read."""
    ctype = "text/plain" if body else ""
    request = (
        '  <send retrans="500"><![CDATA[\n'
        f"{method} sip:softphone@[remote_ip]:[remote_port] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        + _FROM
        + "To: <sip:softphone@[remote_ip]:[remote_port]>\n"
        "Call-ID: [call_id]\n"
        f"CSeq: 1 {method}\n"
        "Contact: <sip:sipp@[local_ip]:[local_port]>\n"
        "Max-Forwards: 70\n" + extra
    )
    if body:
        request += f"Content-Type: {ctype}\nContent-Length: [len]\n\n{body}]]></send>\n"
    else:
        request += "Content-Length: 0\n\n]]></send>\n"
    return (
        HEAD.format(name=f"ood-{method.lower()}")
        + request
        + f'  <recv response="{expect}">\n'
        + "    <action>"
        + "".join(
            f'<ereg regexp=".*" search_in="hdr" header="{h}:" check_it="true" assign_to="v{i}"/>'
            f'<log message="{h.upper()}=[$v{i}]"/>'
            for i, h in enumerate(log_headers)
        )
        + "</action>\n"
        + "  </recv>\n"
        + TAIL
    )


def ipv6_offer_caller(expect: int = 488) -> str:
    """INVITE the phone with audio on IPv6 only and expect ``expect`` (no ringing)."""
    invite = _invite().replace("c=IN IP[media_ip_type] [media_ip]", "c=IN IP6 ::1")
    return (
        HEAD.format(name="ipv6-offer")
        + invite
        + '  <recv response="100" optional="true"/>\n'
        + f'  <recv response="{expect}"/>\n'
        + "  <send><![CDATA[\n"
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "[last_Via:]\n" + _FROM + "[last_To:]\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 ACK\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n" + TAIL
    )


def refer_target_uas(refer_to_regexp: str) -> str:
    """Answer the phone's INVITE; accept its REFER (202) when ``Refer-To`` matches,
    report the transfer done (NOTIFY ``SIP/2.0 200 OK``), then wait for its BYE."""
    return (
        HEAD.format(name="refer-target")
        + '  <recv request="INVITE" crlf="true">\n'
        + '    <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/>\n'
        + '    <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>'
        + "</action>\n  </recv>\n"
        + _resp(180, "Ringing")
        + _resp(200, "OK", sdp(), retrans=True)
        + '  <recv request="ACK" crlf="true"/>\n'
        + '  <label id="1"/>\n'
        + '  <recv request="INVITE" optional="true" next="2"/>\n'  # held for a second call
        + '  <recv request="REFER">\n'
        + f'    <action><ereg regexp=".*{refer_to_regexp}.*" search_in="hdr" header="Refer-To:" '
        + 'check_it="true" assign_to="referto"/><log message="REFER-TO [$referto]"/></action>\n'
        + "  </recv>\n"
        + _reply(202, "Accepted")
        + '  <send retrans="500"><![CDATA[\n'
        "NOTIFY [$contact] SIP/2.0\n"
        "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:target@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]\n"
        "To: [$peer]\n"
        "Call-ID: [call_id]\n"
        "CSeq: 1 NOTIFY\n"
        "Contact: <sip:target@[local_ip]:[local_port]>\n"
        "Event: refer\n"
        "Subscription-State: terminated;reason=noresource\n"
        "Max-Forwards: 70\n"
        "Content-Type: message/sipfrag;version=2.0\n"
        "Content-Length: [len]\n\n"
        "SIP/2.0 200 OK\n]]></send>\n"
        + '  <recv response="200"/>\n'
        + '  <recv request="BYE"/>\n'
        + _reply(200, "OK").replace("<send>", '<send next="9">')
        + '  <label id="2"/>\n'
        + _reply_sdp("recvonly")
        + '  <recv request="ACK" next="1"/>\n'
        + '  <label id="9"/>\n'
        + TAIL
    )


def _reply_sdp(direction: str) -> str:
    """200 to a re-INVITE from the phone, with our SDP."""
    return (
        '  <send retrans="500"><![CDATA[\n'
        "SIP/2.0 200 OK\n"
        "[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\n"
        "Contact: <sip:target@[local_ip]:[local_port]>\n"
        "Content-Type: application/sdp\nContent-Length: [len]\n\n" + sdp(direction) + "]]></send>\n"
    )
