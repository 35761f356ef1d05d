"""Provider authentication: ES256 JWT provider tokens (kid, iss = team id, iat < 1 h).

PyJWT and ``cryptography`` are imported by the first token to verify, not with the module
(an emulator that has not yet been sent a push does not load them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["ProviderAuthError", "ProviderKey", "TokenCache", "verify_provider_token"]

TOKEN_MAX_AGE = 3600.0
CLOCK_SKEW = 60.0


@dataclass(frozen=True)
class ProviderKey:
    """A registered signing key (Apple: a .p8 "APNs auth key" of a team).

    ``public_key`` may be its PEM (a key loaded from the state dir), parsed when a token
    names it; a PEM that is not an EC key is then an unknown key, as if never loaded."""

    key_id: str
    team_id: str
    public_key: ec.EllipticCurvePublicKey | bytes
    topics: frozenset[str] = field(default_factory=frozenset)  # empty: any topic


class ProviderAuthError(Exception):
    """403 with Apple's reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class TokenCache:
    """Verified provider tokens (providers reuse one token for up to an hour, as APNs
    expects): the signature is checked once, the age and the key on every request."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._verified: dict[str, tuple[str, float]] = {}

    def verify(self, header: str, keys: dict[str, ProviderKey], now: float) -> ProviderKey:
        hit = self._verified.get(header)
        if hit is not None:
            kid, iat = hit
            key = keys.get(kid)
            if key is not None:
                if now - iat > TOKEN_MAX_AGE:
                    raise ProviderAuthError("ExpiredProviderToken", "token is over 1 h old")
                if iat <= now + CLOCK_SKEW:
                    return key
            del self._verified[header]
        key, iat = _verify(header, keys, now)
        if len(self._verified) >= self.size:
            self._verified.pop(next(iter(self._verified)))
        self._verified[header] = (key.key_id, iat)
        return key


def verify_provider_token(header: str, keys: dict[str, ProviderKey], now: float) -> ProviderKey:
    """The key that signed ``authorization: bearer <jwt>``, or ProviderAuthError."""
    return _verify(header, keys, now)[0]


def _verify(header: str, keys: dict[str, ProviderKey], now: float) -> tuple[ProviderKey, float]:
    import jwt

    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProviderAuthError("MissingProviderToken", "authorization is not 'bearer <token>'")
    token = token.strip()
    try:
        head = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ProviderAuthError("InvalidProviderToken", f"not a JWT: {exc}") from None
    if head.get("alg") != "ES256":
        raise ProviderAuthError("InvalidProviderToken", f"alg {head.get('alg')!r} is not ES256")
    kid = head.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    public = _public_key(key) if key is not None else None
    if key is None or public is None:
        raise ProviderAuthError("InvalidProviderToken", f"unknown key id {kid!r}")
    try:
        claims = jwt.decode(
            token,
            public,
            algorithms=["ES256"],
            options={
                "verify_iat": False,
                "verify_exp": False,
                "verify_nbf": False,
                "require": ["iss", "iat"],
            },
        )
    except jwt.PyJWTError as exc:
        raise ProviderAuthError("InvalidProviderToken", f"bad token: {exc}") from None
    if claims.get("iss") != key.team_id:
        raise ProviderAuthError(
            "InvalidProviderToken", f"iss {claims.get('iss')!r} is not the key's team"
        )
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise ProviderAuthError("InvalidProviderToken", "iat is not a number")
    if iat > now + CLOCK_SKEW:
        raise ProviderAuthError("InvalidProviderToken", "iat is in the future")
    if now - iat > TOKEN_MAX_AGE:
        raise ProviderAuthError(
            "ExpiredProviderToken", f"token is {now - iat:.0f} s old (max 3600)"
        )
    return key, float(iat)


def _public_key(key: ProviderKey) -> ec.EllipticCurvePublicKey | None:
    """The key's EC public key (parsing its PEM), or None if the PEM is not one."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key.public_key, ec.EllipticCurvePublicKey):
        return key.public_key
    from cryptography.hazmat.primitives import serialization

    try:
        loaded = serialization.load_pem_public_key(key.public_key)
    except (ValueError, TypeError):
        return None
    return loaded if isinstance(loaded, ec.EllipticCurvePublicKey) else None
