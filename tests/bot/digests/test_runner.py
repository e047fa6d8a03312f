"""Digest slots posted exactly once: several runners, a crashed claim, empty and failed slots."""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from adapters.console.app import ConsoleMessenger
from bot.digests.runner import EPISODES_AT_ONCE, DigestRunner
from bot.digests.scheduler import DigestScheduler
from bot.digests.store import Claim, DigestStore
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from bot.storage.models import DeliveryRow
from tests.support.core import summaries_for
from tests.support.feeds import (
    AUDIO_HITS,
    FEED_CHANGES,
    FEED_DELAY,
    FEED_HITS,
    SLOT_TIME,
    TRANSCRIPTS_IN_FLIGHT,
    digest_jobs,
    feed_site,
    slot_key,
    subscribe,
)
from tests.support.messenger import RecordingMessenger

Scenario = Callable[[list[DigestRunner], DigestStore, io.StringIO, int], Awaitable[None]]


def scenario(database_url: str, test: Scenario, runners: int = 1) -> None:
    async def go() -> None:
        FEED_CHANGES.clear()
        out = io.StringIO()
        dbs = [Database(database_url) for _ in range(runners)]
        await dbs[0].upgrade()
        fetcher = SafeFetcher(max_bytes=500_000, allow_hosts=frozenset({"127.0.0.1"}))
        store = DigestStore(dbs[0])
        sub = await subscribe(store, "")
        async with feed_site(sub.created_at + timedelta(minutes=1)) as base:
            await subscribe(store, f"{base}/feed.xml")
            await store.unsubscribe("console", "terminal", "")
            made = []
            for n, db in enumerate(dbs):
                made.append(
                    DigestRunner(
                        summaries_for(db, fetcher, max_bytes=500_000),
                        fetcher,
                        DigestStore(db),
                        {"console": ConsoleMessenger(out.write)},
                        instance=f"instance-{n}",
                        backoff_seconds=0.01,
                        clock=lambda: SLOT_TIME,
                    )
                )
            (current,) = await store.subscriptions()
            try:
                await test(made, store, out, current.id)
            finally:
                await fetcher.close()
                for db in dbs:
                    await db.close()

    asyncio.run(go())


