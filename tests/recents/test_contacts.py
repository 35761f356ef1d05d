"""Contacts: storage, search, caller-ID lookup, vCard import/export."""

from __future__ import annotations

import pytest

from softphone.recents import Contact, RecentsError, RecentsStore
from softphone.recents._vcard import VCardError

VCF = """BEGIN:VCARD
VERSION:3.0
FN:Anna Smith
N:Smith;Anna;;;
TEL;TYPE=CELL:+49 30 1234567
TEL;TYPE=WORK:(030) 7654321
IMPP;X-SERVICE-TYPE=SIP:sip:anna@example.org
END:VCARD
BEGIN:VCARD
VERSION:4.0
N:Lee;Bo;;;
TEL:sip:bo@pbx.local
X-SIP:bo2@pbx.local
END:VCARD
"""


class TestContacts:
    def test_add_update_delete_and_get(self, store: RecentsStore) -> None:
        """A contact round-trips; update replaces its handles; delete removes it."""
        c = store.contacts.add(Contact("Anna", ("+4930123456",), ("sip:anna@x.org",)))
        assert c.id is not None and store.contacts.get(c.id) == c
        c2 = Contact("Anna B", ("+4930999999",), (), id=c.id)
        store.contacts.update(c2)
        assert store.contacts.get(c.id) == c2
        assert store.contacts.lookup_by_handle("+4930123456") is None
        assert store.contacts.delete(c.id) and store.contacts.get(c.id) is None
        with pytest.raises(RecentsError, match="no contact"):
            store.contacts.update(c2)

    def test_bad_contacts_are_refused(self, store: RecentsStore) -> None:
        """Empty contacts, non-numbers and non-SIP URIs raise RecentsError."""
        with pytest.raises(RecentsError):
            Contact("")
        with pytest.raises(RecentsError, match="not a phone number"):
            Contact("X", ("call me",))
        with pytest.raises(RecentsError, match="not a SIP URI"):
            Contact("X", (), ("alice@example.com",))

    def test_search_is_sorted_and_matches_numbers(self, store: RecentsStore) -> None:
        """Search looks at names, numbers (any spelling) and URIs; results sort by name."""
        store.contacts.add_many(
            [Contact("bob", ("+1 800 555 0000",)), Contact("Alice", (), ("sip:al@x.org",))]
        )
        assert [c.name for c in store.contacts.all()] == ["Alice", "bob"]
        assert [c.name for c in store.contacts.search("8005550")] == ["bob"]
        assert [c.name for c in store.contacts.search("al@x")] == ["Alice"]
        assert store.contacts.search("zzz") == []

    @pytest.mark.parametrize(
        "handle",
        [
            "+1 (800) 555-1234",
            "18005551234",
            "8005551234",
            "tel:+18005551234",
            "sip:+18005551234@pbx.example.com;user=phone",
            "001 800 555 1234",
        ],
    )
    def test_lookup_normalises_numbers(self, store: RecentsStore, handle: str) -> None:
        """Caller ID finds the contact however the number is written."""
        store.contacts.add(Contact("Pizza", ("+1-800-555-1234",)))
        found = store.contacts.lookup_by_handle(handle)
        assert found is not None and found.name == "Pizza"

    def test_lookup_sip_uri_ignores_params_and_host_case(self, store: RecentsStore) -> None:
        """SIP URIs match without their parameters and with any host case."""
        store.contacts.add(Contact("Al", (), ("sip:al@Example.COM",)))
        assert store.contacts.lookup_by_handle("<sip:al@example.com;transport=tcp>") is not None
        assert store.contacts.lookup_by_handle("sip:AL@example.com") is None
        assert store.contacts.lookup_by_handle("+1555") is None

    def test_lookup_finds_a_sip_caller_written_without_the_scheme(
        self, store: RecentsStore
    ) -> None:
        """Recents keep SIP callers as ``user@host``; contacts keep ``sip:user@host``."""
        store.contacts.add(Contact("Al", (), ("sip:al@example.com",)))
        found = store.contacts.lookup_by_handle("al@Example.com")
        assert found is not None and found.name == "Al"
        assert store.contacts.lookup_by_handle("bo@example.com") is None

    def test_display_name_prefers_contact(self, store: RecentsStore) -> None:
        """Recents show the contact's current name, else the name at call time."""
        from tests.recents.conftest import rec

        store.add(rec("+4930111", caller_name="Old Name"))
        entry = store.page().groups[0].latest
        assert store.display_name(entry) == "Old Name"
        store.contacts.add(Contact("New Name", ("030111",)))
        store.contacts.add(Contact("Other", ("+4930111",)))
        assert store.display_name(entry) == "Other"


class TestVCard:
    def test_import_reads_names_numbers_and_sip(self, store: RecentsStore) -> None:
        """FN/N, TEL and IMPP/X-SIP/TEL:sip are understood."""
        added = store.contacts.import_vcard(VCF)
        assert [(c.name, c.numbers, c.sip_uris) for c in added] == [
            ("Anna Smith", ("+49 30 1234567", "(030) 7654321"), ("sip:anna@example.org",)),
            ("Bo Lee", (), ("sip:bo@pbx.local", "sip:bo2@pbx.local")),
        ]
        assert store.contacts.lookup_by_handle("sip:bo2@pbx.local") is not None

    def test_export_then_import_round_trips(self, store: RecentsStore, db_path: object) -> None:
        """Exported vCards re-import to equal contacts."""
        store.contacts.import_vcard(VCF)
        text = store.contacts.export_vcard()
        assert text.count("BEGIN:VCARD") == 2
        with RecentsStore(":memory:") as other:
            again = other.contacts.import_vcard(text)
        assert [(c.name, c.numbers, c.sip_uris) for c in again] == [
            (c.name, c.numbers, c.sip_uris) for c in store.contacts.all()
        ]

    @pytest.mark.parametrize(
        "bad",
        ["BEGIN:VCARD\nFN:x\n", "hello world", "BEGIN:VCARD\nVERSION:3.0\nTEL:abc\nEND:VCARD\n"],
    )
    def test_bad_vcard_imports_nothing(self, store: RecentsStore, bad: str) -> None:
        """A broken file raises VCardError and no contact is added, not even good ones."""
        with pytest.raises(VCardError):
            store.contacts.import_vcard(VCF + bad)
        assert store.contacts.count() == 0
