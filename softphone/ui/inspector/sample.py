"""A realistic sample session for the demo, screenshots and tests.

Alice's phone is asleep; Bob calls through the Kamailio push lab. The push wakes the app,
it reports the call, the user answers, holds, resumes, sends DTMF ``1#`` over SIP INFO and
hangs up. Along the way an unhold action is never fulfilled (times out) and the app starts
audio before the audio session was activated (a rule violation). A second, outgoing call is
canceled while ringing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from softphone.ui.inspector.feed import (
    Direction,
    InspectorFeed,
    PushRecord,
    Severity,
    SipMessage,
    Source,
    TimelineEntry,
)

LOCAL = "127.0.0.1:5070"
PROXY = "127.0.0.1:5060"
CALL_UUID = "5D7A6F3E-2C11-4B9A-9E0F-3A2B1C4D5E6F"
CALL_ID = "a84b4c76e66710@127.0.0.1"
OUT_UUID = "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0"
OUT_CALL_ID = "3848276298220188511@127.0.0.1"
REG_CALL_ID = "reg-9f8e7d6c@127.0.0.1"
DIGEST_RESPONSE = "6629fae49393a05397450978507c4ef1"
PASSWORD = "hunter2-secret"
TOKEN = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad"
START_WALL = datetime(2026, 11, 23, 9, 41, 0, tzinfo=timezone.utc)
START_AT = 5000.0


class _Builder:
    def __init__(self, feed: InspectorFeed, at0: float, wall0: datetime) -> None:
        self.feed, self.at0, self.wall0 = feed, at0, wall0
        self.branch = 0

    def _times(self, t: float) -> tuple[float, datetime]:
        return self.at0 + t, self.wall0 + timedelta(seconds=t)

    def ev(
        self,
        t: float,
        source: Source,
        kind: str,
        summary: str,
        call: str | None = CALL_UUID,
        sip_call_id: str | None = None,
        severity: Severity = "info",
        duration_ms: float | None = None,
        **detail: Any,
    ) -> None:
        at, wall = self._times(t)
        self.feed.append_timeline(
            TimelineEntry(
                at, wall, source, kind, call, sip_call_id, summary, detail, severity, duration_ms
            )
        )

    def sip(
        self,
        t: float,
        direction: Direction,
        first_line: str,
        call_id: str,
        cseq: str,
        extra: str = "",
        body: str = "",
    ) -> None:
        at, wall = self._times(t)
        self.branch += 1
        sender = LOCAL if direction == "sent" else PROXY
        via_host = sender if not first_line.startswith("SIP/2.0") else _other(sender)
        text = (
            f"{first_line}\r\n"
            f"Via: SIP/2.0/UDP {via_host};branch=z9hG4bK{self.branch:06d}\r\n"
            "From: <sip:bob@lab.example>;tag=9fxced76sl\r\n"
            "To: <sip:alice@lab.example>;tag=314159\r\n"
            f"Call-ID: {call_id}\r\nCSeq: {cseq}\r\n{extra}"
            f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
        )
        self.feed.append_sip(
            SipMessage(at, wall, direction, LOCAL, PROXY, first_line, call_id, cseq, text)
        )


def _other(host: str) -> str:
    return PROXY if host == LOCAL else LOCAL


def _sdp(mode: str) -> str:
    return (
        "v=0\r\no=- 3912 3913 IN IP4 127.0.0.1\r\ns=pjmedia\r\nc=IN IP4 127.0.0.1\r\n"
        "t=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\n"
        f"a=rtpmap:101 telephone-event/8000\r\na={mode}\r\n"
    )


def fill_sample(feed: InspectorFeed, at0: float = START_AT, wall0: datetime = START_WALL) -> None:
    """Append the sample session to ``feed`` (times relative to ``at0``/``wall0``)."""
    b = _Builder(feed, at0, wall0)
    _registration(b)
    _incoming_call(b)
    _outgoing_canceled(b)


def make_sample_feed(capacity: int = 5000) -> InspectorFeed:
    """A new feed holding the sample session."""
    feed = InspectorFeed(capacity)
    fill_sample(feed)
    return feed


def _registration(b: _Builder) -> None:
    contact = (
        f"Contact: <sip:alice@{LOCAL};pn-provider=apns;pn-prid={TOKEN[:16]}:voip;"
        "pn-param=ABCDE12345.com.example.phone.voip>\r\n"
    )
    b.sip(0.000, "sent", "REGISTER sip:lab.example SIP/2.0", REG_CALL_ID, "1 REGISTER", contact)
    b.sip(
        0.002,
        "received",
        "SIP/2.0 401 Unauthorized",
        REG_CALL_ID,
        "1 REGISTER",
        'WWW-Authenticate: Digest realm="lab.example", nonce="Y2xhYjEyMw", algorithm=MD5\r\n',
    )
    auth = (
        'Authorization: Digest username="alice", realm="lab.example", nonce="Y2xhYjEyMw", '
        f'uri="sip:lab.example", response="{DIGEST_RESPONSE}", algorithm=MD5\r\n'
        f"X-Debug: password={PASSWORD}\r\n"
    )
    b.sip(
        0.004, "sent", "REGISTER sip:lab.example SIP/2.0", REG_CALL_ID, "2 REGISTER", auth + contact
    )
    b.sip(0.006, "received", "SIP/2.0 200 OK", REG_CALL_ID, "2 REGISTER", contact)
    b.ev(
        0.007,
        "app",
        "Registered",
        "Registered alice@lab.example (expires 600 s)",
        call=None,
        sip_call_id=REG_CALL_ID,
    )


def _incoming_call(b: _Builder) -> None:
    c = CALL_ID
    b.feed.append_push(
        PushRecord(
            *b._times(12.000),
            token=TOKEN,
            topic="com.example.phone.voip",
            push_type="voip",
            headers={
                "apns-push-type": "voip",
                "apns-topic": "com.example.phone.voip",
                "apns-priority": "10",
                "apns-expiration": "0",
                "authorization": "bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJUIn0.sig",
            },
            payload={
                "aps": {},
                "call-id": c,
                "from-uri": "sip:bob@lab.example",
                "display-name": "Bob",
                "uuid": CALL_UUID,
            },
            status=200,
            reason=None,
            apns_id="8E3F4E52-74C1-4E8B-A0E4-2F7C1D2B3A4C",
            delivered=True,
            app_reaction="reported incoming call after 38 ms",
        )
    )
    b.ev(
        12.004,
        "pushkit",
        "PushDelivered",
        "VoIP push delivered to com.example.phone",
        payload_call_id=c,
    )
    b.ev(
        12.042,
        "callkit",
        "IncomingCallReported",
        "Incoming call from Bob reported",
        sip_call_id=c,
        handle="Bob <sip:bob@lab.example>",
        duration_ms=38.0,
    )
    b.sip(12.050, "sent", "REGISTER sip:lab.example SIP/2.0", REG_CALL_ID, "3 REGISTER")
    b.sip(12.053, "received", "SIP/2.0 200 OK", REG_CALL_ID, "3 REGISTER")
    b.sip(
        12.061,
        "received",
        "INVITE sip:alice@127.0.0.1:5070 SIP/2.0",
        c,
        "1 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendrecv"),
    )
    b.sip(12.062, "sent", "SIP/2.0 100 Trying", c, "1 INVITE")
    b.sip(12.064, "sent", "SIP/2.0 180 Ringing", c, "1 INVITE")
    b.ev(
        12.065,
        "callkit",
        "CallUpdated",
        "Provider reported call update (hasVideo=false)",
        sip_call_id=c,
    )
    b.ev(
        15.310,
        "callkit",
        "TransactionRequested",
        "User tapped Accept: CXAnswerCallAction",
        sip_call_id=c,
        action="CXAnswerCallAction",
    )
    b.ev(
        15.311,
        "audio",
        "AudioSessionActivated",
        "didActivate audioSession (playAndRecord)",
        sip_call_id=c,
    )
    b.sip(
        15.318,
        "sent",
        "SIP/2.0 200 OK",
        c,
        "1 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendrecv"),
    )
    b.sip(15.321, "received", "ACK sip:alice@127.0.0.1:5070 SIP/2.0", c, "1 ACK")
    b.ev(
        15.322,
        "callkit",
        "ActionFulfilled",
        "CXAnswerCallAction fulfilled",
        sip_call_id=c,
        duration_ms=12.0,
        action="CXAnswerCallAction",
    )
    b.ev(15.330, "callkit", "CallConnected", "Provider reported call connected", sip_call_id=c)
    # Hold
    b.ev(
        24.100,
        "callkit",
        "TransactionRequested",
        "CXSetHeldCallAction(onHold: true)",
        sip_call_id=c,
        action="CXSetHeldCallAction",
    )
    b.sip(
        24.104,
        "sent",
        "INVITE sip:bob@127.0.0.1:5060 SIP/2.0",
        c,
        "2 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendonly"),
    )
    b.sip(
        24.109,
        "received",
        "SIP/2.0 200 OK",
        c,
        "2 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("recvonly"),
    )
    b.sip(24.110, "sent", "ACK sip:bob@127.0.0.1:5060 SIP/2.0", c, "2 ACK")
    b.ev(
        24.111,
        "callkit",
        "ActionFulfilled",
        "CXSetHeldCallAction fulfilled",
        sip_call_id=c,
        duration_ms=11.0,
        action="CXSetHeldCallAction",
    )
    # Unhold: the app forgets to fulfil; the system times the action out.
    b.ev(
        31.000,
        "callkit",
        "TransactionRequested",
        "CXSetHeldCallAction(onHold: false)",
        sip_call_id=c,
        action="CXSetHeldCallAction",
    )
    b.sip(
        31.004,
        "sent",
        "INVITE sip:bob@127.0.0.1:5060 SIP/2.0",
        c,
        "3 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendrecv"),
    )
    b.sip(
        31.009,
        "received",
        "SIP/2.0 200 OK",
        c,
        "3 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendrecv"),
    )
    b.sip(31.010, "sent", "ACK sip:bob@127.0.0.1:5060 SIP/2.0", c, "3 ACK")
    b.ev(
        36.000,
        "callkit",
        "ActionTimedOut",
        "CXSetHeldCallAction never fulfilled: timedOutPerforming action",
        sip_call_id=c,
        severity="warning",
        duration_ms=5000.0,
        action="CXSetHeldCallAction",
    )
    # DTMF over SIP INFO
    b.ev(
        38.200,
        "callkit",
        "TransactionRequested",
        'CXPlayDTMFCallAction digits "1#"',
        sip_call_id=c,
        action="CXPlayDTMFCallAction",
        digits="1#",
    )
    for i, digit in enumerate("1#"):
        t = 38.205 + i * 0.25
        b.sip(
            t,
            "sent",
            "INFO sip:bob@127.0.0.1:5060 SIP/2.0",
            c,
            f"{4 + i} INFO",
            "Content-Type: application/dtmf-relay\r\n",
            f"Signal={digit}\r\nDuration=160\r\n",
        )
        b.sip(t + 0.004, "received", "SIP/2.0 200 OK", c, f"{4 + i} INFO")
    b.ev(
        38.460,
        "callkit",
        "ActionFulfilled",
        "CXPlayDTMFCallAction fulfilled",
        sip_call_id=c,
        duration_ms=260.0,
        action="CXPlayDTMFCallAction",
    )
    b.ev(
        38.470,
        "app",
        "RuleViolated",
        "Audio I/O started while the audio session was deactivated",
        sip_call_id=c,
        severity="violation",
        rule="audio-before-didActivate",
    )
    # End
    b.ev(
        45.000,
        "callkit",
        "TransactionRequested",
        "User tapped End: CXEndCallAction",
        sip_call_id=c,
        action="CXEndCallAction",
    )
    b.sip(45.003, "sent", "BYE sip:bob@127.0.0.1:5060 SIP/2.0", c, "6 BYE")
    b.sip(45.007, "received", "SIP/2.0 200 OK", c, "6 BYE")
    b.ev(
        45.008,
        "callkit",
        "ActionFulfilled",
        "CXEndCallAction fulfilled",
        sip_call_id=c,
        duration_ms=8.0,
        action="CXEndCallAction",
    )
    b.ev(45.010, "audio", "AudioSessionDeactivated", "didDeactivate audioSession", sip_call_id=c)
    b.ev(
        45.011, "callkit", "CallEnded", "Call ended (reason: local hang-up), 29.7 s", sip_call_id=c
    )


def _outgoing_canceled(b: _Builder) -> None:
    c, u = OUT_CALL_ID, OUT_UUID
    b.ev(
        60.000,
        "callkit",
        "TransactionRequested",
        "CXStartCallAction to sip:carol@lab.example",
        call=u,
        sip_call_id=c,
        handle="sip:carol@lab.example",
        action="CXStartCallAction",
    )
    b.sip(
        60.006,
        "sent",
        "INVITE sip:carol@lab.example SIP/2.0",
        c,
        "1 INVITE",
        "Content-Type: application/sdp\r\n",
        _sdp("sendrecv"),
    )
    b.sip(60.008, "received", "SIP/2.0 100 Trying", c, "1 INVITE")
    b.ev(
        60.009,
        "callkit",
        "ActionFulfilled",
        "CXStartCallAction fulfilled",
        call=u,
        sip_call_id=c,
        duration_ms=9.0,
        action="CXStartCallAction",
    )
    b.ev(
        60.010,
        "callkit",
        "StartedConnecting",
        "reportOutgoingCall(startedConnectingAt:)",
        call=u,
        sip_call_id=c,
    )
    b.sip(60.120, "received", "SIP/2.0 180 Ringing", c, "1 INVITE")
    b.ev(
        66.000,
        "callkit",
        "TransactionRequested",
        "User tapped End: CXEndCallAction",
        call=u,
        sip_call_id=c,
        action="CXEndCallAction",
    )
    b.sip(66.002, "sent", "CANCEL sip:carol@lab.example SIP/2.0", c, "1 CANCEL")
    b.sip(66.004, "received", "SIP/2.0 200 OK", c, "1 CANCEL")
    b.sip(66.005, "received", "SIP/2.0 487 Request Terminated", c, "1 INVITE")
    b.sip(66.006, "sent", "ACK sip:carol@lab.example SIP/2.0", c, "1 ACK")
    b.ev(
        66.007,
        "callkit",
        "ActionFulfilled",
        "CXEndCallAction fulfilled",
        call=u,
        sip_call_id=c,
        duration_ms=7.0,
        action="CXEndCallAction",
    )
    b.ev(
        66.008,
        "callkit",
        "CallEnded",
        "Call ended (reason: canceled); Recents: Canceled",
        call=u,
        sip_call_id=c,
    )
    b.feed.append_push(
        PushRecord(
            *b._times(70.0),
            token="00" * 32,
            topic="com.example.phone",
            push_type="voip",
            headers={"apns-push-type": "voip", "apns-topic": "com.example.phone"},
            payload={"aps": {}},
            status=400,
            reason="TopicDisallowed",
            apns_id=None,
            delivered=False,
            app_reaction="none: the push never reached the device",
        )
    )
