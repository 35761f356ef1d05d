"""The call directory: ascending E.164 entries, blocking and identification of callers."""

from __future__ import annotations

import uuid

import pytest

from softphone.callkit import (
    CallDirectory,
    CallDirectoryContext,
    CallDirectoryReloaded,
    CallKitError,
    CallSystem,
    CXCallUpdate,
    CXErrorCodeCallDirectoryManagerError,
    CXErrorCodeIncomingCallError,
    CXHandle,
    CXHandleType,
    CXProvider,
    IncomingCallRejected,
    IncomingCallReported,
    RecentsStatus,
    e164_number,
)

from .conftest import of_type, update

DirErr = CXErrorCodeCallDirectoryManagerError


class TestEntries:
    def test_ascending_required(self) -> None:
        """Entries out of order raise entries_out_of_order and change nothing."""
        directory = CallDirectory()
        directory.replace_all([18005551234])

        def fill(ctx: CallDirectoryContext) -> None:
            ctx.add_blocking_entry(18005555678)
            ctx.add_blocking_entry(18005551111)

        with pytest.raises(CallKitError) as info:
            directory.reload(fill)
        assert info.value.code is DirErr.entries_out_of_order
        assert directory.blocked_numbers == (18005551234,)

    def test_duplicates(self) -> None:
        """The same number twice raises duplicate_entries."""

        def fill(ctx: CallDirectoryContext) -> None:
            ctx.add_identification_entry(18005551111, "Pizza")
            ctx.add_identification_entry(18005551111, "Pizza again")

        with pytest.raises(CallKitError) as info:
            CallDirectory().reload(fill)
        assert info.value.code is DirErr.DUPLICATE_ENTRIES
        with pytest.raises(CallKitError) as info:
            CallDirectory().replace_all([5, 5])
        assert info.value.code is DirErr.DUPLICATE_ENTRIES

    def test_lists_are_independent(self) -> None:
        """Blocking and identification keep their own ascending sequence."""
        directory = CallDirectory()

        def fill(ctx: CallDirectoryContext) -> None:
            ctx.add_blocking_entry(18005559999)
            ctx.add_identification_entry(18005551111, "Dentist")

        directory.reload(fill)
        assert directory.is_blocked(18005559999)
        assert directory.label_for("+1 (800) 555-1111") == "Dentist"
        assert directory.label_for(18005559999) is None

    def test_incremental(self) -> None:
        """Incremental reloads add and remove; full reloads may not remove."""
        directory = CallDirectory()
        directory.replace_all([10, 20], [(30, "Thirty")])

        def change(ctx: CallDirectoryContext) -> None:
            ctx.remove_blocking_entry(10)
            ctx.add_blocking_entry(15)
            ctx.remove_identification_entry(30)

        directory.reload(change, incremental=True)
        assert directory.blocked_numbers == (15, 20)
        assert directory.identification_entries == ()

        with pytest.raises(CallKitError) as info:
            directory.reload(lambda ctx: ctx.remove_blocking_entry(15))
        assert info.value.code is DirErr.UNEXPECTED_INCREMENTAL_REMOVAL
        assert directory.blocked_numbers == (15, 20)

    def test_replace_all_sorts_external_data(self) -> None:
        """replace_all accepts unsorted data from a database and swaps everything."""
        directory = CallDirectory()
        directory.replace_all([3, 1, 2], [(9, "Nine"), (7, "Seven")])
        assert directory.blocked_numbers == (1, 2, 3)
        assert directory.identification_entries == ((7, "Seven"), (9, "Nine"))
        directory.replace_all([], [])
        assert directory.blocked_numbers == () and not directory.is_blocked(1)

    def test_bad_entries(self) -> None:
        """Numbers are positive ints, labels non-empty strings."""
        directory = CallDirectory()
        with pytest.raises(TypeError):
            directory.replace_all(["+18005551234"])  # type: ignore[list-item]
        with pytest.raises(ValueError):
            directory.replace_all([-1])
        with pytest.raises(ValueError):
            directory.replace_all([], [(1, "")])

    def test_maximum_and_disabled(self) -> None:
        """The entry limit and a disabled extension raise their own codes."""
        directory = CallDirectory(maximum_entries=2)
        with pytest.raises(CallKitError) as info:
            directory.replace_all([1, 2, 3])
        assert info.value.code is DirErr.MAXIMUM_ENTRIES_EXCEEDED
        directory.enabled = False
        with pytest.raises(CallKitError) as info:
            directory.replace_all([1])
        assert info.value.code is DirErr.EXTENSION_DISABLED

    def test_e164_parsing(self) -> None:
        """Handles turn into E.164 integers; emails and names do not."""
        assert e164_number(CXHandle(CXHandleType.PHONE_NUMBER, "+1 (800) 555-1234")) == 18005551234
        assert e164_number(CXHandle(CXHandleType.GENERIC, "sip:+4930123@pbx.example")) == 4930123
        assert e164_number(CXHandle(CXHandleType.GENERIC, "alice")) is None
        assert e164_number(CXHandle(CXHandleType.EMAIL_ADDRESS, "1@x.org")) is None


class TestIncomingFiltering:
    async def test_blocked_caller(self, system: CallSystem, provider: CXProvider) -> None:
        """A blocked number is refused with filtered_by_block_list and never rings."""
        system.call_directory.replace_all([15551230001])
        with pytest.raises(CallKitError) as info:
            await provider.report_new_incoming_call(uuid.uuid4(), update("+1 555 123 0001"))
        assert info.value.code is CXErrorCodeIncomingCallError.filtered_by_block_list
        assert system.calls == []
        (rejected,) = of_type(system, IncomingCallRejected)
        assert rejected.recents_status is RecentsStatus.BLOCKED and not rejected.in_recents
        await provider.report_new_incoming_call(uuid.uuid4(), update("+15551230002"))
        assert len(system.calls) == 1

    async def test_label_replaces_unknown_name(
        self, system: CallSystem, provider: CXProvider
    ) -> None:
        """An identification label names a caller the app left unnamed."""
        system.call_directory.replace_all([], [(15551230001, "Local Pizza")])
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update("+15551230001"))
        assert system.call(u).localized_caller_name == "Local Pizza"  # type: ignore[union-attr]
        (reported,) = of_type(system, IncomingCallReported)
        assert reported.identified_by_directory

    async def test_label_does_not_override_app_name(
        self, system: CallSystem, provider: CXProvider
    ) -> None:
        """The app's own caller name wins over the directory label."""
        system.call_directory.replace_all([], [(15551230001, "Local Pizza")])
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, update("+15551230001", "Mario"))
        assert system.call(u).localized_caller_name == "Mario"  # type: ignore[union-attr]

    async def test_no_handle(self, system: CallSystem, provider: CXProvider) -> None:
        """A call without a handle is neither blocked nor identified."""
        system.call_directory.replace_all([1])
        u = uuid.uuid4()
        await provider.report_new_incoming_call(u, CXCallUpdate())
        assert system.call(u).display_name == "Unknown"  # type: ignore[union-attr]


def test_reload_is_an_event(system: CallSystem) -> None:
    """A successful reload is announced; a failed one is not."""
    system.call_directory.replace_all([3, 1], [(2, "Two")])
    with pytest.raises(CallKitError):
        system.call_directory.replace_all([1, 1])
    (event,) = of_type(system, CallDirectoryReloaded)
    assert (event.blocked_count, event.identified_count) == (2, 1)
