"""User settings: TOML in the platform config directory, secrets in the OS keyring.

``SettingsStore(profile).load()`` never raises on a bad file: a corrupt or invalid file
is moved aside and defaults are used, with a message for the UI in ``LoadResult``.
Passwords never go into the TOML file; they live in a :class:`SecretStore`.
"""

from __future__ import annotations

from softphone.settings._model import (
    AccountSettings,
    AudioSettings,
    CallSettings,
    PushSettings,
    Settings,
    SettingsError,
    SipSettings,
)
from softphone.settings._paths import ProfileError, profile_paths, validate_profile_name
from softphone.settings._secrets import (
    EncryptedFileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    ScopedSecretStore,
    SecretStore,
    SecretStoreError,
    open_secret_store,
)
from softphone.settings._store import LoadResult, SettingsStore

__all__ = [
    "AccountSettings",
    "AudioSettings",
    "CallSettings",
    "EncryptedFileSecretStore",
    "KeyringSecretStore",
    "LoadResult",
    "MemorySecretStore",
    "ProfileError",
    "PushSettings",
    "ScopedSecretStore",
    "SecretStore",
    "SecretStoreError",
    "Settings",
    "SettingsError",
    "SettingsStore",
    "SipSettings",
    "open_secret_store",
    "profile_paths",
    "validate_profile_name",
]
