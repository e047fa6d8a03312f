"""DiscordAdapter: discord.py application commands (`/podbrief ...`) on one shared BotService.

Every command defers at once (`thinking=True`) and answers with followups. Errors go to
the asker only: the public "thinking" message is deleted and an ephemeral followup sent.
The `/podbrief` group is built from the command table; `sync` registers it without a
running bot. Digests go out through `DiscordMessenger`, the outbound port.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord import parse, render
from bot.bootstrap import ChatPorts
from bot.commands import COMMANDS, Argument, CommandSpec, Syntax
from bot.config import Settings
from bot.errors import UserError
from bot.messages import Destination, Reply
from bot.output import cut
from bot.ports import ChatStore
from bot.service import BotService

logger = logging.getLogger(__name__)
RIGHTS = "members with the Manage Server or Manage Channels permission"
# Discord's application commands take named options instead of free text
OPTIONS = {
    Argument.SOURCE: "link:<url> | file:<attachment> | episode:<id>",
    Argument.EPISODE: "link:<url> | episode:<id>",
    Argument.WORDS: "search:<words>",
    Argument.FEED_SCHEDULE: "feed:<url> schedule:<daily 09:00 tz Europe/Berlin>",
    Argument.FEED: "feed:<url or id>",
}
SYNTAX = Syntax(
    prefix="/podbrief",
    usages={
        name: f"{name} {OPTIONS[spec.argument]}" if spec.argument in OPTIONS else name
        for name, spec in COMMANDS.items()
    },
    rights=RIGHTS,
)
Start = Callable[[discord.Interaction, str, dict[str, Any]], Awaitable[None]]
Callback = Callable[..., Coroutine[Any, Any, None]]
Choices = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[int]]]]
LINK = "link to a transcript (.txt .srt .vtt .json .ttml .html), or a feed link + title words"


def point_sdk_at(settings: Settings) -> None:
    """discord.py reads its REST and gateway addresses from class attributes (process-wide):
    point them at Discord, a proxy or a test server before a client connects."""
    discord.http.Route.BASE = settings.discord.api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


def _callback(spec: CommandSpec, start: Start) -> Callback:
    """The command's callback, with the named options of its argument's kind."""
    name = spec.name

    async def source(
        interaction: discord.Interaction,
        link: str | None = None,
        file: discord.Attachment | None = None,
        episode: int | None = None,
    ) -> None:
        await start(interaction, name, {"link": link, "file": file, "episode": episode})

    async def episode(
        interaction: discord.Interaction, link: str | None = None, episode: int | None = None
    ) -> None:
        await start(interaction, name, {"link": link, "episode": episode})

    async def words(interaction: discord.Interaction, search: str | None = None) -> None:
        await start(interaction, name, {"words": search})

    async def feed_schedule(
        interaction: discord.Interaction, feed: str, schedule: str | None = None
    ) -> None:
        await start(interaction, name, {"words": f"{feed} {schedule or ''}".strip()})

    async def feed(interaction: discord.Interaction, feed: str) -> None:
        await start(interaction, name, {"words": feed})

    async def bare(interaction: discord.Interaction) -> None:
        await start(interaction, name, {})

    shapes: dict[Argument, tuple[Callback, dict[str, str]]] = {
        Argument.SOURCE: (
            source,
            {"link": LINK, "file": "a transcript file", "episode": "an episode summarized before"},
        ),
        Argument.EPISODE: (
            episode,
            {"link": "link to a transcript or a feed", "episode": "an episode id"},
        ),
        Argument.WORDS: (words, {"search": "words to look for in titles"}),
        Argument.FEED_SCHEDULE: (
            feed_schedule,
            {
                "feed": "the feed's link",
                "schedule": 'daily 09:00 | weekly fri 17:00 | cron "0 8 * * 1", then tz '
                "Europe/Berlin",
            },
        ),
        Argument.FEED: (feed, {"feed": "the feed's link or subscription id"}),
    }
    fn, described = shapes.get(spec.argument, (bare, {}))
    return app_commands.describe(**described)(fn) if described else fn


def command_group(start: Start, choices: Choices | None = None) -> app_commands.Group:
    """`/podbrief` with one subcommand per entry of the command table."""
    group = app_commands.Group(
        name="podbrief",
        description="Key takeaways and verbatim quotes of podcast episodes",
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=True
        ),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    )
    for spec in COMMANDS.values():
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=spec.name, description=spec.description, callback=_callback(spec, start)
        )
        if choices is not None and spec.argument in (Argument.SOURCE, Argument.EPISODE):
            command.autocomplete("episode")(choices)
        group.add_command(command)
    return group


async def sync(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Register the commands with Discord (a CLI step: creating commands is rate limited);
    needs only the token, no running bot."""
    token = settings.discord.token
    if token is None:
        raise UserError("Discord needs DISCORD_TOKEN (the bot token of your application)")

    async def never(interaction: discord.Interaction, name: str, options: dict[str, Any]) -> None:
        raise AssertionError("a sync client answers no command")

    point_sdk_at(settings)
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    tree.add_command(command_group(never))
    await client.login(token.get_secret_value())
    try:
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        return [c.name for c in synced]
    finally:
        await client.close()


