"""A local address book in the Recents database, used for caller ID and the Contacts tab."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace

from softphone.recents._handles import handle_key, number_tail, phone_digits, sip_key
from softphone.recents._record import RecentsError
from softphone.recents._tx import Database


@dataclass(frozen=True)
class Contact:
    """A person: a name, phone numbers and SIP URIs (as written by the user).
    ``id`` is None until stored."""

    name: str
    numbers: tuple[str, ...] = ()
    sip_uris: tuple[str, ...] = ()
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", str(self.name).strip())
        object.__setattr__(
            self, "numbers", tuple(str(n).strip() for n in self.numbers if str(n).strip())
        )
        object.__setattr__(
            self, "sip_uris", tuple(str(u).strip() for u in self.sip_uris if str(u).strip())
        )
        if not self.name and not self.numbers and not self.sip_uris:
            raise RecentsError("a contact needs a name, a number or a SIP URI")
        for n in self.numbers:
            if phone_digits(n) is None:
                raise RecentsError(f"not a phone number: {n!r}")
        for u in self.sip_uris:
            if sip_key(u) is None:
                raise RecentsError(f"not a SIP URI (sip:user@host): {u!r}")


def _handle_rows(c: Contact) -> list[tuple[str, str, str, str | None]]:
    rows: list[tuple[str, str, str, str | None]] = []
    for kind, values in (("number", c.numbers), ("sip", c.sip_uris)):
        for v in values:
            key = handle_key(v)
            rows.append((kind, v, key, number_tail(key)))
    return rows


class ContactBook:
    """Contacts stored next to the call history (same file, same transactions)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, contact: Contact) -> Contact:
        """Store a new contact; returns it with its id."""
        return self.add_many([contact])[0]

    def add_many(self, contacts: Iterable[Contact]) -> list[Contact]:
        """Store several contacts in one transaction (all or none)."""
        out: list[Contact] = []
        with self._db.write() as conn:
            for c in contacts:
                cur = conn.execute("INSERT INTO contacts(name) VALUES (?)", (c.name,))
                assert cur.lastrowid is not None
                self._write_handles(conn, cur.lastrowid, c)
                out.append(replace(c, id=cur.lastrowid))
        self._db.changed("contacts")
        return out

    def update(self, contact: Contact) -> Contact:
        """Replace a stored contact's name and handles."""
        if contact.id is None:
            raise RecentsError("update needs a stored contact (id is None)")
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE contacts SET name = ? WHERE id = ?", (contact.name, contact.id)
            )
            if cur.rowcount != 1:
                raise RecentsError(f"no contact with id {contact.id}")
            conn.execute("DELETE FROM contact_handles WHERE contact_id = ?", (contact.id,))
            self._write_handles(conn, contact.id, contact)
        self._db.changed("contacts")
        return contact

    def delete(self, contact_id: int) -> bool:
        with self._db.write() as conn:
            n = conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,)).rowcount
        self._db.changed("contacts")
        return n == 1

    @staticmethod
    def _write_handles(conn: sqlite3.Connection, contact_id: int, c: Contact) -> None:
        conn.executemany(
            "INSERT INTO contact_handles(contact_id, position, kind, value, key, tail) "
            "VALUES (?,?,?,?,?,?)",
            [(contact_id, i, *row) for i, row in enumerate(_handle_rows(c))],
        )

    def get(self, contact_id: int) -> Contact | None:
        row = self._db.conn.execute(
            "SELECT id, name FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        return self._load([row])[0] if row else None

    def _load(self, rows: list[tuple[int, str]]) -> list[Contact]:
        out = []
        for cid, name in rows:
            handles = self._db.conn.execute(
                "SELECT kind, value FROM contact_handles WHERE contact_id = ? ORDER BY position",
                (cid,),
            ).fetchall()
            numbers = tuple(v for k, v in handles if k == "number")
            uris = tuple(v for k, v in handles if k == "sip")
            out.append(Contact(name, numbers, uris, id=cid))
        return out

    def all(self) -> list[Contact]:
        """Every contact, sorted by name (case-insensitive)."""
        return self.search("")

    def count(self) -> int:
        return int(self._db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])

    def search(self, text: str, offset: int = 0, limit: int = -1) -> list[Contact]:
        """Contacts whose name, number or SIP URI contains ``text``, by name."""
        text = text.strip()
        sql = "SELECT id, name FROM contacts"
        args: list[object] = []
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql += (
                " WHERE name LIKE ? ESCAPE '\\' OR id IN (SELECT contact_id FROM contact_handles"
                " WHERE value LIKE ? ESCAPE '\\' OR key LIKE ? ESCAPE '\\')"
            )
            digits = phone_digits(text)
            args += [like, like, f"%{digits}%" if digits else like]
        sql += " ORDER BY name COLLATE NOCASE, id LIMIT ? OFFSET ?"
        args += [limit, offset]
        return self._load(self._db.conn.execute(sql, args).fetchall())

    def lookup_by_handle(self, handle: str) -> Contact | None:
        """Caller ID: the contact owning this number or SIP URI. Numbers match when
        written differently ("+1 800-555-1234", "18005551234", "(800) 555 1234")."""
        key = handle_key(handle)
        row = self._db.conn.execute(
            "SELECT contact_id FROM contact_handles WHERE key = ? ORDER BY contact_id LIMIT 1",
            (key,),
        ).fetchone()
        tail = number_tail(key)
        if row is None and tail is not None:
            row = self._db.conn.execute(
                "SELECT contact_id FROM contact_handles WHERE tail = ? ORDER BY contact_id LIMIT 1",
                (tail,),
            ).fetchone()
        return self.get(row[0]) if row else None

    def import_vcard(self, data: str) -> list[Contact]:
        """Add the contacts of vCard text (all or none); raises :class:`VCardError`."""
        from softphone.recents._vcard import parse_vcards

        return self.add_many(parse_vcards(data))

    def export_vcard(self, contacts: Iterable[Contact] | None = None) -> str:
        """vCard 3.0 text of ``contacts`` (all by default)."""
        from softphone.recents._vcard import serialize_vcards

        return serialize_vcards(self.all() if contacts is None else contacts)
