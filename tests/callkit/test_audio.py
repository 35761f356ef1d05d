"""The audio session: activated only after start/answer is fulfilled, deactivated when idle."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from softphone.callkit import (
    AudioSessionActivated,
    AudioSessionDeactivated,
    CallSystem,
    CXCallController,
    CXCallEndedReason,
    CXProvider,
    CXStartCallAction,
)

from .conftest import RecordingDelegate, of_type, phone


class TestActivation:
    async def test_not_before_start_fulfilled(
        self,
        system: CallSystem,
        provider: CXProvider,
        controller: CXCallController,
        delegate: RecordingDelegate,
    ) -> None:
        """Connecting an outgoing call does not activate audio until start is fulfilled."""
        delegate.auto = False
        u = uuid.uuid4()
        await controller.request_transaction_with_action(CXStartCallAction(u, phone()))
        provider.report_outgoing_call_started_connecting(u)
        provider.report_outgoing_call_connected(u)
        assert not provider.audio_session.is_active
        assert "did_activate" not in delegate.names()
        delegate.held[0].fulfill()
        assert provider.audio_session.is_active
        assert delegate.names()[-1] == "did_activate"
        assert len(of_type(system, AudioSessionActivated)) == 1

    async def test_not_before_answer_fulfilled(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        delegate: RecordingDelegate,
    ) -> None:
        """A ringing or answering call has no audio; the fulfilled answer activates it."""
        u = await incoming()
        assert not system.audio_active
        delegate.auto = False
        await system.answer(u)
        assert not system.audio_active
        delegate.held[0].fulfill()
        assert system.audio_active
        names = delegate.names()
        assert names.index("did_activate") > names.index("answer")

    async def test_failed_answer_never_activates(
        self,
        system: CallSystem,
        provider: CXProvider,
        incoming: Callable[..., Any],
        delegate: RecordingDelegate,
    ) -> None:
        """A failed answer ends the call and audio stays off."""
        u = await incoming()
        delegate.auto = False
        await system.answer(u)
        delegate.held[0].fail()
        assert system.call(u) is None
        assert not system.audio_active and "did_activate" not in delegate.names()

    async def test_deactivates_when_last_call_ends(
        self,
        system: CallSystem,
        provider: CXProvider,
        outgoing: Callable[..., Any],
        delegate: RecordingDelegate,
    ) -> None:
        """Audio stays on while any call needs it and goes off after the last ends."""
        a = await outgoing()
        b = await outgoing("+15559870002")
        assert len(of_type(system, AudioSessionActivated)) == 1
        provider.report_call_ended(a, None, CXCallEndedReason.REMOTE_ENDED)
        assert provider.audio_session.is_active
        await system.end(b)
        assert not provider.audio_session.is_active
        assert delegate.names()[-1] == "did_deactivate"
        assert len(of_type(system, AudioSessionDeactivated)) == 1

    async def test_ringing_call_does_not_keep_audio(
        self,
        system: CallSystem,
        provider: CXProvider,
        outgoing: Callable[..., Any],
        incoming: Callable[..., Any],
    ) -> None:
        """A still-ringing waiting call does not hold the session after the active one ends."""
        a = await outgoing()
        await incoming()
        await system.end(a)
        assert not system.audio_active
