"""The coordinator's password, failed-login throttling, CSRF tokens and response headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),  # pages and files are private to one agency or the coordinator
]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, key = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), key)


def agency_csrf(secret: str, token: str) -> str:
    """The CSRF token of an agency's forms: bound to its link, unknowable without it."""
    return hmac.new(secret.encode(), b"agency-form:" + token.encode(), hashlib.sha256).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class Throttle:
    """Failed logins: at most ``per_client`` per client and ``overall`` in all per ``window``
    seconds; beyond that every attempt is refused (even a right password) until it ages out."""

    def __init__(self, per_client: int = 5, overall: int = 50, window: float = 900.0) -> None:
        self.per_client, self.overall, self.window = per_client, overall, window
        self._failures: deque[tuple[float, str]] = deque()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._failures and self._failures[0][0] < now - self.window:
            self._failures.popleft()

    def blocked(self, client: str) -> bool:
        with self._lock:
            self._expire(time.monotonic())
            mine = sum(1 for _, c in self._failures if c == client)
            return mine >= self.per_client or len(self._failures) >= self.overall

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures.append((time.monotonic(), client))


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, errors included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)
