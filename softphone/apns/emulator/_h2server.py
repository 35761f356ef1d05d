"""The APNs HTTP/2 endpoint: raw ``h2`` on an asyncio TLS transport (ALPN h2)."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from ._certs import client_cert_identity, server_ssl_context
from ._core import BODY_CAP, ApnsCore, ApnsRequest, Environment, H2Limits

log = logging.getLogger(__name__)

__all__ = ["ApnsH2Protocol", "H2Limits", "server_ssl_context"]


@dataclass
class _Stream:
    headers: list[tuple[str, str]]
    body: bytearray = field(default_factory=bytearray)
    length: int = 0


class ApnsH2Protocol(asyncio.Protocol):
    """One client connection; every finished stream is answered by :class:`ApnsCore`."""

    def __init__(
        self, core: ApnsCore, environment: Environment, limits: H2Limits | None = None
    ) -> None:
        self.core = core
        self.environment: Environment = environment
        self.limits = limits or H2Limits()
        self.buffered = 0  # body bytes held by this connection's open streams
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
        self.limits.connections += 1
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
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.limits.max_streams,
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
                kept = stream is None or self._buffer(event.stream_id, stream, event.data)
                if event.flow_controlled_length:  # refused bytes too: the window stays open
                    try:
                        self.conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    except h2.exceptions.StreamClosedError:
                        pass
                if event.stream_ended and kept:
                    self._answer(event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self._answer(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self._drop(event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated) and self.transport:
                self.transport.close()
        self._flush()

    def _buffer(self, stream_id: int, stream: _Stream, data: bytes | None) -> bool:
        """Keep (up to BODY_CAP of) a stream's body within the connection's byte cap;
        over it the stream is refused (RST_STREAM REFUSED_STREAM) and its bytes freed."""
        data = data or b""
        stream.length += len(data)
        keep = data[: max(0, BODY_CAP - len(stream.body))]
        if keep and self.buffered + len(keep) > self.limits.connection_buffer:
            self.limits.refused += 1
            self._drop(stream_id)
            try:
                self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                pass
            return False
        stream.body += keep
        self.buffered += len(keep)
        self.limits.buffered += len(keep)
        return True

    def _drop(self, stream_id: int) -> _Stream | None:
        """Forget a stream and free its buffered body."""
        stream = self.streams.pop(stream_id, None)
        if stream is not None:
            self.buffered -= len(stream.body)
            self.limits.buffered -= len(stream.body)
        return stream

    def _answer(self, stream_id: int) -> None:
        stream = self._drop(stream_id)
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
        for stream_id in list(self.streams):
            self._drop(stream_id)
        if self.transport is not None:
            self.limits.connections -= 1
        self.transport = None
