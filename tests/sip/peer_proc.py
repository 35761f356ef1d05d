"""A second, bare pjsua2 user agent in its own process (one Endpoint per process).

Commands arrive as JSON lines on stdin, events leave as JSON lines on stdout:
``{"cmd": "call", "uri": ...}``, ``answer``, ``hangup``, ``hold``, ``dtmf`` (digits,
method), ``tone`` (play 1 kHz into the call), ``level`` (reply with the received
level), ``quit``. Events: ready(port), incoming (remote, call_id, the offer's ``sdp``),
state, media, dtmf, level, error.
Also the "bare pjsua2 script" the benchmark compares against (``--auto-answer``).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from typing import Any

import pjsua2 as pj

OUT_LOCK = threading.Lock()


def emit(**kw: Any) -> None:
    with OUT_LOCK:
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()


class PeerCall(pj.Call):
    def __init__(self, peer: Peer, acc: pj.Account, call_id: int = -1) -> None:
        if call_id == -1:
            super().__init__(acc)
        else:
            super().__init__(acc, call_id)
        self.peer = peer
        self.info: Any = None
        self.aud: Any = None

    def onCallState(self, prm: Any) -> None:
        try:
            self.info = ci = self.getInfo()
            emit(ev="state", state=ci.stateText, code=ci.lastStatusCode, reason=ci.lastReason)
            if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self.peer.ended(self)
        except Exception as exc:
            emit(ev="error", where="state", error=str(exc))

    def onCallMediaState(self, prm: Any) -> None:
        try:
            self.info = ci = self.getInfo()
            for mi in ci.media:
                if mi.type != pj.PJMEDIA_TYPE_AUDIO:
                    continue
                srtp = "SRTP status: Active" in self.dump(True, "")
                emit(ev="media", status=int(mi.status), srtp=srtp)
                if mi.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                    self.aud = self.getAudioMedia(mi.index)
                    if self.peer.tone is not None and self.peer.tone_on:
                        self.peer.tone.startTransmit(self.aud)
                    self.aud.startTransmit(self.peer.ep.audDevManager().getPlaybackDevMedia())
        except Exception as exc:
            emit(ev="error", where="media", error=str(exc))

    def onDtmfDigit(self, prm: Any) -> None:
        try:
            method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
            emit(ev="dtmf", digit=prm.digit, method=method)
        except Exception as exc:
            emit(ev="error", where="dtmf", error=str(exc))


class PeerAccount(pj.Account):
    def __init__(self, peer: Peer) -> None:
        super().__init__()
        self.peer = peer

    def onIncomingCall(self, prm: Any) -> None:
        try:
            call = PeerCall(self.peer, self, prm.callId)
            call.info = ci = call.getInfo()
            self.peer.calls.append(call)
            msg = str(prm.rdata.wholeMsg)
            emit(
                ev="incoming",
                remote=ci.remoteUri,
                call_id=ci.callIdString,
                sdp=msg.partition("\r\n\r\n")[2],
            )
            op = pj.CallOpParam(True)
            op.statusCode = 200 if self.peer.auto_answer else 180
            call.answer(op)
        except Exception as exc:
            emit(ev="error", where="incoming", error=str(exc))


class Peer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.auto_answer = args.auto_answer
        self.calls: list[PeerCall] = []
        self.dead: list[PeerCall] = []
        self.tone: Any = None
        self.tone_on = False
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = args.log_level
        cfg.logConfig.consoleLevel = args.log_level
        cfg.medConfig.noVad = True
        self.ep.libInit(cfg)
        tc = pj.TransportConfig()
        tc.port = args.port
        tc.boundAddress = "127.0.0.1"
        tc.publicAddress = "127.0.0.1"
        kind = pj.PJSIP_TRANSPORT_UDP
        if args.tls_cert:
            kind = pj.PJSIP_TRANSPORT_TLS
            tc.tlsConfig.certFile = args.tls_cert
            tc.tlsConfig.privKeyFile = args.tls_key
            tc.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
        tid = self.ep.transportCreate(kind, tc)
        self.port = int(str(self.ep.transportGetInfo(tid).localName).rpartition(":")[2])
        self.ep.libStart()
        self.ep.audDevManager().setNullDev()
        for ci in self.ep.codecEnum2():
            cid = str(ci.codecId)
            prio = {"PCMU/8000/1": 250, "PCMA/8000/1": 249, "G722/16000/1": 248}.get(cid, 1)
            self.ep.codecSetPriority(cid, prio)
        acfg = pj.AccountConfig()
        scheme = "sips" if args.tls_cert else "sip"
        acfg.idUri = f"{scheme}:peer@127.0.0.1:{self.port}"
        mc = acfg.mediaConfig
        mc.srtpUse = {
            "off": pj.PJMEDIA_SRTP_DISABLED,
            "optional": pj.PJMEDIA_SRTP_OPTIONAL,
            "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
        }[args.srtp]
        mc.srtpSecureSignaling = 0
        mc.transportConfig.boundAddress = "127.0.0.1"
        acfg.natConfig.iceEnabled = False
        self.acc = PeerAccount(self)
        self.acc.create(acfg, True)

    def ended(self, call: PeerCall) -> None:
        if call in self.calls:
            self.calls.remove(call)
        self.dead.append(call)

    def current(self) -> PeerCall:
        if not self.calls:
            raise RuntimeError("no call")
        return self.calls[-1]

    def handle(self, cmd: dict[str, Any]) -> bool:
        name = cmd.get("cmd")
        if name == "quit":
            return False
        if name == "call":
            call = PeerCall(self, self.acc)
            self.calls.append(call)
            call.makeCall(cmd["uri"], pj.CallOpParam(True))
        elif name == "answer":
            op = pj.CallOpParam(True)
            op.statusCode = int(cmd.get("code", 200))
            self.current().answer(op)
        elif name == "hangup":
            op = pj.CallOpParam(True)
            if "code" in cmd:
                op.statusCode = int(cmd["code"])
            self.current().hangup(op)
        elif name == "hold":
            self.current().setHold(pj.CallOpParam(True))
        elif name == "dtmf":
            if cmd.get("method", "rfc4733") == "info":
                p = pj.CallSendDtmfParam()
                p.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
                p.digits = cmd["digits"]
                self.current().sendDtmf(p)
            else:
                self.current().dialDtmf(cmd["digits"])
        elif name == "tone":
            if self.tone is None:
                self.tone = pj.ToneGenerator()
                self.tone.createToneGenerator(16000, 1)
                td = pj.ToneDesc()
                td.freq1 = int(cmd.get("freq", 1000))
                td.freq2 = 0
                td.on_msec = 1000
                td.off_msec = 0
                tv = pj.ToneDescVector()
                tv.append(td)
                self.tone.play(tv, True)
            self.tone_on = True
            for c in self.calls:
                if c.aud is not None:
                    self.tone.startTransmit(c.aud)
        elif name == "level":
            c = self.current()
            emit(
                ev="level",
                # pjsua levels are the conference port's view: tx = what the port
                # passes to the bridge (heard from the remote), rx = what it sends.
                heard=int(c.aud.getTxLevel()) if c.aud is not None else -1,
                sent=int(c.aud.getRxLevel()) if c.aud is not None else -1,
            )
        else:
            emit(ev="error", where="cmd", error=f"unknown command {name}")
        return True

    def run(self, commands: queue.Queue[dict[str, Any]]) -> None:
        emit(ev="ready", port=self.port)
        deadline = time.monotonic() + self.args.lifetime
        running = True
        while running and time.monotonic() < deadline:
            self.ep.libHandleEvents(5)
            self.dead.clear()
            while True:
                try:
                    cmd = commands.get_nowait()
                except queue.Empty:
                    break
                try:
                    running = self.handle(cmd)
                except Exception as exc:
                    emit(ev="error", where=str(cmd.get("cmd")), error=str(exc))
                if not running:
                    break
        self.shutdown()

    def shutdown(self) -> None:
        try:
            self.ep.hangupAllCalls()
            for _ in range(20):
                self.ep.libHandleEvents(10)
        finally:
            self.calls.clear()
            self.dead.clear()
            self.tone = None
            self.acc.shutdown()
            import gc

            gc.collect()
            self.ep.libDestroy()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--srtp", default="off")
    ap.add_argument("--tls-cert", default="")
    ap.add_argument("--tls-key", default="")
    ap.add_argument("--auto-answer", action="store_true")
    ap.add_argument("--log-level", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=120.0)
    args = ap.parse_args()
    commands: queue.Queue[dict[str, Any]] = queue.Queue()

    def reader() -> None:
        for line in sys.stdin:
            line = line.strip()
            if line:
                commands.put(json.loads(line))
        commands.put({"cmd": "quit"})

    threading.Thread(target=reader, daemon=True).start()
    Peer(args).run(commands)
    return 0


if __name__ == "__main__":
    sys.exit(main())
