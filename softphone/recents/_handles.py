"""Normalising phone numbers and SIP URIs so one person's calls match and group."""

from __future__ import annotations

import re

from softphone.recents._record import RecentsError

_PHONE_CHARS = re.compile(r"^[+0-9 ().\-/]+$")
_TAIL_DIGITS = 9  # national significant numbers are compared on their last 9 digits
E164_MAX = 10**15 - 1


def phone_digits(value: str) -> str | None:
    """The digits of a phone number ("+1 (800) 555-1234" -> "18005551234"), else None.

    A leading international "00" counts as "+".
    """
    v = value.strip()
    if v.lower().startswith("tel:"):
        v = v[4:].split(";", 1)[0]
    if not v or not _PHONE_CHARS.match(v):
        return None
    digits = re.sub(r"\D", "", v)
    if len(digits) < 3:
        return None
    if not v.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    return digits


def sip_key(value: str) -> str | None:
    """``sip:User@Host;params`` -> ``sip:User@host`` (host lower-cased), else None."""
    v = value.strip()
    low = v.lower()
    if low.startswith("<") and low.endswith(">"):
        v, low = v[1:-1], low[1:-1]
    if not (low.startswith("sip:") or low.startswith("sips:")):
        return None
    rest = v.split(":", 1)[1].split(";", 1)[0].split("?", 1)[0]
    if "@" in rest:
        user, host = rest.rsplit("@", 1)
        return f"sip:{user}@{host.lower()}"
    return f"sip:{rest.lower()}"


def handle_key(value: str) -> str:
    """The comparison key of a handle: digits for numbers (also a SIP URI whose user part
    is a number), normalised URI for SIP, lower-cased text otherwise."""
    digits = phone_digits(value)
    if digits is not None:
        return digits
    bare = value.strip()
    if "@" in bare and ":" not in bare.split("@", 1)[0] and not any(c.isspace() for c in bare):
        bare = "sip:" + bare  # "user@host" as Recents and the call screen show SIP callers
    key = sip_key(bare)
    if key is not None:
        user = key[4:].split("@", 1)[0]
        if "@" in key[4:]:
            user_digits = phone_digits(user)
            if user_digits is not None:
                return user_digits
        return key
    return value.strip().lower()


def number_tail(key: str) -> str | None:
    """Last digits used to match numbers written with and without a country code."""
    if key.isdigit() and len(key) >= 7:
        return key[-_TAIL_DIGITS:]
    return None


def e164(value: int | str) -> int:
    """A Call Directory number (``CXCallDirectoryPhoneNumber``, E.164 digits as int)."""
    if isinstance(value, bool):
        raise RecentsError(f"not a phone number: {value!r}")
    if isinstance(value, str):
        digits = phone_digits(value)
        if digits is None:
            raise RecentsError(f"not a phone number: {value!r}")
        value = int(digits)
    if not isinstance(value, int) or not 0 < value <= E164_MAX:
        raise RecentsError(f"E.164 numbers have 1-15 digits, got {value!r}")
    return value
