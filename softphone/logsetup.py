"""Logging to a rotating file in the profile's log directory, with credentials redacted."""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from softphone import __version__

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # SIP/HTTP auth headers: keep the scheme, drop the credentials.
    (
        re.compile(r"(?im)^((?:proxy-)?authorization\s*:\s*)(\w+)\s+.*$"),
        r"\1\2 <redacted>",
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9_\-\.=]+"), r"\1<redacted>"),
    (
        re.compile(
            r"""(?i)\b(password|passwd|passphrase|secret|pwd)(["']?\s*[:=]\s*["']?)[^\s"',;&]+"""
        ),
        r"\1\2<redacted>",
    ),
    (re.compile(r"(?i)(sips?:[^:@\s;>]+):[^@\s;>]+@"), r"\1:<redacted>@"),
)

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


# What each redaction needs to find in the lower-cased text before its regex is worth
# running (a SIP message is redacted on every send/receive for the Inspector's ladder).
_NEEDLES: tuple[tuple[str, ...], ...] = (
    ("authorization",),
    ("bearer",),
    ("password", "passwd", "passphrase", "secret", "pwd"),
    ("sip",),
)


def redact(text: str) -> str:
    """``text`` with SIP digest credentials, bearer tokens and passwords replaced."""
    low = text.lower()
    for (pattern, repl), needles in zip(_REDACTIONS, _NEEDLES, strict=True):
        if any(n in low for n in needles):
            text = pattern.sub(repl, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output never carries credentials."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log created readable by this user only (0600); rotation renames keep it."""

    def _open(self) -> io.TextIOWrapper:  # type: ignore[type-arg,unused-ignore]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(log_dir: Path, level: int = logging.INFO, stderr: bool = True) -> Path:
    """Log to ``log_dir/softphone.log`` (rotating, 5 x 2 MB) and optionally stderr."""
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_dir / "softphone.log"
    if os.name == "posix":  # logs a looser older version left behind: this user only
        for old in log_dir.glob("softphone.log*"):
            if old.is_file() and old.stat().st_mode & 0o077:
                old.chmod(0o600)
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_softphone", False):
            root.removeHandler(h)
            h.close()
    file_handler = _PrivateRotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(RedactingFormatter(LOG_FORMAT))
        h._softphone = True  # type: ignore[attr-defined]
        root.addHandler(h)
    return path


def diagnostics(
    log_file: Path | None, extra: Iterable[tuple[str, str]] = (), lines: int = 200
) -> str:
    """A redacted text for bug reports: versions, platform and the last log lines."""
    out = [
        f"Softphone {__version__}",
        f"Python {sys.version.split()[0]} on {platform.platform()}",
    ]
    out += [f"{k}: {v}" for k, v in extra]
    if log_file is not None and log_file.exists():
        tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        out += ["", f"--- last {len(tail)} lines of {log_file} ---", *tail]
    return redact("\n".join(out))
