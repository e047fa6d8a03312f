"""SlackAdapter: slack-bolt AsyncApp in Socket Mode or HTTP mode, one shared BotService.

The slash command is acknowledged at once (an ephemeral "working on it", replaced by the
progress of long work); a mention's long work shows its progress in a thread message,
deleted once the answer is posted. The work runs as a task; the result is posted with
chat.postMessage (continuations in its thread); errors go to the asker only, with
chat.postEphemeral. Digests go out through
`SlackMessenger`, the outbound port.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import parse, render
from adapters.slack.guard import request_guard
from bot.bootstrap import ChatPorts
from bot.commands import COMMANDS, Syntax
from bot.config import Settings
from bot.errors import UserError
from bot.messages import Attachment, Command, Destination, Reply
from bot.ports import ChatStore
from bot.service import BotService

logger = logging.getLogger(__name__)
SCOPES = [
    "commands",
    "chat:write",
    "files:read",
    "app_mentions:read",
    "users:read",
    "channels:history",
    "groups:history",
]
TRIGGER_MEMORY_SECONDS = 360.0  # past the 5 minutes a signature is accepted for
# a mention's work that reports progress this long after its first report gets a progress
# message in the thread; a quicker answer posts none (no message that flickers away)
MENTION_PROGRESS_AFTER = 3.0
DIGEST_EVENT = "podbrief_digest"  # message metadata type of a digest's first message
RIGHTS = "workspace admins and owners (and the users in PODBRIEF_SLACK_MANAGERS)"


def syntax(settings: Settings) -> Syntax:
    """Slack's command syntax: the slash command's own name (SLACK_COMMAND)."""
    return Syntax(prefix=settings.slack.command, rights=RIGHTS)


class SlackAdapter:
    """Slack for podbrief; `run()` serves until `stop()`, then finishes in-flight replies."""

    name = "slack"

    def __init__(self, service: BotService, store: ChatStore, settings: Settings) -> None:
        self.service = service
        self.store = store
        self.settings = settings
        slack = settings.slack
        check_settings(settings)
        self.port: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = asyncio.Event()
        self._triggers: dict[str, float] = {}  # trigger_id -> when it may be forgotten
        self.mention_progress_after = MENTION_PROGRESS_AFTER
        self.client = AsyncWebClient(
            token=slack.bot_token.get_secret_value() if slack.bot_token else None,
            base_url=slack.api_url,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
        )
        oauth = None
        if slack.client_id and slack.client_secret:
            engine = store.engine
            oauth = AsyncOAuthSettings(
                client_id=slack.client_id,
                client_secret=slack.client_secret.get_secret_value(),
                scopes=SCOPES,
                installation_store=AsyncSQLAlchemyInstallationStore(slack.client_id, engine),
                state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
            )
        self.app = self._make_app(oauth)
        self.app.command(slack.command)(self._on_command)
        self.app.event("app_mention")(self._on_mention)
        self._messenger = SlackMessenger(self.client, self.app, slack.command)

    @classmethod
    def make(cls, ports: ChatPorts) -> SlackAdapter:
        """The adapter factory the composition root calls."""
        return cls(ports.service, ports.store, ports.settings)

    @property
    def messenger(self) -> SlackMessenger:
        return self._messenger

    @property
    def prefix(self) -> str:
        return self.settings.slack.command

    def _make_app(self, oauth: AsyncOAuthSettings | None) -> AsyncApp:
        slack = self.settings.slack
        secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
        if oauth is not None:  # the install flow's Web API calls go to api_url too
            flow = AsyncOAuthFlow(client=self.client, settings=oauth)
            return AsyncApp(
                client=self.client,
                signing_secret=secret,
                oauth_flow=flow,
                request_verification_enabled=secret is not None,
            )
        return AsyncApp(
            client=self.client,
            signing_secret=secret,
            request_verification_enabled=secret is not None,
        )

    async def create_tables(self) -> None:
        """The OAuth installation and state tables (only for multi-workspace installs)."""
        flow = self.app.oauth_flow
        if flow is not None:
            await flow.settings.installation_store.create_tables()  # type: ignore[attr-defined]
            await flow.settings.state_store.create_tables()  # type: ignore[attr-defined]

    # -- listeners ---------------------------------------------------------------------

    async def _on_command(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack(response_type="ephemeral", text="Working on it…")
        # a signed request replayed within the signature's 5 minutes is answered once
        trigger = body.get("trigger_id")
        if trigger and not await self._first_trigger(str(trigger)):
            logger.info("a slash command was replayed; it is handled already")
            return
        command = parse.from_slash_command(body)
        self._spawn(self._process(command, client, body.get("response_url")))

    async def _on_mention(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        event_id = body.get("event_id")
        if event_id and not await self.store.first_delivery(f"slack:{event_id}"):
            logger.info("event %s was redelivered; it is handled already", event_id)
            return
        self._spawn(self._process(parse.from_mention(event, body.get("team_id")), client))

    async def _first_trigger(self, trigger: str) -> bool:
        """True the first time a slash command's trigger_id is seen. This instance's memory
        answers first; a database shared by several instances (Postgres) is asked too, so a
        replay sent to another instance is caught. SQLite serves one instance: a write per
        command there would only queue behind the summaries' own writes."""
        now = time.monotonic()
        seen = self._triggers
        while seen and next(iter(seen.values())) < now:  # oldest first: drop the expired
            seen.pop(next(iter(seen)))
        if trigger in seen:
            return False
        seen[trigger] = now + TRIGGER_MEMORY_SECONDS
        if self.store.engine.dialect.name == "sqlite":
            return True
        return await self.store.first_delivery(f"slack-trigger:{trigger}")

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- work --------------------------------------------------------------------------

    async def _process(
        self, cmd: Command, client: AsyncWebClient, response_url: str | None = None
    ) -> None:
        try:
            spec = COMMANDS.get(cmd.name)
            if spec is not None and spec.manages:
                cmd = replace(cmd, can_manage=await self._can_manage(cmd.user, client))
            cmd = await self._resolve_files(cmd, client)
            if response_url:
                reply = await self.service.handle(cmd, self._progress(response_url))
                await self._reply(reply, cmd.user, client)
            else:  # a mention: progress is a message in its thread, removed after the answer
                shown = _ThreadProgress(
                    client,
                    cmd.destination.channel,
                    cmd.destination.thread,
                    after=self.mention_progress_after,
                )
                try:
                    reply = await self.service.handle(cmd, shown.show)
                    await self._reply(reply, cmd.user, client)
                finally:
                    await shown.remove()
        except SlackApiError as exc:
            error = _api_error(exc)
            logger.warning("Slack refused a call in %s: %s", cmd.destination.channel, error)
            await self._tell(
                cmd,
                client,
                f"Slack refused that ({error}). If I am not in this "
                "channel, invite me with `/invite @podbrief`.",
            )
        except Exception:
            logger.exception("Slack command failed")
            await self._tell(cmd, client, "Something went wrong on our side; please try again.")

    def _progress(self, response_url: str) -> Callable[[Reply], None]:
        """Progress (transcribing 12:00 of 58:00) replaces the slash command's ephemeral
        "Working on it…" through its response_url (Slack's address, from the signed
        request); one update at a time, and one that fails is logged, not fatal."""
        hook = AsyncWebhookClient(response_url, timeout=10)
        running: list[asyncio.Task[None]] = []

        async def update(text: str) -> None:
            try:
                await hook.send(text=text, response_type="ephemeral", replace_original=True)
            except Exception as exc:  # (one line: it repeats every few seconds)
                logger.warning("could not show progress in Slack (%s)", type(exc).__name__)

        def show(reply: Reply) -> None:
            if reply.text and (not running or running[-1].done()):
                running.append(asyncio.create_task(update(reply.text)))
                self._tasks.add(running[-1])
                running[-1].add_done_callback(self._tasks.discard)

        return show

    async def _can_manage(self, user: str, client: AsyncWebClient) -> bool:
        """Workspace admins and owners, and PODBRIEF_SLACK_MANAGERS, may change settings."""
        managers = {u.strip() for u in self.settings.slack.managers.split(",") if u.strip()}
        if user in managers:
            return True
        info = await client.users_info(user=user)
        member = info.get("user") or {}
        return bool(
            member.get("is_admin") or member.get("is_owner") or member.get("is_primary_owner")
        )

    async def _resolve_files(self, cmd: Command, client: AsyncWebClient) -> Command:
        """A shared file: files.info gives the private download URL, fetched with the token.
        Only the first file is summarized, so only the first is looked up (the service
        tells the user about the others)."""
        if not cmd.attachments:
            return cmd
        first, *others = cmd.attachments
        info = await client.files_info(file=first.headers.get("slack_file_id", ""))
        meta = info["file"]
        resolved = Attachment(
            name=meta.get("name") or first.name,
            url=meta["url_private_download"],
            headers={"Authorization": f"Bearer {client.token}"},
        )
        return replace(cmd, attachments=(resolved, *others))

    async def _reply(self, reply: Reply, user: str, client: AsyncWebClient) -> None:
        messages = render.render(reply, self.prefix)
        channel = reply.destination.channel
        if reply.ephemeral:
            for m in messages:
                await client.chat_postEphemeral(channel=channel, user=user, **m)
            return
        await post_messages(client, reply.destination, reply, messages)

    async def _tell(self, cmd: Command, client: AsyncWebClient, text: str) -> None:
        try:
            await client.chat_postEphemeral(
                channel=cmd.destination.channel, user=cmd.user, text=text
            )
        except SlackApiError:
            logger.warning("could not tell %s either", cmd.user)

    # -- lifecycle ---------------------------------------------------------------------

    async def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        """Socket Mode when SLACK_APP_TOKEN is set, HTTP mode (with /healthz) otherwise."""
        await self.create_tables()
        slack = self.settings.slack
        try:
            if slack.app_token is not None:
                await self._run_socket_mode(slack.app_token.get_secret_value())
            else:
                await self._run_http()
        finally:
            if self._tasks:  # let in-flight replies finish
                await asyncio.wait(self._tasks, timeout=30)

    async def _run_socket_mode(self, app_token: str) -> None:
        handler = AsyncSocketModeHandler(
            self.app,
            app_token,
            web_client=AsyncWebClient(token=app_token, base_url=self.settings.slack.api_url),
        )
        await handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("Slack Socket Mode connected")
        try:
            await self._stopped.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

    async def _run_http(self) -> None:
        web_app = self.app.web_app(path="/slack/events", port=self.settings.http_port)
        secret = self.settings.slack.signing_secret
        if secret is not None:
            web_app.middlewares.append(
                request_guard(
                    secret.get_secret_value(),
                    "/slack/events",
                    body_timeout=self.settings.http_request_timeout,
                )
            )

        async def healthz(_: web.Request) -> web.Response:
            return web.json_response({"ok": True})

        web_app.router.add_get("/healthz", healthz)
        # aiohttp closes a connection whose request has not fully arrived when its keep-alive
        # time is up, counted from the connection's start: the header deadline slow or
        # half-open connections (slowloris) need
        runner = web.AppRunner(
            web_app, access_log=None, keepalive_timeout=self.settings.http_request_timeout
        )
        await runner.setup()
        site = web.TCPSite(runner, "0.0.0.0", self.settings.http_port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        logger.info("Slack HTTP mode on port %s", self.port)
        try:
            await self._stopped.wait()
        finally:
            await runner.cleanup()


class SlackMessenger:
    """Slack's outbound port: posts with the bot token (with OAuth installs, the token of
    the destination's workspace)."""

    def __init__(self, client: AsyncWebClient, app: AsyncApp, prefix: str = "/podbrief") -> None:
        self.client = client
        self._app = app
        self._prefix = prefix

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        """Post to a channel (digests); the message timestamps."""
        client = await self._client_for(destination.workspace)
        return await post_messages(client, destination, reply, render.render(reply, self._prefix))

    async def find(self, destination: Destination, marker: str) -> list[str]:
        """Timestamps of a digest posted earlier with this marker (the latest 200 messages;
        needs the channels:history scope, groups:history for private channels)."""
        client = await self._client_for(destination.workspace)
        resp = await client.conversations_history(
            channel=destination.channel, limit=200, include_all_metadata=True
        )
        found = []
        for message in resp.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == DIGEST_EVENT and payload.get("marker") == marker:
                found.append(str(message["ts"]))
        return found

    async def _client_for(self, team_id: str | None) -> AsyncWebClient:
        """The bot token client; with OAuth installs, the token of that workspace."""
        flow = self._app.oauth_flow
        if flow is None:
            return self.client
        store = flow.settings.installation_store
        installation = await store.async_find_installation(enterprise_id=None, team_id=team_id)
        if installation is None or not installation.bot_token:
            raise UserError(f"podbrief is not installed in Slack workspace {team_id}")
        return AsyncWebClient(
            token=installation.bot_token,
            base_url=self.client.base_url,
            retry_handlers=self.client.retry_handlers,
        )


async def post_messages(
    client: AsyncWebClient, destination: Destination, reply: Reply, messages: list[dict[str, Any]]
) -> list[str]:
    """Post rendered messages, the first in the destination (or its thread) and the rest in
    the first one's thread; the message timestamps.

    A digest's marker rides on the first message as Slack message metadata, so
    `SlackMessenger.find` can tell whether the digest is in the channel already.
    """
    ids: list[str] = []
    thread = destination.thread
    for n, m in enumerate(messages):
        extra: dict[str, Any] = {}
        if n == 0 and reply.marker:
            extra["metadata"] = {
                "event_type": DIGEST_EVENT,
                "event_payload": {"marker": reply.marker},
            }
        resp = await client.chat_postMessage(
            channel=destination.channel, thread_ts=thread, **m, **extra
        )
        ids.append(str(resp["ts"]))
        thread = thread or resp["ts"]
    return ids


def _api_error(exc: SlackApiError) -> str:
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"


def check_settings(settings: Settings) -> None:
    """Refuse to start insecure or incomplete: name the variable that is missing."""
    slack = settings.slack
    if not slack.bot_token and not (slack.client_id and slack.client_secret):
        raise UserError(
            "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (several workspaces)"
        )
    if slack.client_id and not slack.client_secret:
        raise UserError("SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is missing")
    http_mode = slack.app_token is None
    if (http_mode or slack.client_id) and slack.signing_secret is None:
        raise UserError(
            "Slack HTTP mode needs SLACK_SIGNING_SECRET to verify requests "
            "(or set SLACK_APP_TOKEN to use Socket Mode)"
        )


class _ThreadProgress:
    """Progress for a mention (which has no response_url): a message in the mention's
    thread, posted once the work has taken `after` seconds (quick answers post none),
    edited with chat.update as it moves (one call at a time; reports meanwhile wait for
    the next) and deleted once the answer is ready. A call that fails is logged."""

    def __init__(
        self, client: AsyncWebClient, channel: str, thread: str | None, after: float
    ) -> None:
        self.client, self.channel, self.thread, self.after = client, channel, thread, after
        self.text: str | None = None  # the latest report
        self.ts: str | None = None
        self.running: asyncio.Task[None] | None = None
        self.removed = False

    def show(self, reply: Reply) -> None:
        if not reply.text:
            return
        self.text = reply.text
        if self.running is None:
            self.running = asyncio.create_task(self._post_later())
        elif self.ts is not None and self.running.done():
            self.running = asyncio.create_task(self._update(reply.text))

    async def _post_later(self) -> None:
        await asyncio.sleep(self.after)
        if self.removed or self.text is None:
            return
        try:
            posted = await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread, text=self.text
            )
            self.ts = posted.get("ts")
        except Exception as exc:  # (one line: it repeats every few seconds)
            logger.warning("could not show progress in Slack (%s)", type(exc).__name__)

    async def _update(self, text: str) -> None:
        assert self.ts is not None
        try:
            await self.client.chat_update(channel=self.channel, ts=self.ts, text=text)
        except Exception as exc:
            logger.warning("could not show progress in Slack (%s)", type(exc).__name__)

    async def remove(self) -> None:
        self.removed = True
        if self.running is not None and not self.running.done():
            if self.ts is None:  # not posted yet: never will be
                self.running.cancel()
            await asyncio.wait([self.running])
        if self.ts is None:
            return
        try:
            await self.client.chat_delete(channel=self.channel, ts=self.ts)
        except Exception as exc:
            logger.warning("could not remove the progress message (%s)", type(exc).__name__)
