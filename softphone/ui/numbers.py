"""Phone numbers and SIP URIs as iOS shows them ("+1 (415) 555-0100")."""

from __future__ import annotations

import re

_SIP = re.compile(r"^(?:sips?:)?(?P<user>[^@;]+)(?:@(?P<host>[^;>]+))?", re.IGNORECASE)


def digits_of(text: str) -> str:
    """Only the dial digits of ``text`` (keeps a leading ``+``)."""
    plus = "+" if text.strip().startswith("+") else ""
    return plus + re.sub(r"\D", "", text)


def format_number(handle: str) -> str:
    """Format a number or SIP URI for display; anything unrecognised is returned as is."""
    text = handle.strip()
    if text.lower().startswith(("sip:", "sips:")) or "@" in text:
        return _format_uri(text)
    if not re.fullmatch(r"\+?[\d\s().\-]+", text):
        return text
    digits = digits_of(text)
    bare = digits.lstrip("+")
    if len(bare) == 10 and not digits.startswith("+"):
        return f"({bare[:3]}) {bare[3:6]}-{bare[6:]}"
    if len(bare) == 11 and bare.startswith("1"):
        return f"+1 ({bare[1:4]}) {bare[4:7]}-{bare[7:]}"
    if digits.startswith("+") and len(bare) > 7:
        return _format_international(bare)
    if len(bare) == 7 and not digits.startswith("+"):
        return f"{bare[:3]}-{bare[3:]}"
    return digits


def _format_international(bare: str) -> str:
    cc_len = (
        2
        if bare[:2]
        in {
            "20",
            "27",
            "30",
            "31",
            "32",
            "33",
            "34",
            "36",
            "39",
            "40",
            "41",
            "43",
            "44",
            "45",
            "46",
            "47",
            "48",
            "49",
            "51",
            "52",
            "53",
            "54",
            "55",
            "56",
            "57",
            "58",
            "60",
            "61",
            "62",
            "63",
            "64",
            "65",
            "66",
            "81",
            "82",
            "84",
            "86",
            "90",
            "91",
            "92",
            "93",
            "94",
            "95",
            "98",
        }
        else 3
    )
    cc, rest = bare[:cc_len], bare[cc_len:]
    if len(rest) <= 4:
        return f"+{cc} {rest}"
    head, tail = rest[:-4], rest[-4:]
    groups = [head] if len(head) <= 4 else [head[i : i + 3] for i in range(0, len(head), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return "+" + cc + " " + " ".join([*groups, tail])


def _format_uri(text: str) -> str:
    match = _SIP.match(text.strip("<>"))
    if match is None:
        return text
    user = match.group("user")
    if re.fullmatch(r"\+?\d{7,15}", user):
        return format_number(user)
    host = match.group("host")
    return f"{user}@{host}" if host else user


def same_number(a: str, b: str) -> bool:
    """True when two handles dial the same party (last 9 digits, or equal URIs)."""
    da, db = digits_of(a).lstrip("+"), digits_of(b).lstrip("+")
    if len(da) >= 7 and len(db) >= 7:
        return da[-9:] == db[-9:]
    return _format_uri(a).lower() == _format_uri(b).lower()
