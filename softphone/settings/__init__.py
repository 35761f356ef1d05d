"""User settings: TOML in the platform config directory, secrets in the OS keyring.

``SettingsStore(profile).load()`` never raises and never rewrites the file: a bad value
(or account) costs only itself (its default is used) and an unparseable file means
defaults, with one message per problem in ``LoadResult.problems``.
Passwords never go into the TOML file; they live in a :class:`SecretStore`.
"""

from __future__ import annotations

from softphone.settings._lenient import read_settings
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
    "read_settings",
    "validate_profile_name",
]
