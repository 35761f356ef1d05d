"""Grouping and paging invariants over random histories (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from softphone.recents import RecentsStore
from tests.recents.conftest import NOON, rec

calls = st.lists(
    st.tuples(
        st.sampled_from(["+1555000", "+1 555 000", "sip:a@x", "+4930111"]),
        st.sampled_from(["incoming", "outgoing", "missed", "declined", "cancelled"]),
        st.integers(0, 4 * 86400),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(calls, st.integers(1, 7), st.sampled_from(["all", "missed"]))
def test_pages_equal_one_pass_and_groups_are_maximal(
    history: list[tuple[str, str, int]], limit: int, filter: str
) -> None:
    """Paged groups equal unpaged ones; each group shares one key; neighbours differ."""
    with RecentsStore(":memory:", tz=dt.timezone.utc) as store:
        talk = {"incoming": 30.0, "outgoing": 30.0}
        store.add_many(rec(h, s, at=NOON + t, talk=talk.get(s)) for h, s, t in history)
        whole = store.page(filter, limit=10_000).groups
        paged, cursor = [], None
        while True:
            page = store.page(filter, after=cursor, limit=limit)
            paged += page.groups
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert [g.ids for g in paged] == [g.ids for g in whole]
        expected = sum(1 for _, s, _ in history if filter == "all" or s in ("missed", "declined"))
        assert sum(g.count for g in whole) == expected
        for g in whole:
            assert len({store.group_key(e) for e in g.entries}) == 1
        flat = [(e.record.started_at, e.id) for g in whole for e in g.entries]
        assert flat == sorted(flat, reverse=True)
        for a, b in itertools.pairwise(whole):
            assert store.group_key(a.latest) != store.group_key(b.latest)
