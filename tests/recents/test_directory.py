"""Call Directory data: ascending E.164 numbers, incremental changes."""

from __future__ import annotations

import pytest

from softphone.recents import RecentsError, RecentsStore, e164


class TestDirectory:
    def test_entries_come_back_ascending(self, store: RecentsStore) -> None:
        """Numbers added in any order are returned ascending, as iOS requires."""
        d = store.directory
        d.add_blocking([18005555678, "+1 800 555 1234", 4930123])
        d.add_identification([(18005552222, "Dentist"), ("+1-800-555-1111", "Pizza")])
        assert d.blocking_numbers() == [4930123, 18005551234, 18005555678]
        assert d.identification_entries() == [(18005551111, "Pizza"), (18005552222, "Dentist")]
        assert d.is_blocked("+18005551234") and not d.is_blocked(1)
        assert d.identify(18005552222) == "Dentist" and d.identify("x") is None

    def test_incremental_changes(self, store: RecentsStore) -> None:
        """changes_since gives net, ascending add/remove lists since a version."""
        d = store.directory
        d.add_blocking([300, 100])
        v1 = d.version
        d.add_blocking([200])
        d.remove_blocking([300])
        d.add_identification([(500, "A")])
        d.remove_identification([500])
        d.add_identification([(600, "B"), (400, "C")])
        d.remove_blocking([999])  # absent: no change recorded
        ch = d.changes_since(v1)
        assert ch.blocking_added == [200] and ch.blocking_removed == [300]
        assert ch.identification_added == [(400, "C"), (600, "B")]
        assert ch.identification_removed == [500]
        assert ch.version == d.version > v1
        assert d.changes_since(d.version).blocking_added == []
        full = d.changes_since(0)
        assert full.blocking_added == d.blocking_numbers() == [100, 200]

    @pytest.mark.parametrize("bad", [0, -5, 10**15, True, "abc", 1.5])
    def test_bad_numbers_are_refused(self, store: RecentsStore, bad: object) -> None:
        """Non-E.164 values raise RecentsError and nothing is stored."""
        with pytest.raises(RecentsError):
            store.directory.add_blocking([123, bad])  # type: ignore[list-item]
        assert store.directory.blocking_numbers() == []
        with pytest.raises(RecentsError):
            e164(bad)  # type: ignore[arg-type]

    def test_empty_label_refused(self, store: RecentsStore) -> None:
        """An identification entry needs a label."""
        with pytest.raises(RecentsError, match="label"):
            store.directory.add_identification([(123, " ")])
