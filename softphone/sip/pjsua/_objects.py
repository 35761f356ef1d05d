"""pjsua2 Account/Call/LogWriter subclasses: tiny callbacks that never let an exception out."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from softphone.sip.pjsua._siplog import parse_log_entry

if TYPE_CHECKING:
    from softphone.sip.pjsua._engine import PjsuaEngine

log = logging.getLogger(__name__)


def pj_error_text(exc: BaseException) -> str:
    """PJSIP's own words for a pjsua2 error (``Error.info()``), else its reason."""
    info = getattr(exc, "info", None)
    if callable(info):
        with contextlib.suppress(Exception):
            return str(info())
    reason = getattr(exc, "reason", None)
    return str(reason or exc)


def guarded(name: str, fn: Callable[[], Any], default: Any = None) -> Any:
    """Run ``fn``; an exception escaping a pjsua2 callback would abort the process
    (``default`` is returned instead)."""
    try:
        return fn()
    except BaseException:
        try:
            log.exception("pjsua2 callback %s failed", name)
        except BaseException:
            pass
        return default


class Endpoint(pj.Endpoint):
    """The one pjsua2 Endpoint; hears INVITEs PJSIP refused before any call existed."""

    def __init__(self, engine: PjsuaEngine) -> None:
        super().__init__()
        self.engine = engine

    def onRejectedIncomingCall(self, prm: pj.OnRejectedIncomingCallParam) -> None:  # noqa: N802
        guarded("onRejectedIncomingCall", lambda: self.engine._outside.on_rejected_call(prm))


class LogWriter(pj.LogWriter):
    """Receives PJSIP log entries (any thread) and forwards SIP messages to the engine."""

    def __init__(self, sink: Callable[[Any], None]) -> None:
        super().__init__()
        self._sink = sink

    def write(self, entry: pj.LogEntry) -> None:
        # Called for every PJSIP log line at level 4: the common case (not a SIP message)
        # returns before anything else is made.
        try:
            msg = entry.msg
            if "bytes Re" not in msg:
                return
            ev = parse_log_entry(msg)
            if ev is not None:
                self._sink(ev)
        except BaseException:
            with contextlib.suppress(BaseException):
                log.exception("pjsua2 callback LogWriter.write failed")


class Account(pj.Account):
    """One pjsua2 account; ``account_id`` is None for the account-less local identity."""

    def __init__(self, engine: PjsuaEngine, account_id: str | None) -> None:
        super().__init__()
        self.engine = engine
        self.account_id = account_id

    def onRegState(self, prm: pj.OnRegStateParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onRegState", lambda: self.engine._on_reg_state(self, prm))

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onIncomingCall", lambda: self.engine._on_incoming_call(self, prm))

    def onInstantMessage(self, prm: pj.OnInstantMessageParam) -> None:  # noqa: N802
        guarded("onInstantMessage", lambda: self.engine._outside.on_message(self, prm))

    def onIncomingSubscribe(self, prm: pj.OnIncomingSubscribeParam) -> None:  # noqa: N802
        guarded("onIncomingSubscribe", lambda: self.engine._outside.on_subscribe(prm))


class Call(pj.Call):
    """One pjsua2 call; all logic lives in the engine's ``_on_*`` methods."""

    def __init__(self, engine: PjsuaEngine, acc: Account, call_id: int = -1) -> None:
        if call_id == -1:
            super().__init__(acc)
        else:
            super().__init__(acc, call_id)
        self.engine = engine
        self.account = acc
        self.key = ""
        self.info: Any = None  # the last getInfo(): members dangle if not kept

    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onCallState", lambda: self.engine._on_call_state(self, prm))

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onCallMediaState", lambda: self.engine._on_call_media_state(self))

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onDtmfDigit", lambda: self.engine._on_dtmf(self, prm))

    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:  # noqa: N802 - pjsua2 override
        guarded("onCallTsxState", lambda: self.engine._on_call_tsx_state(self, prm))

    # Calls pjsua2 would otherwise create (or re-point) on its own: the engine owns them.

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:  # noqa: N802
        guarded("onCallTransferRequest", lambda: self.engine._dialog.on_transfer_request(self, prm))

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:  # noqa: N802
        guarded("onCallTransferStatus", lambda: self.engine._dialog.on_transfer_status(self, prm))

    def onCallReplaceRequest(self, prm: pj.OnCallReplaceRequestParam) -> None:  # noqa: N802
        guarded("onCallReplaceRequest", lambda: self.engine._dialog.on_replace_request(self, prm))

    def onCallReplaced(self, prm: pj.OnCallReplacedParam) -> None:  # noqa: N802
        guarded("onCallReplaced", lambda: self.engine._dialog.on_replaced(self, prm))

    def onCallRedirected(self, prm: pj.OnCallRedirectedParam) -> int:  # noqa: N802
        return int(
            guarded(
                "onCallRedirected",
                lambda: self.engine._dialog.on_redirected(self, prm),
                pj.PJSIP_REDIRECT_STOP,
            )
        )
