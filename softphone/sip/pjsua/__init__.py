"""The pjsua2 SIP engine: the only package that imports ``pjsua2``."""

from softphone.sip.pjsua._engine import PjsuaEngine


def create_engine(
    poll_interval: float = 0.01, idle_poll_interval: float = 0.1, call_poll_interval: float = 0.04
) -> PjsuaEngine:
    """A new (not yet started) pjsua2 engine; one may run per process at a time."""
    return PjsuaEngine(poll_interval, idle_poll_interval, call_poll_interval)


__all__ = ["PjsuaEngine", "create_engine"]
