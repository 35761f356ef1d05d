"""Call handles and call updates (Apple: ``CXHandle``, ``CXCallUpdate``)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["CXCallUpdate", "CXHandle", "CXHandleType", "e164_number"]


class CXHandleType(enum.Enum):
    """Apple: ``CXHandle.HandleType``."""

    GENERIC = "generic"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    # Apple-style lowercase spellings (aliases).
    generic = "generic"
    phone_number = "phone_number"
    email_address = "email_address"


@dataclass(frozen=True)
class CXHandle:
    """Apple: ``CXHandle(type:value:)``: how a call's remote party is identified."""

    type: CXHandleType
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.type, CXHandleType):
            raise TypeError(f"CXHandle.type must be CXHandleType, got {self.type!r}")
        if not isinstance(self.value, str):
            raise TypeError(f"CXHandle.value must be str, got {type(self.value).__name__}")
        if not self.value.strip():
            raise ValueError("CXHandle.value must not be empty")


_DIALABLE = re.compile(r"^\+?[0-9][0-9 ().\-]*$")


def e164_number(handle: CXHandle | None) -> int | None:
    """The handle as an E.164 integer (Apple: ``CXCallDirectoryPhoneNumber``), if it is one.

    ``"+1 (800) 555-1234"`` -> ``18005551234``; emails and SIP URIs -> ``None``.
    """
    if handle is None or handle.type is CXHandleType.EMAIL_ADDRESS:
        return None
    value = handle.value.strip()
    if value.lower().startswith(("sip:", "sips:", "tel:")):
        value = value.split(":", 1)[1].split("@", 1)[0].split(";", 1)[0]
    if not _DIALABLE.match(value):
        return None
    digits = re.sub(r"\D", "", value)
    return int(digits) if digits else None


_BOOL_FIELDS = (
    "supports_holding",
    "supports_grouping",
    "supports_ungrouping",
    "supports_dtmf",
    "has_video",
)


@dataclass
class CXCallUpdate:
    """Apple: ``CXCallUpdate``: the attributes of a call to set; ``None`` leaves one unchanged."""

    remote_handle: CXHandle | None = None
    localized_caller_name: str | None = None
    supports_holding: bool | None = None
    supports_grouping: bool | None = None
    supports_ungrouping: bool | None = None
    supports_dtmf: bool | None = None
    has_video: bool | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``TypeError`` for a field of the wrong type."""
        if self.remote_handle is not None and not isinstance(self.remote_handle, CXHandle):
            raise TypeError(f"remote_handle must be CXHandle, got {self.remote_handle!r}")
        name = self.localized_caller_name
        if name is not None and not isinstance(name, str):
            raise TypeError(f"localized_caller_name must be str, got {name!r}")
        for field in _BOOL_FIELDS:
            value = getattr(self, field)
            if value is not None and not isinstance(value, bool):
                raise TypeError(f"{field} must be bool, got {value!r}")
