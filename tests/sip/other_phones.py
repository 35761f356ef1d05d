"""baresip and linphonec as the other phone, on loopback with free ports."""

from __future__ import annotations

import asyncio
import contextlib
import math
import wave
from pathlib import Path

from tests.lab.peers import free_udp_port, require

BARESIP_CONFIG = """\
poll_method epoll
sip_listen 127.0.0.1:{port}
net_interface 127.0.0.1
module_path /usr/lib/baresip/modules
module stdio.so
module g711.so
module aufile.so
module_app account.so
module_app menu.so
audio_player aufile,{workdir}/baresip-out.wav
audio_source aufile,{workdir}/tone.wav
audio_alert aufile,/dev/null
rtp_ports {rtp}-{rtp_end}
"""


class Baresip:
    """A baresip process that auto-answers calls to ``sip:baresip@127.0.0.1:<port>``."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc = proc
        self.port = port
        self.output = bytearray()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, workdir: Path, dial: str | None = None) -> Baresip:
        port = free_udp_port()
        rtp = free_udp_port() & ~1
        conf = workdir / f"baresip-{port}"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "config").write_text(
            BARESIP_CONFIG.format(port=port, workdir=conf, rtp=rtp, rtp_end=rtp + 20)
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
                    for n in range(8000 * 5)
                )
            )
        (conf / "accounts").write_text(f"<sip:baresip@127.0.0.1:{port}>;answermode=auto;regint=0\n")
        args = [require("baresip"), "-f", str(conf), "-t", "60"]
        if dial:
            args += ["-e", f"/dial {dial}"]
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=conf,
        )
        b = cls(proc, port)
        await b.wait_output(b"baresip is ready", 10)
        return b

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(4096):
            self.output += chunk

    async def wait_output(self, needle: bytes, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while needle not in self.output:
            if loop.time() > end or self._reader.done():
                raise AssertionError(f"baresip: no {needle!r}:\n{self.output.decode()[-2000:]}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._reader.cancel()


class Linphonec:
    """linphonec (one call at a time; keep stdin open) auto-answering on a free port."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc = proc
        self.port = port
        self.output = bytearray()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, workdir: Path) -> Linphonec:
        port = free_udp_port()
        home = workdir / f"linphone-home-{port}"
        (home / ".local" / "share" / "linphone").mkdir(parents=True)  # else no SIP socket
        rc = workdir / f"linphonerc-{port}"
        rtp = free_udp_port()
        rc.write_text(
            "[sip]\n"
            f"sip_port={port}\nsip_tcp_port=-1\nsip_tls_port=-1\n"
            "default_proxy=-1\nbind_address=127.0.0.1\n"
            "[rtp]\n"
            f"audio_rtp_port={rtp}\n"
            "[sound]\necho_cancellation=0\n"
            "[net]\nipv6=0\n"
        )
        proc = await asyncio.create_subprocess_exec(
            require("linphonec"),
            "-c",
            str(rc),
            "-a",
            "-d",
            "0",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=workdir,
            env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        )
        lp = cls(proc, port)
        await asyncio.sleep(1.0)
        return lp

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(4096):
            self.output += chunk

    async def close(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                assert self.proc.stdin is not None
                self.proc.stdin.write(b"quit\n")
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._reader.cancel()
