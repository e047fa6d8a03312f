"""Shared helpers for the slack tests (and the log-secrecy tests that drive the same app)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.slack.app import SlackAdapter
from adapters.slack.app import syntax as slack_syntax
from bot.bootstrap import App, build
from bot.config import Settings, SlackSettings
from tests.support.data import EXAMPLE, OPUS, ROOT, VTT  # noqa: F401 (re-exported)
from tests.support.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

SECRET = "test-signing-secret"
_TRIGGERS = itertools.count(1)  # Slack gives every invocation its own trigger_id


@asynccontextmanager
async def slack_app(
    tmp_path: Path,
    *,
    socket_mode: bool = False,
    oauth: bool = False,
    settings: dict[str, Any] | None = None,
    database_url: str | None = None,
) -> AsyncIterator[tuple[FakeSlack, SlackAdapter, App]]:
    """The bot with its Slack adapter on the fake Slack; `settings` override the bot's;
    the database is a SQLite file in `tmp_path` unless `database_url` names another."""
    fake = await FakeSlack(
        public={"example.txt": EXAMPLE, "episode.vtt": VTT, "tool-library.opus": OPUS},
        files={"F1": ("interview.vtt", VTT), "F2": ("tool-library.opus", OPUS)},
    ).start()
    bot_settings = Settings(
        **{"workers": 1, **(settings or {})},
        database_url=database_url or f"sqlite:///{tmp_path / 'bot.db'}",
        fetch_allow_hosts="127.0.0.1",
        http_port=0,
        slack=SlackSettings(
            bot_token=None if oauth else BOT_TOKEN,
            signing_secret=SECRET,
            api_url=fake.api_url,
            app_token=APP_TOKEN if socket_mode else None,
            client_id="111.222" if oauth else None,
            client_secret="client-secret" if oauth else None,
        ),
    )
    core = await build(
        bot_settings,
        adapters=[SlackAdapter.make],
        syntaxes={"slack": slack_syntax(bot_settings)},
    )
    (adapter,) = core.adapters
    assert isinstance(adapter, SlackAdapter)
    task = asyncio.create_task(adapter.run())
    try:
        if not socket_mode:
            for _ in range(200):
                if adapter.port:
                    break
                await asyncio.sleep(0.02)
        yield fake, adapter, core
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await core.close()
        await fake.stop()


def signed(body: str, *, secret: str = SECRET, age: float = 0) -> dict[str, str]:
    ts = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash(text: str, user: str = "U1") -> dict[str, str]:
    return {
        "token": "x",
        "team_id": "T1",
        "team_domain": "fake",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": user,
        "user_name": "ana",
        "command": "/podbrief",
        "text": text,
        "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/response",
        "trigger_id": f"{next(_TRIGGERS)}.2.3",
    }


async def post_command(
    adapter: SlackAdapter, text: str, fields: dict[str, str] | None = None, **sign: Any
) -> tuple[int, Any, float]:
    """A signed slash command (`fields` override the payload, e.g. user_id or team_id)."""
    body = urlencode({**slash(text), **(fields or {})})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body, **sign)}
    async with aiohttp.ClientSession() as http:
        start = time.monotonic()
        async with http.post(
            f"http://127.0.0.1:{adapter.port}/slack/events", data=body, headers=headers
        ) as resp:
            text_body = await resp.text()
            done = time.monotonic()
    try:
        payload: Any = json.loads(text_body)
    except json.JSONDecodeError:
        payload = text_body
    return resp.status, payload, done - start


async def post_event(
    adapter: SlackAdapter, event: dict[str, Any], event_id: str, retry: int = 0
) -> int:
    """A signed Events API delivery of `event`; `retry` > 0 marks it as Slack's redelivery."""
    body = json.dumps(
        {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1,
            "event": event,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
    )
    headers = {"Content-Type": "application/json", **signed(body)}
    if retry:  # what Slack adds when it thinks the first delivery was missed
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"http://127.0.0.1:{adapter.port}/slack/events", data=body, headers=headers
        ) as resp:
            return resp.status


def run(
    tmp_path: Path,
    test: Callable[[FakeSlack, SlackAdapter, App], Awaitable[None]],
    socket_mode: bool = False,
    oauth: bool = False,
    settings: dict[str, Any] | None = None,
) -> None:
    async def go() -> None:
        async with slack_app(tmp_path, socket_mode=socket_mode, oauth=oauth, settings=settings) as (
            fake,
            adapter,
            core,
        ):
            await test(fake, adapter, core)

    asyncio.run(go())
