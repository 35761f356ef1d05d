"""The Inspector window: QML ``InspectorWindow.qml`` over an :class:`InspectorViewModel`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtGui import QImage
from PySide6.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlEngine
from PySide6.QtQuick import QQuickWindow

from softphone.resources import resource_path
from softphone.ui.inspector.feed import InspectorFeed
from softphone.ui.inspector.viewmodel import InspectorViewModel

_OPEN: set[InspectorWindow] = set()  # open windows stay alive until close()


class InspectorLoadError(RuntimeError):
    """The Inspector's QML failed to load."""


class InspectorWindow:
    """Owns the view-model, the QML window and (when not shared) the engine that made it."""

    def __init__(self, feed: InspectorFeed, engine: QQmlEngine | None = None) -> None:
        self.view_model = InspectorViewModel(feed)
        self._own_engine = engine is None
        self.engine: QQmlEngine = engine if engine is not None else QQmlApplicationEngine()
        url = QUrl.fromLocalFile(str(qml_path()))
        self._component = QQmlComponent(self.engine, url)
        obj = self._component.createWithInitialProperties({"inspector": self.view_model})
        if not isinstance(obj, QQuickWindow):
            errors = "; ".join(e.toString() for e in self._component.errors())
            raise InspectorLoadError(f"InspectorWindow.qml failed to load: {errors or obj!r}")
        self.window: QQuickWindow = obj
        # The window owns the view-model, so QML never outlives the object it binds to.
        self.view_model.setParent(self.window)
        _OPEN.add(self)

    def show(self) -> None:
        self.window.show()
        self.window.raise_()

    def close(self) -> None:
        """Close the window and stop following the feed."""
        _OPEN.discard(self)
        self.view_model.close()
        self.window.close()
        # The window goes first: QML bindings must never see the view-model disappear.
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def grab(self, path: str | Path) -> QImage:
        """Render the window to an image file (used for screenshots and the reference test)."""
        image = self.window.grabWindow()
        image.save(str(path))
        return image


def qml_path() -> Path:
    return resource_path("qml", "inspector", "InspectorWindow.qml")


def open_inspector(feed: InspectorFeed, parent_engine: QQmlEngine | None = None) -> InspectorWindow:
    """Create and show the Inspector for ``feed``; share ``parent_engine`` when given.

    Keep the returned object: it owns the window and its view-model.
    """
    inspector = InspectorWindow(feed, parent_engine)
    inspector.show()
    return inspector