def test_a_slot_is_posted_once(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"
        text = out.getvalue()
        assert "Compost Corner: 2 new episodes" in text
        assert "Hot composting" in text
        assert "•" in text
        assert "No transcript or audio: Leaves rot slowly" in text
        assert await runners[0].run_slot(sub, SLOT_TIME) == "claimed elsewhere"
        assert out.getvalue() == text
        assert await store.deliveries(sub_id) == [(slot_key(), "posted", 1)]
        # the next slot has nothing new: an empty digest is skipped
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "empty"
        assert out.getvalue() == text

    scenario(database_url, t)


def test_several_instances_post_each_slot_once(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        outcomes = await asyncio.gather(*(r.run_slot(sub, SLOT_TIME) for r in runners))
        assert sorted(outcomes) == ["claimed elsewhere"] * (len(runners) - 1) + ["posted"]
        assert out.getvalue().count("Compost Corner: 2 new episodes") == 1

    scenario(database_url, t, runners=3)


def test_a_crashed_claim_is_taken_over_and_posted_once(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        crashed_at = datetime.now(UTC) - timedelta(hours=1)
        assert await store.claim(
            sub_id, slot_key(), "crashed", stale_after=timedelta(minutes=15), now=crashed_at
        )
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"
        assert await runners[1].run_slot(sub, SLOT_TIME) == "claimed elsewhere"
        assert out.getvalue().count("new episodes") == 1
        assert await store.deliveries(sub_id) == [(slot_key(), "posted", 2)]

    scenario(database_url, t, runners=2)


def test_a_failed_slot_is_marked_and_reported_next_time(database_url: str) -> None:
    class Broken:
        def __init__(self) -> None:
            self.calls = 0

        async def post(self, destination: object, reply: object) -> list[str]:
            self.calls += 1
            raise ConnectionError("platform down")

    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        console = runners[0].messengers["console"]
        broken = Broken()
        runners[0].messengers["console"] = broken
        assert await runners[0].run_slot(sub, SLOT_TIME) == "failed"
        assert broken.calls == runners[0].attempts
        assert await store.deliveries(sub_id) == [(slot_key(), "failed", 1)]
        runners[0].messengers["console"] = console
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "posted"
        assert f"digest planned for {slot_key()} could not be posted" in out.getvalue()

    scenario(database_url, t)


def test_restart_after_three_missed_slots_posts_one_catch_up(database_url: str) -> None:
    from bot.digests.schedule import parse_schedule
    from bot.digests.scheduler import DigestScheduler, latest_slot_time

    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        # the subscription's slots are daily at 09:00 UTC; the bot was down for 3 of them
        now = SLOT_TIME + timedelta(days=2, hours=3)
        schedule = parse_schedule("daily 09:00 tz UTC")
        assert latest_slot_time(schedule, now, timedelta(days=3)) == SLOT_TIME + timedelta(days=2)
        sched = DigestScheduler(runners[0], store, catchup=timedelta(hours=24), clock=lambda: now)
        assert await sched.catch_up() == ["posted"]
        assert await sched.catch_up() == ["claimed elsewhere"]  # a second restart
        assert [s for s, _, _ in await store.deliveries(sub_id)] == [slot_key(2)]
        assert out.getvalue().count("new episodes") == 1
        # outside the catch-up window nothing is posted
        late = DigestScheduler(
            runners[0], store, catchup=timedelta(hours=1), clock=lambda: now + timedelta(hours=5)
        )
        assert await late.catch_up() == []

    scenario(database_url, t)


def test_jobs_are_rebuilt_from_the_table(database_url: str) -> None:
    from bot.digests.scheduler import DigestScheduler

    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        sched = DigestScheduler(
            runners[0],
            store,
            catchup=timedelta(hours=24),
            clock=lambda: SLOT_TIME - timedelta(days=1),
        )
        await sched.start(paused=True)
        assert digest_jobs(sched) == ["digests daily 09:00 tz UTC"]
        await subscribe(
            store, "https://x/f.xml", channel="other", schedule="weekly mon 08:00 tz Europe/Berlin"
        )
        await subscribe(store, "https://x/g.xml", channel="third")  # shares the first job
        await sched.refresh()
        assert sorted(digest_jobs(sched)) == [
            "digests daily 09:00 tz UTC",
            "digests weekly mon 08:00 tz Europe/Berlin",
        ]
        await store.unsubscribe("console", "other", "https://x/f.xml")
        await sched.refresh()
        assert digest_jobs(sched) == ["digests daily 09:00 tz UTC"]
        job = sched.scheduler.get_job(
            next(j.id for j in sched.scheduler.get_jobs() if j.id.startswith("digest-"))
        )
        assert job.misfire_grace_time == 24 * 3600
        assert job.coalesce is True
        sched.stop()

    scenario(database_url, t)


def test_unchanged_feed_costs_a_304_and_always_posts_when_asked(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        FEED_HITS.clear()
        assert await runners[0].run_slot(sub, SLOT_TIME, manual=True) == "posted"
        (sub,) = await store.subscriptions()
        assert sub.feed_etag == '"feed-v1"'
        assert await runners[0].run_slot(sub, SLOT_TIME) == "empty"
        assert FEED_HITS == ["", '"feed-v1"']  # the second fetch was conditional (304)
        always = await subscribe(store, sub.feed_url, schedule=sub.schedule, post_empty=True)
        assert await runners[0].run_slot(always, SLOT_TIME + timedelta(days=1)) == "posted"
        assert "No new episodes since the last digest." in out.getvalue()

    scenario(database_url, t)


def test_a_feed_that_is_down_is_reported_in_the_channel(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        down = await subscribe(store, "http://127.0.0.1:1/f.xml", schedule=sub.schedule)
        assert await runners[0].run_slot(down, SLOT_TIME) == "posted"
        made = "The digest of http://127.0.0.1:1/f.xml could not be made: could not connect"
        assert made in out.getvalue()
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"  # others go on

    scenario(database_url, t)


def test_an_episode_is_posted_once_even_if_the_feed_re_dates_or_back_dates_it(
    database_url: str,
) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"
        title = "Hot composting https://compost.example/3"
        assert out.getvalue().count(title) == 1
        (sub,) = await store.subscriptions()
        # the feed moves an episode it already had to a later date, and adds one dated
        # before the last digest (but after the channel subscribed)
        FEED_CHANGES.append(("cc-3", SLOT_TIME + timedelta(hours=2)))
        FEED_CHANGES.append(("cc-5", sub.created_at + timedelta(minutes=2)))
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "posted"
        second = out.getvalue().split("Compost Corner: ")[-1]
        assert second.startswith("1 new episode\n")
        assert "Episode cc-5" in second
        assert title not in second
        # nothing is left: the next slot is empty
        (sub,) = await store.subscriptions()
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=2)) == "empty"

    scenario(database_url, t)


def test_digests_posted_before_the_guid_record_still_count(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        # a digest posted by a version that did not record guids (a NULL row, as
        # migration 0004 leaves old rows): what was published before it is not new
        assert await store.claim(
            sub_id, slot_key(-1), "old", stale_after=timedelta(minutes=15), now=SLOT_TIME
        )
        assert await store.finish(sub_id, slot_key(-1), "old", now=SLOT_TIME)
        async with store._session.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.subscription_id == sub_id)
                .values(episode_guids=None)
            )
        assert await store.delivered(sub_id) == (set(), SLOT_TIME)
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "empty"
        FEED_CHANGES.append(("cc-6", SLOT_TIME + timedelta(hours=1)))
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=2)) == "posted"
        assert "Compost Corner: 1 new episode\n" in out.getvalue()

    scenario(database_url, t)


