"""Logs: rotating file in the profile, credentials redacted, diagnostics text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from softphone.logsetup import configure_logging, diagnostics, redact

SIP_REGISTER = (
    "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
    'Authorization: Digest username="alice", realm="lab", nonce="abc", '
    'response="0123456789abcdef"\r\n'
    "Contact: <sip:alice:hunter2@127.0.0.1:5070>\r\n"
)


class TestRedaction:
    @pytest.mark.parametrize(
        ("text", "secret"),
        [
            (SIP_REGISTER, "0123456789abcdef"),
            (SIP_REGISTER, "hunter2"),
            ('Proxy-Authorization: Digest response="feedface"', "feedface"),
            ("authorization: bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJUIn0.sig", "eyJpc3MiOiJUIn0"),
            ('{"password": "pw-123"}', "pw-123"),
            ("passphrase=topsecret&x=1", "topsecret"),
        ],
    )
    def test_secrets_are_removed(self, text: str, secret: str) -> None:
        """Digest responses, URI passwords, bearer tokens and passwords are redacted."""
        out = redact(text)
        assert secret not in out
        assert "<redacted>" in out

    def test_ordinary_text_untouched(self) -> None:
        """Text without credentials is unchanged."""
        text = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nCall-ID: 42@host"
        assert redact(text) == text


class TestLogFile:
    def test_log_file_is_written_redacted(self, tmp_path: Path) -> None:
        """Records land in the rotating file with credentials redacted."""
        path = configure_logging(tmp_path, stderr=False)
        logging.getLogger("softphone.test").warning("sent %s", SIP_REGISTER)
        for h in logging.getLogger().handlers:
            h.flush()
        text = path.read_text()
        assert "REGISTER sip:127.0.0.1" in text
        assert "0123456789abcdef" not in text
        diag = diagnostics(path, extra=[("engine", "pjsua2 2.15.1")])
        assert "engine: pjsua2 2.15.1" in diag
        assert "REGISTER sip:127.0.0.1" in diag
        assert "hunter2" not in diag
