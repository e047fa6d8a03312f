"""The HTTP endpoint's first check: a request's Slack signature is verified on its raw bytes
before anything in it is decoded or parsed.

slack-bolt decodes the body as UTF-8 and parses it (form, `payload=` JSON) before its own
signature check runs, so a malformed request used to end in an HTTP 500. Here: a missing,
stale or wrong signature is 401; a signed body that is not UTF-8, or whose form or JSON does
not parse into an object, is 400; everything else goes on to bolt, which checks it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.request.internals import parse_body

MAX_AGE_SECONDS = 300  # Slack's advice: refuse requests signed more than 5 minutes ago

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def signature_ok(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """Slack's v0 signature of `v0:<timestamp>:<body>`, compared in constant time."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def malformed(body: bytes, content_type: str) -> str | None:
    """Why a signed body cannot be a Slack request, or None when bolt can read it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    try:
        parsed: Any = parse_body(text, content_type)
    except ValueError:  # json.JSONDecodeError is one
        return "the body's JSON does not parse"
    if not isinstance(parsed, dict):
        return "the body is not a JSON object"
    return None


def request_guard(secret: str, path: str, *, body_timeout: float = 10.0) -> Any:
    """aiohttp middleware for POSTs to `path` (the events endpoint); a body that takes
    longer than `body_timeout` seconds to arrive is answered 408."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        try:
            async with asyncio.timeout(body_timeout):
                body = await request.read()  # kept by aiohttp: bolt's text() reads it again
        except TimeoutError:
            return _error(408, "the request body did not arrive in time")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not signature_ok(secret, timestamp, body, signature, time.time()):
            return _error(401, "invalid or missing Slack signature")
        problem = malformed(body, request.content_type)
        if problem is not None:
            return _error(400, problem)
        return await handler(request)

    return guard


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
