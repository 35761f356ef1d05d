"""``PhoneWindow``: loads ``Main.qml`` with the view-model and the list models."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QObject, QUrl
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem, QQuickWindow, QSGRendererInterface

from softphone import __version__
from softphone.resources import resource_path
from softphone.ui._immortal import make_singletons_immortal
from softphone.ui._runner import TaskRunner
from softphone.ui.phone_viewmodel import PhoneViewModel
from softphone.ui.service import PhoneUiService

# Before any window exists (see _immortal): PySide6 6.12 + Python 3.11 refcount bug.
make_singletons_immortal()


def select_graphics_backend() -> str:
    """Pick Qt Quick's renderer before the app starts; returns its name.

    The screens are plain 2D (no shader effects), so the software renderer draws them the
    same as OpenGL while using about half the memory and rendering a frame faster where
    there is no GPU (Mesa llvmpipe, VMs, Xvfb). ``SOFTPHONE_GPU=1`` or an explicit
    ``QT_QUICK_BACKEND`` keeps Qt's default hardware path.
    """
    if os.environ.get("SOFTPHONE_GPU") == "1" or os.environ.get("QT_QUICK_BACKEND"):
        return os.environ.get("QT_QUICK_BACKEND", "default")
    QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)
    return "software"


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
        first_run: bool = False,
        lab: QObject | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.lab = lab
        if lab is not None:
            lab.setParent(self)
        if recents_model is None or contacts_model is None:
            from softphone.ui import _demo_models as demo  # only when the app gives none

            if recents_model is None:
                recents_model = demo.DemoRecentsListModel(parent=self)
            if contacts_model is None:
                contacts_model = demo.DemoContactsListModel(parent=self)
        self.recents_model: QAbstractItemModel = recents_model
        self.contacts_model: QAbstractItemModel = contacts_model
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
                "firstRun": first_run,
                "lab": lab,
            }
        )
        self.engine.load(QUrl.fromLocalFile(str(resource_path("qml", "Main.qml"))))
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            raise QmlLoadError("the QML user interface failed to load:\n" + "\n".join(warnings))
        self.window: QQuickWindow = roots[0]

    @property
    def first_run_shown(self) -> bool:
        """Whether the welcome sheet is still up (the user has not pressed Get Started)."""
        return bool(self.window.property("firstRun"))

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
