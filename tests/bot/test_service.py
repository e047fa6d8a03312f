"""BotService end to end: real storage, real fetcher on a local server, real summarizer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from adapters.slack.parse import unwrap_links
from bot.messages import Attachment, Command, Destination, Reply
from bot.service import BotService
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from bot.summaries import AudioSource, Summaries
from bot.workers import WorkerPool
from tests.support.core import service_for, summaries_for
from tests.support.data import FIXTURES, OPUS, ROOT
from tests.support.fakes.local import serve
from tests.support.feeds import audio_feed_xml

EXAMPLE = (ROOT / "examples" / "repair-cafe.txt").read_bytes()
VTT = (FIXTURES / "episode.vtt").read_bytes()
HERE = Destination("test", "C1", "W1")
FEED = (FIXTURES / "feed.xml").read_text()
NEWER = """    <item>
      <guid isPermaLink="false">cc-003</guid>
      <title>Leaf mould</title>
      <pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>
      <description>Audio only, for now.</description>
    </item>
"""
FEEDS = {
    "feed.xml": FEED,
    # a newer episode without a transcript first, as feeds list them
    "newer.xml": FEED.replace("    <item>\n", NEWER + "    <item>\n", 1),
    "no-transcript.xml": "\n".join(
        line for line in FEED.splitlines() if "podcast:transcript " not in line
    ),
}
FEEDS["audio.xml"] = audio_feed_xml("{base}", datetime(2026, 11, 30, tzinfo=UTC))
# a host that answers the episode's audio address with a web page (a login wall, a 404 page)
FEEDS["page-audio.xml"] = FEEDS["audio.xml"].replace("/tool-library.opus", "/episode.mp3")
PAGE = b"<html><body><h1>Sign in</h1><p>Sign in to listen to this episode.</p></body></html>"
HITS: list[dict[str, int]] = []  # downloads served by the newest files() server


@asynccontextmanager
async def files() -> AsyncIterator[str]:
    app = web.Application()

    hits = {"n": 0}

    def answer(
        body: bytes | None, status: int = 200, content_type: str | None = None
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_: web.Request) -> web.Response:
            hits["n"] += 1
            return web.Response(body=body, status=status, content_type=content_type)

        return handler

    app.router.add_get("/example.txt", answer(EXAMPLE))
    app.router.add_get("/episode.vtt", answer(VTT))
    app.router.add_get("/gone", answer(None, 404))
    app.router.add_get("/binary", answer(bytes(range(256)) * 100))
    app.router.add_get("/words.txt", answer(b"again " * 100))
    app.router.add_get("/ep2.json", answer((FIXTURES / "episode.json").read_bytes()))
    app.router.add_get("/tool-library.opus", answer(OPUS))
    app.router.add_get("/episode.mp3", answer(PAGE, content_type="text/html"))
    for name, feed in FEEDS.items():
        app.router.add_get(f"/{name}", feed_handler(feed))
    runner, port = await serve(app)
    HITS.append(hits)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def feed_handler(feed: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(body=feed.replace("{base}", base).encode())

    return handler


def scenario(
    database_url: str,
    test: Callable[..., Awaitable[None]],
    workers: WorkerPool | None = None,
    with_db: bool = False,
) -> None:
    """Run `test(service, base)` (with `db` too when `with_db`) against the local files."""

    async def go() -> None:
        db = Database(database_url)
        await db.upgrade()
        fetcher = SafeFetcher(max_bytes=200_000, timeout=5, allow_hosts=frozenset({"127.0.0.1"}))
        service = service_for(db, fetcher, workers=workers)
        try:
            async with files() as base:
                await (test(service, base, db) if with_db else test(service, base))
        finally:
            await fetcher.close()
            await db.close()

    asyncio.run(go())


def cmd(name: str, args: str = "", *attachments: Attachment) -> Command:
    return Command(name, args, "U1", HERE, attachments)


def test_link_summary_is_stored_and_cached(database_url: str) -> None:
    async def t(service: BotService, base: str) -> None:
        progress: list[Reply] = []
        first = await service.handle(cmd("summarize", f"{base}/example.txt"), progress.append)
        assert first.kind == "summary"
        assert first.summary is not None
        assert len(first.summary.takeaways) == 6
        assert first.cached is False
        assert [p.kind for p in progress] == ["progress"]
        again = await service.handle(cmd("summarize", unwrap_links(f"<{base}/example.txt>")))
        assert again.cached is True
        assert again.summary == first.summary
        by_id = await service.handle(cmd("quotes", str(first.episode_id)))
        assert by_id.kind == "quotes"
        assert by_id.cached is True
        listing = await service.handle(cmd("episodes", "repair"))
        assert f"`{first.episode_id}`" in listing.text
        assert "Fix It Forward" in listing.text

    pool = WorkerPool(1)
    try:
        scenario(database_url, t, pool)
    finally:
        pool.shutdown()


def test_attachments_and_pasted_text(database_url: str) -> None:
    async def t(service: BotService, base: str) -> None:
        direct = await service.handle(cmd("takeaways", "", Attachment("episode.vtt", data=VTT)))
        assert direct.kind == "takeaways"
        assert direct.summary is not None
        assert direct.summary.title == "episode"
        fetched = await service.handle(
            cmd("summarize", "", Attachment("ep.vtt", url=f"{base}/episode.vtt"))
        )
        assert fetched.summary == direct.summary or fetched.summary is not None
        pasted = await service.handle(cmd("summarize", EXAMPLE.decode()))
        assert pasted.kind == "summary"
        two = await service.handle(
            cmd(
                "summarize",
                "",
                Attachment("ep.vtt", data=VTT),
                Attachment("example.txt", data=EXAMPLE),
            )
        )
        assert two.summary is not None
        assert two.summary.takeaways == direct.summary.takeaways
        assert two.summary.notes == (
            "2 files were sent: this summarizes the first, ep.vtt; send the others one at a time",
        )

    scenario(database_url, t)


def test_bad_input_gets_an_ephemeral_error_and_the_next_command_works(database_url: str) -> None:
    async def t(service: BotService, base: str) -> None:
        cases = [
            (cmd("summarize", f"{base}/gone"), "HTTP 404"),
            (cmd("summarize", "http://169.254.169.254/latest"), "not allowed"),
            (cmd("summarize", "http://127.0.0.2:9/x"), "not allowed"),
            (cmd("summarize", f"{base}/binary"), "binary"),
            (cmd("summarize", "", Attachment("big.txt", data=b"word " * 50_000)), "limit"),
            (cmd("summarize", "", Attachment("x.bin", data=bytes(range(256)) * 10)), "binary"),
            (cmd("summarize", "999999"), "no episode 999999"),
            (cmd("summarize", "hello there"), "not a link"),
            (cmd("summarize"), "Nothing to summarize"),
            (cmd("summarize", "", Attachment("w.txt", data=b"word " * 100)), "nothing in this"),
            (
                cmd("summarize", "", Attachment("zh.txt", data="堆肥需要氮和碳。".encode() * 90)),
                "spaces",
            ),
        ]
        for command, expected in cases:
            reply = await service.handle(command)
            assert reply.kind == "error", (command, reply)
            assert reply.ephemeral
            assert expected.lower() in reply.text.lower()
            assert "Traceback" not in reply.text
        ok = await service.handle(cmd("summarize", f"{base}/episode.vtt"))
        assert ok.kind == "summary"
        # nothing to say: an error the first time and from the recent-link cache after
        for _ in range(2):
            reply = await service.handle(cmd("summarize", f"{base}/words.txt"))
            assert reply.kind == "error", reply
            assert "nothing in this transcript" in reply.text

    scenario(database_url, t)


def test_a_feed_of_audio_only_episodes_is_transcribed_and_later_links_reuse_it(
    database_url: str,
) -> None:
    async def t(service: BotService, base: str) -> None:
        reply = await service.handle(cmd("summarize", f"{base}/audio.xml"))
        assert reply.kind == "summary", reply.text
        assert reply.summary is not None
        assert reply.summary.title == "The tool library"
        assert reply.summary.show == "Fix It Forward"
        assert reply.summary.transcription == "faster-whisper tiny.en"
        assert any("library" in t.text for t in reply.summary.takeaways)
        downloads = HITS[-1]["n"]
        # the audio's own link: its transcription is found by its address, not downloaded
        again = await service.handle(cmd("quotes", f"{base}/tool-library.opus"))
        assert again.kind == "quotes", again.text
        assert again.summary is not None
        assert again.summary.transcription == "faster-whisper tiny.en"
        assert HITS[-1]["n"] == downloads

    scenario(database_url, t)


def test_a_feed_link_summarizes_its_newest_episode_with_a_transcript(database_url: str) -> None:
    async def t(service: BotService, base: str) -> None:
        reply = await service.handle(cmd("summarize", f"{base}/feed.xml"))
        assert reply.kind == "summary"
        assert reply.summary is not None
        assert reply.summary.title == "Hot composting"
        assert reply.summary.show == "Compost Corner"
        assert reply.summary.source == f"{base}/ep2.json"  # JSON preferred over SRT and VTT
        assert reply.summary.notes == ()
        assert reply.summary.takeaways
        newer = await service.handle(cmd("quotes", f"{base}/newer.xml"))
        assert newer.summary is not None
        assert newer.summary.title == "Hot composting"
        assert newer.summary.notes == (
            "the newest episode with a transcript or audio in the feed; the 1 newer one links "
            "neither",
        )
        again = await service.handle(cmd("quotes", f"{base}/feed.xml"))
        assert again.cached is True
        assert again.summary is not None
        assert again.summary.notes == ()  # the note was about that request only
        # words after a feed's link pick an episode by its title (all words, any case)
        picked = await service.handle(cmd("takeaways", f"{base}/newer.xml HOT compost"))
        assert picked.summary is not None
        assert picked.summary.title == "Hot composting"
        assert picked.summary.notes == ()
        refusals = {
            "feed.xml worms": ["no episode with “worms” in its title links a transcript"],
            "feed.xml kombucha": [
                "no episode of “Compost Corner” has “kombucha” in its title",
                "“Hot composting”; “Worms at work”",  # the newest titles, to pick from
            ],
            "episode.vtt hot": ["this link is not a feed"],
            "no-transcript.xml": [
                "none of its 2 episodes links a transcript",
                "or audio (<enclosure>)",
            ],
        }
        for args, says in refusals.items():
            refused = await service.handle(cmd("summarize", f"{base}/{args}"))
            assert refused.kind == "error", args
            for part in says:
                assert part in refused.text

    scenario(database_url, t)


def test_a_video_link_with_its_transcript_gives_moment_links(database_url: str) -> None:
    video = "https://www.youtube.com/watch?v=c0mp0st"
    words = EXAMPLE.decode()

    async def t(service: BotService, base: str) -> None:
        alone = await service.handle(cmd("summarize", video))
        assert alone.kind == "error"
        assert "not a video" in alone.text  # (no YouTube video id is 7 characters)
        assert HITS[-1]["n"] == 0  # refused before any download
        plain = await service.handle(cmd("summarize", words))
        assert plain.summary is not None
        assert plain.summary.source == "pasted text"
        # the same words after the video's link: the cached summary, named for this request
        linked = await service.handle(cmd("quotes", unwrap_links(f"<{video}> {words}")))
        assert linked.cached is True
        assert linked.summary is not None
        assert linked.summary.source == video
        assert linked.summary.title == plain.summary.title
        assert linked.summary.quotes == plain.summary.quotes
        captions = await service.handle(
            cmd("takeaways", "https://youtu.be/c0mp0st", Attachment("captions.vtt", data=VTT))
        )
        assert captions.summary is not None
        assert captions.summary.source == "https://youtu.be/c0mp0st"
        assert captions.summary.title == "captions"

    scenario(database_url, t)


def test_help_and_unknown_commands(database_url: str) -> None:
    async def t(service: BotService, base: str) -> None:
        help_reply = await service.handle(cmd("help"))
        assert "summarize" in help_reply.text
        assert help_reply.ephemeral
        typo = await service.handle(cmd("sumarize", "x"))
        assert "Did you mean" in typo.text
        assert "summarize <link" in typo.text
        nonsense = await service.handle(cmd("dance"))
        assert "episodes" in nonsense.text
        empty = await service.handle(cmd("episodes", "nothing-matches-this"))
        assert "No episodes" in empty.text

    scenario(database_url, t)


def test_recent_link_is_answered_without_downloading(database_url: str) -> None:
    async def t(service: BotService, base: str, db: Database) -> None:
        link = f"{base}/episode.vtt"
        first = await service.handle(cmd("summarize", link))
        assert HITS[-1]["n"] == 1
        again = await service.handle(cmd("takeaways", link))
        assert again.cached
        assert again.summary == first.summary
        assert HITS[-1]["n"] == 1  # served from the link cache
        uncached = BotService(
            summaries=Summaries(
                fetcher=service.summaries.fetcher,
                summarizer=service.summaries.summarizer,
                options=service.summaries.options,
                max_bytes=service.summaries.max_bytes,
                db=db,
                link_cache_seconds=0,
            ),
            episodes=db,
        )
        fresh = await uncached.handle(cmd("summarize", link))
        assert fresh.cached  # same transcript hash: the summary cache still answers
        assert HITS[-1]["n"] == 2  # but the link was fetched again

    scenario(database_url, t, with_db=True)


def test_per_workspace_limit_on_concurrent_jobs(tmp_path: Path) -> None:
    """Two summaries from one workspace run one at a time; other workspaces are not held up."""
    from summarizers.llm import LLMConfig, LLMSummarizer
    from tests.support.fakes.openai_server import FakeOpenAI

    async def go() -> None:
        server = await FakeOpenAI(delay=0.3).start()
        db = Database(f"sqlite:///{tmp_path / 'limit.db'}")
        await db.upgrade()
        llm = LLMSummarizer(LLMConfig(model="m", base_url=server.base_url, api_key="k"))
        fetcher = SafeFetcher(max_bytes=200_000)
        service = service_for(db, fetcher, summarizer=llm, workspace_jobs=1)
        episodes = [
            EXAMPLE.decode() + f"\nDana Okafor: Episode variant {n} ends here." for n in range(4)
        ]
        try:
            same = [
                Command("summarize", e, "U1", Destination("t", "C1", "W1")) for e in episodes[:2]
            ]
            await asyncio.gather(*(service.handle(c) for c in same))
            assert server.max_in_flight == 1
            server.max_in_flight = 0
            other = [
                Command("summarize", e, "U1", Destination("t", "C1", f"W{n}"))
                for n, e in enumerate(episodes[2:])
            ]
            replies = await asyncio.gather(*(service.handle(c) for c in other))
            assert server.max_in_flight == 2
            assert all(r.kind == "summary" for r in replies)
        finally:
            await llm.aclose()
            await fetcher.close()
            await db.close()
            await server.stop()

    asyncio.run(go())


def test_instances_on_one_database_transcribe_new_audio_once(database_url: str) -> None:
    """Two instances on one database asked for the same new audio: one downloads and
    transcribes it; the other waits for it, told the position reached, and summarizes the
    same transcript. A claim left by a stopped instance is taken over when it runs out."""

    async def go() -> None:
        dbs = [Database(database_url) for _ in range(2)]
        await dbs[0].upgrade()
        fetcher = SafeFetcher(max_bytes=200_000, timeout=5, allow_hosts=frozenset({"127.0.0.1"}))
        made = [summaries_for(db, fetcher, progress_poll=0.05) for db in dbs]
        heard: list[list[tuple[float, float]]] = [[], []]
        try:
            async with files() as base:
                source = AudioSource(f"{base}/tool-library.opus", title="The tool library")
                claim = f"url:{source.url}"
                first = asyncio.ensure_future(
                    made[0].summarize(source, progress=lambda *p: heard[0].append(p))
                )
                for _ in range(1000):  # until the first instance holds the claim
                    if await dbs[1].transcription_claim(claim) is not None:
                        break
                    await asyncio.sleep(0.01)
                second = await made[1].summarize(source, progress=lambda *p: heard[1].append(p))
                one = await first
                assert HITS[-1]["n"] == 1  # downloaded once, by the first
                assert one.episode_id == second.episode_id
                assert one.summary.takeaways == second.summary.takeaways
                assert heard[1], "the waiting instance heard no progress"
                assert all(0 <= done <= total for done, total in heard[1])
                assert await dbs[0].transcription_claim(claim) is None  # let go when done

                # an instance stopped while it held a claim: the claim runs out, then another
                # instance takes the work over
                gone = AudioSource(f"{base}/tool-library.opus?copy=2")
                # (long enough that the other instance's first try falls inside it on a
                # loaded machine; 0.3 s once ran out before it under a concurrent benchmark)
                lease = timedelta(seconds=1.5)
                assert await dbs[0].claim_transcription(f"url:{gone.url}", "stopped", lease)
                assert not await dbs[1].claim_transcription(f"url:{gone.url}", "other", lease)
                taken = await made[1].summarize(gone)
                assert taken.summary.takeaways == one.summary.takeaways
                assert HITS[-1]["n"] == 2
        finally:
            await fetcher.close()
            for db in dbs:
                await db.close()

    asyncio.run(go())


def test_an_audio_link_that_serves_a_web_page_says_so(database_url: str) -> None:
    """The episode's audio address (in its feed, or linked) answers with a web page: the
    user is told what came back and what to do, and the next request is served."""

    async def t(service: BotService, base: str) -> None:
        reply = await service.handle(cmd("summarize", f"{base}/page-audio.xml"))
        assert reply.kind == "error", reply.text
        assert "serves no audio" in (reply.text or "")
        assert "text/html" in (reply.text or "")
        linked = await service.handle(cmd("summarize", f"{base}/episode.mp3"))
        assert linked.kind == "error", linked.text
        assert "serves a web page (text/html" in (linked.text or "")
        assert "upload the audio file" in (linked.text or "")
        after = await service.handle(cmd("summarize", f"{base}/example.txt"))
        assert after.kind == "summary"

    scenario(database_url, t)
