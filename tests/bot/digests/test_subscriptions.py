"""Managing a channel's feeds from chat: rights, schedules in words, digest now, unsubscribe."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

from adapters.console.app import ConsoleAdapter
from bot.digests.runner import DigestRunner
from bot.digests.scheduler import DigestScheduler
from bot.digests.store import DigestStore
from bot.digests.subscriptions import SubscriptionCommands
from bot.messages import Command, Destination
from bot.ports import Messenger
from bot.service import BotService
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from tests.support.core import summaries_for
from tests.support.feeds import digest_jobs, feed_site

HERE = Destination("console", "terminal", "local")


def cmd(name: str, args: str = "", manage: bool = True) -> Command:
    return Command(name, args, "U1", HERE, can_manage=manage)


def test_subscribe_list_digest_now_unsubscribe(database_url: str) -> None:
    async def go() -> None:
        from datetime import UTC, datetime

        db = Database(database_url)
        await db.upgrade()
        fetcher = SafeFetcher(max_bytes=500_000, allow_hosts=frozenset({"127.0.0.1"}))
        summaries = summaries_for(db, fetcher, max_bytes=500_000)
        out = io.StringIO()
        messengers: dict[str, Messenger] = {}
        store = DigestStore(db)
        runner = DigestRunner(summaries, fetcher, store, messengers, instance="i1")
        scheduler = DigestScheduler(runner, store, catchup=timedelta(hours=1))
        await scheduler.start(paused=True)
        subscriptions = SubscriptionCommands(store, runner, fetcher, scheduler.refresh)
        service = BotService(summaries=summaries, episodes=db, subscriptions=subscriptions)
        console = ConsoleAdapter(service, stdin=io.StringIO(), stdout=out)
        messengers["console"] = console.messenger
        try:
            async with feed_site(datetime.now(UTC) + timedelta(minutes=5)) as base:
                feed = f"{base}/feed.xml"
                refused = await service.handle(cmd("subscribe", feed, manage=False))
                assert refused.kind == "error"
                assert "is for" in refused.text
                ok = await service.handle(cmd("subscribe", f"{feed} daily 07:30 tz Europe/Berlin"))
                assert ok.kind == "text", ok.text
                assert "Subscribed this channel to *Compost Corner*" in ok.text
                assert "every day at 07:30 (Europe/Berlin)" in ok.text
                assert "at 07:30 CE" in ok.text  # CET or CEST: the next post in the zone
                (sub,) = await store.subscriptions()
                assert digest_jobs(scheduler) == ["digests daily 07:30 tz Europe/Berlin"]
                again = await service.handle(cmd("subscribe", f"{feed} weekly fri 17:00"))
                assert "Updated the schedule" in again.text
                listing = await service.handle(cmd("subscriptions", manage=False))
                assert f"`{sub.id}` {feed}: every Friday at 17:00 (UTC)" in listing.text

                now = await service.handle(cmd("digest", "now"))
                assert "posted for 1 of 1" in now.text
                assert "Compost Corner: 2 new episodes" in out.getvalue()
                twice = await service.handle(cmd("digest", "now"))
                assert "posted for 0 of 1" in twice.text

                for bad, message in (
                    ("https://127.0.0.1:1/nothing", "could not connect"),
                    (f"{base}/ep.vtt", "not a readable"),
                    (f"{feed} daily 99:00", "could not read the schedule"),
                    ("not-a-link", "subscribe <feed link>"),
                ):
                    reply = await service.handle(cmd("subscribe", bad))
                    assert reply.kind == "error"
                    assert message in reply.text, reply.text
                gone = await service.handle(cmd("unsubscribe", str(sub.id)))
                assert "Unsubscribed" in gone.text
                assert digest_jobs(scheduler) == []
                missing = await service.handle(cmd("unsubscribe", str(sub.id)))
                assert "no subscription" in missing.text
                # ids that are not ids: a superscript digit, beyond the database's integer
                for odd in ("²", "#٣", "0", "99999999999999999999", "2147483648"):
                    reply = await service.handle(cmd("unsubscribe", odd))
                    assert reply.kind == "error"
                    assert "no subscription" in reply.text, reply.text
                    episode = await service.handle(cmd("quotes", odd))
                    assert episode.kind == "error"
                    assert "on our side" not in episode.text, episode.text
        finally:
            scheduler.stop()
            await fetcher.close()
            await db.close()

    asyncio.run(go())
