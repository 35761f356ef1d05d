"""Settings -> engine for transports, TLS, SRTP and codecs, through the front door: each
test writes settings.toml, drives a headless phone with the control API and checks the
wire (SIPp's message trace, Kamailio's log, a second pjsua2 process) and ``state``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from softphone.control.client import ControlClientError
from softphone.settings import EncryptedFileSecretStore, profile_paths
from softphone.testing import RunningPhone, start_phone, stop_phone
from tests.sip import scenarios
from tests.sip.helpers import PeerProcess, Sipp, start_sipp
from tests.sip.kamailio import USERS, TlsAuthKamailio
from tests.sip.tls_certs import make_ca_and_server

pytestmark = pytest.mark.integration
PASSPHRASE = "front-door"
#: PJSIP sends a request over TCP instead of UDP when it is bigger than this
#: (PJSIP_UDP_SIZE_THRESHOLD).
UDP_SIZE_THRESHOLD = 1300
SRTP_REFUSED = "does not support encrypted media (SRTP is mandatory for this account)"

StartPhone = Callable[..., RunningPhone]


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[StartPhone]:
    """``phone(settings_toml, passwords={"acc": "pw"})``: a headless phone whose account
    passwords are in its encrypted secrets file (as the README tells a user);
    ``phone(None, restart=p)`` stops ``p`` and starts its profile again."""
    home = tmp_path / "home"
    started: list[RunningPhone] = []

    def start(
        settings_toml: str | None,
        passwords: dict[str, str] | None = None,
        restart: RunningPhone | None = None,
    ) -> RunningPhone:
        name = f"p{len(started) + 1}"
        if restart is not None:
            stop_phone(restart)
            started.remove(restart)
            name = restart.profile
        paths = profile_paths(name, root=home).ensure()
        for account, password in (passwords or {}).items():
            EncryptedFileSecretStore(paths.secrets_file, PASSPHRASE).set(f"sip:{account}", password)
        p = start_phone(
            home,
            name,
            settings_toml=settings_toml,
            extra_env={
                "SOFTPHONE_SECRETS_PASSPHRASE": PASSPHRASE,
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            },
        )
        started.append(p)
        return p

    yield start
    for p in started:
        stop_phone(p)


async def _in_thread(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Blocking control-API calls off the loop (SIPp's pipes are read on it)."""
    return await asyncio.to_thread(fn, *args, **kw)


async def _poll(check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = await _in_thread(check)
        if got:
            return got
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)



async def _call_and_hang_up(p: Any, to: str, sipp: Any) -> None:
    """Call ``to``, wait for the answer, hang up; SIPp must have played its scenario."""
    await _in_thread(p.call, to)
    await _in_thread(p.wait_for, "call.connected", 15)
    await _in_thread(p.hangup)
    await sipp.expect_success()

def _trace(sipp: Sipp) -> str:
    """SIPp's -trace_msg log: every message as it was on the wire."""
    return "".join(p.read_text(errors="replace") for p in sipp.workdir.glob("*_messages.log"))


def _received_invite(trace: str) -> str:
    """The first INVITE SIPp received, exactly as it arrived."""
    m = re.search(r"message received \[\d+\] bytes :\s*\n\n(INVITE .*?)(?=\n-{5,})", trace, re.S)
    assert m is not None, f"no INVITE in SIPp's trace:\n{trace[-3000:]}"
    return m.group(1)


def _received_size(trace: str) -> int:
    m = re.search(r"message received \[(\d+)\] bytes :\s*\n\nINVITE ", trace)
    assert m is not None, trace[-3000:]
    return int(m.group(1))


def _rtpmaps(sdp: str) -> list[str]:
    """The offered encodings in m= line order ("PCMU/8000", "telephone-event/8000" ...)."""
    m_line = re.search(r"(?m)^m=audio \d+ (\S+) ([\d ]+)", sdp)
    assert m_line is not None, sdp
    maps = dict(re.findall(r"(?m)^a=rtpmap:(\d+) (\S+)", sdp))
    static = {"0": "PCMU/8000", "8": "PCMA/8000", "9": "G722/8000", "3": "GSM/8000"}
    return [maps.get(pt, static.get(pt, pt)) for pt in m_line.group(2).split()]


def _account(
    uri: str, *, transport: str = "udp", srtp: str = "off", registrar: str = "", user: str = ""
) -> str:
    return (
        f'[[accounts]]\nid = "acc"\nuri = "{uri}"\ntransport = "{transport}"\n'
        f'srtp = "{srtp}"\nregister = {"true" if registrar else "false"}\n'
        + (f'registrar = "{registrar}"\nusername = "{user}"\n' if registrar else "")
    )


