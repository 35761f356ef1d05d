"""The request guard's rules, as pure functions of the message text."""

from __future__ import annotations

from softphone.sip.pjsua._guard import (
    MAX_OFFER_MEDIA,
    Refusal,
    SocketBudget,
    new_call_sockets,
    refusal,
)

SDP = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"


def msg(method: bytes = b"INVITE", cseq: bytes = b"1 INVITE", body: bytes = b"",
        clen: bytes | None = None, compact: bool = False) -> bytes:
    name = b"l" if compact else b"Content-Length"
    length = clen if clen is not None else str(len(body)).encode()
    return (method + b" sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bK1\r\n"
            b"CSeq: " + cseq + b"\r\n" + name + b": " + length + b"\r\n\r\n" + body)


def media(n: int) -> bytes:
    return SDP + b"".join(b"m=audio %d RTP/AVP 0\r\n" % (4000 + 2 * i) for i in range(n))


class TestPasses:
    def test_a_plain_offer_passes(self) -> None:
        """An INVITE with one audio stream and a true Content-Length passes."""
        assert refusal(msg(body=media(1))) is None

    def test_audio_and_video_pass(self) -> None:
        """Up to MAX_OFFER_MEDIA streams pass."""
        assert refusal(msg(body=media(MAX_OFFER_MEDIA))) is None

    def test_a_shorter_content_length_passes(self) -> None:
        """Bytes past Content-Length are PJSIP's to discard (RFC 3261 18.3)."""
        assert refusal(msg(body=media(1), clen=b"10")) is None

    def test_ack_and_cancel_with_their_own_cseq_pass(self) -> None:
        """ACK and CANCEL carry their own method in CSeq."""
        assert refusal(msg(b"ACK", b"1 ACK")) is None
        assert refusal(msg(b"CANCEL", b"1 CANCEL")) is None

    def test_a_message_without_its_blank_line_is_left_to_pjsip(self) -> None:
        """A message PJSIP's parser refuses anyway is not the guard's."""
        assert refusal(b"INVITE sip:a@b SIP/2.0\r\nCSeq: 1 BYE\r\n") is None


class TestRefuses:
    def test_a_content_length_larger_than_the_body(self) -> None:
        """More Content-Length than body: 400 (compact form too)."""
        assert refusal(msg(clen=b"99999999")) == Refusal(
            400, "Content-Length larger than the message body")
        assert refusal(msg(clen=b"5", compact=True)) is not None

    def test_a_cseq_for_another_method(self) -> None:
        """CSeq must name the request's own method: 400."""
        r = refusal(msg(b"INFO", b"7 INVITE"))
        assert r is not None and r.status == 400

    def test_an_offer_with_too_many_streams(self) -> None:
        """More than MAX_OFFER_MEDIA m= lines: 488."""
        r = refusal(msg(body=media(MAX_OFFER_MEDIA + 1)))
        assert r is not None and r.status == 488


class TestNewCallFlood:
    def test_new_invites_cost_two_sockets_per_stream(self) -> None:
        """A new INVITE costs 2 sockets per stream (a delayed offer: one stream)."""
        assert new_call_sockets(msg(body=media(1))) == 2
        assert new_call_sockets(msg(body=media(2))) == 4
        assert new_call_sockets(msg()) == 2

    def test_requests_in_a_dialog_cost_nothing(self) -> None:
        """A re-INVITE (To tag) or another method opens nothing up front."""
        reinvite = msg(body=media(1)).replace(b"CSeq:", b"To: <sip:a@b>;tag=x\r\nCSeq:")
        assert new_call_sockets(reinvite) == 0
        assert new_call_sockets(msg(b"OPTIONS", b"1 OPTIONS")) == 0

    def test_the_budget_refills_after_its_window(self) -> None:
        """At most ``budget`` sockets within any window; spent ones come back after it."""
        now = [100.0]
        budget = SocketBudget(8, 0.5, clock=lambda: now[0])
        assert [budget.admit(2) for _ in range(5)] == [True, True, True, True, False]
        now[0] += 0.49
        assert not budget.admit(2)
        now[0] += 0.02
        assert budget.admit(4) and budget.admit(4) and not budget.admit(2)


class TestEarlyRefer:
    def test_a_refer_in_an_unanswered_call_is_refused(self) -> None:
        """REFER inside a dialog whose call is not answered: refused; answered: passes."""
        from softphone.sip.pjsua._guard import _early_refer

        refer = msg(b"REFER", b"2 REFER").replace(
            b"CSeq:", b"To: <sip:a@b>;tag=x\r\nCall-ID: c1\r\nCSeq:")
        assert _early_refer(refer, lambda call_id: False)
        assert not _early_refer(refer, lambda call_id: call_id == "c1")
        assert not _early_refer(msg(b"REFER", b"2 REFER"), lambda call_id: False)  # no dialog
