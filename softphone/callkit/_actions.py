"""Actions the system asks the app to perform (Apple: ``CXAction`` and its subclasses).

An action is fulfilled or failed exactly once; a second attempt raises
:class:`ActionAlreadyCompletedError`. The system times out actions left unresolved.
"""

from __future__ import annotations

import enum
import math
import uuid as _uuid
from typing import Protocol

from ._errors import ActionAlreadyCompletedError
from ._handle import CXHandle

__all__ = [
    "CXAction",
    "CXActionState",
    "CXAnswerCallAction",
    "CXCallAction",
    "CXEndCallAction",
    "CXPlayDTMFCallAction",
    "CXPlayDTMFCallActionType",
    "CXSetGroupCallAction",
    "CXSetHeldCallAction",
    "CXSetMutedCallAction",
    "CXStartCallAction",
]

DTMF_DIGITS = frozenset("0123456789*#ABCDabcd")


class CXActionState(enum.Enum):
    """Where an action is: not yet resolved, or how it was resolved."""

    PENDING = "pending"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    TIMED_OUT = "timed_out"


class _ActionSink(Protocol):
    def _action_resolved(
        self, action: CXAction, state: CXActionState, date: float | None
    ) -> None: ...


def _check_uuid(value: object, name: str) -> _uuid.UUID:
    if not isinstance(value, _uuid.UUID):
        raise TypeError(f"{name} must be uuid.UUID, got {type(value).__name__}")
    return value


def _check_date(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"date must be a finite float (seconds) or None, got {value!r}")
    return float(value)


class CXAction:
    """Apple: ``CXAction``: a unit of work the app must ``fulfill()`` or ``fail()``."""

    def __init__(self) -> None:
        self.uuid = _uuid.uuid4()
        self.state = CXActionState.PENDING
        self.timeout_date: float | None = None
        self._sink: _ActionSink | None = None
        self._requested = False

    @property
    def is_complete(self) -> bool:
        """Apple: ``isComplete``."""
        return self.state is not CXActionState.PENDING

    @property
    def timeout(self) -> float | None:
        """Apple: ``timeoutDate``: when the system gives up on this action (clock seconds)."""
        return self.timeout_date

    def fulfill(self) -> None:
        """Apple: ``fulfill()``: report that the action was performed."""
        self._resolve(CXActionState.FULFILLED, None)

    def fail(self) -> None:
        """Apple: ``fail()``: report that the action could not be performed."""
        self._resolve(CXActionState.FAILED, None)

    def _resolve(self, state: CXActionState, date: float | None) -> None:
        if self.is_complete:
            raise ActionAlreadyCompletedError(
                f"{type(self).__name__} {self.uuid} is already {self.state.value}"
            )
        if self._sink is None:
            raise RuntimeError(f"{type(self).__name__} was never delivered by a provider")
        self.state = state
        self._sink._action_resolved(self, state, date)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uuid} {self.state.value}>"


class CXCallAction(CXAction):
    """Apple: ``CXCallAction``: an action about one call (``callUUID``)."""

    def __init__(self, call_uuid: _uuid.UUID) -> None:
        super().__init__()
        self.call_uuid = _check_uuid(call_uuid, "call_uuid")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uuid} call={self.call_uuid} {self.state.value}>"


class CXStartCallAction(CXCallAction):
    """Apple: ``CXStartCallAction(call:handle:)``: place an outgoing call."""

    def __init__(
        self,
        call_uuid: _uuid.UUID,
        handle: CXHandle,
        *,
        contact_identifier: str | None = None,
        is_video: bool = False,
    ) -> None:
        super().__init__(call_uuid)
        if not isinstance(handle, CXHandle):
            raise TypeError(f"handle must be CXHandle, got {handle!r}")
        if contact_identifier is not None and not isinstance(contact_identifier, str):
            raise TypeError("contact_identifier must be str or None")
        if not isinstance(is_video, bool):
            raise TypeError("is_video must be bool")
        self.handle = handle
        self.contact_identifier = contact_identifier
        self.is_video = is_video

    def fulfill(self, date_started: float | None = None) -> None:
        """Apple: ``fulfill(withDateStarted:)``."""
        self._resolve(CXActionState.FULFILLED, _check_date(date_started))


