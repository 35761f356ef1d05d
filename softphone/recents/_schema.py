"""Schema migrations, applied in order; ``PRAGMA user_version`` is the schema version."""

from __future__ import annotations

#: Marks a SQLite file as ours ("SfPh"); another application's database is never migrated.
APPLICATION_ID = 0x53665068

_V1_CALLS = """
CREATE TABLE calls(
    id INTEGER PRIMARY KEY,
    uuid TEXT,
    is_outgoing INTEGER NOT NULL,
    status TEXT NOT NULL,
    is_missed INTEGER NOT NULL,
    handle TEXT NOT NULL,
    handle_type TEXT NOT NULL,
    handle_key TEXT NOT NULL,
    caller_name TEXT NOT NULL,
    started_at REAL NOT NULL,
    connected_at REAL,
    ended_at REAL NOT NULL,
    duration REAL NOT NULL,
    end_reason TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    participants TEXT NOT NULL,
    seen INTEGER NOT NULL
);
CREATE UNIQUE INDEX calls_uuid ON calls(uuid) WHERE uuid IS NOT NULL;
CREATE INDEX calls_time ON calls(started_at DESC, id DESC);
CREATE INDEX calls_missed_time ON calls(started_at DESC, id DESC) WHERE is_missed = 1;
CREATE INDEX calls_unseen ON calls(seen) WHERE seen = 0;
"""

_V2_CONTACTS = """
CREATE TABLE contacts(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE INDEX contacts_name ON contacts(name COLLATE NOCASE);
CREATE TABLE contact_handles(
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('number', 'sip')),
    value TEXT NOT NULL,
    key TEXT NOT NULL,
    tail TEXT
);
CREATE INDEX contact_handles_contact ON contact_handles(contact_id);
CREATE INDEX contact_handles_key ON contact_handles(key);
CREATE INDEX contact_handles_tail ON contact_handles(tail) WHERE tail IS NOT NULL;
"""

_V3_DIRECTORY = """
CREATE TABLE directory_blocking(number INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE directory_identification(
    number INTEGER PRIMARY KEY,
    label TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE directory_changes(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('blocking', 'identification')),
    op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    number INTEGER NOT NULL,
    label TEXT
);
"""

#: MIGRATIONS[i] takes a database from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (_V1_CALLS, _V2_CONTACTS, _V3_DIRECTORY)
SCHEMA_VERSION = len(MIGRATIONS)
