"""``PhoneWindow``: loads ``Main.qml`` with the view-model and the list models."""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QObject, QUrl
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem, QQuickWindow

from softphone import __version__
from softphone.resources import resource_path
from softphone.ui._demo_models import DemoContactsListModel, DemoRecentsListModel
from softphone.ui._runner import TaskRunner
from softphone.ui.phone_viewmodel import PhoneViewModel
from softphone.ui.service import PhoneUiService


class QmlLoadError(RuntimeError):
    """Main.qml did not load; the message carries the QML warnings."""


class PhoneWindow(QObject):
    """The phone window. Without list models it shows in-memory demo Recents/Contacts."""

    def __init__(
        self,
        service: PhoneUiService,
        recents_model: QAbstractItemModel | None = None,
        contacts_model: QAbstractItemModel | None = None,
        *,
        runner: TaskRunner | None = None,
        clock: Callable[[], float] = time.time,
        profile: str = "default",
        reduce_motion: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.recents_model = (
            recents_model if recents_model is not None else DemoRecentsListModel(parent=self)
        )
        self.contacts_model = (
            contacts_model if contacts_model is not None else DemoContactsListModel(parent=self)
        )
        self.view_model = PhoneViewModel(
            service, self.contacts_model, runner, clock, reduce_motion, parent=self
        )
        self.engine = QQmlApplicationEngine(self)
        warnings: list[str] = []
        self.engine.warnings.connect(lambda errs: warnings.extend(e.toString() for e in errs))
        self.engine.setInitialProperties(
            {
                "appVersion": __version__,
                "profile": profile,
                "phone": self.view_model,
                "recents": self.recents_model,
                "contacts": self.contacts_model,
            }
        )
        self.engine.load(QUrl.fromLocalFile(str(resource_path("qml", "Main.qml"))))
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            raise QmlLoadError("the QML user interface failed to load:\n" + "\n".join(warnings))
        self.window: QQuickWindow = roots[0]

    def item(self, object_name: str) -> QQuickItem:
        """The visible-tree item called ``object_name`` (first match), for tests and tools."""
        found = self.window.contentItem().findChild(QQuickItem, object_name)
        if found is None:
            raise LookupError(f"no QML item named {object_name!r}")
        return found

    def close(self) -> None:
        """Close the window and free QML before the view-model (no bindings to dead objects)."""
        self.view_model.close()
        self.window.close()
        shiboken6.delete(self.engine)
