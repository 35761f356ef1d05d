"""Settings: TOML round trip, validation, bad values cost only themselves, secrets never in
plain text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from softphone.settings import (
    AccountSettings,
    CallSettings,
    EncryptedFileSecretStore,
    MemorySecretStore,
    ProfileError,
    SecretStoreError,
    Settings,
    SettingsError,
    SettingsStore,
    open_secret_store,
    profile_paths,
    read_settings,
)


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(profile_paths("test", root=tmp_path).ensure())


def _account(**kw: object) -> AccountSettings:
    base: dict[str, object] = {"id": "work", "uri": "sip:alice@127.0.0.1", "username": "alice"}
    base.update(kw)
    return AccountSettings(**base)  # type: ignore[arg-type]


class TestRoundTrip:
    def test_defaults_when_no_file(self, store: SettingsStore) -> None:
        """No settings file gives the defaults and no message."""
        result = store.load()
        assert result.settings == Settings()
        assert result.message == ""

    def test_save_then_load_is_identical(self, store: SettingsStore) -> None:
        """What is saved is what is loaded, accounts and codec order included."""
        s = Settings(accounts=(_account(transport="tls", srtp="mandatory"),))
        s = Settings(accounts=s.accounts, sip=s.sip.__class__(codecs=("G722/16000", "PCMU/8000")))
        store.save(s)
        assert store.load().settings == s
        assert "[[accounts]]" in store.path.read_text()

    def test_profiles_are_separate(self, tmp_path: Path) -> None:
        """Two profiles never share a settings file."""
        a = SettingsStore(profile_paths("a", root=tmp_path))
        b = SettingsStore(profile_paths("b", root=tmp_path))
        a.save(Settings(accounts=(_account(id="only-a"),)))
        assert b.load().settings == Settings()
        assert a.path != b.path


class TestValidation:
    @pytest.mark.parametrize(
        ("toml", "path"),
        [
            (
                '[[accounts]]\nid = "x"\nuri = "sip:a@b"\ntransport = "sctp"\n',
                "accounts[0].transport",
            ),
            ('[[accounts]]\nid = "x"\nuri = "http://a"\n', "accounts[0].uri"),
            ('[[accounts]]\nuri = "sip:a@b"\n', "accounts[0].id"),
            ("[sip]\nudp_port = 70000\n", "sip.udp_port"),
            ('[sip]\nudp_port = "5060"\n', "sip.udp_port"),
            ('[sip]\nbind_address = "::1"\n', "sip.bind_address"),
            ("[calls]\nmaximum_call_groups = 9\n", "calls.maximum_call_groups"),
            ("[sip]\nno_such_key = 1\n", "sip"),
            ('[push]\nenvironment = "staging"\n', "push.environment"),
        ],
    )
    def test_bad_values_name_the_key(self, toml: str, path: str) -> None:
        """A wrong value raises SettingsError naming the offending key."""
        import tomllib

        with pytest.raises(SettingsError) as exc:
            Settings.from_dict(tomllib.loads(toml))
        assert exc.value.path == path

    def test_duplicate_account_ids_rejected(self) -> None:
        """Account ids must be unique."""
        data = {"accounts": [{"id": "a", "uri": "sip:a@b"}, {"id": "a", "uri": "sip:c@d"}]}
        with pytest.raises(SettingsError, match="unique"):
            Settings.from_dict(data)

    def test_bad_profile_name(self) -> None:
        """Profile names that are not safe directory names are refused."""
        for bad in ("", "../x", "a/b", " x", "x" * 65):
            with pytest.raises(ProfileError):
                profile_paths(bad)


class TestBadFiles:
    @pytest.mark.parametrize("content", [b"\x00\xff garbage", b"[sip\nudp_port = "])
    def test_unparseable_file_means_defaults_and_is_left_alone(
        self, store: SettingsStore, content: bytes
    ) -> None:
        """A file that is not TOML: defaults, a message, and the file exactly as it was."""
        store.paths.config_dir.mkdir(parents=True, exist_ok=True)
        store.path.write_bytes(content)
        result = store.load()
        assert result.settings == Settings()
        assert "cannot be read as TOML" in result.message
        assert store.path.read_bytes() == content
        assert sorted(p.name for p in store.paths.config_dir.iterdir()) == ["settings.toml"]

    def test_bad_value_costs_only_itself(self, store: SettingsStore) -> None:
        """One bad value: its default, one problem naming it; every other key still applies."""
        content = (
            b'[[accounts]]\nid = "good"\nuri = "sip:a@b"\n'
            b'[[accounts]]\nid = "bad"\nuri = "sip:c@d"\ntransport = "sctp"\n'
            b'[sip]\nudp_port = "no"\ntcp_port = 99999\ncodecs = ["PCMA/8000"]\n'
            b"[calls]\nmaximum_call_groups = 9\nunanswered_timeout = 20.0\nfoo = 1\n"
        )
        store.paths.config_dir.mkdir(parents=True, exist_ok=True)
        store.path.write_bytes(content)
        result = store.load()
        s = result.settings
        assert [a.id for a in s.accounts] == ["good"]
        assert (s.sip.udp_port, s.sip.tcp_port, s.sip.codecs) == (0, 0, ("PCMA/8000",))
        assert (s.calls.maximum_call_groups, s.calls.unanswered_timeout) == (2, 20.0)
        keys = [p.split(": ", 2)[1] for p in result.problems]
        assert sorted(keys) == [
            "accounts[1].transport",
            "calls.foo",
            "calls.maximum_call_groups",
            "sip.tcp_port",
            "sip.udp_port",
        ]
        assert "account 'bad' is left out" in result.problems[0]
        assert store.path.read_bytes() == content

    def test_values_that_do_not_fit_together_reset_their_section(self) -> None:
        """media_timeout's default (30) is below media_lost_after (40): the section's defaults."""
        s, problems = read_settings({"calls": {"media_lost_after": 40.0, "media_timeout": 5.0}})
        assert s.calls == CallSettings()
        assert any("calls: its values do not fit together" in p for p in problems)

    def test_old_sip_info_spelling_is_read_as_info(self) -> None:
        """``dtmf_method = "sip_info"`` (the old name) still works, with a gentle note."""
        s, problems = read_settings({"sip": {"dtmf_method": "sip_info"}})
        assert s.sip.dtmf_method == "info"
        assert problems == ["sip.dtmf_method: 'sip_info' is the old name of 'info'; read as 'info'"]

    def test_tcp_off_is_valid(self) -> None:
        """``tcp_port = -1`` turns TCP off and is not a problem."""
        s, problems = read_settings({"sip": {"tcp_port": -1, "dtmf_method": "info"}})
        assert (s.sip.tcp_port, s.sip.dtmf_method, problems) == (-1, "info", [])

    def test_save_is_atomic(self, store: SettingsStore) -> None:
        """Saving leaves no temporary file behind."""
        store.save(Settings())
        assert sorted(p.name for p in store.paths.config_dir.iterdir()) == ["settings.toml"]


class TestSecrets:
    def test_no_keyring_backend_falls_back_to_memory_with_message(self, tmp_path: Path) -> None:
        """Without a keyring backend secrets stay in memory and the user is told why."""
        code = (
            "import sys; from pathlib import Path;"
            "from softphone.settings import open_secret_store;"
            "s, msg = open_secret_store(Path(sys.argv[1]));"
            "print(type(s).__name__); print(msg)"
        )
        env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "s.enc")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        assert out.splitlines()[0] == "MemorySecretStore"
        assert "No OS keyring backend" in out
        assert "SOFTPHONE_SECRETS_PASSPHRASE" in out

    def test_encrypted_file_round_trip_and_wrong_passphrase(self, tmp_path: Path) -> None:
        """The opt-in encrypted file reads back with the passphrase and refuses another."""
        path = tmp_path / "secrets.enc"
        s = EncryptedFileSecretStore(path, "correct horse")
        s.set("default/account/work", "s3cret-Passw0rd")
        assert EncryptedFileSecretStore(path, "correct horse").get("default/account/work") == (
            "s3cret-Passw0rd"
        )
        with pytest.raises(SecretStoreError, match="wrong passphrase"):
            EncryptedFileSecretStore(path, "wrong")
        assert oct(path.stat().st_mode & 0o777) == "0o600"

    def test_password_never_on_disk_in_plain_text(self, tmp_path: Path) -> None:
        """After saving settings and a password, no file in the profile holds the password."""
        paths = profile_paths("p", root=tmp_path).ensure()
        secret = "Pl4in-Text-Must-Not-Appear"
        store, _ = open_secret_store(paths.secrets_file, passphrase="pp")
        store.set("p/account/work", secret)
        SettingsStore(paths).save(Settings(accounts=(_account(),)))
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert files, "the profile should hold files"
        for f in files:
            assert secret.encode() not in f.read_bytes(), f

    def test_memory_store(self) -> None:
        """The memory store forgets deleted keys."""
        m = MemorySecretStore()
        m.set("k", "v")
        assert m.get("k") == "v"
        m.delete("k")
        assert m.get("k") is None

    def test_empty_passphrase_refused(self, tmp_path: Path) -> None:
        """An empty passphrase is not an encryption key."""
        with pytest.raises(SecretStoreError):
            EncryptedFileSecretStore(tmp_path / "x", "")
