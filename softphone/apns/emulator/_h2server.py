"""The APNs HTTP/2 endpoint: raw ``h2`` on an asyncio TLS transport (ALPN h2)."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

from ._certs import client_cert_identity, server_ssl_context
from ._core import BODY_CAP, ApnsCore, ApnsRequest, Environment

log = logging.getLogger(__name__)

__all__ = ["ApnsH2Protocol", "server_ssl_context"]


@dataclass
class _Stream:
    headers: list[tuple[str, str]]
    body: bytearray = field(default_factory=bytearray)
    length: int = 0


class ApnsH2Protocol(asyncio.Protocol):
    """One client connection; every finished stream is answered by :class:`ApnsCore`."""

    def __init__(self, core: ApnsCore, environment: Environment) -> None:
        self.core = core
        self.environment: Environment = environment
        config = h2.config.H2Configuration(
            client_side=False,
            header_encoding="utf-8",
            validate_outbound_headers=False,  # our own fixed, valid response headers
            normalize_outbound_headers=False,
        )
        self.conn = h2.connection.H2Connection(config=config)
        # responses carry fresh UUIDs: Huffman-coding them costs more than it saves
        self.conn.encoder.encode = functools.partial(  # type: ignore[method-assign]
            type(self.conn.encoder).encode, self.conn.encoder, huffman=False
        )
        self.transport: asyncio.Transport | None = None
        self.streams: dict[int, _Stream] = {}
        self.client_cert: tuple[str, bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            if ssl_object.selected_alpn_protocol() not in (None, "h2"):
                transport.close()
                return
            der = ssl_object.getpeercert(binary_form=True)
            if der:
                try:
                    self.client_cert = client_cert_identity(der)
                except ValueError:
                    self.client_cert = ("", False)
        self.conn.initiate_connection()
        self.conn.update_settings(
            {
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000,
                h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20,
            }
        )
        self.conn.increment_flow_control_window(1 << 24)
        self._flush()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            log.info("h2 protocol error from client: %s", exc)
            self._flush()
            if self.transport:
                self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                headers = [(str(k), str(v)) for k, v in event.headers or []]
                self.streams[event.stream_id] = _Stream(headers)
                if event.stream_ended:
                    self._answer(event.stream_id)
            elif isinstance(event, h2.events.DataReceived):
                stream = self.streams.get(event.stream_id)
                data_len = len(event.data or b"")
                if stream is not None:
                    stream.length += data_len
                    room = BODY_CAP - len(stream.body)
                    if room > 0:
                        stream.body += (event.data or b"")[:room]
                if event.flow_controlled_length:
                    try:
                        self.conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    except h2.exceptions.StreamClosedError:
                        pass
                if event.stream_ended:
                    self._answer(event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self._answer(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self.streams.pop(event.stream_id, None)
            elif isinstance(event, h2.events.ConnectionTerminated) and self.transport:
                self.transport.close()
        self._flush()

    def _answer(self, stream_id: int) -> None:
        stream = self.streams.pop(stream_id, None)
        if stream is None:
            return
        pseudo = {k: v for k, v in stream.headers if k.startswith(":")}
        regular = [(k, v) for k, v in stream.headers if not k.startswith(":")]
        request = ApnsRequest(
            pseudo.get(":method", ""),
            pseudo.get(":path", ""),
            regular,
            bytes(stream.body),
            self.environment,
            stream.length,
            self.client_cert,
        )
        response = self.core.handle(request)
        out = [(":status", str(response.status)), ("apns-id", response.apns_id)]
        if response.unique_id:
            out.append(("apns-unique-id", response.unique_id))
        body = response.body()
        try:
            if body:
                out.append(("content-type", "application/json"))
                out.append(("content-length", str(len(body))))
                self.conn.send_headers(stream_id, out)
                self.conn.send_data(stream_id, body, end_stream=True)
            else:
                self.conn.send_headers(stream_id, out, end_stream=True)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError) as exc:
            log.info("could not answer stream %d: %s", stream_id, exc)

    def _flush(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            data = self.conn.data_to_send()
            if data:
                self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.streams.clear()
        self.transport = None
