"""Fixtures for the Inspector window tests: a sample feed and the real QML window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtQuick import QQuickItem, QQuickWindow
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from softphone.ui.inspector.feed import InspectorFeed
from softphone.ui.inspector.sample import make_sample_feed
from softphone.ui.inspector.window import InspectorWindow, open_inspector


@pytest.fixture
def sample_feed() -> InspectorFeed:
    return make_sample_feed()


@pytest.fixture
def inspector(qtbot: QtBot, sample_feed: InspectorFeed) -> Iterator[InspectorWindow]:
    window = open_inspector(sample_feed)
    qtbot.waitExposed(window.window)
    yield window
    window.close()


def find_item(window: QQuickWindow, name: str) -> QQuickItem | None:
    """The visual item called ``name`` (delegates included), searching the item tree."""
    stack = [window.contentItem()]
    while stack:
        item = stack.pop()
        if item.objectName() == name:
            return item
        stack.extend(item.childItems())
    return None


def type_text(window: QQuickWindow, text: str) -> None:
    """Type ``text`` into the focused item, key by key."""
    for ch in text:
        key = Qt.Key(ord(ch.upper()))
        for action in (QTest.KeyAction.Press, QTest.KeyAction.Release):
            QTest.sendKeyEvent(action, window, key, ch, Qt.KeyboardModifier.NoModifier)


def press_key(window: QQuickWindow, key: Qt.Key) -> None:
    for action in (QTest.KeyAction.Press, QTest.KeyAction.Release):
        QTest.sendKeyEvent(action, window, key, "", Qt.KeyboardModifier.NoModifier)


def click_item(qtbot: QtBot, window: QQuickWindow, name: str) -> None:
    """Click the centre of the item called ``name`` like a user would."""
    qtbot.waitUntil(lambda: find_item(window, name) is not None, timeout=2000)
    item = find_item(window, name)
    assert item is not None and item.isVisible(), name
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
