"""Transactions: the actions a call controller requests together (Apple: ``CXTransaction``)."""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Iterable

from ._actions import CXAction

__all__ = ["CXTransaction"]


class CXTransaction:
    """Apple: ``CXTransaction(actions:)``: actions requested and delivered as one unit."""

    def __init__(self, actions: Iterable[CXAction] | CXAction = ()) -> None:
        if isinstance(actions, CXAction):
            actions = [actions]
        self.uuid = _uuid.uuid4()
        self._actions: list[CXAction] = []
        self.requested = False
        for action in actions:
            self.add_action(action)

    @property
    def actions(self) -> tuple[CXAction, ...]:
        """Apple: ``actions``."""
        return tuple(self._actions)

    @property
    def is_complete(self) -> bool:
        """Apple: ``isComplete``: every action has been fulfilled, failed or timed out."""
        return all(action.is_complete for action in self._actions)

    def add_action(self, action: CXAction) -> None:
        """Apple: ``addAction(_:)``."""
        if not isinstance(action, CXAction):
            raise TypeError(f"expected a CXAction, got {type(action).__name__}")
        if self.requested:
            raise ValueError("cannot add actions to a transaction already requested")
        self._actions.append(action)

    def __repr__(self) -> str:
        return f"<CXTransaction {self.uuid} {self._actions!r}>"
