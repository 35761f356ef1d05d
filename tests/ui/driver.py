"""Drive the real QML like a user: find items by objectName, click, long-press, slide, type."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QEvent, QEventLoop, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from softphone.ui.window import PhoneWindow


def pump(ms: int = 0) -> None:
    """Let Qt run for ``ms`` milliseconds (animations, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (letting Qt and asyncio run) until ``check()`` is true; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting on the screens")
        pump(10)
        await asyncio.sleep(0.02)


def find(win: PhoneWindow, name: str) -> QQuickItem:
    """The visible item called ``name`` (several screens reuse names; only one is shown)."""
    items = [i for i in _walk(win.window.contentItem()) if i.objectName() == name]
    shown = [i for i in items if i.isVisible() and _opaque(i)]
    if not shown:
        raise LookupError(f"no visible QML item {name!r} (found {len(items)} hidden)")
    return shown[-1]


def _walk(item: QQuickItem) -> list[QQuickItem]:
    found = [item]
    for child in item.childItems():
        found.extend(_walk(child))
    return found


def exists(win: PhoneWindow, name: str) -> bool:
    try:
        find(win, name)
    except LookupError:
        return False
    return True


def _opaque(item: QQuickItem) -> bool:
    node: QQuickItem | None = item
    while node is not None:
        if node.opacity() <= 0.01:
            return False
        node = node.parentItem()
    return True


def center(win: PhoneWindow, name: str) -> QPoint:
    item = find(win, name)
    point = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    return point.toPoint()


def click(win: PhoneWindow, name: str) -> None:
    QTest.mouseClick(
        win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center(win, name)
    )
    pump(10)


def long_press(win: PhoneWindow, name: str, ms: int = 900) -> None:
    """Press and hold past Qt's press-and-hold delay (800 ms)."""
    pos = center(win, name)
    QTest.mousePress(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    pump(ms)
    QTest.mouseRelease(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    pump(10)


def slide(win: PhoneWindow, name: str, dx: float, steps: int = 12) -> None:
    """Drag ``name`` sideways by ``dx`` scene pixels, like a finger."""
    start = center(win, name)
    QTest.mousePress(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(win.window, QPoint(start.x() + int(dx * i / steps), start.y()), 10)
    end = QPoint(start.x() + int(dx), start.y())
    QTest.mouseRelease(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    pump(10)


def swipe_up(win: PhoneWindow, name: str, dy: float, steps: int = 8) -> None:
    start = center(win, name)
    QTest.mousePress(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(win.window, QPoint(start.x(), start.y() - int(dy * i / steps)), 10)
    end = QPoint(start.x(), start.y() - int(dy))
    QTest.mouseRelease(win.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    pump(10)


def key(
    win: PhoneWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(win.window, key, modifiers)
    pump(5)


def type_text(win: PhoneWindow, text: str) -> None:
    for char in text:
        code = ord(char.upper()) if char.isalnum() else _SYMBOLS.get(char, 0)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, char)
            QGuiApplication.sendEvent(win.window, event)
    pump(5)


_SYMBOLS = {
    "*": int(Qt.Key.Key_Asterisk),
    "#": int(Qt.Key.Key_NumberSign),
    "+": int(Qt.Key.Key_Plus),
    "@": int(Qt.Key.Key_At),
    ".": int(Qt.Key.Key_Period),
    ":": int(Qt.Key.Key_Colon),
}


def text_of(win: PhoneWindow, name: str) -> str:
    return str(find(win, name).property("text"))


def set_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
