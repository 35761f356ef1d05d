"""Call blocking and identification (Apple: Call Directory extensions).

Like ``CXCallDirectoryExtensionContext``, entries are E.164 numbers as ``int`` and must be
added in strictly ascending order per list; a reload is all-or-nothing, so a bad entry
raises :class:`CallKitError` and leaves the directory as it was.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from ._errors import CallKitError
from ._errors import CXErrorCodeCallDirectoryManagerError as DirErr

__all__ = ["CallDirectory", "CallDirectoryContext"]


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a phone number is an E.164 int, got {value!r}")
    if value <= 0:
        raise ValueError(f"a phone number must be positive, got {value}")
    return value


def _label(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a label must be str, got {value!r}")
    if not value.strip():
        raise ValueError("a label must not be empty")
    return value


class CallDirectoryContext:
    """Apple: ``CXCallDirectoryExtensionContext``: collects one reload's entries."""

    def __init__(
        self,
        blocked: list[int],
        identified: dict[int, str],
        *,
        is_incremental: bool,
        maximum_entries: int | None,
    ) -> None:
        self.is_incremental = is_incremental
        self._blocked = list(blocked) if is_incremental else []
        self._identified = dict(identified) if is_incremental else {}
        self._last_blocked: int | None = None
        self._last_identified: int | None = None
        self._maximum = maximum_entries

    def _ascending(self, number: int, last: int | None) -> None:
        if last is None or number > last:
            return
        code = DirErr.DUPLICATE_ENTRIES if number == last else DirErr.ENTRIES_OUT_OF_ORDER
        raise CallKitError(code, f"{number} added after {last}")

    def _check_size(self) -> None:
        total = len(self._blocked) + len(self._identified)
        if self._maximum is not None and total > self._maximum:
            raise CallKitError(DirErr.MAXIMUM_ENTRIES_EXCEEDED, f"more than {self._maximum}")

    def add_blocking_entry(self, number: int) -> None:
        """Apple: ``addBlockingEntry(withNextSequentialPhoneNumber:)``."""
        number = _number(number)
        self._ascending(number, self._last_blocked)
        index = bisect.bisect_left(self._blocked, number)
        if index < len(self._blocked) and self._blocked[index] == number:
            raise CallKitError(DirErr.DUPLICATE_ENTRIES, f"{number} is already blocked")
        self._blocked.insert(index, number)
        self._last_blocked = number
        self._check_size()

    def add_identification_entry(self, number: int, label: str) -> None:
        """Apple: ``addIdentificationEntry(withNextSequentialPhoneNumber:label:)``."""
        number, label = _number(number), _label(label)
        self._ascending(number, self._last_identified)
        if number in self._identified:
            raise CallKitError(DirErr.DUPLICATE_ENTRIES, f"{number} is already identified")
        self._identified[number] = label
        self._last_identified = number
        self._check_size()

    def _need_incremental(self) -> None:
        if not self.is_incremental:
            raise CallKitError(DirErr.UNEXPECTED_INCREMENTAL_REMOVAL, "not an incremental reload")

    def remove_blocking_entry(self, number: int) -> None:
        """Apple: ``removeBlockingEntry(withPhoneNumber:)`` (incremental reloads only)."""
        self._need_incremental()
        number = _number(number)
        index = bisect.bisect_left(self._blocked, number)
        if index == len(self._blocked) or self._blocked[index] != number:
            raise CallKitError(DirErr.UNKNOWN, f"{number} is not blocked")
        del self._blocked[index]

    def remove_identification_entry(self, number: int) -> None:
        """Apple: ``removeIdentificationEntry(withPhoneNumber:)`` (incremental reloads only)."""
        self._need_incremental()
        if self._identified.pop(_number(number), None) is None:
            raise CallKitError(DirErr.UNKNOWN, f"{number} is not identified")

    def remove_all_blocking_entries(self) -> None:
        """Apple: ``removeAllBlockingEntries()`` (incremental reloads only)."""
        self._need_incremental()
        self._blocked.clear()

    def remove_all_identification_entries(self) -> None:
        """Apple: ``removeAllIdentificationEntries()`` (incremental reloads only)."""
        self._need_incremental()
        self._identified.clear()


class CallDirectory:
    """The system's block and identification lists (Apple: ``CXCallDirectoryManager`` plus
    the data of ``CXCallDirectoryProvider`` extensions)."""

    def __init__(self, *, maximum_entries: int | None = None) -> None:
        self._blocked: list[int] = []
        self._identified: dict[int, str] = {}
        self._maximum = maximum_entries
        self._loading = False
        self.enabled = True
        self._listeners: list[Callable[[], None]] = []

    def reload(
        self, handler: Callable[[CallDirectoryContext], None], *, incremental: bool = False
    ) -> None:
        """Apple: ``reloadExtension(withIdentifier:)`` running ``beginRequest(with:)``.

        ``handler`` fills the context; on any error nothing changes and the error is raised.
        """
        if not self.enabled:
            raise CallKitError(DirErr.EXTENSION_DISABLED, "the call directory is disabled")
        if self._loading:
            raise CallKitError(DirErr.CURRENTLY_LOADING, "a reload is already running")
        context = CallDirectoryContext(
            self._blocked,
            self._identified,
            is_incremental=incremental,
            maximum_entries=self._maximum,
        )
        self._loading = True
        try:
            handler(context)
        finally:
            self._loading = False
        self._blocked, self._identified = context._blocked, context._identified
        for listener in list(self._listeners):
            listener()

    def replace_all(
        self, blocked: Iterable[int], identified: Iterable[tuple[int, str]] = ()
    ) -> None:
        """Load every entry from an external source (e.g. the contacts/Recents database).

        Entries are sorted first; duplicates still raise ``duplicate_entries``.
        """
        blocked_sorted = sorted(_number(n) for n in blocked)
        identified_sorted = sorted(((_number(n), _label(lbl)) for n, lbl in identified))

        def fill(context: CallDirectoryContext) -> None:
            for number in blocked_sorted:
                context.add_blocking_entry(number)
            for number, label in identified_sorted:
                context.add_identification_entry(number, label)

        self.reload(fill)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after each successful reload; returns an unsubscribe callable."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @staticmethod
    def _lookup_number(number: int | str | None) -> int | None:
        if number is None:
            return None
        if isinstance(number, str):
            digits = "".join(ch for ch in number if ch.isdigit())
            return int(digits) if digits else None
        return _number(number)

    def is_blocked(self, number: int | str | None) -> bool:
        """Whether calls from ``number`` are blocked."""
        value = self._lookup_number(number)
        if value is None or not self.enabled:
            return False
        index = bisect.bisect_left(self._blocked, value)
        return index < len(self._blocked) and self._blocked[index] == value

    def label_for(self, number: int | str | None) -> str | None:
        """The identification label for ``number``, if any."""
        value = self._lookup_number(number)
        if value is None or not self.enabled:
            return None
        return self._identified.get(value)

    @property
    def blocked_numbers(self) -> tuple[int, ...]:
        """Every blocked number, ascending."""
        return tuple(self._blocked)

    @property
    def identification_entries(self) -> tuple[tuple[int, str], ...]:
        """Every (number, label), ascending by number."""
        return tuple(sorted(self._identified.items()))
