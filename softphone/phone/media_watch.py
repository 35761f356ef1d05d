"""Watch each connected call's incoming RTP: say when it stops, end the call if it never
comes back (Linphone's ``nortp-timeout``; iOS VoIP apps show "Reconnecting…")."""

from __future__ import annotations

import asyncio
import logging
import uuid as _uuid
from dataclasses import dataclass

from softphone.callkit import CallSystem
from softphone.phone.voip_app import AppEvent, VoipApp
from softphone.sip import CallStats, SipEngine, SipError

log = logging.getLogger(__name__)


@dataclass
class _Flow:
    packets: int
    changed_at: float
    stats: CallStats
    lost: bool = False


class MediaWatch:
    """Polls the engine's call statistics once per ``interval``.

    A connected call that is not on hold (either side) and whose received packet count
    has not moved for ``lost_after`` seconds gets ``call.media-lost``; when packets
    flow again, ``call.media-restored``; after ``end_after`` seconds without media
    (0: never) the app ends it as failed.
    """

    def __init__(
        self,
        app: VoipApp,
        engine: SipEngine,
        system: CallSystem,
        *,
        lost_after: float = 3.0,
        end_after: float = 30.0,
        interval: float = 1.0,
    ) -> None:
        self._app = app
        self._engine = engine
        self._system = system
        self.lost_after = lost_after
        self.end_after = end_after
        self.interval = interval
        self._flows: dict[_uuid.UUID, _Flow] = {}
        self._remote_hold: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        app.subscribe(self._on_event)

    @property
    def lost_calls(self) -> set[_uuid.UUID]:
        return {u for u, f in self._flows.items() if f.lost}

    def latest(self, call_uuid: _uuid.UUID) -> CallStats | None:
        """The statistics of a watched call from the last round (the quality badge reads
        them instead of asking the engine again)."""
        flow = self._flows.get(call_uuid)
        return flow.stats if flow is not None else None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="media-watch")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _on_event(self, event: AppEvent) -> None:
        if event.call is None:
            return
        if event.name == "call.remote-hold":
            self._remote_hold.add(event.call)
        elif event.name == "call.remote-resume":
            self._remote_hold.discard(event.call)
            self._flows.pop(_uuid.UUID(event.call), None)  # count from now
        elif event.name in ("call.resumed", "call.ended"):
            self._flows.pop(_uuid.UUID(event.call), None)
            if event.name == "call.ended":
                self._remote_hold.discard(event.call)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.check(loop.time())
            except Exception:  # the watch must never stop watching
                log.exception("media watch failed")

    def check(self, now: float) -> None:
        """One round: compare each call's received packets with the last round."""
        watched: set[_uuid.UUID] = set()
        for call in self._app.calls:
            cx = self._system.call(call.uuid)
            if (
                not call.connected
                or call.sip_call_id is None
                or cx is None
                or cx.is_on_hold
                or str(call.uuid) in self._remote_hold
            ):
                continue
            try:
                stats = self._engine.call_stats(call.sip_call_id)
            except SipError:
                continue
            packets = stats.packets_received
            watched.add(call.uuid)
            flow = self._flows.get(call.uuid)
            if flow is None:
                self._flows[call.uuid] = _Flow(packets, now, stats)
                continue
            flow.stats = stats
            if packets != flow.packets:
                flow.packets, flow.changed_at = packets, now
                if flow.lost:
                    flow.lost = False
                    self._app.emit_external("call.media-restored", call_uuid=call.uuid)
                continue
            silent = now - flow.changed_at
            if not flow.lost and silent >= self.lost_after:
                flow.lost = True
                self._app.emit_external(
                    "call.media-lost", call_uuid=call.uuid, seconds=round(silent, 1)
                )
            if flow.lost and self.end_after and silent >= self.end_after:
                del self._flows[call.uuid]
                self._app.fail_call(call.uuid, f"no audio received for {silent:.0f} s")
        for gone in set(self._flows) - watched:
            del self._flows[gone]
