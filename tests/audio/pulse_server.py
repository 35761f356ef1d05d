"""A private, headless PulseAudio with virtual devices, for tests and benchmarks.

Runs ``pulseaudio --daemonize=no --system=no`` (works as root) with its own
XDG_RUNTIME_DIR and a unix socket accepting anonymous clients. Virtual devices:

- ``micfeed`` null sink -> ``mic`` remapped source: play into ``micfeed`` and the app
  hears it on its microphone (PortAudio/Qt skip raw ``.monitor`` sources);
- ``spk`` null sink: the app's speaker; record ``spk.monitor`` to hear what it played;
- ``ringer`` null sink: the app's ringer device.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

RATE = 16_000
START_TIMEOUT_S = 10.0

NULL_SINK = "load-module module-null-sink sink_name={0} rate=16000 channels=1 {1}"
DESCRIBE = "sink_properties=device.description={0}"
REMAP_SINK = (
    "load-module module-remap-sink sink_name={0} master=meas channels=1"
    " master_channel_map={1} channel_map=mono"
)


def phone_devices(phone: str) -> list[str]:
    """``<phone>_feed`` sink -> ``<phone>_mic`` source, and a ``<phone>_spk`` sink."""
    return [
        NULL_SINK.format(f"{phone}_feed", DESCRIBE.format(f"{phone}-feed")),
        f"load-module module-remap-source source_name={phone}_mic master={phone}_feed.monitor"
        f" source_properties=device.description={phone}-mic",
        NULL_SINK.format(f"{phone}_spk", DESCRIBE.format(f"{phone}-speaker")),
    ]


def server_config(socket: Path, latency_rig: bool = False, phones: tuple[str, ...] = ()) -> str:
    rig = [
        # Latency rig: left = what is played into meas_in (heard on meas_mic),
        # right = what is played into meas_out; one recording of meas.monitor
        # lines both up sample-exactly.
        "load-module module-null-sink sink_name=meas rate=16000 channels=2"
        " channel_map=front-left,front-right",
        REMAP_SINK.format("meas_in", "front-left"),
        "load-module module-remap-source source_name=meas_mic master=meas.monitor"
        " channels=1 master_channel_map=front-left channel_map=mono",
        REMAP_SINK.format("meas_out", "front-right"),
    ]
    return "\n".join(
        [
            f"load-module module-native-protocol-unix socket={socket} auth-anonymous=1",
            NULL_SINK.format("spk", DESCRIBE.format("Speaker")),
            NULL_SINK.format("micfeed", DESCRIBE.format("MicFeed")),
            "load-module module-remap-source source_name=mic master=micfeed.monitor"
            " source_properties=device.description=Microphone",
            NULL_SINK.format("ringer", DESCRIBE.format("Ringer")),
            *(rig if latency_rig else []),
            *(line for phone in phones for line in phone_devices(phone)),
            "set-default-sink spk",
            "set-default-source mic",
            "",
        ]
    )


class PulseServer:
    """Start with :meth:`start`, always :meth:`stop` (kills the daemon)."""

    def __init__(
        self,
        directory: Path,
        name: str = "pulse",
        *,
        latency_rig: bool = False,
        phones: tuple[str, ...] = (),
    ) -> None:
        self.dir = directory / name
        self._rig = latency_rig
        self._phones = phones
        self.socket = self.dir / "native"
        self.server = f"unix:{self.socket}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._keepalive: list[subprocess.Popen[bytes]] = []

    @property
    def env(self) -> dict[str, str]:
        """Environment for a client process of this server."""
        return {**os.environ, "PULSE_SERVER": self.server}

    def start(self) -> PulseServer:
        runtime = self.dir / "runtime"
        runtime.mkdir(parents=True, exist_ok=True)
        config = self.dir / "server.pa"
        config.write_text(server_config(self.socket, self._rig, self._phones))
        env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(self.dir)}
        env.pop("PULSE_SERVER", None)
        log = (self.dir / "pulseaudio.log").open("wb")
        self._proc = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(config), "--exit-idle-time=-1",
             "--daemonize=no", "--system=no", "--disallow-exit", "--log-target=stderr"],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: {self.log()}")
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                rig = ["meas_in"] if self._rig else []
                phones = [f"{p}_{d}" for p in self._phones for d in ("feed", "spk")]
                for sink in ["micfeed", "spk", "ringer", *rig, *phones]:
                    self._keep_clocked(sink)
                rig = ["meas"] if self._rig else []
                for sink in ["micfeed", "spk", "ringer", *rig, *phones]:
                    self._wait_clocked(sink)
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pulseaudio did not start: {self.log()}")

    def _keep_clocked(self, sink: str) -> None:
        """An idle null sink renders in 2 s chunks, so a microphone fed from its monitor
        would deliver its first block ~1.8 s late. A real sound card runs on a steady
        clock: emulate that with a silent low-latency stream for the server's life."""
        command = ["pacat", f"--device={sink}", f"--rate={RATE}", "--channels=1"]
        command += ["--format=s16le", "--raw", "--latency-msec=10", "/dev/zero"]
        self._keepalive.append(subprocess.Popen(command, env=self.env))

    def _wait_clocked(self, sink: str) -> None:
        """Returns once ``sink`` renders at low latency (its first monitor data)."""
        self.record(f"{sink}.monitor", 0.02)

    def stop(self) -> None:
        for keepalive in self._keepalive:
            keepalive.kill()
            keepalive.wait(timeout=5)
        self._keepalive = []
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def log(self) -> str:
        path = self.dir / "pulseaudio.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10,
            check=check,
        )  # fmt: skip

    def play(self, sink: str, samples: np.ndarray) -> subprocess.Popen[bytes]:
        """Start playing float samples (16 kHz mono) into ``sink``; returns pacat."""
        pcm = np.clip(samples * 32767, -32768, 32767).astype("<i2").tobytes()
        raw = self.dir / f"play-{sink}-{time.monotonic_ns()}.raw"
        raw.write_bytes(pcm)
        return subprocess.Popen(
            ["pacat", f"--device={sink}", f"--rate={RATE}", "--channels=1", "--format=s16le",
             "--raw", "--latency-msec=20", str(raw)],
            env=self.env,
        )  # fmt: skip

    def record(self, source: str, seconds: float, channels: int = 1) -> np.ndarray:
        """Record ``seconds`` of ``source`` (blocking); float samples at 16 kHz,
        shape (n,) for mono, (n, channels) otherwise."""
        n_bytes = int(seconds * RATE) * 2 * channels
        proc = subprocess.Popen(
            ["parec", f"--device={source}", f"--rate={RATE}", f"--channels={channels}",
             "--format=s16le", "--raw", "--latency-msec=20"],
            env=self.env, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        chunks, got = [], 0
        deadline = time.monotonic() + seconds + 10
        try:
            while got < n_bytes and time.monotonic() < deadline:
                chunk = proc.stdout.read1(n_bytes - got)  # type: ignore[attr-defined]
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        finally:
            proc.kill()
            proc.wait(timeout=5)
        data = b"".join(chunks)
        usable = len(data) // (2 * channels) * 2 * channels
        samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float64) / 32768
        return samples if channels == 1 else samples.reshape(-1, channels)


@contextmanager
def serving(directory: Path) -> Iterator[PulseServer]:
    """A started server in ``directory`` that this process reaches via PULSE_SERVER
    while the block runs; stopped (and PULSE_SERVER restored) afterwards."""
    import pytest

    server = PulseServer(directory).start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PULSE_SERVER", server.server)
        try:
            yield server
        finally:
            server.stop()


def pulseaudio_installed() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "pacat", "parec"))


def tone(freq: float, seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * freq * t)


def analyse(samples: np.ndarray) -> tuple[float, float]:
    """(dominant frequency in Hz, RMS in dBFS where a full-scale sine is 0 dB)."""
    if len(samples) == 0:
        return 0.0, -120.0
    windowed = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(windowed))
    freq = float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])
    rms = float(np.sqrt(np.mean(samples**2)))
    return freq, 20 * np.log10(rms * np.sqrt(2)) if rms > 1e-9 else -120.0
