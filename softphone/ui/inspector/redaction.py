"""Redaction of SIP message text shown or exported by the Inspector (defence in depth).

The SIP layer already hands over redacted text; this runs :func:`softphone.logsetup.redact`
again and also covers what a line-based pass misses: folded (continued) credential headers
and a stray digest ``response=`` parameter.
"""

from __future__ import annotations

import re

from softphone.logsetup import redact

_FOLDED_AUTH = re.compile(r"(?im)^((?:proxy-)?authorization\s*:[^\r\n]*)((?:\r?\n[ \t][^\r\n]*)+)")
_DIGEST_RESPONSE = re.compile(r"""(?i)\b(response\s*=\s*)("[^"]*"|[^\s,;]+)""")


def redact_sip(text: str) -> str:
    """``text`` with digest credentials, passwords and URI passwords replaced by ``<redacted>``."""
    text = _FOLDED_AUTH.sub(lambda m: m.group(1), text)
    text = redact(text)
    return _DIGEST_RESPONSE.sub(r'\1"<redacted>"', text)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of HTTP/2 request headers with ``authorization`` values redacted."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in ("authorization", "proxy-authorization"):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} <redacted>".strip()
        else:
            out[name] = redact(value)
    return out
