"""The control API: auth, validation, errors with status codes, schema conformance."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from softphone.control import (
    ConflictError,
    ControlClient,
    ControlClientError,
    NotFoundError,
    openapi_document,
)
from softphone.control.server import ControlServer


class RecordingPhone:
    """A stand-in phone: one possible ringing call; records what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.ringing = False

    async def execute(self, command: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((command, dict(params)))
        if command == "answer":
            if not self.ringing:
                raise ConflictError("there is no ringing call to answer")
            self.ringing = False
        if command == "hangup" and params.get("call") == "00000000-0000-0000-0000-000000000000":
            raise NotFoundError("no call 00000000-0000-0000-0000-000000000000")
        return {"command": command}


class ServerThread:
    def __init__(self, target: RecordingPhone) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = ControlServer(target)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ControlServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def phone() -> RecordingPhone:
    return RecordingPhone()


@pytest.fixture
def server(phone: RecordingPhone) -> Iterator[ControlServer]:
    with ServerThread(phone) as s:
        yield s


def _raw(
    server: ControlServer, path: str, body: bytes, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(server.url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class TestAuth:
    def test_wrong_or_missing_token_is_401(
        self, server: ControlServer, phone: RecordingPhone
    ) -> None:
        """Without the right bearer token nothing reaches the phone."""
        for token in (None, "wrong", ""):
            status, body = _raw(server, "/v1/state", b"{}", token)
            assert status == 401
            assert body["error"]["code"] == "unauthorized"
        assert phone.calls == []

    def test_loopback_only(self, phone: RecordingPhone) -> None:
        """The server refuses to listen anywhere but loopback."""
        with pytest.raises(ValueError, match="loopback"):
            ControlServer(phone, host="0.0.0.0")


class TestValidation:
    @pytest.mark.parametrize(
        ("path", "body", "status", "code"),
        [
            ("/v1/state", b"{not json", 400, "invalid_params"),
            ("/v1/state", b"[1, 2]", 400, "invalid_params"),
            ("/v1/call", b"{}", 400, "invalid_params"),
            ("/v1/call", b'{"to": 5}', 400, "invalid_params"),
            ("/v1/hold", b'{"on": "yes"}', 400, "invalid_params"),
            ("/v1/dtmf", b'{"digits": "12x"}', 400, "invalid_params"),
            ("/v1/answer", b'{"call": "not-a-uuid"}', 400, "invalid_params"),
            ("/v1/state", b'{"extra": 1}', 400, "invalid_params"),
            ("/v1/teleport", b"{}", 404, "unknown_command"),
            ("/v1/recents", b'{"limit": 0}', 400, "invalid_params"),
            ("/v1/recents", b'{"limit": 2.5}', 400, "invalid_params"),
            ("/v1/recents", b'{"limit": true}', 400, "invalid_params"),
            ("/v1/recents", b'{"missed": "yes"}', 400, "invalid_params"),
            ("/v1/contact-remove", b'{"id": "3"}', 400, "invalid_params"),
            ("/v1/contact-add", b'{"number": "555"}', 400, "invalid_params"),
            ("/v1/audio-select", b'{"role": "headphones", "device": "x"}', 400, "invalid_params"),
            ("/v1/unmerge", b"{}", 400, "invalid_params"),
            (
                "/v1/swap",
                b'{"call": "00000000-0000-0000-0000-000000000000"}',
                400,
                "invalid_params",
            ),
        ],
    )
    def test_bad_requests_get_clear_errors(
        self,
        server: ControlServer,
        phone: RecordingPhone,
        path: str,
        body: bytes,
        status: int,
        code: str,
    ) -> None:
        """Malformed requests and unknown commands get a status, a code and a message."""
        got_status, got = _raw(server, path, body, server.token)
        assert (got_status, got["error"]["code"]) == (status, code)
        assert got["error"]["message"]
        assert phone.calls == []

    def test_out_of_order_command_is_409(self, server: ControlServer) -> None:
        """Answering with no ringing call is a conflict, reported by the client as such."""
        client = ControlClient(server.url, server.token)
        with pytest.raises(ControlClientError) as exc:
            client.answer()
        assert (exc.value.status, exc.value.code) == (409, "conflict")
        assert "no ringing call" in exc.value.message

    def test_unknown_call_is_404(self, server: ControlServer) -> None:
        """A call UUID the phone does not know is 404 not_found."""
        client = ControlClient(server.url, server.token)
        with pytest.raises(ControlClientError) as exc:
            client.hangup("00000000-0000-0000-0000-000000000000")
        assert exc.value.status == 404

    def test_good_command_reaches_the_phone(
        self, server: ControlServer, phone: RecordingPhone
    ) -> None:
        """A valid command is passed on with its parameters and its result returned."""
        client = ControlClient(server.url, server.token)
        assert client.dtmf("12#,3") == {"command": "dtmf"}
        assert phone.calls == [("dtmf", {"digits": "12#,3"})]


def test_openapi_document_lists_every_command() -> None:
    """The schema names each command with its parameters."""
    doc = openapi_document("http://127.0.0.1:1")
    assert "/v1/wait-for" in doc["paths"]
    dtmf = doc["paths"]["/v1/dtmf"]["post"]["requestBody"]["content"]["application/json"]
    assert dtmf["schema"]["required"] == ["digits"]


def test_api_conforms_to_its_schema_under_fuzzing(phone: RecordingPhone) -> None:
    """Schemathesis: generated requests never give a 500 and responses match the schema."""
    with ServerThread(phone) as server:
        schema = schemathesis.openapi.from_dict(openapi_document(server.url))
        schema.config.update(base_url=server.url)
        failures: list[str] = []
        headers = {"Authorization": f"Bearer {server.token}"}

        for op in schema.get_all_operations():
            operation = op.ok()

            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
            @schemathesis_given(operation)
            def check(case: Any) -> None:
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{case.path}: {response.status_code} {response.text}")
                case.validate_response(response)

            check()
        assert failures == []


def schemathesis_given(operation: Any) -> Any:
    from hypothesis import given

    return given(case=operation.as_strategy())
