"""CallKit error codes and the exception that carries them.

Apple reports errors through completion handlers as ``NSError`` values in the
``CXErrorDomain*`` domains; here they are raised as :class:`CallKitError` with ``.code``.
"""

from __future__ import annotations

import enum

__all__ = [
    "ActionAlreadyCompletedError",
    "CXErrorCode",
    "CXErrorCodeCallDirectoryManagerError",
    "CXErrorCodeIncomingCallError",
    "CXErrorCodeRequestTransactionError",
    "CallKitError",
    "CallWaitingChoiceRequiredError",
    "InvalidCallTransitionError",
]


class CXErrorCode(enum.IntEnum):
    """Apple: ``CXErrorCode`` (general errors, ``CXErrorDomain``)."""

    UNKNOWN = 0
    UNENTITLED = 1
    INVALID_ARGUMENT = 2
    MISSING_VOIP_BACKGROUND_MODE = 3
    # Emulator extension: the provider was invalidated (Apple gives no code for this).
    PROVIDER_INVALIDATED = 100

    # Apple-style lowercase spellings (aliases of the members above).
    unknown = 0
    unentitled = 1
    invalid_argument = 2
    missing_voip_background_mode = 3
    provider_invalidated = 100


class CXErrorCodeIncomingCallError(enum.IntEnum):
    """Apple: ``CXErrorCodeIncomingCallError`` (``CXErrorDomainIncomingCall``)."""

    UNKNOWN = 0
    UNENTITLED = 1
    CALL_UUID_ALREADY_EXISTS = 2
    FILTERED_BY_DO_NOT_DISTURB = 3
    FILTERED_BY_BLOCK_LIST = 4
    # Emulator extension: accepting the call would exceed the provider's call limits.
    CALL_LIMIT_REACHED = 100

    # Apple-style lowercase spellings (aliases of the members above).
    unknown = 0
    unentitled = 1
    call_uuid_already_exists = 2
    filtered_by_do_not_disturb = 3
    filtered_by_block_list = 4
    call_limit_reached = 100


class CXErrorCodeRequestTransactionError(enum.IntEnum):
    """Apple: ``CXErrorCodeRequestTransactionError`` (``CXErrorDomainRequestTransaction``)."""

    UNKNOWN = 0
    UNENTITLED = 1
    UNKNOWN_CALL_PROVIDER = 2
    EMPTY_TRANSACTION = 3
    UNKNOWN_CALL_UUID = 4
    CALL_UUID_ALREADY_EXISTS = 5
    INVALID_ACTION = 6
    MAXIMUM_CALL_GROUPS_REACHED = 7
    CALL_IS_PROTECTED = 8

    # Apple-style lowercase spellings (aliases of the members above).
    unknown = 0
    unentitled = 1
    unknown_call_provider = 2
    empty_transaction = 3
    unknown_call_uuid = 4
    call_uuid_already_exists = 5
    invalid_action = 6
    maximum_call_groups_reached = 7
    call_is_protected = 8


class CXErrorCodeCallDirectoryManagerError(enum.IntEnum):
    """Apple: ``CXErrorCodeCallDirectoryManagerError`` (``CXErrorDomainCallDirectoryManager``)."""

    UNKNOWN = 0
    NO_EXTENSION_FOUND = 1
    LOADING_INTERRUPTED = 2
    ENTRIES_OUT_OF_ORDER = 3
    DUPLICATE_ENTRIES = 4
    MAXIMUM_ENTRIES_EXCEEDED = 5
    EXTENSION_DISABLED = 6
    CURRENTLY_LOADING = 7
    UNEXPECTED_INCREMENTAL_REMOVAL = 8

    # Apple-style lowercase spellings (aliases of the members above).
    unknown = 0
    no_extension_found = 1
    loading_interrupted = 2
    entries_out_of_order = 3
    duplicate_entries = 4
    maximum_entries_exceeded = 5
    extension_disabled = 6
    currently_loading = 7
    unexpected_incremental_removal = 8


ErrorCode = (
    CXErrorCode
    | CXErrorCodeIncomingCallError
    | CXErrorCodeRequestTransactionError
    | CXErrorCodeCallDirectoryManagerError
)


class CallKitError(Exception):
    """A CallKit failure; ``code`` is the Apple error enum member (Apple: ``NSError.code``)."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        text = f"{type(code).__name__}.{code.name}"
        super().__init__(f"{text}: {detail}" if detail else text)


class InvalidCallTransitionError(CallKitError):
    """A report or action does not fit the call's current state (see ``_states``)."""

    def __init__(self, state: object, call_input: object, detail: str = "") -> None:
        self.state = state
        self.call_input = call_input
        msg = detail or f"{call_input} is not allowed in state {state}"
        super().__init__(CXErrorCode.INVALID_ARGUMENT, msg)


class CallWaitingChoiceRequiredError(CallKitError):
    """Answering while another call is active: the user must pick Decline,
    Hold & Accept or End & Accept (the iOS call-waiting screen)."""

    def __init__(self, call_uuid: object, choices: tuple[str, ...]) -> None:
        self.call_uuid = call_uuid
        self.choices = choices
        super().__init__(
            CXErrorCodeRequestTransactionError.INVALID_ACTION,
            f"another call is active; choose one of {', '.join(choices)}",
        )


class ActionAlreadyCompletedError(RuntimeError):
    """``fulfill()``/``fail()`` on an action that was already fulfilled, failed or timed out."""
