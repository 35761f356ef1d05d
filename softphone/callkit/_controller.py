"""Requesting call actions (Apple: ``CXCallController``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._actions import CXAction
from ._observer import CXCallObserver
from ._transaction import CXTransaction

if TYPE_CHECKING:
    from ._provider import CXProvider
    from ._system import CallSystem

__all__ = ["CXCallController"]


class CXCallController:
    """Apple: ``CXCallController``: the app's way to ask the system for call actions.

    ``provider`` is the app's provider that start-call actions go to; it may be omitted
    when the system has exactly one provider.
    """

    def __init__(self, *, system: CallSystem, provider: CXProvider | None = None) -> None:
        self._system = system
        self._provider = provider
        self.call_observer = CXCallObserver(system=system)

    async def request(self, transaction: CXTransaction) -> None:
        """Apple: ``request(_:completion:)``.

        :raises CallKitError: ``CXErrorCodeRequestTransactionError`` if iOS would refuse it.
        :raises TypeError: if ``transaction`` is not a ``CXTransaction``.
        """
        self._system._request(transaction, self._provider, origin="app")

    async def request_transaction_with_action(self, action: CXAction) -> None:
        """Apple: ``requestTransaction(with action:completion:)``."""
        if not isinstance(action, CXAction):
            raise TypeError(f"expected a CXAction, got {type(action).__name__}")
        await self.request(CXTransaction([action]))

    async def request_transaction_with_actions(self, actions: Iterable[CXAction]) -> None:
        """Apple: ``requestTransaction(with actions:completion:)``."""
        await self.request(CXTransaction(list(actions)))
