"""The conference-bridge port that moves 20 ms PCM frames to/from an AudioBridge."""

from __future__ import annotations

import ctypes

import pjsua2 as pj

from softphone.sip.media import FRAME_BYTES, FRAME_MS, SAMPLE_RATE, AudioBridge


def _buffer_view(vec: pj.ByteVector, size: int) -> memoryview:
    """A writable view of a ``std::vector<unsigned char>``'s data (libstdc++/libc++ keep
    the data pointer first), avoiding the ~400 us ``bytes(vec)`` copy."""
    addr = ctypes.c_void_p.from_address(int(vec.this)).value
    if not addr:
        raise ValueError("empty frame buffer")
    return memoryview((ctypes.c_char * size).from_address(addr)).cast("B")


class BridgePort(pj.AudioMediaPort):
    """A ``pjsua2.AudioMediaPort`` feeding ``bridge.mic_frame`` into calls and handing
    received audio to ``bridge.speaker_frame``. Runs on PJSIP's clock thread."""

    def __init__(self, bridge: AudioBridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.errors = 0
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, SAMPLE_RATE, 1, FRAME_MS * 1000, 16)
        self.createPort("softphone-bridge", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - pjsua2 override
        try:
            buf = frame.buf
            if buf.size() != FRAME_BYTES:
                buf.resize(FRAME_BYTES)
            self.bridge.mic_frame(_buffer_view(buf, FRAME_BYTES))
            frame.size = FRAME_BYTES
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        except Exception:
            self.errors += 1

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - pjsua2 override
        try:
            if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
                return
            size = min(int(frame.size), FRAME_BYTES)
            if size <= 0:
                return
            self.bridge.speaker_frame(_buffer_view(frame.buf, size))
        except Exception:
            self.errors += 1
