"""PulseAudio (or PipeWire's pulse server) device listing through ``pactl``.

PortAudio as packaged by Debian (19.6) has no PulseAudio host API: it reaches
PulseAudio only through ALSA's ``pulse`` plugin, which shows one "pulse" device. The
real sinks and sources therefore come from ``pactl -f json``, and a stream is steered
to one by setting ``PULSE_SINK``/``PULSE_SOURCE`` while PortAudio opens it (libpulse
reads them when the plugin creates its context, i.e. on every open).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from softphone.audio.backend import AudioDevice, AudioUnavailableError, DeviceKind

PACTL_TIMEOUT_S = 3.0


def _pactl(*args: str) -> str:
    exe = shutil.which("pactl")
    if exe is None:
        raise AudioUnavailableError("PulseAudio: pactl not installed (pulseaudio-utils)")
    try:
        done = subprocess.run(
            [exe, *args], capture_output=True, text=True, timeout=PACTL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AudioUnavailableError("PulseAudio: server not answering") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[0] if detail else f"pactl exit {done.returncode}"
        raise AudioUnavailableError(f"PortAudio: no PulseAudio server ({reason})")
    return done.stdout


def server_defaults() -> tuple[str, str]:
    """(default sink name, default source name)."""
    info = json.loads(_pactl("-f", "json", "info"))
    return str(info.get("default_sink_name") or ""), str(info.get("default_source_name") or "")


def _is_monitor(entry: dict[str, Any]) -> bool:
    # pactl 16's JSON names the "monitor of sink" field "monitor_source".
    of_sink = entry.get("monitor_source") or entry.get("monitor_of_sink")
    return of_sink not in (None, "", "n/a") or str(entry["name"]).endswith(".monitor")


def _devices(kind: DeviceKind, default: str) -> list[AudioDevice]:
    what = "sources" if kind is DeviceKind.INPUT else "sinks"
    entries: list[dict[str, Any]] = json.loads(_pactl("-f", "json", "list", what))
    out = []
    for entry in entries:
        name = str(entry["name"])
        if kind is DeviceKind.INPUT and _is_monitor(entry):
            continue  # a sink's monitor is not a microphone
        label = str(entry.get("description") or name)
        out.append(AudioDevice(name, label, kind, is_default=name == default))
    return out


def list_pulse_devices() -> list[AudioDevice]:
    """Sources (without monitors) and sinks; raises :class:`AudioUnavailableError`."""
    sink, source = server_defaults()
    return _devices(DeviceKind.INPUT, source) + _devices(DeviceKind.OUTPUT, sink)


def pulse_env_var(kind: DeviceKind) -> str:
    return "PULSE_SOURCE" if kind is DeviceKind.INPUT else "PULSE_SINK"


def pulse_reachable() -> bool:
    """Whether a pulse server looks configured at all (cheap, no connection)."""
    return bool(os.environ.get("PULSE_SERVER")) or shutil.which("pactl") is not None
