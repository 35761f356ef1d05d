"""Audio devices, the call-audio bridge and tones.

On Linux the pjsua2 wheel has no sound backend: the SIP engine exchanges 20 ms frames
with a :class:`DeviceAudioBridge`, which moves them to real devices through PortAudio
(``sounddevice``) callback threads. PySide6-Essentials ships no QtMultimedia, and a
PortAudio callback thread had zero dropouts with a busy GUI thread.
"""

from softphone.audio.backend import (
    AudioBackend,
    AudioDevice,
    AudioStream,
    AudioUnavailableError,
    DeviceKind,
)
from softphone.audio.bridge import AudioStatus, BridgeCounters, DeviceAudioBridge
from softphone.audio.devices import (
    AudioDeviceEvent,
    AudioDeviceManager,
    DeviceChoice,
    DeviceEventKind,
    DeviceRole,
)
from softphone.audio.player import CallTones, Ringer, TonePlayer
from softphone.audio.realtime import prefer_audio_threads
from softphone.audio.session import AudioSession
from softphone.audio.system import AudioSystem
from softphone.audio.tones import RingbackStyle, Tone

__all__ = [
    "AudioBackend",
    "AudioDevice",
    "AudioDeviceEvent",
    "AudioDeviceManager",
    "AudioSession",
    "AudioStatus",
    "AudioStream",
    "AudioSystem",
    "AudioUnavailableError",
    "BridgeCounters",
    "CallTones",
    "DeviceAudioBridge",
    "DeviceChoice",
    "DeviceEventKind",
    "DeviceKind",
    "DeviceRole",
    "RingbackStyle",
    "Ringer",
    "Tone",
    "TonePlayer",
    "prefer_audio_threads",
]