def test_channels_following_one_feed_share_one_request_per_run(database_url: str) -> None:
    from bot.digests.scheduler import DigestScheduler

    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        for channel in ("garden", "kitchen"):
            await subscribe(store, sub.feed_url, channel=channel, schedule=sub.schedule)
        FEED_HITS.clear()
        now = SLOT_TIME + timedelta(minutes=5)
        sched = DigestScheduler(runners[0], store, catchup=timedelta(hours=1), clock=lambda: now)
        assert await sched.catch_up() == ["posted"] * 3
        assert out.getvalue().count("Compost Corner: 2 new episodes") == 3
        assert FEED_HITS == [""]  # one request for the three channels
        # next run: the three share their validators, so one conditional request (a 304)
        later = DigestScheduler(
            runners[0], store, catchup=timedelta(hours=1), clock=lambda: now + timedelta(days=1)
        )
        assert await later.catch_up() == ["empty"] * 3
        assert FEED_HITS == ["", '"feed-v1"']

    scenario(database_url, t)


def test_a_post_whose_answer_was_lost_is_not_repeated(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        channel = RecordingMessenger(fail_after_post=1)
        runners[0].messengers["console"] = channel
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"
        assert channel.posts == [("m1", f"{sub_id}/{slot_key()}")]
        assert await store.deliveries(sub_id) == [(slot_key(), "posted", 1)]

    scenario(database_url, t)


def test_a_taken_over_slot_that_was_posted_is_found_not_posted_again(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        slot = slot_key()
        # an instance claimed the slot, planned it, posted it and stopped before recording it
        crashed_at = datetime.now(UTC) - timedelta(hours=1)
        assert await store.claim(
            sub_id, slot, "crashed", stale_after=timedelta(minutes=15), now=crashed_at
        )
        assert await store.plan(sub_id, slot, "crashed", ["cc-3", "cc-4"])
        channel = RecordingMessenger()
        channel.posts.append(("m1", f"{sub_id}/{slot}"))
        runners[0].messengers["console"] = channel
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted earlier"
        assert channel.posts == [("m1", f"{sub_id}/{slot}")]
        assert await store.deliveries(sub_id) == [(slot, "posted", 2)]
        assert await store.delivered(sub_id) == ({"cc-3", "cc-4"}, None)
        # a takeover that finds nothing posts (the crash came before the post)
        other = slot_key(1)
        assert await store.claim(
            sub_id, other, "crashed", stale_after=timedelta(minutes=15), now=crashed_at
        )
        FEED_CHANGES.append(("cc-7", SLOT_TIME + timedelta(hours=1)))
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "posted"
        assert channel.posts[-1] == ("m2", f"{sub_id}/{other}")
        assert (other, "posted", 2) in await store.deliveries(sub_id)

    scenario(database_url, t)


def test_a_digest_summarizes_its_episodes_side_by_side(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        assert await runners[0].run_slot(sub, SLOT_TIME) == "posted"
        (sub,) = await store.subscriptions()
        TRANSCRIPTS_IN_FLIGHT[:] = [0, 0]
        for n in (1, 2, 3, 4):
            FEED_CHANGES.append((f"tx-{n}", SLOT_TIME + timedelta(hours=n)))
        assert await runners[0].run_slot(sub, SLOT_TIME + timedelta(days=1)) == "posted"
        second = out.getvalue().split("Compost Corner: ")[-1]
        assert second.startswith("4 new episodes\n")
        order = [second.index(f"Episode tx-{n}") for n in (1, 2, 3, 4)]
        assert order == sorted(order)  # still oldest first
        assert second.count("•") >= 4  # each one summarized
        # several at once, as many as a digest allows, not one after another
        assert TRANSCRIPTS_IN_FLIGHT == [0, EPISODES_AT_ONCE]

    scenario(database_url, t)


def _moving(runner: DigestRunner, stale_after: float) -> DigestRunner:
    """The runner with a short claim timeout and a clock that moves (from SLOT_TIME on)."""
    offset = SLOT_TIME - datetime.now(UTC)
    return replace(
        runner,
        stale_after=timedelta(seconds=stale_after),
        clock=lambda: datetime.now(UTC) + offset,
    )


def test_a_build_longer_than_the_claim_timeout_keeps_its_claim(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        a, b = (_moving(r, stale_after=0.3) for r in runners)
        FEED_DELAY[0] = 1.2  # the build takes four claim timeouts
        building = asyncio.create_task(a.run_slot(sub, SLOT_TIME))
        await asyncio.sleep(0.7)  # without a heartbeat, A's claim is stale by now
        assert await b.run_slot(sub, SLOT_TIME) == "claimed elsewhere"
        assert await b.take_over_stale() == []
        assert await building == "posted"
        assert out.getvalue().count("Compost Corner: 2 new episodes") == 1
        assert await store.deliveries(sub_id) == [(slot_key(), "posted", 1)]

    scenario(database_url, t, runners=2)


def test_a_holder_that_lost_its_claim_never_posts(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        a = _moving(runners[0], stale_after=0.3)
        FEED_DELAY[0] = 1.0
        building = asyncio.create_task(a.run_slot(sub, SLOT_TIME))
        await asyncio.sleep(0.2)
        # another instance took the slot over (it judged the claim stale)
        later = a.clock() + timedelta(hours=1)
        taken = await store.claim(
            sub_id, slot_key(), "other", stale_after=timedelta(seconds=1), now=later
        )
        assert taken == Claim.TAKEN_OVER
        assert await building == "claimed elsewhere"
        assert "new episodes" not in out.getvalue()
        assert await store.deliveries(sub_id) == [(slot_key(), "claimed", 2)]

    scenario(database_url, t)


def test_stale_claims_are_taken_over_without_waiting_for_a_fire(database_url: str) -> None:
    async def t(
        runners: list[DigestRunner], store: DigestStore, out: io.StringIO, sub_id: int
    ) -> None:
        (sub,) = await store.subscriptions()
        crashed_at = datetime.now(UTC) - timedelta(hours=1)
        posted, lost = slot_key(), slot_key(1)
        for slot in (posted, lost):
            assert await store.claim(
                sub_id, slot, "killed", stale_after=timedelta(minutes=15), now=crashed_at
            )
        # the killed instance had posted the first slot and died before recording it
        channel = RecordingMessenger()
        channel.posts.append(("m1", f"{sub_id}/{posted}"))
        runners[0].messengers["console"] = channel
        outcomes = await runners[0].take_over_stale()
        assert sorted(outcomes) == ["posted", "posted earlier"]
        assert [m for _, m in channel.posts] == [f"{sub_id}/{posted}", f"{sub_id}/{lost}"]
        assert await store.deliveries(sub_id) == [(posted, "posted", 2), (lost, "posted", 2)]
        assert await runners[0].take_over_stale() == []  # nothing left

        scheduler = DigestScheduler(runners[0], store, catchup=timedelta(hours=1))
        await scheduler.start(paused=True)
        try:
            job = scheduler.scheduler.get_job("stale-claims")
            assert job is not None
            assert job.trigger.interval <= runners[0].stale_after
        finally:
            scheduler.stop()

    scenario(database_url, t)


def test_audio_only_episodes_are_transcribed_once_for_every_channel(
    database_url: str, tmp_path: Path
) -> None:
    """Two channels follow a show that publishes audio only: both digests carry the
    episode's takeaways; the audio is downloaded and transcribed once."""

    async def go() -> None:
        db = Database(database_url)
        await db.upgrade()
        spool = tmp_path / "downloads"
        spool.mkdir()
        fetcher = SafeFetcher(
            max_bytes=500_000, allow_hosts=frozenset({"127.0.0.1"}), spool_dir=str(spool)
        )
        store = DigestStore(db)
        messenger = RecordingMessenger()
        sub = await subscribe(store, "", channel="setup")
        try:
            async with feed_site(sub.created_at + timedelta(minutes=1)) as base:
                for channel in ("kitchen", "workshop"):
                    await subscribe(store, f"{base}/audio.xml", channel=channel)
                await store.unsubscribe("console", "setup", "")
                runner = DigestRunner(
                    summaries_for(db, fetcher, max_bytes=500_000),
                    fetcher,
                    store,
                    {"console": messenger},
                    instance="instance-0",
                    backoff_seconds=0.01,
                    clock=lambda: SLOT_TIME,
                )
                subs = await store.subscriptions()
                outcomes = await asyncio.gather(*(runner.run_slot(s, SLOT_TIME) for s in subs))
                assert outcomes == ["posted", "posted"]
                assert AUDIO_HITS == ["/tool-library.opus"]  # one download for both
                later = await runner.run_slot(subs[0], SLOT_TIME + timedelta(days=1))
                assert later == "empty"
                texts = [reply.text or "" for _, reply in messenger.replies]
                assert len(texts) == 2
                for text in texts:
                    assert "Fix It Forward*: 2 new episodes" in text
                    assert "*The tool library*" in text
                    lines = text.split("*Show notes*")[0].splitlines()
                    takeaways = [line for line in lines if line.startswith("• ")]
                    assert takeaways
                    assert any("tool" in line.lower() for line in takeaways)
                    # a timed quote from the audio (its words verbatim from the transcription)
                    quotes = [line for line in lines if line.startswith("> ")]
                    assert quotes, text
                    assert all(re.search(r"\b0:\d\d\b", q) for q in quotes), quotes
                    assert "No transcript or audio: Links." in text
                assert texts[0].split("\n", 1)[1] == texts[1].split("\n", 1)[1]
                # stored once, under the audio's address, its GUID and its content
                found = await db.transcription([f"url:{base}/tool-library.opus"])
                assert found is not None
                assert found[1].transcribed_by == "faster-whisper tiny.en"
                assert found[1].title == "The tool library"
                assert await db.transcription([f"guid:{base}/audio.xml fif-1"]) == found
                assert os.listdir(spool) == []  # the download was removed
        finally:
            await fetcher.close()
            await db.close()

    asyncio.run(go())
