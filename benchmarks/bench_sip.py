"""SIP engine benchmark: INVITE->200 and CPU per call, SIPp as the caller on loopback.

Compares, in one run, our engine (``softphone.sip.pjsua``, in its own process, auto
answering from an asyncio subscriber) with bare pjsua2 scripts (``serve_bare``: the same
config, answering 180 then 200 like a phone -- the headline reference -- or 200 at once)
and baresip; then, after a warm-up, 500 calls in a row against ours and bare pjsua2 for
memory growth. Targets (issue 3): setup time and CPU within 1.3x of bare pjsua2 180+200;
< 10 MB growth over 500 calls after warm-up.

The warm-up lasts longer than PJSIP's 32 s transaction lifetime (RFC 3261 timer J:
a UDP server transaction, e.g. each BYE's, stays 64*T1 after its response): before
that, RSS grows with the transactions still waiting out their timers (~640 at 20
calls/s, ~14 MB, bare pjsua2 the same), then stays flat (measured: +0.0 MB over 500
more calls, also after 40 s idle and 500 more). The growth measured after it is
what a leak would add.

``python -m benchmarks sip`` (``--calls N`` to change the measured calls per UA).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
#: Calls per second. The wheel's select() ioqueue has 64 socket slots, freed ~500 ms after
#: a call's RTP/RTCP sockets close: far above ~30 calls/s pjsua2 aborts (ours and bare).
CALL_RATE = 20


def _free_port() -> int:
    from tests.lab.peers import free_udp_port

    return free_udp_port()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Wait until something listens on UDP ``port`` (an OPTIONS gets any answer)."""
    import socket

    probe = (
        f"OPTIONS sip:x@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{{me}};branch="
        "z9hG4bKbench\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
        "Call-ID: bench-probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    )
    end = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        me = s.getsockname()[1]
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise RuntimeError(f"UA exited with {proc.returncode}")
            s.sendto(probe.replace("{me}", str(me)).encode(), ("127.0.0.1", port))
            try:
                if s.recv(4096).startswith(b"SIP/2.0"):
                    return
            except TimeoutError:
                continue
    raise RuntimeError(f"nothing answered on {port}")


@dataclass
class Result:
    name: str
    median_ms: float
    p90_ms: float
    cpu_ms_per_call: float
    rss_mb: float
    calls: int


_BLOCK = re.compile(r"^-{20,} (\S+ \S+)$", re.M)


def invite_to_200_ms(trace: str) -> list[float]:
    """INVITE sent -> 200 (INVITE) received, per Call-ID, from a SIPp ``-trace_msg`` log."""
    sent: dict[str, float] = {}
    out: list[float] = []
    parts = _BLOCK.split(trace)
    for stamp, body in zip(parts[1::2], parts[2::2], strict=False):
        t = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        lines = body.strip().splitlines()
        if len(lines) < 3:
            continue
        first = lines[2]
        cid = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Call-ID:")), "")
        cseq = next((ln for ln in lines if ln.startswith("CSeq:")), "")
        if "sent" in lines[0] and first.startswith("INVITE ") and cid not in sent:
            sent[cid] = t
        elif "received" in lines[0] and first.startswith("SIP/2.0 200") and "INVITE" in cseq:
            out.extend([(t - sent.pop(cid)) * 1000] if cid in sent else [])
    return out


def _sipp_calls(port: int, calls: int, workdir: Path) -> list[float]:
    """Run ``calls`` sequential calls with SIPp; return INVITE->200 times (ms)."""
    from tests.sip import scenarios as sc

    d = Path(tempfile.mkdtemp(dir=workdir))
    sf = d / "uac.xml"
    sf.write_text(sc.uac(pause_ms=0))
    args = [
        "sipp", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(_free_port()),
        "-sf", str(sf), "-s", "bench", "-m", str(calls), "-l", "1", "-r", str(CALL_RATE),
        "-nostdin", "-timeout", "120s", "-timeout_error", "-trace_msg",
        "-mp", str(_free_port()), "-trace_err",
    ]  # fmt: skip
    done = subprocess.run(args, cwd=d, capture_output=True, timeout=180, check=False)
    if done.returncode != 0:
        errors = "".join(p.read_text(errors="replace")[-1500:] for p in d.glob("*errors.log"))
        raise RuntimeError(f"sipp failed ({done.returncode}): {errors}")
    times: list[float] = []
    for log in d.glob("*_messages.log"):
        times += invite_to_200_ms(log.read_text(errors="replace"))
    shutil.rmtree(d, ignore_errors=True)
    if len(times) < calls * 0.9:
        raise RuntimeError(f"only {len(times)} of {calls} response times recorded")
    return times


def _measure(
    name: str, proc: subprocess.Popen[bytes], port: int, calls: int, workdir: Path
) -> Result:
    _wait_port(port, proc)
    _sipp_calls(port, 20, workdir)  # warm up
    cpu0 = _cpu_s(proc.pid)
    times = _sipp_calls(port, calls, workdir)
    cpu1 = _cpu_s(proc.pid)
    times.sort()
    return Result(
        name,
        statistics.median(times),
        times[int(len(times) * 0.9) - 1],
        (cpu1 - cpu0) * 1000 / calls,
        _rss_mb(proc.pid),
        calls,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _start_engine(port: int, log_messages: bool) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "benchmarks.bench_sip", "--serve-engine", str(port)]
    if not log_messages:
        args.append("--no-log")
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _engine_default(port: int) -> subprocess.Popen[bytes]:
    return _start_engine(port, False)


def _start_bare(
    port: int, ringing: bool = True, log_messages: bool = False
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "benchmarks.bench_sip", "--serve-bare", str(port)]
    if not ringing:
        args.append("--no-ringing")
    if log_messages:
        args.append("--bare-log")
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _start_bare_200(port: int) -> subprocess.Popen[bytes]:
    return _start_bare(port, False)


def serve_bare(port: int, ringing: bool, log_messages: bool = False) -> int:
    """The bare pjsua2 reference: the same EpConfig, codecs and account media settings as
    our engine, answering 180 then 200 like a phone (``ringing``) or 200 at once, polled
    by a plain ``libHandleEvents`` loop with no Python layer on top. ``log_messages``:
    PJSIP's message log at level 4 to the least a Python writer can do (keep each SIP
    message's text), the reference for our engine with the Inspector's SIP ladder on."""
    import gc
    import signal

    import pjsua2 as pj

    from softphone.sip.config import DEFAULT_CODECS

    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    ep = pj.Endpoint()
    ep.libCreate()
    calls: dict[int, Any] = {}

    class BareCall(pj.Call):  # type: ignore[misc]
        info: Any = None

        def onCallState(self, prm: Any) -> None:  # noqa: N802 - pjsua2 override
            try:
                self.info = ci = self.getInfo()
                if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                    calls.pop(ci.id, None)
            except Exception:
                pass

        def onCallMediaState(self, prm: Any) -> None:  # noqa: N802 - pjsua2 override
            try:
                self.info = ci = self.getInfo()
                for mi in ci.media:
                    if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                        aud = self.getAudioMedia(mi.index)
                        adm = ep.audDevManager()
                        adm.getCaptureDevMedia().startTransmit(aud)
                        aud.startTransmit(adm.getPlaybackDevMedia())
            except Exception:
                pass

    class BareAccount(pj.Account):  # type: ignore[misc]
        def onIncomingCall(self, prm: Any) -> None:  # noqa: N802 - pjsua2 override
            try:
                call = BareCall(self, prm.callId)
                call.info = call.getInfo()
                calls[prm.callId] = call
                if ringing:
                    op = pj.CallOpParam(True)
                    op.statusCode = 180
                    call.answer(op)
                op = pj.CallOpParam(True)
                op.statusCode = 200
                op.opt.audioCount = 1
                op.opt.videoCount = 0
                call.answer(op)
            except Exception:
                pass

    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.uaConfig.maxCalls = 4
    cfg.uaConfig.stunIgnoreFailure = True
    kept: list[str] = []

    class KeepMessages(pj.LogWriter):  # type: ignore[misc]
        def write(self, entry: Any) -> None:
            msg = entry.msg
            if "bytes Re" in msg:
                kept.append(msg)
                del kept[:-100]

    writer = KeepMessages()
    cfg.logConfig.msgLogging = log_messages
    cfg.logConfig.level = 4 if log_messages else 0
    cfg.logConfig.consoleLevel = 4 if log_messages else 0
    if log_messages:
        cfg.logConfig.writer = writer
        cfg.logConfig.decor = 0
    cfg.medConfig.clockRate = 16000
    cfg.medConfig.sndClockRate = 16000
    cfg.medConfig.channelCount = 1
    cfg.medConfig.noVad = True
    ep.libInit(cfg)
    tc = pj.TransportConfig()
    tc.port = port
    tc.boundAddress = "127.0.0.1"
    tc.publicAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    ep.audDevManager().setNullDev()
    wanted = [c.upper() for c in DEFAULT_CODECS]
    for ci in ep.codecEnum2():
        cid = str(ci.codecId)
        prio = next((250 - i for i, w in enumerate(wanted) if cid.upper().startswith(w)), 0)
        ep.codecSetPriority(cid, prio or max(1, min(int(ci.priority), 100)))
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:bare@127.0.0.1:{port}"
    mc = acfg.mediaConfig
    mc.srtpUse = pj.PJMEDIA_SRTP_DISABLED
    mc.srtpSecureSignaling = 0
    mc.lockCodecEnabled = False
    mc.transportConfig.boundAddress = "127.0.0.1"
    mc.transportConfig.publicAddress = "127.0.0.1"
    acfg.natConfig.iceEnabled = False
    acfg.natConfig.sdpNatRewriteUse = 0
    acfg.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    acfg.callConfig.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
    acc = BareAccount()
    acc.create(acfg, True)
    try:
        while not stop:
            ep.libHandleEvents(10)
    finally:
        ep.hangupAllCalls()
        for _ in range(10):
            ep.libHandleEvents(10)
        calls.clear()
        acc.shutdown()
        gc.collect()
        ep.libDestroy()
    return 0


def _start_baresip(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    from tests.sip.other_phones import BARESIP_CONFIG

    conf = workdir / f"baresip-{port}"
    conf.mkdir()
    rtp = _free_port() & ~1
    (conf / "config").write_text(
        BARESIP_CONFIG.format(port=port, workdir=conf, rtp=rtp, rtp_end=rtp + 40)
    )
    with wave.open(str(conf / "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(
            b"".join(
                int(6000 * math.sin(2 * math.pi * 440 * n / 8000)).to_bytes(
                    2, "little", signed=True
                )
                for n in range(8000)
            )
        )
    (conf / "accounts").write_text(f"<sip:bench@127.0.0.1:{port}>;answermode=auto;regint=0\n")
    return subprocess.Popen(
        ["baresip", "-f", str(conf), "-t", "600"],
        cwd=conf,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def serve_engine(port: int, log_messages: bool) -> int:
    """Run our engine as an auto-answering UAS on ``port`` until terminated."""
    import signal

    from softphone.sip import EngineConfig, IncomingCallReceived, SipEvent, TransportConfig
    from softphone.sip.pjsua import create_engine

    async def run() -> None:
        eng = create_engine()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        tasks: set[asyncio.Task[None]] = set()

        def on(ev: SipEvent) -> None:
            if isinstance(ev, IncomingCallReceived):
                t = loop.create_task(eng.answer(ev.call_id))
                tasks.add(t)
                t.add_done_callback(tasks.discard)

        eng.subscribe(on)
        await eng.start(
            EngineConfig(transports=(TransportConfig("udp", port),), log_messages=log_messages)
        )
        try:
            await stop.wait()
        finally:
            await eng.stop()

    asyncio.run(run())
    return 0


def _run(
    name: str, start: Callable[[int], subprocess.Popen[bytes]], calls: int, workdir: Path
) -> Result:
    port = _free_port()
    proc = start(port)
    try:
        return _measure(name, proc, port, calls, workdir)
    finally:
        _stop(proc)


def _memory_growth(
    calls: int, warmup: int, workdir: Path, start: Callable[[int], subprocess.Popen[bytes]]
) -> tuple[float, float, float]:
    """RSS (MB) once listening, after ``warmup`` calls and after ``calls`` more."""
    port = _free_port()
    proc = start(port)
    try:
        _wait_port(port, proc)
        first = _rss_mb(proc.pid)
        _sipp_calls(port, warmup, workdir)
        before = _rss_mb(proc.pid)
        _sipp_calls(port, calls, workdir)
        return first, before, _rss_mb(proc.pid)
    finally:
        _stop(proc)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks sip")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--long-run", type=int, default=500)
    ap.add_argument(
        "--warmup",
        type=int,
        default=int(34 * CALL_RATE),
        help="calls before the memory baseline (default: > 32 s of calls, timer J)",
    )
    ap.add_argument("--serve-engine", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--serve-bare", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--no-log", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-ringing", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--bare-log", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve_engine:
        return serve_engine(args.serve_engine, not args.no_log)
    if args.serve_bare:
        return serve_bare(args.serve_bare, not args.no_ringing, args.bare_log)
    for tool in ("sipp", "baresip"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian sip-tester / baresip-core)")
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = [
            _run("bare pjsua2 180+200", _start_bare, args.calls, work),
            _run("softphone engine", _engine_default, args.calls, work),
            _run("bare pjsua2 200 only", _start_bare_200, args.calls, work),
            _run("engine + msg log", lambda p: _start_engine(p, True), args.calls, work),
            _run("bare + msg log", lambda p: _start_bare(p, True, True), args.calls, work),
            _run("baresip", lambda p: _start_baresip(p, work), args.calls, work),
        ]
        memory = [
            ("bare pjsua2", _memory_growth(args.long_run, args.warmup, work, _start_bare)),
            ("softphone engine", _memory_growth(args.long_run, args.warmup, work, _engine_default)),
        ]
    bare = results[0]
    print(
        f"{'UA':<20} {'INVITE->200 med':>16} {'p90':>8} {'CPU/call':>10} {'RSS':>8}"
        "  ratio vs bare pjsua2 180+200 (same SIP behaviour and config)"
    )
    for r in results:
        print(
            f"{r.name:<20} {r.median_ms:>13.2f} ms {r.p90_ms:>5.2f} ms {r.cpu_ms_per_call:>7.2f} ms"
            f" {r.rss_mb:>5.0f} MB  setup x{r.median_ms / max(bare.median_ms, 1e-3):.2f},"
            f" cpu x{r.cpu_ms_per_call / max(bare.cpu_ms_per_call, 1e-3):.2f}"
        )
    for name, (first, before, after) in memory:
        print(
            f"{name}: RSS {first:.1f} MB idle, {before:.1f} MB after {args.warmup} warm-up calls,"
            f" {after:.1f} MB after {args.long_run} more (growth {after - before:+.1f} MB"
            f" after warm-up, {after - first:+.1f} MB in all; target < 10 MB)"
        )
    growth = memory[1][1][2] - memory[1][1][1]
    ours = results[1]
    ok = (
        ours.median_ms <= 1.3 * bare.median_ms + 0.1
        and ours.cpu_ms_per_call <= 1.3 * bare.cpu_ms_per_call
        and growth < 10
    )
    logged, bare_logged = results[3], results[4]
    print(
        f"with the SIP message log on both sides (the app's Inspector ladder): setup"
        f" x{logged.median_ms / max(bare_logged.median_ms, 1e-3):.2f},"
        f" cpu x{logged.cpu_ms_per_call / max(bare_logged.cpu_ms_per_call, 1e-3):.2f}"
    )
    print(
        "targets (default engine vs bare 180+200, growth after warm-up):",
        "met" if ok else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
