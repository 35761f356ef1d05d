"""CXCallController.request: the request-transaction errors iOS gives."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from softphone.callkit import (
    CallKitError,
    CallSystem,
    CXAnswerCallAction,
    CXCallController,
    CXEndCallAction,
    CXErrorCodeRequestTransactionError,
    CXHandle,
    CXHandleType,
    CXPlayDTMFCallAction,
    CXProvider,
    CXProviderConfiguration,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
    CXTransaction,
    TransactionRequested,
)

from .conftest import RecordingDelegate, of_type, phone, update

Err = CXErrorCodeRequestTransactionError


async def refused(controller: CXCallController, *actions: Any) -> CallKitError:
    with pytest.raises(CallKitError) as info:
        await controller.request(CXTransaction(list(actions)))
    return info.value


class TestRequestErrors:
    async def test_empty(self, controller: CXCallController) -> None:
        """An empty transaction raises empty_transaction."""
        assert (await refused(controller)).code is Err.empty_transaction

    async def test_unknown_uuid(self, system: CallSystem, controller: CXCallController) -> None:
        """Actions on unknown calls raise unknown_call_uuid; nothing is delivered."""
        err = await refused(controller, CXEndCallAction(uuid.uuid4()))
        assert err.code is Err.unknown_call_uuid
        assert not of_type(system, TransactionRequested)

    async def test_duplicate_start(
        self, controller: CXCallController, outgoing: Callable[..., Any]
    ) -> None:
        """Starting a call with a live call's UUID raises call_uuid_already_exists."""
        u = await outgoing()
        err = await refused(controller, CXStartCallAction(u, phone()))
        assert err.code is Err.call_uuid_already_exists

    async def test_answer_outgoing_is_invalid(
        self, controller: CXCallController, outgoing: Callable[..., Any]
    ) -> None:
        """Answering an outgoing call is an invalid action."""
        u = await outgoing()
        assert (await refused(controller, CXAnswerCallAction(u))).code is Err.invalid_action

    async def test_actions_on_ended_call(
        self, controller: CXCallController, outgoing: Callable[..., Any]
    ) -> None:
        """Once ended, a call is unknown to further actions."""
        u = await outgoing()
        await controller.request_transaction_with_action(CXEndCallAction(u))
        err = await refused(controller, CXSetMutedCallAction(u, True))
        assert err.code is Err.unknown_call_uuid

    async def test_state_rules(
        self, controller: CXCallController, incoming: Callable[..., Any]
    ) -> None:
        """Ringing calls cannot be held, muted or sent DTMF."""
        u = await incoming()
        for action in (
            CXSetHeldCallAction(u, True),
            CXSetMutedCallAction(u, True),
            CXPlayDTMFCallAction(u, "1"),
        ):
            assert (await refused(controller, action)).code is Err.invalid_action

    async def test_unsupported_handle_and_video(self, system: CallSystem) -> None:
        """Handle types and video the provider does not support are invalid actions."""
        p = CXProvider(CXProviderConfiguration(), system=system)
        c = CXCallController(system=system, provider=p)
        email = CXHandle(CXHandleType.EMAIL_ADDRESS, "a@example.org")
        assert (await refused(c, CXStartCallAction(uuid.uuid4(), email))).code is Err.invalid_action
        video = CXStartCallAction(uuid.uuid4(), phone(), is_video=True)
        assert (await refused(c, video)).code is Err.invalid_action

    async def test_max_call_groups_on_start(self, system: CallSystem) -> None:
        """A third outgoing call with maximum_call_groups=2 raises maximum_call_groups_reached."""
        p = CXProvider(CXProviderConfiguration(), system=system)
        p.set_delegate(RecordingDelegate())
        c = CXCallController(system=system, provider=p)
        for _ in range(2):
            await c.request_transaction_with_action(CXStartCallAction(uuid.uuid4(), phone()))
        err = await refused(c, CXStartCallAction(uuid.uuid4(), phone()))
        assert err.code is Err.maximum_call_groups_reached
        assert len(system.calls) == 2

    async def test_reused_transaction_and_action(
        self, controller: CXCallController, provider: CXProvider
    ) -> None:
        """A transaction or action can be requested once only."""
        action = CXStartCallAction(uuid.uuid4(), phone())
        transaction = CXTransaction(action)
        await controller.request(transaction)
        with pytest.raises(CallKitError) as info:
            await controller.request(transaction)
        assert info.value.code is Err.invalid_action
        assert (await refused(controller, action)).code is Err.invalid_action

    async def test_same_action_twice_in_transaction(
        self, controller: CXCallController, incoming: Callable[..., Any]
    ) -> None:
        """Two answers for one call in one transaction are invalid."""
        u = await incoming()
        err = await refused(controller, CXAnswerCallAction(u), CXAnswerCallAction(u))
        assert err.code is Err.invalid_action

    async def test_action_after_end_in_same_transaction(
        self, controller: CXCallController, outgoing: Callable[..., Any]
    ) -> None:
        """An action after the call's end in the same transaction is refused whole."""
        u = await outgoing()
        err = await refused(controller, CXEndCallAction(u), CXSetMutedCallAction(u, True))
        assert err.code is Err.unknown_call_uuid

    async def test_wrong_types(self, controller: CXCallController) -> None:
        """request() with a non-transaction raises TypeError."""
        with pytest.raises(TypeError):
            await controller.request([CXEndCallAction(uuid.uuid4())])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await controller.request_transaction_with_action("end")  # type: ignore[arg-type]

    async def test_no_provider(self, system: CallSystem) -> None:
        """With two providers and none given, a start call has no provider."""
        CXProvider(CXProviderConfiguration(localized_name="A"), system=system)
        CXProvider(CXProviderConfiguration(localized_name="B"), system=system)
        c = CXCallController(system=system)
        err = await refused(c, CXStartCallAction(uuid.uuid4(), phone()))
        assert err.code is Err.unknown_call_provider

    async def test_mixed_providers(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        controller: CXCallController,
    ) -> None:
        """A transaction may not span two providers' calls."""
        a = await incoming()
        other = CXProvider(CXProviderConfiguration(localized_name="B"), system=system)
        b = uuid.uuid4()
        await other.report_new_incoming_call(b, update("+15550001111"))
        err = await refused(controller, CXEndCallAction(a), CXEndCallAction(b))
        assert err.code is Err.invalid_action

    async def test_group_needs_connected_calls(
        self,
        controller: CXCallController,
        incoming: Callable[..., Any],
        outgoing: Callable[..., Any],
    ) -> None:
        """Grouping a ringing call is invalid."""
        ringing = await incoming()
        active = await outgoing()
        err = await refused(controller, CXSetGroupCallAction(ringing, active))
        assert err.code is Err.invalid_action


class TestDelivery:
    async def test_execute_transaction_handles_all(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """When execute_transaction returns True, no perform_* method is called."""
        delegate.handle_transactions = True
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        assert "start" not in delegate.names()
        assert system.pending_actions == [action]
        action.fulfill()
        assert system.pending_actions == []

    async def test_order_of_delivery(
        self,
        controller: CXCallController,
        delegate: RecordingDelegate,
        outgoing: Callable[..., Any],
    ) -> None:
        """Actions reach the delegate in transaction order."""
        u = await outgoing()
        delegate.calls.clear()
        await controller.request_transaction_with_actions(
            [CXSetMutedCallAction(u, True), CXSetHeldCallAction(u, True)]
        )
        assert delegate.names() == ["execute_transaction", "set_muted", "set_held"]