def _registration(p: RunningPhone, state: str) -> dict[str, Any] | None:
    """The account's registration in ``state`` once it is ``state``, else None."""
    reg: dict[str, Any] = p.state()["registrations"].get("acc", {})
    return reg if reg.get("state") == state else None


def _call_of(state: dict[str, Any]) -> dict[str, Any] | None:
    return state["calls"][0] if state["calls"] else None


class TestTlsAndSrtp:
    @pytest.mark.covers(
        "sip.tls_port",
        "sip.tls_ca_file",
        "sip.tls_verify",
        "accounts.transport",
        "accounts.srtp",
        "readme:tls",
        "readme:srtp",
    )
    async def test_tls_account_with_mandatory_srtp_registers_and_calls_encrypted(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """A TLS + mandatory-SRTP account registers over TLS and its call offers
        RTP/SAVP with a=crypto to an SRTP peer; state shows the call encrypted."""
        files = make_ca_and_server(tmp_path / "tls")
        kam = TlsAuthKamailio(tmp_path, files)
        peer = await PeerProcess.start(
            "--tls-cert", str(files.cert), "--tls-key", str(files.key), "--srtp", "mandatory"
        )
        try:
            p = await _in_thread(
                phone,
                _account(
                    "sip:alice@127.0.0.1",
                    transport="tls",
                    srtp="mandatory",
                    registrar=f"sip:127.0.0.1:{kam.tls_port}",
                    user="alice",
                )
                + f'[sip]\ntls_ca_file = "{files.ca}"\n',
                {"acc": USERS["alice"]},
            )
            await _poll(lambda: _registration(p, "registered"), "registered over TLS")
            assert any("transport=tls" in ln.lower() for ln in kam.registrations())
            assert "tls" in (await _in_thread(p.state))["sip"]
            await _in_thread(p.call, f"sip:peer@127.0.0.1:{peer.port};transport=tls")
            incoming = await peer.wait_for("incoming", timeout=15)  # the peer has TLS only
            assert re.search(r"(?m)^m=audio \d+ RTP/SAVP ", incoming["sdp"]), incoming["sdp"]
            assert "a=crypto:" in incoming["sdp"]
            peer.send("answer")
            await _in_thread(p.wait_for, "call.connected", 15)
            call = await _poll(
                lambda: (c := _call_of(p.state())) is not None and c["encrypted"] and c,
                "encrypted call in state",
            )
            assert call["connected"] is True
            assert (await peer.wait_for("media", lambda e: e["srtp"]))["srtp"] is True
            await _in_thread(p.hangup)
        finally:
            await peer.close()
            kam.stop()

    @pytest.mark.covers("accounts.srtp", "readme:srtp")
    async def test_mandatory_srtp_to_a_peer_without_srtp_fails_with_the_reason(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """SIPp answers the RTP/SAVP offer with plain RTP: the call fails, the reason
        says why (event, Recents), and nothing was ever connected."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-trace_msg"])
        try:
            p = await _in_thread(
                phone, _account(f"sip:alice@127.0.0.1:{sipp.port}", srtp="mandatory")
            )
            await _in_thread(p.call, "bob")
            ended = (await _in_thread(p.wait_for, "call.ended", 15))["data"]
            assert SRTP_REFUSED in ended["reason"], ended
            assert ended["cause"] == "failed"
            invite = _received_invite(_trace(sipp))
            assert re.search(r"(?m)^m=audio \d+ RTP/SAVP ", invite) and "a=crypto:" in invite
            state = await _in_thread(p.state)
            assert state["calls"] == []
            rows = (await _in_thread(p.recents))["recents"]
            assert rows and rows[0]["direction"] == "outgoing" and rows[0]["duration"] == 0
            with pytest.raises(ControlClientError):  # it never connected
                await _in_thread(p.wait_for, "call.connected", 0.5)
        finally:
            sipp.kill()

    @pytest.mark.covers("accounts.srtp")
    async def test_optional_srtp_falls_back_to_plain_rtp(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """srtp = "optional": crypto is offered on RTP/AVP; a plain peer still connects,
        and state says the call is not encrypted."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-trace_msg"])
        try:
            p = await _in_thread(
                phone, _account(f"sip:alice@127.0.0.1:{sipp.port}", srtp="optional")
            )
            await _in_thread(p.call, "bob")
            await _in_thread(p.wait_for, "call.connected", 15)
            call = _call_of(await _in_thread(p.state))
            assert call is not None and call["encrypted"] is False
            await _in_thread(p.hangup)
            await sipp.expect_success()
            invite = _received_invite(_trace(sipp))
            assert re.search(r"(?m)^m=audio \d+ RTP/AVP ", invite) and "a=crypto:" in invite
        finally:
            sipp.kill()

    @pytest.mark.covers("sip.tls_verify", "sip.tls_ca_file", "readme:tls verification")
    async def test_untrusted_certificate_is_a_registration_failure_with_the_reason(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """tls_verify on without the CA: "failed" and why; with tls_ca_file: registered."""
        files = make_ca_and_server(tmp_path / "tls")
        kam = TlsAuthKamailio(tmp_path, files)
        try:
            account = _account(
                "sip:alice@127.0.0.1",
                transport="tls",
                registrar=f"sip:127.0.0.1:{kam.tls_port}",
                user="alice",
            )
            untrusted = await _in_thread(
                phone, account + "[sip]\ntls_verify = true\n", {"acc": USERS["alice"]}
            )
            reg = await _poll(lambda: _registration(untrusted, "failed"), "registration failure")
            assert "TLS certificate verification failed" in reg["reason"], reg
            unverified = await _in_thread(
                phone, account + "[sip]\ntls_verify = false\n", {"acc": USERS["alice"]}
            )
            await _poll(lambda: _registration(unverified, "registered"), "registered unverified")
            trusted = await _in_thread(
                phone,
                account + f'[sip]\ntls_verify = true\ntls_ca_file = "{files.ca}"\n',
                {"acc": USERS["alice"]},
            )
            await _poll(lambda: _registration(trusted, "registered"), "registered with the CA")
        finally:
            kam.stop()


class TestCodecs:
    @pytest.mark.covers("sip.codecs", "readme:codecs")
    async def test_only_configured_codecs_are_offered_in_order(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """codecs = [G722, PCMA]: the INVITE offers G722, PCMA (+ telephone-event) only."""
        busy = scenarios.uas_status(486, "Busy Here")
        sipp = await start_sipp(busy, tmp_path, extra=["-trace_msg"])
        try:
            p = await _in_thread(phone, '[sip]\ncodecs = ["G722/16000", "PCMA/8000"]\n')
            await _in_thread(p.call, f"sip:bob@127.0.0.1:{sipp.port}")
            await _in_thread(p.wait_for, "call.ended", 15)
            await sipp.expect_success()
            offered = _rtpmaps(_received_invite(_trace(sipp)))
            assert offered == ["G722/8000", "PCMA/8000", "telephone-event/8000"], offered
        finally:
            sipp.kill()

    @pytest.mark.covers("sip.codecs", "sip.udp_port", "readme:default invite over udp")
    async def test_default_invite_fits_one_udp_datagram(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """Default settings: PCMU, PCMA, G722 (+ telephone-event), over UDP, < 1300 bytes."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-trace_msg"])
        try:
            p = await _in_thread(phone, "")
            await _call_and_hang_up(p, f"sip:bob@127.0.0.1:{sipp.port}", sipp)
            trace = _trace(sipp)
            invite = _received_invite(trace)
            assert "UDP message received" in trace
            assert re.search(r"(?mi)^Via: SIP/2.0/UDP ", invite), invite
            assert _received_size(trace) < UDP_SIZE_THRESHOLD, _received_size(trace)
            offered = _rtpmaps(invite)
            assert offered == ["PCMU/8000", "PCMA/8000", "G722/8000", "telephone-event/8000"]
        finally:
            sipp.kill()

    @pytest.mark.covers("sip.codecs")
    async def test_an_offer_without_a_configured_codec_is_refused(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """codecs = [G722]: SIPp's PCMU-only INVITE gets 488 (PCMU is not accepted)."""
        p = await _in_thread(phone, '[sip]\ncodecs = ["G722/16000"]\n')
        target = (await _in_thread(p.state))["sip"]["udp"]
        sipp = await start_sipp(scenarios.uac_expect_status(488), tmp_path, target=target)
        await sipp.expect_success()

    @pytest.mark.covers("sip.codecs")
    async def test_an_unknown_codec_is_a_problem_not_a_crash(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """codecs = [opus, PCMU]: the phone runs, says opus is unknown, offers PCMU."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-trace_msg"])
        try:
            p = await _in_thread(phone, '[sip]\ncodecs = ["opus/48000", "PCMU/8000"]\n')
            problems = (await _in_thread(p.state))["problems"]
            assert any("unknown codec opus/48000" in x for x in problems), problems
            await _call_and_hang_up(p, f"sip:bob@127.0.0.1:{sipp.port}", sipp)
            assert _rtpmaps(_received_invite(_trace(sipp))) == [
                "PCMU/8000",
                "telephone-event/8000",
            ]
        finally:
            sipp.kill()


class TestTransportChoice:
    @pytest.mark.covers("sip.tcp_port", "readme:tcp off")
    async def test_tcp_off_a_transport_tcp_call_fails_with_a_reason(
        self, phone: StartPhone
    ) -> None:
        """tcp_port = -1: the phone starts without TCP; a ;transport=tcp call fails."""
        p = await _in_thread(phone, "[sip]\ntcp_port = -1\n")
        state = await _in_thread(p.state)
        assert "udp" in state["sip"] and "tcp" not in state["sip"], state["sip"]
        await _in_thread(p.call, "sip:bob@127.0.0.1:5999;transport=tcp")
        failed = (await _in_thread(p.wait_for, "call.failed", 10))["data"]
        assert "tcp" in failed["reason"].lower() and "not configured" in failed["reason"]

    @pytest.mark.covers("sip.tls_port")
    async def test_tls_listens_only_when_asked(self, phone: StartPhone) -> None:
        """tls_port = -1 and no TLS account: no TLS; tls_port = 0: TLS on a free port,
        and a ;transport=tls call without it fails with the reason."""
        off = await _in_thread(phone, "")
        assert "tls" not in (await _in_thread(off.state))["sip"]
        await _in_thread(off.call, "sip:bob@127.0.0.1:5999;transport=tls")
        failed = (await _in_thread(off.wait_for, "call.failed", 10))["data"]
        assert "tls transport" in failed["reason"] and "not configured" in failed["reason"]
        on = await _in_thread(phone, "[sip]\ntls_port = 0\n")
        host, _, port = (await _in_thread(on.state))["sip"]["tls"].rpartition(":")
        assert host == "127.0.0.1" and int(port) > 0

    @pytest.mark.covers("sip.tcp_port", "readme:direct ip")
    async def test_direct_call_with_transport_tcp_in_the_uri_goes_over_tcp(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """No account: sip:...;transport=tcp reaches a TCP-only SIPp over TCP."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-t", "t1", "-trace_msg"])
        try:
            p = await _in_thread(phone, "")
            await _call_and_hang_up(p, f"sip:bob@127.0.0.1:{sipp.port};transport=tcp", sipp)
            trace = _trace(sipp)
            assert "TCP message received" in trace
            assert re.search(r"(?mi)^Via: SIP/2.0/TCP ", _received_invite(trace))
        finally:
            sipp.kill()

    @pytest.mark.covers("page:transport", "accounts.transport")
    async def test_transport_chosen_on_the_settings_page_is_used_after_restart(
        self, phone: StartPhone, tmp_path: Path
    ) -> None:
        """Settings page transport TCP (settings-set), restart: the call goes over TCP."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-t", "t1", "-trace_msg"])
        try:
            p = await _in_thread(phone, _account(f"sip:alice@127.0.0.1:{sipp.port}"))
            await _in_thread(p.settings_set, {"transport": "tcp"})
            p = await _in_thread(phone, None, restart=p)
            await _call_and_hang_up(p, "bob", sipp)
            assert "TCP message received" in _trace(sipp)
        finally:
            sipp.kill()

    @pytest.mark.covers("accounts.transport", "sip.tcp_port")
    async def test_tcp_account_calls_over_tcp(self, phone: StartPhone, tmp_path: Path) -> None:
        """transport = "tcp": the INVITE reaches a TCP-only SIPp and the call connects."""
        sipp = await start_sipp(scenarios.uas(), tmp_path, extra=["-t", "t1", "-trace_msg"])
        try:
            p = await _in_thread(
                phone, _account(f"sip:alice@127.0.0.1:{sipp.port}", transport="tcp")
            )
            await _call_and_hang_up(p, "bob", sipp)
            trace = _trace(sipp)
            assert "TCP message received" in trace
            assert re.search(r"(?mi)^Via: SIP/2.0/TCP ", _received_invite(trace))
        finally:
            sipp.kill()
