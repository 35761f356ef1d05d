"""The conference-bridge port that moves 20 ms PCM frames to/from an AudioBridge."""

from __future__ import annotations

import ctypes

import pjsua2 as pj

from softphone.sip.media import FRAME_BYTES, FRAME_MS, SAMPLE_RATE, AudioBridge

_FRAME = ctypes.c_char * FRAME_BYTES


def _buffer_view(vec: pj.ByteVector, size: int) -> memoryview:
    """A writable view of a ``std::vector<unsigned char>``'s data (libstdc++/libc++ keep
    the data pointer first), avoiding the ~400 us ``bytes(vec)`` copy."""
    addr = ctypes.c_void_p.from_address(int(vec.this)).value
    if not addr:
        raise ValueError("empty frame buffer")
    array = _FRAME if size == FRAME_BYTES else ctypes.c_char * size
    return memoryview(array.from_address(addr)).cast("B")


class BridgePort(pj.AudioMediaPort):
    """A ``pjsua2.AudioMediaPort`` feeding ``bridge.mic_frame`` into calls and handing
    received audio to ``bridge.speaker_frame``. Runs on PJSIP's clock thread.

    Every call PJSIP passes a fresh ``MediaFrame`` with an empty buffer: the
    microphone frame is written into one vector kept for the port's life (its data
    never moves: it is never resized) and assigned to the frame, which PJSIP copies
    in C. That is three SWIG attribute sets per frame instead of a resize and a
    ctypes view of a new buffer each time."""

    def __init__(self, bridge: AudioBridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.errors = 0
        self._mic_vec = pj.ByteVector(FRAME_BYTES)
        self._mic_view = _buffer_view(self._mic_vec, FRAME_BYTES)
        self._audio = pj.PJMEDIA_FRAME_TYPE_AUDIO
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, SAMPLE_RATE, 1, FRAME_MS * 1000, 16)
        self.createPort("softphone-bridge", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - pjsua2 override
        try:
            self.bridge.mic_frame(self._mic_view)
            frame.buf = self._mic_vec
            frame.size = FRAME_BYTES
            frame.type = self._audio
        except Exception:
            self.errors += 1

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - pjsua2 override
        try:
            if frame.type != self._audio:
                return
            size = min(int(frame.size), FRAME_BYTES)
            if size <= 0:
                return
            self.bridge.speaker_frame(_buffer_view(frame.buf, size))
        except Exception:
            self.errors += 1
