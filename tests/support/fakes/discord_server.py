"""A local fake Discord (REST + gateway websocket) on 127.0.0.1:0 for the real discord.py.

REST: login, application info, the gateway URL, command sync, interaction callbacks,
webhook followups (and the original response), channel messages and their history,
attachment downloads. Gateway: HELLO,
READY, GUILD_CREATE, heartbeats, and INTERACTION_CREATE on demand. JSON is served with
`Content-Type: application/json` exactly, as discord.py checks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fakes.local import serve

APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD_ID = "900000000000000100"
CHANNEL_ID = "900000000000000200"
USER_ID = "900000000000000300"
STAMP = "2025-01-01T00:00:00+00:00"
BOT_USER = {
    "id": BOT_ID,
    "username": "podbrief",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
ASKER = {
    "id": USER_ID,
    "username": "ana",
    "discriminator": "0",
    "global_name": "Ana",
    "avatar": None,
}
OWNER = {  # the guild's owner: no role or permission needed to manage it
    "id": "700000000000000009",
    "username": "olu",
    "discriminator": "0",
    "global_name": "Olu",
    "avatar": None,
}


def _json(data: Any, status: int = 200) -> web.Response:
    # bytes with a raw header: aiohttp adds no "; charset=utf-8" (discord.py compares exactly)
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


@dataclass
class FakeDiscord:
    attachments: dict[str, bytes] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel messages
    events: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    synced: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _ws: web.WebSocketResponse | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _seq: Any = field(default_factory=lambda: itertools.count(1))
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def attachment_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/attachments/{name}"

    async def start(self) -> FakeDiscord:
        app = web.Application()
        r = app.router
        r.add_get("/api/v10/users/@me", self._me)
        r.add_get("/api/v10/oauth2/applications/@me", self._application)
        r.add_get("/api/v10/applications/@me", self._application)
        r.add_get("/api/v10/gateway/bot", self._gateway_bot)
        r.add_get("/api/v10/gateway", self._gateway_bot)
        r.add_put("/api/v10/applications/{app}/commands", self._sync)
        r.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self._sync)
        r.add_post("/api/v10/interactions/{id}/{token}/callback", self._callback)
        r.add_post("/api/v10/webhooks/{app}/{token}", self._followup)
        r.add_patch("/api/v10/webhooks/{app}/{token}/messages/@original", self._edit_original)
        r.add_delete("/api/v10/webhooks/{app}/{token}/messages/@original", self._delete_original)
        r.add_get("/attachments/{name}", self._attachment)
        r.add_post("/api/v10/channels/{channel}/messages", self._channel_message)
        r.add_get("/api/v10/channels/{channel}/messages", self._channel_history)
        r.add_get("/gateway", self._gateway)
        self._runner, self.port = await serve(app)
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def of(self, kind: str, token: str | None = None) -> list[dict[str, Any]]:
        return [
            e for k, _, e in self.events if k == kind and (token is None or e.get("token") == token)
        ]

    def times(self, kind: str, token: str) -> list[float]:
        return [t for k, t, e in self.events if k == kind and e.get("token") == token]

    async def wait_for(self, kind: str, token: str, count: int = 1, within: float = 15) -> None:
        deadline = time.monotonic() + within
        while len(self.of(kind, token)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {kind} for {token}: {self.events}")
            await asyncio.sleep(0.01)

    # -- REST ---------------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bot test-discord-token":
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        return _json(BOT_USER)

    async def _application(self, _: web.Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "podbrief",
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": ASKER,
                "summary": "",
                "verify_key": "00",
                "team": None,
                "flags": 0,
                "interactions_endpoint_url": None,
            }
        )

    async def _gateway_bot(self, _: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _sync(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.synced.append((request.match_info.get("guild", "global"), body))
        out = [
            {
                **c,
                "id": str(next(self._ids) + 700),
                "application_id": APP_ID,
                "version": "1",
                "default_member_permissions": None,
                "type": c.get("type", 1),
            }
            for c in body
        ]
        return _json(out)

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("callback", request.match_info["token"], body)
        flags = (body.get("data") or {}).get("flags", 0)
        return _json(
            {
                "interaction": {
                    "id": request.match_info["id"],
                    "type": 2,
                    "activity_instance_id": None,
                    "response_message_id": None,
                    "response_message_loading": body["type"] == 5,
                    "response_message_ephemeral": bool(flags & 64),
                },
                "resource": {"type": body["type"]},
            }
        )

    async def _followup(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self._record("followup", request.match_info["token"], body)
        return _json(self._message(body))

    async def _edit_original(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self._record("edit", request.match_info["token"], body)
        return _json(self._message(body))

    async def _delete_original(self, request: web.Request) -> web.Response:
        self._record("delete", request.match_info["token"], {})
        return web.Response(status=204)

    async def _channel_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self._record("channel_message", request.match_info["channel"], body)
        message = self._message(body)
        self.history.setdefault(request.match_info["channel"], []).append(message)
        return _json(message)

    async def _channel_history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: newest first, up to `limit`."""
        kept = self.history.get(request.match_info["channel"], [])
        limit = int(request.query.get("limit", "50"))
        return _json(list(reversed(kept))[:limit])

    async def _attachment(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.attachments:
            return web.Response(status=404)
        return web.Response(body=self.attachments[name])

    def _record(self, kind: str, token: str, body: dict[str, Any]) -> None:
        self.events.append((kind, time.monotonic(), {**body, "token": token}))

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(next(self._ids) + 5000),
            "channel_id": CHANNEL_ID,
            "author": {**BOT_USER},
            "content": body.get("content") or "",
            "timestamp": STAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "webhook_id": APP_ID,
            "application_id": APP_ID,
        }

    # -- gateway ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif data["op"] == 2:
                await self._dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [{"id": GUILD_ID, "unavailable": True}],
                        "session_id": "session-1",
                        "resume_gateway_url": self.gateway_url,
                        "shard": [0, 1],
                        "application": {"id": APP_ID, "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                    },
                )
                await self._dispatch("GUILD_CREATE", _guild())
                self._ready.set()
        self._ws = None
        return ws

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def autocomplete(self, sub: str, option: str, value: str) -> str:
        """An autocomplete interaction (type 4) for `option` of `/podbrief <sub>`."""
        return await self.interact(
            sub, [{"type": 4, "name": option, "value": value, "focused": True}], kind=4
        )

    async def interact(
        self,
        sub: str,
        options: list[dict[str, Any]] | None = None,
        *,
        permissions: str = "2147483647",
        resolved: dict[str, Any] | None = None,
        dm: bool = False,
        kind: int = 2,
        user: dict[str, Any] = ASKER,
    ) -> str:
        """Send an INTERACTION_CREATE for `/podbrief <sub>`; returns its token."""
        await asyncio.wait_for(self._ready.wait(), 15)
        n = next(self._ids)
        token = f"interaction-token-{n}"
        data: dict[str, Any] = {
            "id": "800000000000000001",
            "name": "podbrief",
            "type": 1,
            "options": [{"type": 1, "name": sub, "options": options or []}],
        }
        if resolved:
            data["resolved"] = resolved
        payload: dict[str, Any] = {
            "id": str(810000000000000000 + n),
            "application_id": APP_ID,
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "app_permissions": "2147483647",
            "entitlements": [],
            "attachment_size_limit": 10_485_760,
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 1 if dm else 0,
        }
        if dm:
            payload.update(
                channel_id=CHANNEL_ID,
                user=user,
                channel={"id": CHANNEL_ID, "type": 1, "recipients": [user]},
            )
        else:
            payload.update(
                guild_id=GUILD_ID,
                channel_id=CHANNEL_ID,
                guild_locale="en-US",
                channel=_channel(),
                member={
                    "user": user,
                    "roles": [],
                    "joined_at": STAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": permissions,
                },
            )
        self._record("interaction", token, {})
        await self._dispatch("INTERACTION_CREATE", payload)
        return token


def _channel() -> dict[str, Any]:
    return {
        "id": CHANNEL_ID,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "topic": None,
        "last_message_id": None,
    }


def _guild() -> dict[str, Any]:
    return {
        "id": GUILD_ID,
        "name": "Test Guild",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": OWNER["id"],
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": GUILD_ID,
                "name": "@everyone",
                "permissions": "0",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "channels": [_channel()],
        "threads": [],
        "members": [],
        "voice_states": [],
        "presences": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": STAMP,
        "stage_instances": [],
        "guild_scheduled_events": [],
    }


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()  # type: ignore[no-any-return]
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                return json.loads(await part.text())  # type: ignore[union-attr]
    return {}
