"""The embedded test line: an echo service and a simulated caller, in a helper process.

PJSIP allows one ``Endpoint`` per process, so the line the app calls on first run (and
the "simulated caller" that rings it) runs as ``python -m softphone.sip.pjsua.testline``.
It listens on loopback UDP, needs no server and no sound device (null device), and
talks to its parent over stdin/stdout in JSON lines:

* stdout: ``{"event": "ready", "port": N, "uri": "sip:echo@127.0.0.1:N"}`` first, then
  ``incoming``, ``answered``, ``dtmf`` (``digit``), ``ended`` (``code``, ``reason``),
  ``held``/``resumed`` and ``error`` events.
* stdin: ``{"cmd": "call", "uri": "...", "display": "..."}`` rings the phone (from that
  display name); with ``"hold": true`` the INVITE is held back (as a push server holds
  it while the phone wakes up) and a ``calling`` event gives its ``call_id`` (the SIP
  Call-ID) until ``{"cmd": "release", "call_id": "..."}`` lets it through;
  ``{"cmd": "hangup"}`` ends every call (``"call_id"``: that one), ``{"cmd": "quit"}``
  exits (so does EOF).

Incoming calls ring for ``--answer-after`` seconds, are answered and echo the caller's
audio back (the call's audio media transmits to itself).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import sys
import time
from typing import Any

import pjsua2 as pj

from softphone.sip.pjsua._held_invite import HeldInvite, caller_id_uri


def _emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, "at": time.monotonic(), **fields}) + "\n")
    sys.stdout.flush()


class _LineCall(pj.Call):
    """One call on the test line: echoes audio, reports DTMF and state."""

    def __init__(self, line: _TestLine, acc: pj.Account, call_id: int = -1) -> None:
        super().__init__(acc, call_id)
        self._line = line
        self.answer_at: float | None = None
        self.info: Any = None
        self.held: HeldInvite | None = None

    def onCallState(self, prm: Any) -> None:  # noqa: N802 (pjsua2 callback)
        try:
            self.info = self.getInfo()
            state = self.info.state
            if state == pj.PJSIP_INV_STATE_CONFIRMED:
                _emit("answered", remote=self.info.remoteUri)
            elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
                _emit(
                    "ended",
                    code=int(self.info.lastStatusCode),
                    reason=str(self.info.lastReason),
                )
                self._line.forget(self)
        except Exception as exc:  # pragma: no cover - a callback must never raise
            _emit("error", message=f"onCallState: {exc}")

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        try:
            info = self.getInfo()
            self.info = info
            for mi in info.media:
                if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status in (
                    pj.PJSUA_CALL_MEDIA_ACTIVE,
                    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
                ):
                    media = self.getAudioMedia(mi.index)
                    media.startTransmit(media)  # the echo
                    if mi.status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD:
                        _emit("held")
                    else:
                        _emit("media", status="active")
        except Exception as exc:  # pragma: no cover
            _emit("error", message=f"onCallMediaState: {exc}")

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        try:
            _emit("dtmf", digit=str(prm.digit))
        except Exception as exc:  # pragma: no cover
            _emit("error", message=f"onDtmfDigit: {exc}")


class _LineAccount(pj.Account):
    def __init__(self, line: _TestLine) -> None:
        super().__init__()
        self._line = line

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        try:
            call = _LineCall(self._line, self, prm.callId)
            self._line.calls.append(call)
            op = pj.CallOpParam()
            op.statusCode = 180
            call.answer(op)
            call.answer_at = time.monotonic() + self._line.answer_after
            info = call.getInfo()
            _emit("incoming", remote=info.remoteUri)
        except Exception as exc:  # pragma: no cover
            _emit("error", message=f"onIncomingCall: {exc}")


class _TestLine:
    """The endpoint, its loopback transport and account, and the calls in progress."""

    def __init__(self, port: int, answer_after: float, user: str) -> None:
        self.answer_after = answer_after
        self.calls: list[_LineCall] = []
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = "Softphone test line"
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.hasIoqueue = True
        cfg.medConfig.noVad = True  # RTP flows all the time, as the phone's media watch expects
        self.ep.libInit(cfg)
        tcfg = pj.TransportConfig()
        tcfg.port = port
        tcfg.boundAddress = "127.0.0.1"
        tid = self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        self.ep.libStart()
        self.ep.audDevManager().setNullDev()
        for codec, prio in (("PCMU/8000", 255), ("PCMA/8000", 254), ("G722/16000", 253)):
            self.ep.codecSetPriority(codec, prio)
        self.port = int(self.ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        acfg = pj.AccountConfig()
        acfg.idUri = f'"Softphone Test Line" <sip:{user}@127.0.0.1:{self.port}>'
        self.account = _LineAccount(self)
        self.account.create(acfg, True)
        self.uri = f"sip:{user}@127.0.0.1:{self.port}"
        #: The simulated caller's identity (its display name changes with each call).
        self.caller: pj.Account | None = None
        #: INVITEs held back until ``release`` (by SIP Call-ID).
        self.held_invites: dict[str, HeldInvite] = {}

    def forget(self, call: _LineCall) -> None:
        if call in self.calls:
            self.calls.remove(call)
        if call.held is not None:
            self.held_invites.pop(call.held.call_id, None)
            call.held.close()

    def call(self, uri: str, display: str = "", hold: bool = False) -> None:
        """Ring ``uri`` From ``display`` (the caller account's name, changed per call);
        ``hold``: through a :class:`HeldInvite` hop, announced by a ``calling`` event."""
        account = self.account
        held = HeldInvite(uri, self.port) if hold else None
        if display or held is not None:
            cfg = pj.AccountConfig()
            cfg.idUri = caller_id_uri(display or "Softphone Test Line", self.port)
            if held is not None:  # the INVITE goes to the holding socket first
                cfg.sipConfig.proxies.append(held.proxy_uri)
            if self.caller is None:
                self.caller = pj.Account()
                self.caller.create(cfg, False)
            else:
                self.caller.modify(cfg)
            account = self.caller
        call = _LineCall(self, account)
        try:
            call.makeCall(uri, pj.CallOpParam(True))
        except pj.Error:
            if held is not None:
                held.close()
            raise
        self.calls.append(call)
        if held is not None:
            held.call_id = str(call.getInfo().callIdString)
            call.held = held
            self.held_invites[held.call_id] = held
            _emit("calling", call_id=held.call_id, uri=uri, held=True)

    def release(self, call_id: str) -> None:
        held = self.held_invites.get(call_id)
        if held is None:
            _emit("error", message=f"release: no held INVITE {call_id!r}")
            return
        held.release()
        _emit("released", call_id=call_id)

    def hangup_one(self, call_id: str) -> None:
        for call in list(self.calls):
            if call.held is not None and call.held.call_id == call_id:
                self._hangup(call)

    def hangup_all(self) -> None:
        for call in list(self.calls):
            self._hangup(call)

    def _hangup(self, call: _LineCall) -> None:
        try:
            op = pj.CallOpParam()
            op.statusCode = 603 if call.answer_at else 200
            call.hangup(op)
        except pj.Error as exc:
            _emit("error", message=f"hangup: {exc.info()}")

    def tick(self) -> None:
        now = time.monotonic()
        for call in list(self.calls):
            if call.answer_at is not None and now >= call.answer_at:
                call.answer_at = None
                try:
                    op = pj.CallOpParam()
                    op.statusCode = 200
                    call.answer(op)
                except pj.Error as exc:
                    _emit("error", message=f"answer: {exc.info()}")
        for held in list(self.held_invites.values()):
            held.pump()
        self.ep.libHandleEvents(10)

    def shutdown(self) -> None:
        """DESIGN.md's order: drop calls, shut the account down, collect, destroy."""
        import gc

        try:
            self.hangup_all()
            for _ in range(20):
                self.ep.libHandleEvents(10)
            self.calls.clear()
            for held in self.held_invites.values():
                held.close()
            if self.caller is not None:
                self.caller.shutdown()
            self.account.shutdown()
            gc.collect()
        finally:
            self.ep.libDestroy(pj.PJSUA_DESTROY_NO_RX_MSG)  # calls already ended above


def _handle(line: _TestLine, raw: str) -> bool:
    try:
        msg = json.loads(raw)
        cmd = msg.get("cmd") if isinstance(msg, dict) else None
    except json.JSONDecodeError:
        _emit("error", message="stdin: not JSON")
        return True
    if cmd == "quit":
        return False
    if cmd == "hangup":
        if isinstance(msg.get("call_id"), str):
            line.hangup_one(msg["call_id"])
        else:
            line.hangup_all()
    elif cmd == "release" and isinstance(msg.get("call_id"), str):
        line.release(msg["call_id"])
    elif cmd == "call" and isinstance(msg.get("uri"), str):
        display = msg.get("display")
        display = display if isinstance(display, str) else ""
        try:
            line.call(msg["uri"], display, msg.get("hold") is True)
        except (pj.Error, OSError, ValueError) as exc:
            detail = exc.info() if isinstance(exc, pj.Error) else str(exc)
            _emit("error", message=f"call: {detail}", uri=msg["uri"])
    else:
        _emit("error", message=f"stdin: unknown command {raw.strip()[:80]!r}")
    return True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``softphone testline`` (what the app starts as its helper process)."""
    parser.add_argument("--port", type=int, default=0, help="UDP port on 127.0.0.1 (0: any)")
    parser.add_argument("--answer-after", type=float, default=1.0, help="ring this long")
    parser.add_argument("--user", default="echo", help="user part of the line's URI")


def main(argv: list[str] | None = None) -> int:
    """Run the test line until stdin closes or a ``quit`` command arrives."""
    parser = argparse.ArgumentParser(prog="softphone-testline")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the line with parsed options (the ``softphone testline`` sub-command)."""
    line = _TestLine(args.port, args.answer_after, args.user)
    _emit("ready", port=line.port, uri=line.uri)
    sel = selectors.DefaultSelector()
    sel.register(sys.stdin, selectors.EVENT_READ)
    buf = ""
    running = True
    try:
        while running:
            for _key, _ in sel.select(timeout=0):
                chunk = os.read(sys.stdin.fileno(), 4096).decode(errors="replace")
                if not chunk:
                    running = False
                    break
                buf += chunk
                while "\n" in buf:
                    raw, buf = buf.split("\n", 1)
                    if raw.strip() and not _handle(line, raw):
                        running = False
            line.tick()
    finally:
        line.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
