"""The pjsua2 SIP engine: the only package that imports ``pjsua2``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from softphone.sip.pjsua._engine import PjsuaEngine


def create_engine(
    poll_interval: float = 0.01, idle_poll_interval: float = 0.1, call_poll_interval: float = 0.1
) -> PjsuaEngine:
    """A new (not yet started) pjsua2 engine; one may run per process at a time."""
    from softphone.sip.pjsua._engine import PjsuaEngine

    return PjsuaEngine(poll_interval, idle_poll_interval, call_poll_interval)


def __getattr__(name: str) -> Any:
    # The engine loads when first asked for: the test-line process (``python -m
    # softphone.sip.pjsua.testline``) needs only pjsua2, not the engine and asyncio.
    if name == "PjsuaEngine":
        from softphone.sip.pjsua._engine import PjsuaEngine

        return PjsuaEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PjsuaEngine", "create_engine"]
