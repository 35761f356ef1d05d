"""Side effects run after a call's state has changed, isolated (issue 17).

Tones, audio devices, Recents writes and UI notifications follow a transition; one that
fails is logged and reported as a problem, and the transition and the events after it
go on (Linphone's core does the same: a listener that throws does not undo a state).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ParamSpec

log = logging.getLogger(__name__)
P = ParamSpec("P")


class SideEffects:
    """Runs side effects; a failure goes to ``on_failure(what, message)``, never up."""

    def __init__(self, on_failure: Callable[[str, str], None] | None = None) -> None:
        self.on_failure = on_failure
        #: Fault injection and tests: a side effect whose ``what`` starts with one of
        #: these raises instead of running (``inject side-effect-error``).
        self.broken: set[str] = set()
        self.failures = 0
        self._reporting = False  # a failure while reporting one is only logged (no loop)

    def run(self, what: str, effect: Callable[P, object], *args: P.args, **kw: P.kwargs) -> bool:
        """Run ``effect(*args, **kw)``; True when it worked."""
        try:
            if any(what.startswith(prefix) for prefix in self.broken):
                raise RuntimeError(f"injected failure of {what}")
            effect(*args, **kw)
        except Exception as exc:
            self.failures += 1
            log.exception("side effect %s failed", what)
            if self.on_failure is not None and not self._reporting:
                self._reporting = True
                try:
                    self.on_failure(what, f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc))
                except Exception:  # the report itself must not break the caller either
                    log.exception("reporting the failure of %s failed", what)
                finally:
                    self._reporting = False
            return False
        return True

    def guard(self, what: str, callback: Callable[[object], object]) -> Callable[[object], None]:
        """``callback`` as an event subscriber whose failures are isolated the same way."""

        def guarded(event: object) -> None:
            self.run(what, callback, event)

        return guarded