class DiscordAdapter:
    """Discord for podbrief; `run()` serves until `stop()`, then finishes in-flight replies."""

    name = "discord"

    def __init__(self, service: BotService, store: ChatStore, settings: Settings) -> None:
        d = settings.discord
        if d.token is None:
            raise UserError("Discord needs DISCORD_TOKEN (the bot token of your application)")
        self.service = service
        self.store = store
        self.settings = settings
        intents = discord.Intents.none()
        intents.guilds = True
        # sharded from the start: Discord says how many shards (or DISCORD_SHARD_COUNT)
        self.client = discord.AutoShardedClient(intents=intents, shard_count=d.shard_count)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.add_command(command_group(self._start, self._episode_choices))
        self._tasks: set[asyncio.Task[None]] = set()
        self._messenger = DiscordMessenger(self.client)

    @classmethod
    def make(cls, ports: ChatPorts) -> DiscordAdapter:
        """The adapter factory the composition root calls."""
        return cls(ports.service, ports.store, ports.settings)

    @property
    def messenger(self) -> DiscordMessenger:
        return self._messenger

    async def _episode_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        found = await self.store.find_episodes(current, limit=25)
        return [app_commands.Choice(name=cut(e.title or e.source, 100), value=e.id) for e in found]

    async def _start(
        self, interaction: discord.Interaction, name: str, options: dict[str, Any]
    ) -> None:
        """Defer at once (Discord allows 3 s), then do the work in a tracked task."""
        await interaction.response.defer(thinking=True, ephemeral=COMMANDS[name].private)
        task = asyncio.create_task(self._work(interaction, name, options))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(
        self, interaction: discord.Interaction, name: str, options: dict[str, Any]
    ) -> None:
        private = COMMANDS[name].private
        shown: list[asyncio.Task[None]] = []  # progress edits of the thinking message
        try:
            file = options.pop("file", None)
            audio = file is not None and (file.content_type or "").startswith(("audio/", "video/"))
            max_bytes = (
                self.settings.max_audio_bytes if audio else self.settings.max_transcript_bytes
            )
            if file is not None and file.size > max_bytes:
                setting = "PODBRIEF_MAX_AUDIO_BYTES" if audio else "PODBRIEF_MAX_TRANSCRIPT_BYTES"
                raise UserError(
                    f"{file.filename} is {file.size / 1e6:.1f} MB, over the "
                    f"{max_bytes / 1e6:g} MB limit ({setting})"
                )
            cmd = parse.to_command(
                name,
                can_manage=may_manage(interaction),
                user_id=interaction.user.id,
                channel_id=interaction.channel_id,
                guild_id=interaction.guild_id,
                file=parse.FileOption(file.filename, file.url, file.size) if file else None,
                **options,
            )
            reply = await self.service.handle(cmd, self._progress(interaction, shown))
        except UserError as exc:
            destination = parse.destination_of(
                user_id=interaction.user.id,
                channel_id=interaction.channel_id,
                guild_id=interaction.guild_id,
            )
            reply = Reply(
                destination,
                "error",
                text=str(exc),
                ephemeral=True,
            )
        for edit in shown:  # none may land after the answer
            edit.cancel()
        await asyncio.gather(*shown, return_exceptions=True)
        try:
            await self.send(interaction, reply, deferred_ephemeral=private)
            if shown and not (reply.ephemeral and not private):  # (else deleted already)
                # the thinking message became the progress message: the answer is below it
                await interaction.delete_original_response()
        except discord.HTTPException:
            logger.exception("Discord refused a followup")

    def _progress(
        self, interaction: discord.Interaction, shown: list[asyncio.Task[None]]
    ) -> Callable[[Reply], None]:
        """Progress (transcribing 12:00 of 58:00) shown by editing the thinking message;
        an edit that fails is logged and the work goes on. `shown` keeps the edits."""

        async def edit(text: str) -> None:
            try:
                await interaction.edit_original_response(content=text)
            except discord.HTTPException as exc:  # (one line: it repeats every few seconds)
                logger.warning("could not show progress in Discord (HTTP %s)", exc.status)

        def show(reply: Reply) -> None:
            if reply.text and (not shown or shown[-1].done()):  # (one edit at a time)
                shown.append(asyncio.create_task(edit(reply.text)))

        return show

    async def send(
        self, interaction: discord.Interaction, reply: Reply, *, deferred_ephemeral: bool
    ) -> None:
        messages = render.render(reply)
        if reply.ephemeral and not deferred_ephemeral:
            # the public "thinking" message goes; the error is shown to the asker only
            await interaction.delete_original_response()
        for m in messages:
            embeds = [discord.Embed.from_dict(e) for e in m["embeds"]]
            await interaction.followup.send(
                content=m["content"] or discord.utils.MISSING,
                embeds=embeds or discord.utils.MISSING,
                ephemeral=reply.ephemeral,
            )

    async def run(self) -> None:
        token = self.settings.discord.token
        assert token is not None
        point_sdk_at(self.settings)
        try:
            await self.client.start(token.get_secret_value())
        finally:
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=30)
            await self.client.close()

    async def stop(self) -> None:
        """Close the gateway connection: `run()` returns after in-flight replies."""
        await self.client.close()


