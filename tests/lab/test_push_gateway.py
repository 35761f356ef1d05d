"""The RFC 8599 push gateway: parameters parsed strictly, bad requests refused clearly."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softphone.lab.push_gateway import (
    ApnsTarget,
    PushGateway,
    PushParamsError,
    parse_pn_params,
)

TOKEN = "0f" * 32


class TestParams:
    def test_voip_token_and_topic(self) -> None:
        """The voip token is picked from several and the topic gets the .voip suffix."""
        t = parse_pn_params(
            "apns", f"{'ab' * 32}:remote&{TOKEN}:voip", "ABCDE12345.com.example.app.voip&remote"
        )
        assert t == ApnsTarget(TOKEN, "com.example.app.voip", "ABCDE12345", "com.example.app")

    def test_single_token_without_service(self) -> None:
        """A bare token counts as the VoIP token."""
        assert parse_pn_params("apns", TOKEN, "ABCDE12345.org.x.voip").token == TOKEN

    @pytest.mark.parametrize(
        ("provider", "prid", "param", "why"),
        [
            ("fcm", TOKEN, "ABCDE12345.a.b.voip", "not supported"),
            ("apns", "zz:voip", "ABCDE12345.a.b.voip", "64 hex"),
            ("apns", f"{TOKEN}:remote", "ABCDE12345.a.b.voip", "no VoIP token"),
            ("apns", TOKEN, "short.a.b", "TeamID"),
        ],
    )
    def test_bad_params_explain(self, provider: str, prid: str, param: str, why: str) -> None:
        """Unsupported providers and malformed tokens or params raise with the reason."""
        with pytest.raises(PushParamsError, match=why):
            parse_pn_params(provider, prid, param)

    @given(st.text(max_size=80), st.text(max_size=200), st.text(max_size=80))
    def test_never_crashes(self, provider: str, prid: str, param: str) -> None:
        """Any input gives a target or PushParamsError, nothing else."""
        try:
            t = parse_pn_params(provider, prid, param)
        except PushParamsError:
            return
        assert len(t.token) == 64 and t.topic.endswith(".voip")


class TestServer:
    async def test_posts_become_pushes_and_bad_ones_400(self) -> None:
        """A good request is sent as a Flexisip payload; a bad one is 400 with the reason."""
        sent: list[tuple[ApnsTarget, dict[str, Any]]] = []

        class Result:
            status, reason, apns_id = 200, "", "11111111-2222-3333-4444-555555555555"

        async def send(target: ApnsTarget, payload: dict[str, Any]) -> Result:
            sent.append((target, payload))
            return Result()

        gw = PushGateway(send)
        await gw.start()
        try:
            async with aiohttp.ClientSession() as http:
                good = {
                    "pn-provider": "apns",
                    "pn-prid": f"{TOKEN}:voip",
                    "pn-param": "ABCDE12345.com.example.app.voip",
                    "call-id": "abc@127.0.0.1",
                    "from-uri": "sip:bob@127.0.0.1",
                    "display-name": "Bob",
                }
                async with http.post(gw.url, data=json.dumps(good)) as r:
                    assert r.status == 200
                    assert (await r.json())["apns-id"] == Result.apns_id
                async with http.post(gw.url, data=b"not json") as r:
                    assert r.status == 400
                    assert "error" in await r.json()
        finally:
            await gw.stop()
        assert len(sent) == 1
        target, payload = sent[0]
        assert target.topic == "com.example.app.voip"
        assert payload["call-id"] == "abc@127.0.0.1"
        assert payload["display-name"] == "Bob"
