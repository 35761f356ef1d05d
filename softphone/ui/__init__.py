"""Qt view-models for the Qt Quick screens in ``resources/qml``.

``service`` (the :class:`PhoneUiService` protocol and its snapshot types) imports no Qt;
``window.PhoneWindow`` and ``phone_viewmodel.PhoneViewModel`` do.
"""

from softphone.ui.service import (
    AccountStatus,
    AudioRoute,
    CallQuality,
    CallSnapshot,
    CallState,
    DeviceSnapshot,
    PhoneUiService,
    UiError,
)

__all__ = [
    "AccountStatus",
    "AudioRoute",
    "CallQuality",
    "CallSnapshot",
    "CallState",
    "DeviceSnapshot",
    "PhoneUiService",
    "UiError",
]
