"""Chat commands that change a channel's feeds: subscribe, unsubscribe, subscriptions, digest.

Changing a channel's settings needs rights: the service checks them on every command that
the command table marks as managing (the adapter tells whether the asker may manage the
channel; platform hints are not trusted).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot import commands
from bot.commands import Syntax
from bot.digests.runner import DigestRunner, Outcome
from bot.digests.schedule import USAGE, parse_schedule
from bot.digests.store import DigestStore
from bot.errors import UserError
from bot.messages import Command, Reply
from bot.sources.feeds import fetch_feed
from bot.sources.fetch import SafeFetcher


class SubscriptionCommands:
    """subscribe, unsubscribe, subscriptions and `digest now`, on the digest store; the
    scheduler's `refresh` is called after every change."""

    def __init__(
        self,
        store: DigestStore,
        runner: DigestRunner,
        fetcher: SafeFetcher,
        refresh: Callable[[], Awaitable[None]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.runner = runner
        self.fetcher = fetcher
        self.refresh = refresh
        self.clock = clock

    async def handle(self, cmd: Command, syntax: Syntax) -> Reply:
        where = cmd.destination
        if cmd.name == "subscriptions":
            return await self._list(cmd)
        if cmd.name == "subscribe":
            return await self._subscribe(cmd, syntax)
        if cmd.name == "unsubscribe":
            if not cmd.args.strip():
                raise UserError(
                    f"Which feed? `{syntax.usage('unsubscribe')}`; "
                    f"`{syntax.command('subscriptions')}` lists them."
                )
            target = commands.link_of(cmd.args) or cmd.args.strip()
            key = commands.row_id(target)
            removed = await self.store.unsubscribe(
                where.platform, where.channel, target if key is None else key
            )
            if not removed:
                raise UserError(
                    f"This channel has no subscription {target!r}; "
                    f"`{syntax.command('subscriptions')}` lists them."
                )
            await self.refresh()
            return Reply(where, "text", text=f"Unsubscribed from {target}.")
        return await self._digest_now(cmd)

    async def _subscribe(self, cmd: Command, syntax: Syntax) -> Reply:
        link_text, _, schedule_text = cmd.args.strip().partition(" ")
        link = commands.link_of(link_text)
        if link is None:
            raise UserError(
                f"`{syntax.command('subscribe <feed link> [schedule] [always]')}`; "
                f"schedule: {USAGE}; `always` posts even when nothing is new"
            )
        words = schedule_text.split()
        always = bool(words) and words[-1].lower() == "always"
        if always:
            schedule_text = " ".join(words[:-1])
        schedule = parse_schedule(schedule_text)
        # a clear error if it is not a feed
        feed = await fetch_feed(self.fetcher, link, parse=self.runner.summaries.parse_feed)
        sub, created = await self.store.subscribe(
            platform=cmd.destination.platform,
            workspace=cmd.destination.workspace,
            channel=cmd.destination.channel,
            feed_url=link,
            schedule=schedule.spec(),
            user=cmd.user,
            post_empty=always,
        )
        await self.refresh()
        upcoming = schedule.next_run(self.clock()).astimezone(schedule.zone)
        verb = "Subscribed this channel to" if created else "Updated the schedule of"
        return Reply(
            cmd.destination,
            "text",
            text=(
                f"{verb} *{feed.title}* (subscription {sub.id}): digests {schedule.describe()}; "
                f"the next one on {upcoming:%a %d %b %Y at %H:%M %Z}"
                + (", posted even when nothing is new." if always else ".")
            ),
        )

    async def _list(self, cmd: Command) -> Reply:
        subs = await self.store.subscriptions(cmd.destination.platform, cmd.destination.channel)
        if not subs:
            return Reply(
                cmd.destination, "text", ephemeral=True, text="This channel follows no feeds yet."
            )
        lines = [f"`{s.id}` {s.feed_url}: {parse_schedule(s.schedule).describe()}" for s in subs]
        return Reply(
            cmd.destination, "text", text="Feeds this channel follows:\n" + "\n".join(lines)
        )

    async def _digest_now(self, cmd: Command) -> Reply:
        subs = await self.store.subscriptions(cmd.destination.platform, cmd.destination.channel)
        if not subs:
            raise UserError("This channel follows no feeds; subscribe to one first.")
        outcomes = [await self.runner.run_slot(s, self.clock(), manual=True) for s in subs]
        posted = outcomes.count(Outcome.POSTED)
        return Reply(
            cmd.destination,
            "text",
            ephemeral=True,
            text=f"Digest posted for {posted} of {len(subs)} feeds"
            + (" (the others had nothing new)." if posted < len(subs) else "."),
        )
