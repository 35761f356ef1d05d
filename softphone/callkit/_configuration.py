"""Provider configuration (Apple: ``CXProviderConfiguration``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._handle import CXHandleType

__all__ = ["CXProviderConfiguration"]


@dataclass
class CXProviderConfiguration:
    """Apple: ``CXProviderConfiguration``: what the system shows and allows for an app's calls."""

    localized_name: str = "Softphone"
    maximum_call_groups: int = 2
    maximum_calls_per_call_group: int = 5
    supported_handle_types: frozenset[CXHandleType] = field(
        default_factory=lambda: frozenset({CXHandleType.PHONE_NUMBER, CXHandleType.GENERIC})
    )
    supports_video: bool = False
    includes_calls_in_recents: bool = True
    ringtone_sound: str | None = None
    icon_template_image_data: bytes | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.localized_name, str) or not self.localized_name:
            raise ValueError("localized_name must be a non-empty str")
        for name in ("maximum_call_groups", "maximum_calls_per_call_group"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be int, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        self.supported_handle_types = frozenset(self.supported_handle_types)
        for handle_type in self.supported_handle_types:
            if not isinstance(handle_type, CXHandleType):
                raise TypeError(f"supported_handle_types holds {handle_type!r}")
        for name in ("supports_video", "includes_calls_in_recents"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be bool")
        if self.icon_template_image_data is not None and not isinstance(
            self.icon_template_image_data, bytes
        ):
            raise TypeError("icon_template_image_data must be bytes")
