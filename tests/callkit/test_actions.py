"""Actions and transactions: construction checks and exactly-once resolution."""

from __future__ import annotations

import uuid

import pytest

from softphone.callkit import (
    ActionAlreadyCompletedError,
    CallSystem,
    CXActionState,
    CXAnswerCallAction,
    CXCallController,
    CXEndCallAction,
    CXHandle,
    CXHandleType,
    CXPlayDTMFCallAction,
    CXPlayDTMFCallActionType,
    CXProvider,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
    CXTransaction,
)

from .conftest import RecordingDelegate, phone


class TestConstruction:
    def test_call_uuid_type_checked(self) -> None:
        """A call action needs a uuid.UUID."""
        with pytest.raises(TypeError):
            CXEndCallAction("not-a-uuid")  # type: ignore[arg-type]

    def test_start_needs_handle(self) -> None:
        """CXStartCallAction refuses a plain string handle."""
        with pytest.raises(TypeError):
            CXStartCallAction(uuid.uuid4(), "+1555")  # type: ignore[arg-type]

    def test_bool_fields_type_checked(self) -> None:
        """on_hold / muted must be real bools."""
        with pytest.raises(TypeError):
            CXSetHeldCallAction(uuid.uuid4(), 1)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            CXSetMutedCallAction(uuid.uuid4(), "yes")  # type: ignore[arg-type]

    def test_dtmf_digits_checked(self) -> None:
        """DTMF takes 0-9 * # A-D only; single tones need a digit."""
        with pytest.raises(ValueError):
            CXPlayDTMFCallAction(uuid.uuid4(), "12x")
        with pytest.raises(ValueError):
            CXPlayDTMFCallAction(uuid.uuid4(), "")
        pause = CXPlayDTMFCallAction(uuid.uuid4(), "", CXPlayDTMFCallActionType.soft_pause)
        assert pause.type is CXPlayDTMFCallActionType.SOFT_PAUSE

    def test_group_with_itself(self) -> None:
        """A call cannot be grouped with itself."""
        u = uuid.uuid4()
        with pytest.raises(ValueError):
            CXSetGroupCallAction(u, u)

    def test_handle_checks(self) -> None:
        """CXHandle needs a CXHandleType and a non-empty string."""
        with pytest.raises(TypeError):
            CXHandle("phone", "1")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            CXHandle(CXHandleType.GENERIC, "  ")

    def test_transaction_accepts_only_actions(self) -> None:
        """CXTransaction refuses non-actions."""
        with pytest.raises(TypeError):
            CXTransaction(["answer"])  # type: ignore[list-item]

    def test_undelivered_action_cannot_resolve(self) -> None:
        """fulfill() on an action never requested is an error, not a silent no-op."""
        action = CXAnswerCallAction(uuid.uuid4())
        with pytest.raises(RuntimeError):
            action.fulfill()
        assert action.state is CXActionState.PENDING


class TestExactlyOnce:
    async def test_second_fulfill_raises(
        self, system: CallSystem, provider: CXProvider, controller: CXCallController
    ) -> None:
        """An action resolves once; a second fulfill() or fail() raises."""
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        assert action.state is CXActionState.FULFILLED
        with pytest.raises(ActionAlreadyCompletedError):
            action.fulfill()
        with pytest.raises(ActionAlreadyCompletedError):
            action.fail()
        assert action.state is CXActionState.FULFILLED
        assert system.pending_actions == []

    async def test_fail_then_fulfill_raises(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """A failed action cannot be fulfilled later."""
        delegate.auto = False
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        assert system.pending_actions == [action]
        action.fail()
        with pytest.raises(ActionAlreadyCompletedError):
            action.fulfill()
        assert action.is_complete and system.pending_actions == []

    async def test_timeout_date_set_on_delivery(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """A delivered action carries its timeout date (now + action_timeout)."""
        delegate.auto = False
        action = CXStartCallAction(uuid.uuid4(), phone())
        await controller.request_transaction_with_action(action)
        assert action.timeout == system.clock.now() + 10.0
        action.fulfill()

    async def test_transaction_completes(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """pending_transactions lists a transaction until every action is resolved."""
        delegate.auto = False
        transaction = CXTransaction(CXStartCallAction(uuid.uuid4(), phone()))
        await controller.request(transaction)
        assert provider.pending_transactions == [transaction]
        delegate.held[0].fulfill()
        assert transaction.is_complete
        assert provider.pending_transactions == []

    async def test_cannot_add_after_request(
        self, provider: CXProvider, controller: CXCallController
    ) -> None:
        """A requested transaction is frozen."""
        transaction = CXTransaction(CXStartCallAction(uuid.uuid4(), phone()))
        await controller.request(transaction)
        with pytest.raises(ValueError):
            transaction.add_action(CXEndCallAction(uuid.uuid4()))