def may_manage(interaction: discord.Interaction) -> bool:
    """Whether the member may change the channel's subscriptions: Manage Server or Manage
    Channels, Administrator (which implies every permission) or owning the guild."""
    perms = interaction.permissions
    guild = interaction.guild
    owner = guild is not None and guild.owner_id == interaction.user.id
    return owner or perms.administrator or perms.manage_guild or perms.manage_channels


class DiscordMessenger:
    """Discord's outbound port: channel messages sent by the bot's client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        """Send to a channel (digests); the message ids."""
        channel = await self._channel(destination)
        if not isinstance(channel, discord.abc.Messageable):
            raise UserError(f"channel {destination.channel} cannot receive messages")
        ids = []
        for m in render.with_marker(render.render(reply), reply.marker):
            embeds = [discord.Embed.from_dict(e) for e in m["embeds"]]
            message = await channel.send(content=m["content"], embeds=embeds)
            ids.append(str(message.id))
        return ids

    async def find(self, destination: Destination, marker: str) -> list[str]:
        """Ids of a digest this bot posted earlier with this marker (the latest 200
        messages of the channel; needs the Read Message History permission)."""
        channel = await self._channel(destination)
        if not isinstance(channel, discord.abc.Messageable) or self.client.user is None:
            return []
        line = render.marker_line(marker)
        return [
            str(message.id)
            async for message in channel.history(limit=200)
            if message.author.id == self.client.user.id and line in message.content.split("\n")
        ]

    async def _channel(self, destination: Destination) -> Any:
        """The destination's channel, from the client's cache or else from the API."""
        channel_id = int(destination.channel)
        return self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
