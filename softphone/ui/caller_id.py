"""Caller ID from the address book model (iOS names calls from Contacts)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel

from softphone.ui.numbers import same_number


def lookup_contact_name(model: QAbstractItemModel, handle: str) -> str:
    """The name of the contact with a number or SIP URI matching ``handle`` ('' if none).

    Works with any list model exposing the roles ``name``, ``numbers`` and ``sipUris``.
    """
    roles = {bytes(v.data()).decode(): k for k, v in model.roleNames().items()}
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        numbers = list(model.data(index, roles.get("numbers", -1)) or [])
        numbers += list(model.data(index, roles.get("sipUris", -1)) or [])
        if any(same_number(handle, n) for n in numbers):
            return str(model.data(index, roles.get("name", -1)) or "")
    return ""
