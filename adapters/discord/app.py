"""DiscordAdapter: discord.py application commands (`/podbrief ...`) on one shared BotService.

Every command defers at once (`thinking=True`) and answers with followups. Errors go to
the asker only: the public "thinking" message is deleted and an ephemeral followup sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord import parse, render
from bot.config import Settings
from bot.errors import UserError
from bot.messages import Destination, Reply
from bot.output import cut
from bot.service import BotService

logger = logging.getLogger(__name__)
EPHEMERAL_COMMANDS = frozenset({"help", "episodes"})


class DiscordAdapter:
    """Discord for podbrief; `run()` serves until cancelled, then finishes in-flight replies."""

    name = "discord"

    def __init__(self, service: BotService | None, settings: Settings) -> None:
        d = settings.discord
        if d.token is None:
            raise UserError("Discord needs DISCORD_TOKEN (the bot token of your application)")
        self.service = service
        self.settings = settings
        # discord.py reads these class attributes: they point it at a proxy or a test server
        discord.http.Route.BASE = d.api_url.rstrip("/")
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(d.gateway_url)
        intents = discord.Intents.none()
        intents.guilds = True
        # sharded from the start: Discord says how many shards (or DISCORD_SHARD_COUNT)
        self.client = discord.AutoShardedClient(intents=intents, shard_count=d.shard_count)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.add_command(self._commands())
        self._tasks: set[asyncio.Task[None]] = set()

    def _commands(self) -> app_commands.Group:
        group = app_commands.Group(
            name="podbrief",
            description="Key takeaways and verbatim quotes of podcast episodes",
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        )

        @group.command(name="summarize", description="Takeaways, quotes and topics")
        @app_commands.describe(
            link=(
                "link to a transcript (.txt .srt .vtt .json .ttml .html), or a feed link + "
                "title words"
            ),
            file="a transcript file",
            episode="an episode summarized before",
        )
        async def summarize(
            interaction: discord.Interaction,
            link: str | None = None,
            file: discord.Attachment | None = None,
            episode: int | None = None,
        ) -> None:
            await self._start(interaction, "summarize", link=link, file=file, episode=episode)

        @group.command(name="takeaways", description="Only the key takeaways")
        @app_commands.describe(link="link to a transcript or a feed", episode="an episode id")
        async def takeaways(
            interaction: discord.Interaction, link: str | None = None, episode: int | None = None
        ) -> None:
            await self._start(interaction, "takeaways", link=link, episode=episode)

        @group.command(name="quotes", description="Only the notable quotes, verbatim")
        @app_commands.describe(link="link to a transcript or a feed", episode="an episode id")
        async def quotes(
            interaction: discord.Interaction, link: str | None = None, episode: int | None = None
        ) -> None:
            await self._start(interaction, "quotes", link=link, episode=episode)

        @group.command(name="episodes", description="Episodes summarized here, with ids")
        @app_commands.describe(search="words to look for in titles")
        async def episodes(interaction: discord.Interaction, search: str | None = None) -> None:
            await self._start(interaction, "episodes", words=search)

        @group.command(name="subscribe", description="Digests of a podcast feed here")
        @app_commands.describe(
            feed="the feed's link",
            schedule='daily 09:00 | weekly fri 17:00 | cron "0 8 * * 1", then tz Europe/Berlin',
        )
        async def subscribe(
            interaction: discord.Interaction, feed: str, schedule: str | None = None
        ) -> None:
            await self._start(interaction, "subscribe", words=f"{feed} {schedule or ''}".strip())

        @group.command(name="unsubscribe", description="Stop a feed's digests here")
        @app_commands.describe(feed="the feed's link or subscription id")
        async def unsubscribe(interaction: discord.Interaction, feed: str) -> None:
            await self._start(interaction, "unsubscribe", words=feed)

        @group.command(name="subscriptions", description="The feeds this channel follows")
        async def subscriptions(interaction: discord.Interaction) -> None:
            await self._start(interaction, "subscriptions")

        @group.command(name="digest", description="Post this channel's digests now")
        async def digest(interaction: discord.Interaction) -> None:
            await self._start(interaction, "digest")

        @group.command(name="help", description="What podbrief can do")
        async def help_(interaction: discord.Interaction) -> None:
            await self._start(interaction, "help")

        summarize.autocomplete("episode")(self._episode_choices)
        takeaways.autocomplete("episode")(self._episode_choices)
        quotes.autocomplete("episode")(self._episode_choices)
        return group

    async def _episode_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if self.service is None:
            return []
        found = await self.service.db.find_episodes(current, limit=25)
        return [app_commands.Choice(name=cut(e.title or e.source, 100), value=e.id) for e in found]

    async def _start(self, interaction: discord.Interaction, name: str, **options: Any) -> None:
        """Defer at once (Discord allows 3 s), then do the work in a tracked task."""
        await interaction.response.defer(thinking=True, ephemeral=name in EPHEMERAL_COMMANDS)
        task = asyncio.create_task(self._work(interaction, name, options))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(
        self, interaction: discord.Interaction, name: str, options: dict[str, Any]
    ) -> None:
        assert self.service is not None
        try:
            file = options.pop("file", None)
            max_bytes = self.settings.max_transcript_bytes
            if file is not None and file.size > max_bytes:
                raise UserError(
                    f"{file.filename} is {file.size / 1e6:.1f} MB, over the "
                    f"{max_bytes / 1e6:g} MB limit (PODBRIEF_MAX_TRANSCRIPT_BYTES)"
                )
            perms = interaction.permissions
            cmd = parse.to_command(
                name,
                can_manage=bool(perms.manage_guild or perms.manage_channels),
                user_id=interaction.user.id,
                channel_id=interaction.channel_id,
                guild_id=interaction.guild_id,
                file=parse.FileOption(file.filename, file.url, file.size) if file else None,
                **options,
            )
            reply = await self.service.handle(cmd)
        except UserError as exc:
            reply = Reply(
                parse.to_command(
                    name,
                    user_id=interaction.user.id,
                    channel_id=interaction.channel_id,
                    guild_id=interaction.guild_id,
                ).destination,
                "error",
                text=str(exc),
                ephemeral=True,
            )
        try:
            await self.send(interaction, reply, deferred_ephemeral=name in EPHEMERAL_COMMANDS)
        except discord.HTTPException:
            logger.exception("Discord refused a followup")

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

    async def deliver(self, destination: Destination, reply: Reply) -> list[str]:
        """The outbound port (digests): send to a channel, return the message ids."""
        channel_id = int(destination.channel)
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise UserError(f"channel {channel_id} cannot receive messages")
        ids = []
        for m in render.with_marker(render.render(reply), reply.marker):
            embeds = [discord.Embed.from_dict(e) for e in m["embeds"]]
            message = await channel.send(content=m["content"], embeds=embeds)
            ids.append(str(message.id))
        return ids

    async def find(self, destination: Destination, marker: str) -> list[str]:
        """Ids of a digest this bot posted earlier with this marker (the latest 200
        messages of the channel; needs the Read Message History permission)."""
        channel_id = int(destination.channel)
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable) or self.client.user is None:
            return []
        line = render.marker_line(marker)
        return [
            str(message.id)
            async for message in channel.history(limit=200)
            if message.author.id == self.client.user.id and line in message.content.split("\n")
        ]

    async def run(self) -> None:
        token = self.settings.discord.token
        assert token is not None
        try:
            await self.client.start(token.get_secret_value())
        finally:
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=30)
            await self.client.close()

    async def sync(self, guild_id: int | None = None) -> list[str]:
        """Register the commands with Discord (a CLI step: creating commands is rate limited)."""
        token = self.settings.discord.token
        assert token is not None
        await self.client.login(token.get_secret_value())
        try:
            guild = discord.Object(id=guild_id) if guild_id else None
            if guild is not None:
                self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            return [c.name for c in synced]
        finally:
            await self.client.close()