class CXAnswerCallAction(CXCallAction):
    """Apple: ``CXAnswerCallAction(call:)``: answer an incoming call."""

    def fulfill(self, date_connected: float | None = None) -> None:
        """Apple: ``fulfill(withDateConnected:)``."""
        self._resolve(CXActionState.FULFILLED, _check_date(date_connected))


class CXEndCallAction(CXCallAction):
    """Apple: ``CXEndCallAction(call:)``: end (or decline) a call."""

    def fulfill(self, date_ended: float | None = None) -> None:
        """Apple: ``fulfill(withDateEnded:)``."""
        self._resolve(CXActionState.FULFILLED, _check_date(date_ended))


class CXSetHeldCallAction(CXCallAction):
    """Apple: ``CXSetHeldCallAction(call:onHold:)``."""

    def __init__(self, call_uuid: _uuid.UUID, on_hold: bool) -> None:
        super().__init__(call_uuid)
        if not isinstance(on_hold, bool):
            raise TypeError(f"on_hold must be bool, got {on_hold!r}")
        self.on_hold = on_hold

    @property
    def is_on_hold(self) -> bool:
        """Apple: ``isOnHold``."""
        return self.on_hold


class CXSetMutedCallAction(CXCallAction):
    """Apple: ``CXSetMutedCallAction(call:muted:)``."""

    def __init__(self, call_uuid: _uuid.UUID, muted: bool) -> None:
        super().__init__(call_uuid)
        if not isinstance(muted, bool):
            raise TypeError(f"muted must be bool, got {muted!r}")
        self.muted = muted

    @property
    def is_muted(self) -> bool:
        """Apple: ``isMuted``."""
        return self.muted


class CXPlayDTMFCallActionType(enum.Enum):
    """Apple: ``CXPlayDTMFCallAction.ActionType``."""

    SINGLE_TONE = "single_tone"
    SOFT_PAUSE = "soft_pause"
    HARD_PAUSE = "hard_pause"
    single_tone = "single_tone"
    soft_pause = "soft_pause"
    hard_pause = "hard_pause"


class CXPlayDTMFCallAction(CXCallAction):
    """Apple: ``CXPlayDTMFCallAction(call:digits:type:)``."""

    def __init__(
        self,
        call_uuid: _uuid.UUID,
        digits: str,
        type: CXPlayDTMFCallActionType = CXPlayDTMFCallActionType.SINGLE_TONE,
    ) -> None:
        super().__init__(call_uuid)
        if not isinstance(type, CXPlayDTMFCallActionType):
            raise TypeError(f"type must be CXPlayDTMFCallActionType, got {type!r}")
        if not isinstance(digits, str):
            raise TypeError(f"digits must be str, got {digits!r}")
        bad = set(digits) - DTMF_DIGITS
        if bad:
            raise ValueError(f"not DTMF digits: {''.join(sorted(bad))!r}")
        if type is CXPlayDTMFCallActionType.SINGLE_TONE and not digits:
            raise ValueError("a single-tone DTMF action needs digits")
        self.digits = digits
        self.type = type


class CXSetGroupCallAction(CXCallAction):
    """Apple: ``CXSetGroupCallAction(call:callUUIDToGroupWith:)``; ``None`` ungroups."""

    def __init__(self, call_uuid: _uuid.UUID, call_uuid_to_group_with: _uuid.UUID | None) -> None:
        super().__init__(call_uuid)
        if call_uuid_to_group_with is not None:
            _check_uuid(call_uuid_to_group_with, "call_uuid_to_group_with")
            if call_uuid_to_group_with == call_uuid:
                raise ValueError("a call cannot be grouped with itself")
        self.call_uuid_to_group_with = call_uuid_to_group_with
