"""Discord end to end on loopback: the real discord.py client against a fake Discord."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from adapters.discord.app import DiscordAdapter, sync
from bot.bootstrap import App
from bot.config import DiscordSettings, Settings
from tests.support.discord import EPHEMERAL, VTT, discord_app, link, run
from tests.support.discord_limits import check_message
from tests.support.fakes.apple_server import SHOW as APPLE_SHOW
from tests.support.fakes.apple_server import fake_apple
from tests.support.fakes.discord_server import FakeDiscord
from tests.support.fakes.youtube_server import fake_youtube


def test_summarize_link_defers_then_follows_up(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        token = await fake.interact("summarize", link(fake.attachment_url("example.txt")))
        await fake.wait_for("followup", token)
        callback = fake.of("callback", token)[0]
        assert callback["type"] == 5  # deferred, "thinking"
        assert fake.times("callback", token)[0] <= fake.times("followup", token)[0]
        deferred_after = fake.times("callback", token)[0] - fake.times("interaction", token)[0]
        assert deferred_after < 2.0
        message = fake.of("followup", token)[0]
        check_message(message)
        embed = message["embeds"][0]
        assert embed["title"] == "Fix It Forward: Why Repair Beats Replace"
        assert "Key takeaways" in embed["description"]
        assert embed["url"].endswith("/attachments/example.txt")
        assert any("“" in f["value"] for f in embed.get("fields", []))

    run(tmp_path, t)


def test_attachment_and_episode_and_help(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        resolved = {
            "attachments": {
                "990000000000000001": {
                    "id": "990000000000000001",
                    "filename": "ep.vtt",
                    "size": len(VTT),
                    "url": fake.attachment_url("ep.vtt"),
                    "proxy_url": fake.attachment_url("ep.vtt"),
                    "content_type": "text/vtt",
                }
            }
        }
        token = await fake.interact(
            "summarize",
            [{"type": 11, "name": "file", "value": "990000000000000001"}],
            resolved=resolved,
        )
        await fake.wait_for("followup", token)
        assert fake.of("followup", token)[0]["embeds"][0]["title"] == "ep"
        token = await fake.interact("quotes", [{"type": 4, "name": "episode", "value": 1}])
        await fake.wait_for("followup", token)
        check_message(fake.of("followup", token)[0])
        token = await fake.interact("help")
        await fake.wait_for("followup", token)
        assert fake.of("callback", token)[0]["data"]["flags"] == EPHEMERAL
        assert "summarize link:<url>" in fake.of("followup", token)[0]["content"]
        token = await fake.interact("episodes")
        await fake.wait_for("followup", token)
        assert "Fix It Forward" not in fake.of("followup", token)[0]["content"]
        assert "ep" in fake.of("followup", token)[0]["content"]

    run(tmp_path, t)


def test_bad_input_is_ephemeral_and_the_next_command_works(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        cases = [
            ("summarize", link("http://127.0.0.1:1/dead"), None, "could not connect"),
            ("summarize", link("http://169.254.169.254/latest"), None, "not allowed"),
            ("summarize", link("http://10.0.0.1/x"), None, "not allowed"),
            (
                "summarize",
                [{"type": 11, "name": "file", "value": "2"}],
                {
                    "attachments": {
                        "2": {
                            "id": "2",
                            "filename": "big.txt",
                            "size": 5_000_000,
                            "url": fake.attachment_url("example.txt"),
                            "proxy_url": fake.attachment_url("example.txt"),
                        }
                    }
                },
                "over the",
            ),
            (
                "summarize",
                [{"type": 11, "name": "file", "value": "3"}],
                {
                    "attachments": {
                        "3": {
                            "id": "3",
                            "filename": "noise.bin",
                            "size": 16384,
                            "url": fake.attachment_url("noise.bin"),
                            "proxy_url": fake.attachment_url("noise.bin"),
                        }
                    }
                },
                "binary",
            ),
        ]
        for sub, options, resolved, expected in cases:
            token = await fake.interact(sub, options, resolved=resolved)
            await fake.wait_for("followup", token)
            assert fake.of("delete", token), "the public thinking message is removed"
            followup = fake.of("followup", token)[0]
            assert followup["flags"] == EPHEMERAL
            assert expected in followup["content"], followup
        token = await fake.interact("takeaways", link(fake.attachment_url("ep.vtt")))
        await fake.wait_for("followup", token)
        assert "Key takeaways" in json.dumps(fake.of("followup", token)[0])

    run(tmp_path, t)


def test_summarize_in_a_dm(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        token = await fake.interact("summarize", link(fake.attachment_url("ep.vtt")), dm=True)
        await fake.wait_for("followup", token)
        check_message(fake.of("followup", token)[0])

    run(tmp_path, t)


def test_command_sync_registers_the_group(tmp_path: Path) -> None:
    async def go() -> None:
        fake = await FakeDiscord().start()
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'x.db'}",
            discord=DiscordSettings(
                token="test-discord-token",
                api_url=fake.api_url,  # type: ignore[arg-type]
                gateway_url=fake.gateway_url,
            ),
        )
        try:
            names = await sync(settings, guild_id=42)
        finally:
            await fake.stop()
        assert names == ["podbrief"]
        where, commands = fake.synced[0]
        assert where == "42"
        subs = {o["name"] for o in commands[0]["options"]}
        assert subs == {
            "summarize",
            "takeaways",
            "quotes",
            "episodes",
            "help",
            "subscribe",
            "unsubscribe",
            "subscriptions",
            "digest",
        }

    asyncio.run(go())


def test_episode_option_autocompletes_stored_episodes(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        token = await fake.interact("summarize", link(fake.attachment_url("example.txt")))
        await fake.wait_for("followup", token)
        token = await fake.autocomplete("quotes", "episode", "repair")
        await fake.wait_for("callback", token)
        callback = fake.of("callback", token)[0]
        assert callback["type"] == 8  # autocomplete result
        assert callback["data"]["choices"] == [
            {"name": "Fix It Forward: Why Repair Beats Replace", "value": 1}
        ]

    run(tmp_path, t)


def test_subscribing_needs_manage_server_or_channels(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.support.feeds import feed_xml

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        fake.attachments["feed.xml"] = feed_xml("http://127.0.0.1:1", datetime.now(UTC)).encode()
        await core.start()
        scheduler = core.scheduler
        feed = [
            {"type": 3, "name": "feed", "value": fake.attachment_url("feed.xml")},
            {"type": 3, "name": "schedule", "value": "weekly mon 07:00 tz Europe/Berlin"},
        ]
        try:
            token = await fake.interact("subscribe", feed, permissions="2048")  # send only
            await fake.wait_for("followup", token)
            refused = fake.of("followup", token)[0]
            assert refused["flags"] == EPHEMERAL
            assert "Manage Server or Manage Channels" in refused["content"]
            token = await fake.interact("subscribe", feed, permissions=str(1 << 4))  # channels
            await fake.wait_for("followup", token)
            assert (
                "every Monday at 07:00 (Europe/Berlin)" in fake.of("followup", token)[0]["content"]
            )
            token = await fake.interact("subscriptions", permissions="0")
            await fake.wait_for("followup", token)
            assert "feed.xml" in fake.of("followup", token)[0]["content"]
        finally:
            scheduler.stop()

    run(tmp_path, t)


def test_administrators_and_the_guild_owner_may_subscribe(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.support.fakes.discord_server import OWNER
    from tests.support.feeds import feed_xml

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        fake.attachments["feed.xml"] = feed_xml("http://127.0.0.1:1", datetime.now(UTC)).encode()
        await core.start()
        scheduler = core.scheduler
        feed = [{"type": 3, "name": "feed", "value": fake.attachment_url("feed.xml")}]
        try:
            # Administrator (0x8) and no other bit implies every permission
            token = await fake.interact("subscribe", feed, permissions=str(1 << 3))
            await fake.wait_for("followup", token)
            assert "Subscribed" in fake.of("followup", token)[0]["content"]
            # the guild's owner may manage it whatever their roles say
            token = await fake.interact("unsubscribe", feed, permissions="0", user=OWNER)
            await fake.wait_for("followup", token)
            answer = fake.of("followup", token)[0]["content"]
            assert "Manage Server" not in answer
            assert "Unsubscribed" in answer
        finally:
            scheduler.stop()

    run(tmp_path, t)


def test_digest_now_posts_in_the_channel(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.support.fakes.discord_server import CHANNEL_ID
    from tests.support.feeds import feed_xml

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        fake.attachments["ep.vtt"] = VTT
        base = fake.attachment_url("").rstrip("/")
        fake.attachments["feed.xml"] = feed_xml(
            base, datetime.now(UTC) + timedelta(minutes=5)
        ).encode()
        await core.start()
        scheduler = core.scheduler
        manage = str(1 << 5)  # Manage Server
        try:
            token = await fake.interact(
                "subscribe",
                [{"type": 3, "name": "feed", "value": fake.attachment_url("feed.xml")}],
                permissions=manage,
            )
            await fake.wait_for("followup", token)
            token = await fake.interact("digest", permissions=manage)
            await fake.wait_for("followup", token)
            assert "posted for 1 of 1" in fake.of("followup", token)[0]["content"]
            (message,) = fake.of("channel_message", CHANNEL_ID)
            check_message(message)
            assert "*Compost Corner*: 2 new episodes" in message["content"]
        finally:
            scheduler.stop()

    run(tmp_path, t)


def test_a_digest_is_found_in_its_channel_by_its_marker(tmp_path: Path) -> None:
    from adapters.discord.render import CONTENT
    from bot.messages import Destination, Reply
    from tests.support.fakes.discord_server import CHANNEL_ID

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        await asyncio.wait_for(adapter.client.wait_until_ready(), 15)
        where = Destination("discord", CHANNEL_ID, "1")
        first = await adapter.messenger.post(
            where, Reply(where, "text", text="A digest.", marker="7/a")
        )
        full = "y" * CONTENT  # no room left: the marker gets a message of its own
        second = await adapter.messenger.post(where, Reply(where, "text", text=full, marker="7/b"))
        await adapter.messenger.post(where, Reply(where, "text", text="not a digest"))
        sent = fake.of("channel_message", CHANNEL_ID)
        assert sent[0]["content"] == "A digest.\n-# podbrief digest 7/a"
        assert len(second) == 2
        assert sent[2]["content"] == "-# podbrief digest 7/b"
        assert all(len(m["content"]) <= CONTENT for m in sent)
        assert await adapter.messenger.find(where, "7/a") == first
        assert await adapter.messenger.find(where, "7/b") == second[1:]
        assert await adapter.messenger.find(where, "7/c") == []

    run(tmp_path, t)


def test_an_audio_attachment_is_transcribed_with_progress_in_the_thinking_message(
    tmp_path: Path,
) -> None:
    from tests.support.discord import OPUS

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        resolved = {
            "attachments": {
                "990000000000000002": {
                    "id": "990000000000000002",
                    "filename": "tool-library.opus",
                    "size": len(OPUS),  # over PODBRIEF_MAX_TRANSCRIPT_BYTES: audio has its own
                    "url": fake.attachment_url("tool-library.opus"),
                    "proxy_url": fake.attachment_url("tool-library.opus"),
                    "content_type": "audio/ogg",
                }
            }
        }
        token = await fake.interact(
            "summarize",
            [{"type": 11, "name": "file", "value": "990000000000000002"}],
            resolved=resolved,
        )
        await fake.wait_for("followup", token, within=60)
        message = fake.of("followup", token)[0]
        check_message(message)
        embed = message["embeds"][0]
        assert embed["title"] == "tool library"
        assert "faster-whisper tiny.en" in json.dumps(embed)
        edits = [e["content"] for e in fake.of("edit", token)]
        assert any(e.startswith("Transcribing the audio: ") and "of 0:49" in e for e in edits)
        # no edit lands after the answer, and the progress message is removed
        assert max(fake.times("edit", token)) < fake.times("followup", token)[0]
        await fake.wait_for("delete", token)  # removed after the answer is posted
        assert len(fake.of("delete", token)) == 1

    run(tmp_path, t, progress_seconds=0.05)


def test_youtube_and_apple_podcasts_links_are_summarized_in_discord(tmp_path: Path) -> None:
    """A YouTube link (youtu.be, with a start time) is summarized from its captions with
    times that link to the moment; an Apple Podcasts episode link from the show's feed; a
    Spotify link gets an ephemeral message naming the links that work."""

    async def go() -> None:
        async with fake_youtube() as youtube, fake_apple() as apple:
            settings = {"youtube_base_url": youtube.base, "apple_lookup_url": apple.lookup_url}
            async with discord_app(tmp_path, **settings) as (fake, _, _):
                token = await fake.interact("summarize", link("https://youtu.be/creatorcap1?t=42"))
                await fake.wait_for("followup", token, within=60)
                message = json.dumps(fake.of("followup", token)[0])
                assert "Why Repair Beats Replace" in message
                assert "youtube.com/watch?v=creatorcap1&t=" in message

                token = await fake.interact("summarize", link(f"{APPLE_SHOW}?i=1000000002"))
                await fake.wait_for("followup", token, within=60)
                message = json.dumps(fake.of("followup", token)[0])
                assert "Hot composting" in message
                assert "Key takeaways" in message

                spotify = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"
                token = await fake.interact("summarize", link(spotify))
                await fake.wait_for("followup", token)
                followup = fake.of("followup", token)[0]
                assert followup["flags"] == EPHEMERAL
                assert "Apple Podcasts" in followup["content"]

    asyncio.run(go())


def test_an_audio_link_is_transcribed(tmp_path: Path) -> None:
    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        token = await fake.interact("summarize", link(fake.attachment_url("tool-library.opus")))
        await fake.wait_for("followup", token, within=60)
        message = json.dumps(fake.of("followup", token)[0])
        assert "transcribed by faster-whisper tiny.en" in message
        assert "Key takeaways" in message

    run(tmp_path, t)


def test_an_audio_only_feed_digest_carries_takeaways_and_a_timed_quote(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.support.fakes.discord_server import CHANNEL_ID
    from tests.support.feeds import audio_feed_xml

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        base = fake.attachment_url("").rstrip("/")
        published = datetime.now(UTC) + timedelta(minutes=5)  # after the subscription
        fake.attachments["audio.xml"] = audio_feed_xml(base, published).encode()
        await core.start()
        manage = str(1 << 5)  # Manage Server
        try:
            feed = [{"type": 3, "name": "feed", "value": fake.attachment_url("audio.xml")}]
            token = await fake.interact("subscribe", feed, permissions=manage)
            await fake.wait_for("followup", token)
            token = await fake.interact("digest", permissions=manage)
            await fake.wait_for("followup", token, within=90)
            assert "posted for 1 of 1" in fake.of("followup", token)[0]["content"]
            (message,) = fake.of("channel_message", CHANNEL_ID)
            check_message(message)
            text = message["content"]
            assert "*Fix It Forward*: 2 new episodes" in text
            assert "The tool library" in text
            assert re.search(r"“[^”]+”.*\b0:\d\d\b", text), text  # a quote with its time
        finally:
            core.scheduler.stop()

    run(tmp_path, t)
