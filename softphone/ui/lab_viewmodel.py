"""``LabViewModel``: the QA lab in Settings — push console, fault injection, session
export and "copy diagnostics" — so everything the control API does is also in the UI."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, Protocol

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from softphone.ui._runner import AsyncioTaskRunner, TaskRunner

PRESETS = ("flexisip", "quickblox", "sinch", "stream", "twilio")
_OPTIONS: dict[str, dict[str, Any]] = {
    "cellular-call": {"seconds": 5},
    "push-delay": {"seconds": 2},
    "push-expired": {"seconds": 2},
    "invite-timeout": {"seconds": 2},
    "max-call-groups": {"groups": 1},
    "network-loss": {"seconds": 10},
}


class LabService(Protocol):
    """What the lab drives (the running phone implements it)."""

    def lab(self, name: str, options: dict[str, Any]) -> Awaitable[str]: ...
    def diagnostics(self) -> str: ...


class LabViewModel(QObject):
    """Push presets, faults and reports for QML (camelCase, changes on results only)."""

    resultChanged = Signal()
    presetChanged = Signal()
    busyChanged = Signal()
    followWithCallChanged = Signal()

    def __init__(
        self, service: LabService, runner: TaskRunner | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner or AsyncioTaskRunner()
        self._result = ""
        self._preset = PRESETS[0]
        self._busy = False
        self._follow = True

    @Property(str, notify=resultChanged)
    def result(self) -> str:
        return self._result

    @Property(str, notify=presetChanged)
    def preset(self) -> str:
        return self._preset

    @Property(bool, notify=busyChanged)
    def busy(self) -> bool:
        return self._busy

    @Property(bool, notify=followWithCallChanged)
    def followWithCall(self) -> bool:
        """Whether the simulated caller's INVITE follows a push (``softphone push``'s
        default; off: the push alone, as ``--no-call``)."""
        return self._follow

    def _set_result(self, text: str) -> None:
        self._result = text
        self.resultChanged.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busyChanged.emit()

    @Slot()
    def nextPreset(self) -> None:
        self._preset = PRESETS[(PRESETS.index(self._preset) + 1) % len(PRESETS)]
        self.presetChanged.emit()

    @Slot()
    def toggleFollowWithCall(self) -> None:
        self._follow = not self._follow
        self.followWithCallChanged.emit()

    @Slot(str)
    def run(self, name: str) -> None:
        """Run a lab action: ``push`` (with the current preset) or a fault name."""
        options: dict[str, Any] = (
            {"preset": self._preset, "call": self._follow} if name == "push" else {}
        )
        options.update(_OPTIONS.get(name, {}))
        self._set_busy(True)

        async def go() -> None:
            try:
                self._set_result(await self._service.lab(name, options))
            finally:
                self._set_busy(False)

        self._runner.spawn(go(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._set_result(f"Failed: {exc}")

    @Slot(str)
    def sendPayload(self, text: str) -> None:
        """Send a VoIP push with the user's own JSON payload (errors shown, not raised)."""
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            self._set_result(f"Failed: the payload is not JSON ({exc.msg}, line {exc.lineno})")
            return
        if not isinstance(payload, dict):
            self._set_result("Failed: the payload must be a JSON object")
            return
        self._set_busy(True)

        async def go() -> None:
            try:
                options = {"payload": payload, "call": self._follow}
                self._set_result(await self._service.lab("push", options))
            finally:
                self._set_busy(False)

        self._runner.spawn(go(), self._failed)

    @Slot()
    def copyDiagnostics(self) -> None:
        """Put a redacted diagnostics report on the clipboard (for bug reports)."""
        text = self._service.diagnostics()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        self._set_result(f"Diagnostics copied ({len(text.splitlines())} lines)")
