"""Personal reply links: one random token per invitee, signed, single use, expiring at the event.

The carnet keeps the random part; the link carries it with an HMAC-SHA-256 signature under a key
derived from `JALON_SECRET`, so a forged or mistyped link is refused before any lookup, and a
leaked carnet alone cannot produce valid links. Single use and expiry are checked by the caller
against the carnet (`jalon.evenements.reponses`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_PURPOSE = b"jalon/evenements/lien-de-reponse"
_SIGNATURE_CHARS = 22


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def _signature(secret: bytes, token: str) -> str:
    digest = hmac.new(_key(secret), token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SIGNATURE_CHARS]


def signed(secret: bytes, token: str) -> str:
    """The token as the link carries it: `token.signature`."""
    return f"{token}.{_signature(secret, token)}"


def verified(secret: bytes, link_token: str) -> str | None:
    """The token of a link if its signature is right, else None."""
    token, _, signature = link_token.rpartition(".")
    if not token or not hmac.compare_digest(signature, _signature(secret, token)):
        return None
    return token
