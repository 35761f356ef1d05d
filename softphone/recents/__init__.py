"""The call history (Recents), contacts and call directory, stored in SQLite.

``RecentsStore(default_db_path(profile_paths(name).data_dir))`` opens one profile's
history; this package imports only the standard library (plus vobject, lazily, for
vCards), so the caller passes the path.
"""

from __future__ import annotations

from softphone.recents._contacts import Contact, ContactBook
from softphone.recents._directory import CallDirectoryStore, DirectoryChanges
from softphone.recents._grouping import group_key, iter_groups
from softphone.recents._handles import e164, handle_key
from softphone.recents._record import (
    BADGE_CLASS,
    MISSED_CLASS,
    CallEntry,
    CallRecord,
    PageCursor,
    RecentsError,
    RecentsGroup,
    RecentsPage,
    RecentsStatus,
)
from softphone.recents._schema import SCHEMA_VERSION
from softphone.recents._store import DB_FILE_NAME, FILTERS, RecentsStore, default_db_path

__all__ = [
    "BADGE_CLASS",
    "DB_FILE_NAME",
    "FILTERS",
    "MISSED_CLASS",
    "SCHEMA_VERSION",
    "CallDirectoryStore",
    "CallEntry",
    "CallRecord",
    "Contact",
    "ContactBook",
    "DirectoryChanges",
    "PageCursor",
    "RecentsError",
    "RecentsGroup",
    "RecentsPage",
    "RecentsStatus",
    "RecentsStore",
    "default_db_path",
    "e164",
    "group_key",
    "handle_key",
    "iter_groups",
]
