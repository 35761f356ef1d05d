"""Watching calls (Apple: ``CXCallObserver``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._call import CXCall
from ._clock import Dispatcher

if TYPE_CHECKING:
    from ._system import CallSystem

__all__ = ["CXCallObserver"]


class CXCallObserver:
    """Apple: ``CXCallObserver``: the calls on the device and a delegate told of changes."""

    def __init__(self, *, system: CallSystem) -> None:
        self._system = system
        self.delegate: object | None = None
        self.queue: Dispatcher | None = None
        system._add_observer(self)

    @property
    def calls(self) -> list[CXCall]:
        """Apple: ``calls``: snapshots of every call not yet ended."""
        return self._system.calls

    def set_delegate(self, delegate: object | None, queue: Dispatcher | None = None) -> None:
        """Apple: ``setDelegate(_:queue:)``; the delegate gets ``call_changed(observer, call)``."""
        self.delegate = delegate
        self.queue = queue
