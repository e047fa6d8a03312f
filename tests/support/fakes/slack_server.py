"""A local fake Slack (Web API + Socket Mode websocket) on 127.0.0.1:0 for the real SDKs.

Implements what podbrief uses: auth.test, chat.postMessage (with a switch for 429),
chat.update and chat.delete (of a posted message, by its ts), conversations.history
(top-level messages, metadata with include_all_metadata), chat.postEphemeral, files.info
and the private file download (Bearer token checked), apps.connections.open with a
websocket that delivers envelopes, oauth.v2.access.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fakes.local import serve

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


@dataclass
class FakeSlack:
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (name, data)
    public: dict[str, bytes] = field(default_factory=dict)  # /pub/<name>: links to episodes
    downloads: list[str] = field(default_factory=list)  # the /pub/ names fetched, in order
    admins: set[str] = field(default_factory=set)  # users.info says these are admins
    rate_limit_posts: int = 0  # the next N chat.postMessage calls answer 429
    # awaited with each message once it is posted, before the poster gets its answer (a
    # test kills the poster there: Slack took the message, the poster never learned it)
    on_post: Callable[[dict[str, Any]], Awaitable[None]] | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # chat.update calls
    deleted: list[dict[str, Any]] = field(default_factory=list)  # messages chat.delete took
    calls: list[tuple[str, float]] = field(default_factory=list)  # (method, time)
    acks: list[dict[str, Any]] = field(default_factory=list)  # Socket Mode acknowledgements
    responses: list[dict[str, Any]] = field(default_factory=list)  # to a command's response_url
    oauth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _connected: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def file_url(self, file_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/files-pri/{file_id}"

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_get("/files-pri/{file_id}", self._download)
        app.router.add_get("/link", self._websocket)
        app.router.add_get("/pub/{name}", self._public)
        app.router.add_post("/response/{command}", self._response)
        self._runner, self.port = await serve(app)
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def response_url(self, command: str = "1") -> str:
        """Where a slash command's answers may be sent (replacing its ephemeral ack)."""
        return f"http://127.0.0.1:{self.port}/response/{command}"

    async def _response(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")

    def method_times(self, method: str) -> list[float]:
        return [t for m, t in self.calls if m == method]

    async def wait_for_posts(self, count: int, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while len(self.posts) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} posts, got {len(self.posts)}")
            await asyncio.sleep(0.02)

    async def wait_for_ephemeral(self, count: int, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while len(self.ephemeral) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} ephemeral, got {len(self.ephemeral)}")
            await asyncio.sleep(0.02)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append((method, time.monotonic()))
        form: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.content_type == "application/json":
            form.update(await request.json())
        elif request.method == "POST":
            form.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return await handler(form, token)  # type: ignore[no-any-return]

    async def _auth_test(self, form: dict[str, Any], token: str) -> web.Response:
        if not token.startswith("xoxb-"):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "user": "podbrief",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        )

    async def _chat_postMessage(self, form: dict[str, Any], token: str) -> web.Response:
        if self.rate_limit_posts > 0:
            self.rate_limit_posts -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        message = _decode(form)
        message["ts"] = f"{time.time():.0f}.{next(self._ts):06d}"
        message["token"] = token
        self.posts.append(message)
        if self.on_post is not None:
            await self.on_post(message)
        return web.json_response(
            {
                "ok": True,
                "channel": message.get("channel"),
                "ts": message["ts"],
                "message": {"text": message.get("text")},
            }
        )

    def _posted(self, form: dict[str, Any]) -> dict[str, Any] | None:
        return next(
            (
                p
                for p in self.posts
                if p["ts"] == form.get("ts") and p.get("channel") == form.get("channel")
            ),
            None,
        )

    async def _chat_update(self, form: dict[str, Any], token: str) -> web.Response:
        message = self._posted(form)
        if message is None:
            return web.json_response({"ok": False, "error": "message_not_found"})
        change = _decode(form)
        message.update({k: v for k, v in change.items() if k not in ("ts", "channel")})
        self.updates.append(change)
        return web.json_response({"ok": True, "channel": message["channel"], "ts": message["ts"]})

    async def _chat_delete(self, form: dict[str, Any], token: str) -> web.Response:
        message = self._posted(form)
        if message is None:
            return web.json_response({"ok": False, "error": "message_not_found"})
        self.posts.remove(message)
        self.deleted.append(message)
        return web.json_response({"ok": True, "channel": message["channel"], "ts": message["ts"]})

    async def _conversations_history(self, form: dict[str, Any], token: str) -> web.Response:
        if not token.startswith("xoxb-"):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        metadata = str(form.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            {
                "type": "message",
                "ts": p["ts"],
                "text": p.get("text", ""),
                "bot_id": "BBOT",
                **({"metadata": p["metadata"]} if metadata and p.get("metadata") else {}),
            }
            for p in reversed(self.posts)  # newest first, as Slack answers
            if p.get("channel") == form.get("channel") and not p.get("thread_ts")
        ]
        limit = int(form.get("limit") or 100)
        return web.json_response({"ok": True, "messages": found[:limit], "has_more": False})

    async def _chat_postEphemeral(self, form: dict[str, Any], token: str) -> web.Response:
        self.ephemeral.append(_decode(form))
        return web.json_response({"ok": True, "message_ts": f"{time.time():.6f}"})

    async def _users_info(self, form: dict[str, Any], token: str) -> web.Response:
        user = form.get("user", "")
        return web.json_response(
            {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "is_admin": user in self.admins,
                    "is_owner": False,
                    "is_primary_owner": False,
                },
            }
        )

    async def _files_info(self, form: dict[str, Any], token: str) -> web.Response:
        file_id = form.get("file")

        if file_id not in self.files:
            return web.json_response({"ok": False, "error": "file_not_found"})
        name, data = self.files[file_id]
        return web.json_response(
            {
                "ok": True,
                "file": {
                    "id": file_id,
                    "name": name,
                    "size": len(data),
                    "mimetype": "text/plain",
                    "url_private_download": self.file_url(file_id),
                },
            }
        )

    async def _apps_connections_open(self, form: dict[str, Any], token: str) -> web.Response:
        if not token.startswith("xapp-"):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})

    async def _oauth_v2_access(self, form: dict[str, Any], token: str) -> web.Response:
        code = form.get("code", "")
        if code not in self.oauth_codes:
            return web.json_response({"ok": False, "error": "invalid_code"})
        return web.json_response({"ok": True, **self.oauth_codes[code]})

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.Response(status=403, text="no token")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id][1])

    async def _public(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.downloads.append(name)
        if name not in self.public:
            return web.Response(status=404)
        return web.Response(body=self.public[name])

    def public_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/pub/{name}"

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake"},
                "connection_info": {"app_id": "A1"},
            }
        )
        self._connected.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        self._sockets.remove(ws)
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver a Socket Mode envelope (e.g. "slash_commands") to the connected app."""
        await asyncio.wait_for(self._connected.wait(), 10)
        envelope_id = str(uuid.uuid4())
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "accepts_response_payload": kind != "events_api",
                "payload": payload,
            }
        )
        return envelope_id


def _decode(form: dict[str, Any]) -> dict[str, Any]:
    out = dict(form)
    for key in ("blocks", "attachments", "metadata"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out
