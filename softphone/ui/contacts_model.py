"""ContactsListModel: the Contacts tab, sorted by name with letter sections."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QUrl,
    Signal,
    Slot,
)

from softphone.recents import Contact, RecentsError, RecentsStore

ModelIndex = QModelIndex | QPersistentModelIndex


class _Qt:
    """Qt::DisplayRole and Qt::UserRole as plain ints: touching ``Qt.ItemDataRole``
    makes PySide build every enum of the Qt namespace (~30 ms before the first frame)."""

    DISPLAY_ROLE = 0
    USER_ROLE = 0x0100


class ContactsRole(enum.IntEnum):
    NAME = _Qt.USER_ROLE + 1
    NUMBERS = enum.auto()
    SIP_URIS = enum.auto()
    INITIALS = enum.auto()
    SECTION = enum.auto()
    CONTACT_ID = enum.auto()


_ROLE_NAMES = {
    ContactsRole.NAME: b"name",
    ContactsRole.NUMBERS: b"numbers",
    ContactsRole.SIP_URIS: b"sipUris",
    ContactsRole.INITIALS: b"initials",
    ContactsRole.SECTION: b"section",
    ContactsRole.CONTACT_ID: b"contactId",
}


def initials(name: str) -> str:
    """ "Anna Maria Smith" -> "AS" (first and last word), like the iOS avatar."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if not words:
        return "#"
    first = words[0][0]
    return (first + words[-1][0]).upper() if len(words) > 1 else first.upper()


def section(name: str) -> str:
    """The index letter: the first letter, "#" for digits and symbols."""
    c = name.strip()[:1].upper()
    return c if c.isalpha() else "#"


def _local_path(path: str) -> Path:
    """Accept plain paths and the file:// URLs QML's FileDialog gives."""
    if path.startswith("file:"):
        return Path(QUrl(path).toLocalFile())
    return Path(path)


class ContactsListModel(QAbstractListModel):
    """Contacts of a :class:`RecentsStore` for QML; ``searchText`` narrows the list.
    Failures of the slots are explained in ``lastError``."""

    searchTextChanged = Signal()
    lastErrorChanged = Signal()

    def __init__(self, store: RecentsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._search = ""
        self._error = ""
        self._rows: list[Contact] = store.contacts.all()
        self._quiet = False
        unsubscribe = store.subscribe(self._on_store_changed)
        self.destroyed.connect(lambda *_a: unsubscribe())

    def _on_store_changed(self, kind: str) -> None:
        if kind == "contacts" and not self._quiet:
            self.reload()

    def roleNames(self) -> dict[int, QByteArray]:
        return {int(k): QByteArray(v) for k, v in _ROLE_NAMES.items()}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = _Qt.DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        match role:
            case _Qt.DISPLAY_ROLE | ContactsRole.NAME:
                return c.name
            case ContactsRole.NUMBERS:
                return list(c.numbers)
            case ContactsRole.SIP_URIS:
                return list(c.sip_uris)
            case ContactsRole.INITIALS:
                return initials(c.name)
            case ContactsRole.SECTION:
                return section(c.name)
            case ContactsRole.CONTACT_ID:
                return c.id
        return None

    def _get_search(self) -> str:
        return self._search

    def _set_search(self, value: str) -> None:
        if value != self._search:
            self._search = value
            self.searchTextChanged.emit()
            self.reload()

    searchText = Property(str, _get_search, _set_search, notify=searchTextChanged)

    def _get_error(self) -> str:
        return self._error

    lastError = Property(str, _get_error, notify=lastErrorChanged)

    def _set_error(self, text: str) -> None:
        if text != self._error:
            self._error = text
            self.lastErrorChanged.emit()

    @Slot()
    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._store.contacts.search(self._search)
        self.endResetModel()

    @Slot(str, str, str, result=bool)
    def add(self, name: str, number: str, sip_uri: str) -> bool:
        """Add a contact; False (and ``lastError``) when the input is not usable."""
        try:
            contact = Contact(name, (number,) if number else (), (sip_uri,) if sip_uri else ())
            self._store.contacts.add(contact)
        except RecentsError as exc:
            self._set_error(str(exc))
            return False
        self._set_error("")  # the store's change notice has reloaded the rows
        return True

    @Slot(int)
    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        contact_id = self._rows[row].id
        assert contact_id is not None
        self._quiet = True
        try:
            self._store.contacts.delete(contact_id)
        finally:
            self._quiet = False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    @Slot(str, result=int)
    def importVCard(self, path: str) -> int:
        """Import a .vcf file; returns how many contacts were added, -1 on error."""
        try:
            text = _local_path(path).read_text(encoding="utf-8")
            added = self._store.contacts.import_vcard(text)
        except (OSError, UnicodeDecodeError, RecentsError) as exc:
            self._set_error(f"Could not import {path}: {exc}")
            return -1
        self._set_error("")
        return len(added)

    @Slot(str, result=int)
    def exportVCard(self, path: str) -> int:
        """Write every contact to a .vcf file; returns the count, -1 on error."""
        contacts = self._store.contacts.all()
        target = _local_path(path)
        try:
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(self._store.contacts.export_vcard(contacts), encoding="utf-8")
            tmp.replace(target)
        except OSError as exc:
            self._set_error(f"Could not export to {path}: {exc}")
            return -1
        self._set_error("")
        return len(contacts)
