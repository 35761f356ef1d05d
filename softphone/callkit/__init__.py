"""The emulated iOS call service (CallKit). Pure Python + asyncio: no Qt, no pjsua2.

Apple's class names with snake_case methods; each docstring names the Apple API it
mirrors. :class:`CallSystem` is the system side (``callservicesd`` plus the call screen);
apps use :class:`CXProvider` and :class:`CXCallController`.
"""

from ._actions import (
    CXAction,
    CXActionState,
    CXAnswerCallAction,
    CXCallAction,
    CXEndCallAction,
    CXPlayDTMFCallAction,
    CXPlayDTMFCallActionType,
    CXSetGroupCallAction,
    CXSetHeldCallAction,
    CXSetMutedCallAction,
    CXStartCallAction,
)
from ._audio import AudioSession
from ._call import CXCall, CXCallEndedReason, RecentsStatus
from ._clock import (
    Clock,
    Dispatcher,
    ImmediateDispatcher,
    LoopClock,
    LoopDispatcher,
    ManualClock,
    TimerHandle,
)
from ._configuration import CXProviderConfiguration
from ._controller import CXCallController
from ._delegate import CXCallObserverDelegate, CXProviderDelegate
from ._directory import CallDirectory, CallDirectoryContext
from ._errors import (
    ActionAlreadyCompletedError,
    CallKitError,
    CallWaitingChoiceRequiredError,
    CXErrorCode,
    CXErrorCodeCallDirectoryManagerError,
    CXErrorCodeIncomingCallError,
    CXErrorCodeRequestTransactionError,
    InvalidCallTransitionError,
)
from ._events import (
    ActionFailed,
    ActionFulfilled,
    ActionPerformed,
    ActionTimedOut,
    AudioSessionActivated,
    AudioSessionDeactivated,
    CallConnected,
    CallEnded,
    CallGroupChanged,
    CallHoldChanged,
    CallKitEvent,
    CallMuteChanged,
    CallStateChanged,
    CallUpdated,
    CallWaitingPresented,
    DeviceLockChanged,
    DoNotDisturbChanged,
    IncomingCallRejected,
    IncomingCallReported,
    OutgoingCallStarted,
    OutgoingCallStartedConnecting,
    ProviderInvalidated,
    ProviderReset,
    RuleViolated,
    TransactionRequested,
)
from ._handle import CXCallUpdate, CXHandle, CXHandleType, e164_number
from ._observer import CXCallObserver
from ._provider import CXProvider
from ._states import TRANSITIONS, CallInput, CallState, CallStateMachine
from ._system import CallSystem
from ._transaction import CXTransaction

__all__ = [
    "TRANSITIONS",
    "ActionAlreadyCompletedError",
    "ActionFailed",
    "ActionFulfilled",
    "ActionPerformed",
    "ActionTimedOut",
    "AudioSession",
    "AudioSessionActivated",
    "AudioSessionDeactivated",
    "CXAction",
    "CXActionState",
    "CXAnswerCallAction",
    "CXCall",
    "CXCallAction",
    "CXCallController",
    "CXCallEndedReason",
    "CXCallObserver",
    "CXCallObserverDelegate",
    "CXCallUpdate",
    "CXEndCallAction",
    "CXErrorCode",
    "CXErrorCodeCallDirectoryManagerError",
    "CXErrorCodeIncomingCallError",
    "CXErrorCodeRequestTransactionError",
    "CXHandle",
    "CXHandleType",
    "CXPlayDTMFCallAction",
    "CXPlayDTMFCallActionType",
    "CXProvider",
    "CXProviderConfiguration",
    "CXProviderDelegate",
    "CXSetGroupCallAction",
    "CXSetHeldCallAction",
    "CXSetMutedCallAction",
    "CXStartCallAction",
    "CXTransaction",
    "CallConnected",
    "CallDirectory",
    "CallDirectoryContext",
    "CallEnded",
    "CallGroupChanged",
    "CallHoldChanged",
    "CallInput",
    "CallKitError",
    "CallKitEvent",
    "CallMuteChanged",
    "CallState",
    "CallStateChanged",
    "CallStateMachine",
    "CallSystem",
    "CallUpdated",
    "CallWaitingChoiceRequiredError",
    "CallWaitingPresented",
    "Clock",
    "DeviceLockChanged",
    "Dispatcher",
    "DoNotDisturbChanged",
    "ImmediateDispatcher",
    "IncomingCallRejected",
    "IncomingCallReported",
    "InvalidCallTransitionError",
    "LoopClock",
    "LoopDispatcher",
    "ManualClock",
    "OutgoingCallStarted",
    "OutgoingCallStartedConnecting",
    "ProviderInvalidated",
    "ProviderReset",
    "RecentsStatus",
    "RuleViolated",
    "TimerHandle",
    "TransactionRequested",
    "e164_number",
]
