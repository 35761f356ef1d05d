"""vCard import/export with vobject (the only non-stdlib import of this package; it is a
pure-Python format library, loaded only when vCards are used)."""

from __future__ import annotations

from collections.abc import Iterable

import vobject

from softphone.recents._contacts import Contact
from softphone.recents._handles import sip_key
from softphone.recents._record import RecentsError


class VCardError(RecentsError):
    """vCard text that cannot be read; nothing was imported."""


def _values(card: object, name: str) -> list[str]:
    return [str(item.value).strip() for item in card.contents.get(name, [])]  # type: ignore[attr-defined]


def _strip_scheme(value: str) -> str:
    low = value.lower()
    if low.startswith("sip:") or low.startswith("sips:"):
        return value
    for prefix in ("x-sip:", "x-sip-uri:"):
        if low.startswith(prefix):
            return "sip:" + value[len(prefix) :]
    return "sip:" + value if "@" in value and ":" not in value else value


def _contact(card: object, index: int) -> Contact:
    name = (_values(card, "fn") or [""])[0]
    if not name:
        n = card.contents.get("n")  # type: ignore[attr-defined]
        if n:
            name = " ".join(p for p in (n[0].value.given, n[0].value.family) if p).strip()
    numbers: list[str] = []
    uris: list[str] = []
    for tel in _values(card, "tel"):
        (uris if sip_key(tel) else numbers).append(tel)
    for field in ("impp", "x-sip", "x-sip-uri"):
        for v in _values(card, field):
            uri = _strip_scheme(v)
            if sip_key(uri):
                uris.append(uri)
    try:
        return Contact(name, tuple(numbers), tuple(uris))
    except RecentsError as exc:
        raise VCardError(f"vCard #{index + 1} ({name or 'no name'}): {exc}") from exc


def parse_vcards(text: str) -> list[Contact]:
    """Every contact in ``text`` (FN or N; TEL; IMPP/X-SIP sip: URIs)."""
    if not text.strip():
        return []
    try:
        cards = list(vobject.readComponents(text))
    except Exception as exc:  # vobject raises ParseError and assorted ValueErrors
        raise VCardError(f"not a valid vCard file: {exc}") from exc
    contacts = []
    for i, card in enumerate(cards):
        if card.name.upper() != "VCARD":
            raise VCardError(f"entry #{i + 1} is a {card.name}, not a VCARD")
        contacts.append(_contact(card, i))
    return contacts


def serialize_vcards(contacts: Iterable[Contact]) -> str:
    """vCard 3.0 text; SIP URIs go in ``IMPP`` (as iOS and Linphone write them)."""
    out = []
    for c in contacts:
        card = vobject.vCard()
        card.add("fn").value = c.name
        parts = c.name.split(" ", 1)
        card.add("n").value = vobject.vcard.Name(
            family=parts[1] if len(parts) > 1 else "", given=parts[0]
        )
        for number in c.numbers:
            tel = card.add("tel")
            tel.value = number
            tel.type_param = "VOICE"
        for uri in c.sip_uris:
            card.add("impp").value = uri
        out.append(card.serialize())
    return "".join(out)
