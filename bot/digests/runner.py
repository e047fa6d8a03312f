"""DigestRunner: one digest slot of one subscription, posted exactly once.

The slot is claimed in the database first; only the claiming instance gathers the
feed's episodes that no posted digest covered yet (by guid), summarizes them (through
the summary cache), posts through the platform's Messenger, and records the message
ids and the episodes covered. Posting is retried with backoff; a slot that still fails
is marked failed and reported in the channel's next digest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urljoin

from bot.digests.schedule import parse_schedule
from bot.digests.store import Claim, DigestStore, Subscription
from bot.errors import UserError
from bot.messages import Destination, Reply
from bot.output import cut, speaker_time
from bot.ports import Messenger
from bot.sources.feeds import Feed, FeedCycle, FeedEpisode
from bot.sources.fetch import SafeFetcher
from bot.sources.links import episode_keys
from bot.summaries import AudioSource, LinkSource, Summaries

logger = logging.getLogger(__name__)
TAKEAWAYS_PER_EPISODE = 3
MAX_EPISODES = 10
EPISODES_AT_ONCE = 3  # transcripts of one digest fetched and summarized at once


class Outcome(StrEnum):
    """What happened to one digest slot (for logs, tests and `digest now`)."""

    POSTED = "posted"
    POSTED_EARLIER = "posted earlier"  # found in the channel: a lost post outcome
    EMPTY = "empty"  # nothing new, and the channel does not want empty digests
    FAILED = "failed"
    CLAIMED_ELSEWHERE = "claimed elsewhere"


@dataclass
class DigestRunner:
    """Posts digest slots through the platforms' messengers (by `Subscription.platform`)."""

    summaries: Summaries
    fetcher: SafeFetcher
    store: DigestStore
    messengers: Mapping[str, Messenger]
    instance: str
    stale_after: timedelta = timedelta(minutes=15)
    attempts: int = 3
    backoff_seconds: float = 2.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def run_slot(
        self,
        sub: Subscription,
        fire_time: datetime,
        *,
        manual: bool = False,
        feeds: FeedCycle | None = None,
    ) -> Outcome:
        """Post the digest of one slot; returns what happened (for logs and tests).

        `manual` (`digest now`) uses its own slot, so a scheduled slot is not used up.
        `feeds` shares feed requests between the subscriptions of one scheduled run.
        """
        schedule = parse_schedule(sub.schedule)
        slot = schedule.slot(fire_time)
        if manual:
            slot = "now-" + slot
        return await self.run_claim(sub, slot, feeds=feeds)

    def feed_cycle(self) -> FeedCycle:
        """Feed requests shared by one run's subscriptions, parsed where summaries parse."""
        return FeedCycle(self.fetcher, self.summaries.parse_feed)

    async def take_over_stale(self) -> list[Outcome]:
        """Finish the slots whose claim was left by an instance that stopped (claimed, never
        finished, older than `stale_after`): look for the digest in the channel, then record
        it or post it. Every instance runs this periodically, so no slot waits for a fire."""
        outcomes: list[Outcome] = []
        stale = await self.store.stale_claims(self.stale_after, now=self.clock())
        if not stale:
            return outcomes
        subs = {sub.id: sub for sub in await self.store.subscriptions()}
        for sub_id, slot in stale:
            sub = subs.get(sub_id)
            if sub is None:  # unsubscribed meanwhile
                continue
            try:
                outcome = await self.run_claim(sub, slot)
            except Exception:
                logger.exception("taking over digest %s slot %s failed", sub_id, slot)
                continue
            logger.info("digest %s slot %s taken over: %s", sub_id, slot, outcome)
            outcomes.append(outcome)
        return outcomes

    async def run_claim(
        self, sub: Subscription, slot: str, *, feeds: FeedCycle | None = None
    ) -> Outcome:
        """Claim one slot and, while holding it (kept fresh by a heartbeat), build, post and
        record its digest. A holder that finds its claim gone never posts."""
        claimed = await self.store.claim(
            sub.id, slot, self.instance, stale_after=self.stale_after, now=self.clock()
        )
        if claimed == Claim.NOT_CLAIMED:
            return Outcome.CLAIMED_ELSEWHERE
        lost = asyncio.Event()
        heartbeat = asyncio.create_task(self._keep_claim(sub.id, slot, lost))
        try:
            return await self._run_held(sub, slot, claimed, lost, feeds)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _keep_claim(self, sub_id: int, slot: str, lost: asyncio.Event) -> None:
        """Renew the claim every third of the claim timeout; set `lost` when it is gone."""
        interval = max(self.stale_after.total_seconds() / 3, 0.01)
        while True:
            await asyncio.sleep(interval)
            try:
                held = await self.store.renew(sub_id, slot, self.instance, now=self.clock())
            except Exception:
                logger.exception("could not renew the claim of digest %s slot %s", sub_id, slot)
                continue  # the next beat tries again; the claim is still ours until stale
            if not held:
                lost.set()
                return

    async def _run_held(
        self,
        sub: Subscription,
        slot: str,
        claimed: Claim,
        lost: asyncio.Event,
        feeds: FeedCycle | None,
    ) -> Outcome:
        marker = f"{sub.id}/{slot}"
        if claimed == Claim.TAKEN_OVER:
            # taken over from an instance that stopped: it may have posted already
            earlier = await self._find(sub, marker)
            if earlier:  # recorded with the episodes that instance planned for it
                await self.store.finish(
                    sub.id, slot, self.instance, message_ids=earlier, now=self.clock()
                )
                return Outcome.POSTED_EARLIER
        try:
            previous = await self.store.last_posted_at(sub.id)
            # new: published since the channel subscribed and in no posted digest yet (by
            # guid, so an episode a feed re-dates is not posted twice and one it back-dates
            # is not skipped)
            delivered, legacy = await self.store.delivered(sub.id)
            since = max(sub.created_at, legacy) if legacy else sub.created_at
            # the validators are the feed this channel last got: 304 means nothing new
            feed = await (feeds or self.feed_cycle()).fetch(
                sub.feed_url,
                etag=sub.feed_etag if previous else None,
                last_modified=sub.feed_last_modified if previous else None,
            )
            new = [
                e
                for e in feed.episodes
                if e.published is not None and e.published > since and e.guid not in delivered
            ]
            failures = await self.store.failed_slots(sub.id, previous)
            if not new and not failures and not sub.post_empty:
                await self.store.finish(
                    sub.id, slot, self.instance, message_ids=[], now=self.clock(), episode_guids=[]
                )
                return Outcome.EMPTY
            reply = await self._digest(sub, feed, new, failures)
            validators = (feed.etag, feed.last_modified)
            # kept for finish (and for an instance that takes over): the oldest left out
            # of a long digest count as covered too
            if not await self.store.plan(sub.id, slot, self.instance, [e.guid for e in new]):
                lost.set()  # taken over while this instance was building: never post
            covered: list[str] | None = None
        except UserError as exc:
            validators = None
            covered = []  # nothing delivered, whatever an earlier holder planned
            reply = Reply(
                _destination(sub),
                "text",
                text=f"The digest of {sub.feed_url} could not be made: {exc}",
            )
        if lost.is_set():
            logger.warning("digest %s slot %s: the claim was taken over; not posting", sub.id, slot)
            return Outcome.CLAIMED_ELSEWHERE
        ids = await self._post(sub, replace(reply, marker=marker))
        if ids is None:
            await self.store.finish(
                sub.id, slot, self.instance, error="posting failed", now=self.clock()
            )
            return Outcome.FAILED
        await self.store.finish(
            sub.id, slot, self.instance, message_ids=ids, now=self.clock(), episode_guids=covered
        )
        if validators is not None and not feed.not_modified:
            await self.store.set_validators(sub.id, *validators)
        return Outcome.POSTED

    async def _post(self, sub: Subscription, reply: Reply) -> list[str] | None:
        messenger = self.messengers.get(sub.platform)
        if messenger is None:
            logger.warning("no %s adapter is running for subscription %s", sub.platform, sub.id)
            return None
        for attempt in range(self.attempts):
            if attempt and reply.marker:
                # the failed attempt may have reached the platform all the same
                earlier = await self._find(sub, reply.marker)
                if earlier:
                    return earlier
            try:
                return await messenger.post(_destination(sub), reply)
            except Exception:
                logger.exception("digest post failed (attempt %d)", attempt + 1)
                await asyncio.sleep(self.backoff_seconds * 2**attempt)
        return None

    async def _find(self, sub: Subscription, marker: str) -> list[str]:
        """Ids of this digest's message if the platform has it already (else empty)."""
        messenger = self.messengers.get(sub.platform)
        if messenger is None:
            return []
        try:
            return list(await messenger.find(_destination(sub), marker))
        except Exception:
            logger.exception("could not look for digest %s in its channel", marker)
            return []

    async def _digest(
        self, sub: Subscription, feed: Feed, episodes: list[FeedEpisode], failures: list[str]
    ) -> Reply:
        lines = [
            f"*{feed.title}*: {len(episodes)} new episode" + ("s" if len(episodes) != 1 else "")
        ]
        for slot in failures:
            lines.append(f"(The digest planned for {slot} could not be posted.)")
        ordered = sorted(episodes, key=lambda e: e.sort_time)
        if len(ordered) > MAX_EPISODES:
            lines.append(f"(the {len(ordered) - MAX_EPISODES} oldest are left out)")
            ordered = ordered[-MAX_EPISODES:]
        # a few side by side (the per-workspace limit on summaries still applies)
        gate = asyncio.Semaphore(EPISODES_AT_ONCE)

        async def summarized(episode: FeedEpisode) -> list[str]:
            async with gate:
                return await self._episode_lines(sub, feed, episode)

        bodies = await asyncio.gather(*(summarized(e) for e in ordered))
        for episode, body in zip(ordered, bodies, strict=True):
            lines.append("")
            lines.append(f"*{episode.title}*" + (f" {episode.link}" if episode.link else ""))
            lines += body
        if not episodes:
            lines.append("No new episodes since the last digest.")
        return Reply(_destination(sub), "text", text="\n".join(lines))

    async def _episode_lines(
        self, sub: Subscription, feed: Feed, episode: FeedEpisode
    ) -> list[str]:
        source: LinkSource | AudioSource
        if episode.transcript_url:
            source, what = LinkSource(urljoin(feed.url, episode.transcript_url)), "transcript"
        elif episode.audio_url:
            # transcribed once for every channel that follows the feed (stored by its keys)
            source = AudioSource(
                urljoin(feed.url, episode.audio_url),
                tuple(episode_keys(feed.url, episode.guid)),
                title=episode.title,
                show=feed.title,
            )
            what = "audio"
        else:
            return [f"No transcript or audio: {cut(episode.description, 400)}"]
        try:
            done = await self.summaries.summarize(source, workspace=(sub.platform, sub.workspace))
        except UserError as exc:
            return [f"The {what} could not be summarized: {exc}"]
        except Exception:
            logger.exception("digest %s: episode %s failed", sub.id, episode.guid)
            return [
                f"The {what} could not be summarized: something went wrong on our side; "
                "it has been logged."
            ]
        s = done.summary
        lines = [f"• {t.text}" for t in s.takeaways[:TAKEAWAYS_PER_EPISODE]]
        if s.quotes:
            q = s.quotes[0]
            who = speaker_time(q.speaker, q.start_seconds)
            lines.append(f"> “{q.text}”" + (f" ({who})" if who else ""))
        return lines


def _destination(sub: Subscription) -> Destination:
    return Destination(sub.platform, sub.channel, sub.workspace)
