"""Registration with digest auth against a real Kamailio on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.sip import (
    AccountConfig,
    CallConnected,
    CallEnded,
    EngineConfig,
    IncomingCallReceived,
    PushParams,
    RegistrationStateChanged,
    RegistrationStatus,
    SipMessageLogged,
)
from tests.sip.conftest import StartEngine, auto_answer
from tests.sip.kamailio import USERS, AuthKamailio

pytestmark = pytest.mark.integration


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[AuthKamailio]:
    k = AuthKamailio(tmp_path)
    try:
        yield k
    finally:
        k.stop()


def account(
    kam: AuthKamailio, user: str, password: str | None = None, **kw: object
) -> AccountConfig:
    return AccountConfig(
        id=user,
        uri=f"sip:{user}@127.0.0.1",
        registrar=kam.uri,
        username=user,
        password=USERS.get(user, "x") if password is None else password,
        register_on_add=False,
        **kw,  # type: ignore[arg-type]
    )


async def test_register_with_digest_auth_then_unregister_on_stop(
    start_engine: StartEngine, kam: AuthKamailio
) -> None:
    eng, rec = await start_engine()
    eng.add_account(account(kam, "alice", expires=120))
    st = await eng.register("alice")
    assert (st.state, st.code) == (RegistrationStatus.REGISTERED, 200)
    assert st.expires > 0
    assert eng.registration_state("alice") == st
    # the first REGISTER was challenged, the second carried credentials
    challenged = [e for e in rec.of(SipMessageLogged) if e.first_line.startswith("SIP/2.0 401")]
    assert challenged
    regs = [e for e in rec.of(SipMessageLogged) if e.first_line.startswith("REGISTER")]
    assert any("Authorization: Digest <redacted>" in e.text for e in regs)
    assert not any("alicepw" in e.text for e in rec.of(SipMessageLogged))
    await eng.stop()
    assert rec.of(RegistrationStateChanged)[-1].state == RegistrationStatus.UNREGISTERED
    last = kam.registrations()[-1]
    assert "from=alice" in last and ("expires=0" in last), kam.registrations()


async def test_wrong_password_fails_with_reason(
    start_engine: StartEngine, kam: AuthKamailio
) -> None:
    eng, rec = await start_engine()
    eng.add_account(account(kam, "alice", "not-the-password"))
    st = await eng.register("alice")
    assert st.state == RegistrationStatus.FAILED
    assert st.code == 401 and "Unauthorized" in st.reason
    failed = await rec.wait_for(
        RegistrationStateChanged, lambda e: e.state == RegistrationStatus.FAILED
    )
    assert failed.code == 401


async def test_forbidden_403(start_engine: StartEngine, kam: AuthKamailio) -> None:
    eng, _ = await start_engine()
    eng.add_account(account(kam, "forbidden"))
    st = await eng.register("forbidden")
    assert (st.state, st.code, st.reason) == (RegistrationStatus.FAILED, 403, "Forbidden")


async def test_unreachable_registrar_times_out(start_engine: StartEngine) -> None:
    # a UDP socket that swallows every request: the registrar never answers
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:
        hole.bind(("127.0.0.1", 0))
        port = hole.getsockname()[1]
        eng, _ = await start_engine(EngineConfig(register_timeout=1.0))
        eng.add_account(
            AccountConfig(
                id="a",
                uri="sip:alice@127.0.0.1",
                registrar=f"sip:127.0.0.1:{port}",
                username="alice",
                password="x",
                register_on_add=False,
            )
        )
        st = await eng.register("a")
        assert hole.recv(4096).startswith(b"REGISTER ")
    assert (st.state, st.code) == (RegistrationStatus.FAILED, 408)
    assert "Timeout" in st.reason


async def test_unresolvable_registrar_host(start_engine: StartEngine) -> None:
    eng, _ = await start_engine(EngineConfig(register_timeout=5.0))
    eng.add_account(
        AccountConfig(
            id="a",
            uri="sip:alice@127.0.0.1",
            registrar="sip:no-such-host.invalid",
            username="alice",
            password="x",
            register_on_add=False,
        )
    )
    st = await eng.register("a")
    assert st.state == RegistrationStatus.FAILED
    assert st.code >= 400 and st.reason


async def test_reregister_and_explicit_unregister(
    start_engine: StartEngine, kam: AuthKamailio
) -> None:
    eng, _ = await start_engine()
    eng.add_account(account(kam, "bob", expires=60))
    assert (await eng.register("bob")).state == RegistrationStatus.REGISTERED
    assert (await eng.register("bob")).state == RegistrationStatus.REGISTERED
    st = await eng.unregister("bob")
    assert st.state == RegistrationStatus.UNREGISTERED
    from_bob = [ln for ln in kam.registrations() if "from=bob" in ln]
    assert len(from_bob) >= 4  # challenge + auth for each of the two registrations, + removal


async def test_several_accounts_and_call_through_registrar(
    start_engine: StartEngine, kam: AuthKamailio
) -> None:
    eng, rec = await start_engine()
    auto_answer(eng)
    for user in ("alice", "bob"):
        eng.add_account(account(kam, user, proxy=f"{kam.uri};lr"))
    for user in ("alice", "bob"):
        assert (await eng.register(user)).state == RegistrationStatus.REGISTERED
    cid = await eng.make_call(f"sip:bob@127.0.0.1:{kam.port}", account_id="alice")
    inc = await rec.wait_for(IncomingCallReceived)
    assert inc.account_id == "bob"
    assert inc.remote_uri.startswith("sip:alice@")
    await rec.wait_for(CallConnected, lambda e: e.call_id == cid)
    await eng.hangup(cid)
    await rec.wait_for(CallEnded, lambda e: e.call_id == inc.call_id)


async def test_push_params_in_register_contact(
    start_engine: StartEngine, kam: AuthKamailio
) -> None:
    eng, _ = await start_engine()
    push = PushParams(provider="apns", prid="abcdef0123:voip", param="TEAMID.com.example.app.voip")
    eng.add_account(account(kam, "carol", push=push))
    assert (await eng.register("carol")).state == RegistrationStatus.REGISTERED
    line = [ln for ln in kam.registrations() if "from=carol" in ln][-1]
    assert "pn-provider=apns" in line
    assert "pn-prid=abcdef0123:voip" in line
    assert "pn-param=TEAMID.com.example.app.voip" in line


async def test_register_over_tls_with_verified_certificate(
    start_engine: StartEngine, tmp_path: Path
) -> None:
    from softphone.sip import TlsConfig, TransportConfig
    from tests.sip.kamailio import TlsAuthKamailio
    from tests.sip.tls_certs import make_ca_and_server

    files = make_ca_and_server(tmp_path / "pki")
    other = make_ca_and_server(tmp_path / "other", tag="other")
    kam = TlsAuthKamailio(tmp_path, files)
    try:
        for ca, ok in ((files.ca, True), (other.ca, False)):
            eng, _ = await start_engine(
                EngineConfig(
                    transports=(TransportConfig("udp"), TransportConfig("tls")),
                    tls=TlsConfig(ca_file=str(ca), verify_server=True),
                    log_messages=True,
                )
            )
            acc = AccountConfig(
                id="alice",
                uri="sip:alice@127.0.0.1",
                registrar=kam.tls_uri,
                username="alice",
                password=USERS["alice"],
                transport="tls",
                register_on_add=False,
            )
            eng.add_account(acc)
            st = await eng.register("alice", timeout=10)
            if ok:
                assert (st.state, st.code) == (RegistrationStatus.REGISTERED, 200)
                assert any("transport=tls" in ln.lower() for ln in kam.registrations())
                await eng.unregister("alice")
            else:  # a registrar whose certificate we cannot verify: said clearly
                assert st.state == RegistrationStatus.FAILED
                assert "certificate" in st.reason.lower(), st.reason
            await eng.stop()
    finally:
        kam.stop()
