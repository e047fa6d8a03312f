"""Slack end to end on loopback: the real Bolt app against a fake Slack Web API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.app import SlackAdapter
from bot.bootstrap import App
from bot.config import Settings, SlackSettings
from tests.support.fakes.apple_server import SHOW as APPLE_SHOW
from tests.support.fakes.apple_server import fake_apple
from tests.support.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.support.fakes.youtube_server import fake_youtube
from tests.support.slack import (
    SECRET,
    post_command,
    post_event,
    run,
    slack_app,
    slash,
)
from tests.support.slack_limits import check_message


def test_http_slash_command_acks_then_posts_blocks(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        status, payload, _ = await post_command(
            adapter, f"summarize {fake.public_url('example.txt')}"
        )
        acked = time.monotonic()
        assert status == 200
        assert payload["response_type"] == "ephemeral"
        assert "Working on it" in payload["text"]
        await fake.wait_for_posts(1)
        assert fake.method_times("chat.postMessage")[0] >= acked - 0.01
        first = fake.posts[0]
        assert first["channel"] == "C1"
        assert first["blocks"][0]["text"]["text"] == "Fix It Forward: Why Repair Beats Replace"
        assert "Key takeaways" in json.dumps(first["blocks"])
        assert first["token"] == BOT_TOKEN
        for post in fake.posts:
            check_message(post)

        # a repeat is served from the cache: no second summary is stored
        await post_command(adapter, f"summarize {fake.public_url('example.txt')}")
        await fake.wait_for_posts(2)
        async with core.db.engine.connect() as conn:
            count = (await conn.exec_driver_sql("select count(*) from summaries")).scalar()
        assert count == 1

    run(tmp_path, t)


def test_forged_and_stale_requests_get_401(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        status, _, _ = await post_command(adapter, "help", secret="wrong-secret")
        assert status == 401
        status, _, _ = await post_command(adapter, "help", age=360)
        assert status == 401
        await asyncio.sleep(0.2)
        assert fake.posts == []
        assert fake.ephemeral == []
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{adapter.port}/healthz") as resp:
                assert resp.status == 200

    run(tmp_path, t)


async def _raw(adapter: SlackAdapter, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"http://127.0.0.1:{adapter.port}/slack/events", data=body, headers=headers
        ) as resp:
            return resp.status


def _signed_bytes(body: bytes, secret: str = SECRET) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON_TYPE = {"Content-Type": "application/json"}


def test_malformed_requests_get_401_or_400_never_500(tmp_path: Path) -> None:
    """The signature is checked on the raw bytes before anything is parsed: unsigned or
    wrongly signed is 401 whatever the body; signed but malformed is 400."""
    bodies = {
        "invalid UTF-8 form": (b"text=\xff\xfe&command=/podbrief", FORM),
        "payload that is not JSON": (b"payload=%7Bnot-json", FORM),
        "JSON type with a form body": (b"text=help&command=%2Fpodbrief", JSON_TYPE),
        "JSON that is a list": (b"[1, 2]", JSON_TYPE),
    }

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        for name, (body, kind) in bodies.items():
            assert await _raw(adapter, body, kind) == 401, name  # unsigned
            forged = _signed_bytes(body, secret="not-the-secret")
            assert await _raw(adapter, body, {**kind, **forged}) == 401, name
            assert await _raw(adapter, body, {**kind, **_signed_bytes(body)}) == 400, name
        # a timestamp that is not a number, with or without a signature
        for stamp in ("soon", "１２３", "-5", ""):
            headers = {**FORM, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00"}
            assert await _raw(adapter, b"text=help", headers) == 401, stamp
        await asyncio.sleep(0.2)
        assert fake.posts == []
        # and the endpoint still serves a proper command
        status, payload, _ = await post_command(adapter, "help")
        assert status == 200

    run(tmp_path, t)


def test_slow_and_half_open_connections_are_closed(tmp_path: Path) -> None:
    """Slowloris: connections that trickle their headers, or stop sending their body, are
    closed once the request timeout is up; a real command is answered meanwhile."""

    async def trickle() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", adapter_port[0])
        start = time.monotonic()
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: podbrief\r\n")
        try:
            while not reader.at_eof() and time.monotonic() - start < 8:
                writer.write(b"X-Slow: 1\r\n")
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(reader.read(1024), 0.3)
        except ConnectionError:
            pass  # closed by the server while writing
        writer.close()
        return time.monotonic() - start

    async def half_body() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", adapter_port[0])
        body = b"text=help&command=%2Fpodbrief"
        headers = "".join(f"{k}: {v}\r\n" for k, v in {**FORM, **_signed_bytes(body)}.items())
        writer.write(
            f"POST /slack/events HTTP/1.1\r\nHost: podbrief\r\nContent-Length: 500\r\n"
            f"{headers}\r\n".encode()
            + body
        )
        answer = await asyncio.wait_for(reader.read(1024), 8)
        writer.close()
        return answer

    adapter_port: list[int] = []

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        adapter_port.append(adapter.port)
        slow = [asyncio.ensure_future(trickle()) for _ in range(20)]
        stuck = asyncio.ensure_future(half_body())
        status, payload, _ = await post_command(adapter, "help")
        assert status == 200
        lasted = await asyncio.gather(*slow)
        assert max(lasted) < 5, lasted  # closed after about 1 s, not held open
        assert (await stuck).startswith(b"HTTP/1.1 408")

    run(tmp_path, t, settings={"http_request_timeout": 1})


def test_a_replayed_slash_command_is_handled_once(tmp_path: Path) -> None:
    """The same signed request sent again (within the signature's 5 minutes) is acked and
    not processed again: Slack gives every invocation its own trigger_id."""

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        fields = {"trigger_id": "replayed.1.2"}
        url = fake.public_url("example.txt")
        for _ in range(3):
            status, _, _ = await post_command(adapter, f"summarize {url}", fields)
            assert status == 200
        await fake.wait_for_posts(1)
        await asyncio.sleep(0.5)
        titles = [p for p in fake.posts if "Fix It Forward" in json.dumps(p.get("blocks", []))]
        assert len(titles) == 1
        # another invocation of the same command is new work
        before = len(fake.posts)
        await post_command(adapter, f"summarize {url}", {"trigger_id": "replayed.1.3"})
        await fake.wait_for_posts(before + 1)

    run(tmp_path, t)


def test_a_replay_sent_to_another_instance_is_handled_once(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two instances on one Postgres database (behind one address, say): the same signed
    command sent to each, twice, is processed once; the shared database remembers the
    trigger_id (on SQLite, one instance only, memory does)."""

    async def go() -> None:
        async with (
            slack_app(tmp_path, database_url=postgres_url) as (fake_a, a, _),
            slack_app(tmp_path, database_url=postgres_url) as (fake_b, b, _),
        ):
            fields = {"trigger_id": "replayed.9.9"}
            url = fake_a.public_url("example.txt")
            for adapter in (a, b, a, b):
                status, _, _ = await post_command(adapter, f"summarize {url}", fields)
                assert status == 200
            await fake_a.wait_for_posts(1)
            await asyncio.sleep(1)
            posts = [*fake_a.posts, *fake_b.posts]
            titles = [p for p in posts if "Fix It Forward" in json.dumps(p.get("blocks", []))]
            assert len(titles) == 1

    asyncio.run(go())


def test_bad_input_is_told_to_the_asker_only(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        cases = [
            ("summarize http://127.0.0.1:1/x", "could not connect"),  # a dead link
            ("summarize http://127.0.0.2:1/x", "not allowed"),
            ("summarize http://169.254.169.254/latest/meta-data", "not allowed"),
            (f"summarize {fake.public_url('missing.txt')}", "HTTP 404"),
            ("sumarize", "Did you mean"),
        ]
        for n, (text, expected) in enumerate(cases, start=1):
            status, _, _ = await post_command(adapter, text)
            assert status == 200
            await fake.wait_for_ephemeral(n)
            assert expected in json.dumps(fake.ephemeral[-1])
            assert fake.ephemeral[-1]["user"] == "U1"
        assert fake.posts == []
        await post_command(adapter, f"summarize {fake.public_url('episode.vtt')}")
        await fake.wait_for_posts(1)

    run(tmp_path, t)


def test_rate_limited_post_is_retried(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        fake.rate_limit_posts = 1
        await post_command(adapter, f"takeaways {fake.public_url('episode.vtt')}")
        await fake.wait_for_posts(1)
        assert len(fake.method_times("chat.postMessage")) == 2

    run(tmp_path, t)


def test_shared_file_with_a_mention(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> summarize",
            "channel": "C1",
            "ts": "1700000000.000100",
            "files": [{"id": "F1", "name": "interview.vtt"}, {"id": "F9", "name": "notes.txt"}],
        }
        assert await post_event(adapter, event, "Ev1") == 200
        await fake.wait_for_posts(1)
        assert len(fake.method_times("files.info")) == 1  # only the file summarized
        assert "2 files were sent: this summarizes the first, interview.vtt" in json.dumps(
            fake.posts[0]["blocks"]
        )
        assert fake.posts[0]["thread_ts"] == "1700000000.000100"
        assert fake.posts[0]["blocks"][0]["text"]["text"] == "interview"
        assert "Key takeaways" in json.dumps(fake.posts[0]["blocks"])

    run(tmp_path, t)


def test_a_redelivered_mention_is_answered_once(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        async def deliver(event_id: str, retry: int = 0) -> None:
            event = {
                "type": "app_mention",
                "user": "U1",
                "text": "<@UBOT> help",
                "channel": "C1",
                "ts": f"17000000{len(event_id)}.000100",
            }
            assert await post_event(adapter, event, event_id, retry) == 200

        def answers() -> int:
            return len(fake.posts) + len(fake.ephemeral)

        async def until(count: int) -> None:
            deadline = time.monotonic() + 15
            while answers() < count:
                assert time.monotonic() < deadline, f"{answers()} answers, expected {count}"
                await asyncio.sleep(0.02)

        await deliver("Ev100")
        await until(1)
        await deliver("Ev100", retry=1)
        await deliver("Ev100", retry=2)
        await deliver("Ev200")  # another event is answered
        await until(2)
        await asyncio.sleep(0.5)  # time for a wrongly answered retry to arrive
        assert answers() == 2

    run(tmp_path, t)


def test_socket_mode_slash_command(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        envelope = await fake.send_envelope(
            "slash_commands", slash(f"quotes {fake.public_url('episode.vtt')}")
        )
        await fake.wait_for_posts(1)
        acks = [a for a in fake.acks if a.get("envelope_id") == envelope]
        assert acks
        assert "Working on it" in json.dumps(acks[0].get("payload"))
        assert "Quotes" in json.dumps(fake.posts[0]["blocks"])
        assert fake.method_times("apps.connections.open")

    run(tmp_path, t, socket_mode=True)


def test_oauth_install_then_a_command_from_that_workspace(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        fake.oauth_codes["good-code"] = {
            "access_token": "xoxb-team2",
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": "UBOT",
            "app_id": "A1",
            "team": {"id": "T2", "name": "Two"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U9"},
        }
        base = f"http://127.0.0.1:{adapter.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/slack/install", allow_redirects=False) as resp:
                page = await resp.text()
                assert resp.status in (200, 302)
                state = resp.cookies["slack-app-oauth-state"].value
            assert "client_id=111.222" in page + resp.headers.get("Location", "")
            # the state cookie is Secure: a browser on https sends it back; here we do
            async with http.get(
                f"{base}/slack/oauth_redirect",
                params={"code": "good-code", "state": state},
                headers={"Cookie": f"slack-app-oauth-state={state}"},
            ) as resp:
                assert resp.status == 200, await resp.text()
        assert fake.method_times("oauth.v2.access")
        status, _, _ = await post_command(
            adapter, f"summarize {fake.public_url('episode.vtt')}", {"team_id": "T2"}
        )
        assert status == 200
        await fake.wait_for_posts(1)
        assert fake.posts[0]["token"] == "xoxb-team2"  # the installed workspace's own token
        # digests go out with that workspace's token too
        from bot.messages import Destination, Reply

        ids = await adapter.messenger.post(
            Destination("slack", "C7", "T2"),
            Reply(Destination("slack", "C7", "T2"), "text", text="hi"),
        )
        assert ids
        assert fake.posts[-1]["token"] == "xoxb-team2"
        assert fake.posts[-1]["channel"] == "C7"

    run(tmp_path, t, oauth=True)


@pytest.mark.parametrize("missing", ["bot_token"])
def test_slack_settings_are_optional(missing: str) -> None:
    assert SlackSettings(_env_file=None).configured is False  # type: ignore[call-arg]


def test_binary_shared_file_gets_an_ephemeral_error(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        fake.files["F9"] = ("audio.mp3", bytes(range(256)) * 64)
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> summarize",
            "channel": "C1",
            "ts": "1700000000.000200",
            "files": [{"id": "F9", "name": "audio.mp3"}],
        }
        assert await post_event(adapter, event, "Ev9") == 200
        await fake.wait_for_ephemeral(1)
        assert "binary" in fake.ephemeral[0]["text"]
        assert fake.posts == []

    run(tmp_path, t)


def test_podbrief_run_serves_http_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "PODBRIEF_HTTP_PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "PODBRIEF_WORKERS": "1",
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        import urllib.request

        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("podbrief run did not serve /healthz")
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=20) == 0
        assert b"Traceback" not in (bot.stderr.read() if bot.stderr else b"")
    finally:
        if bot.poll() is None:
            bot.kill()


@pytest.mark.parametrize(
    ("slack", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"bot_token": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"client_id": "1.2"}, "SLACK_CLIENT_SECRET"),
        (
            {"client_id": "1.2", "client_secret": "s", "app_token": APP_TOKEN},
            "SLACK_SIGNING_SECRET",
        ),
    ],
)
def test_incomplete_slack_settings_name_the_missing_variable(
    slack: dict[str, Any], variable: str
) -> None:
    from adapters.slack.app import check_settings
    from bot.errors import UserError

    settings = Settings(slack=SlackSettings(_env_file=None, **slack))  # type: ignore[call-arg]
    with pytest.raises(UserError, match=variable):
        check_settings(settings)


def test_subscribing_needs_a_workspace_admin(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.support.feeds import digest_jobs, feed_xml

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        fake.public["feed.xml"] = feed_xml(fake.public_url(""), datetime.now(UTC)).encode()
        fake.admins.add("UADMIN")
        await core.start()
        scheduler = core.scheduler
        try:
            feed = fake.public_url("feed.xml")
            await post_command(adapter, f"subscribe {feed} daily 08:00 tz America/New_York")
            await fake.wait_for_ephemeral(1)
            assert "workspace admins and owners" in fake.ephemeral[0]["text"]
            assert fake.method_times("users.info")
            status, _, _ = await post_command(
                adapter, f"subscribe {feed} daily 08:00 tz America/New_York", {"user_id": "UADMIN"}
            )
            assert status == 200
            await fake.wait_for_posts(1)
            text = json.dumps(fake.posts[0])
            assert "every day at 08:00 (America/New_York)" in text
            adapter.settings.slack.managers = "UMANAGER, UOTHER"  # PODBRIEF_SLACK_MANAGERS
            status, _, _ = await post_command(
                adapter, f"unsubscribe {feed}", {"user_id": "UMANAGER"}
            )
            assert status == 200
            await fake.wait_for_posts(2)
            assert "Unsubscribed" in json.dumps(fake.posts[1])
            assert digest_jobs(scheduler) == []  # the job went with the subscription
        finally:
            scheduler.stop()

    run(tmp_path, t)


def test_a_digest_is_found_in_its_channel_by_its_marker(tmp_path: Path) -> None:
    from bot.messages import Destination, Reply

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        where = Destination("slack", "C5", "T1")
        long_text = "\n".join(f"line {n} " + "x" * 200 for n in range(80))  # two messages
        ids = await adapter.messenger.post(
            where, Reply(where, "text", text=long_text, marker="7/slot-a")
        )
        assert len(ids) >= 2
        await adapter.messenger.post(
            where, Reply(where, "text", text="another digest", marker="7/slot-b")
        )
        await adapter.messenger.post(
            Destination("slack", "C6", "T1"), Reply(where, "text", text="x")
        )
        assert fake.posts[0]["metadata"]["event_payload"] == {"marker": "7/slot-a"}
        assert "metadata" not in fake.posts[1]  # the continuation in the thread
        assert await adapter.messenger.find(where, "7/slot-a") == [ids[0]]
        assert await adapter.messenger.find(where, "7/slot-c") == []
        assert await adapter.messenger.find(Destination("slack", "C6", "T1"), "7/slot-b") == []

    run(tmp_path, t)


def test_kill_9_leaves_no_worker_and_frees_the_port(tmp_path: Path) -> None:
    """`podbrief run` SIGKILLed after its workers ran a job: no worker process outlives it
    (they die with it) and none holds the HTTP port, so a restarted instance can bind it."""
    import os
    import socket
    import subprocess
    import sys
    import uuid
    from urllib.parse import urlencode

    from tests.support.fakes.local import wait_until_healthy
    from tests.support.slack import EXAMPLE, signed, slash

    marker = f"podbrief-kill-test-{uuid.uuid4().hex}"

    def marked() -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/environ", "rb") as f:
                        if marker.encode() in f.read():
                            pids.append(int(entry))
                except OSError:
                    continue
        return pids

    async def go() -> None:
        fake = await FakeSlack(public={"example.txt": EXAMPLE}).start()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            **os.environ,
            "PODBRIEF_KILL_TEST": marker,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "PODBRIEF_HTTP_PORT": str(port),
            "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.db'}",
            "PODBRIEF_WORKERS": "2",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "run", env=env, stdin=subprocess.DEVNULL
        )
        try:
            body = urlencode(slash(f"summarize {fake.public_url('example.txt')}"))
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
            async with aiohttp.ClientSession() as http:
                await wait_until_healthy(http, port)
                async with http.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                ) as resp:
                    assert resp.status == 200
            await fake.wait_for_posts(1, within=60)  # a worker summarized it
            assert len(marked()) > 2  # the bot, its fork server and workers
            bot.kill()
            await bot.wait()
            for _ in range(100):
                if not marked():
                    break
                await asyncio.sleep(0.1)
            assert marked() == []
            with socket.socket() as again:  # what a restarted instance does first
                # as asyncio's servers do: past TIME_WAIT, but never over a live listener
                again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                again.bind(("0.0.0.0", port))
                again.listen()
        finally:
            if bot.returncode is None:
                bot.kill()
            await fake.stop()

    asyncio.run(go())


def test_audio_linked_or_shared_is_transcribed_with_progress_in_the_ack(tmp_path: Path) -> None:
    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        # a slash command with an audio link: the ephemeral ack shows the transcription
        fields = {"response_url": fake.response_url()}
        link = fake.public_url("tool-library.opus")
        status, _, _ = await post_command(adapter, f"summarize {link}", fields)
        assert status == 200
        await fake.wait_for_posts(1, within=60)
        blocks = json.dumps(fake.posts[0]["blocks"])
        assert "transcribed by faster-whisper tiny.en" in blocks
        assert "Key takeaways" in blocks
        texts = [r["text"] for r in fake.responses]
        assert any(re.match(r"Transcribing the audio: 0:\d\d of 0:49…", t) for t in texts)
        assert all(r["replace_original"] for r in fake.responses)
        assert all(r["response_type"] == "ephemeral" for r in fake.responses)
        # the same audio shared as a file: its transcription is found by its content
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> summarize",
            "channel": "C1",
            "ts": "1700000000.000200",
            "files": [{"id": "F2", "name": "tool-library.opus"}],
        }
        assert await post_event(adapter, event, "EvAudio") == 200
        await fake.wait_for_posts(2, within=60)
        assert "transcribed by faster-whisper tiny.en" in json.dumps(fake.posts[1]["blocks"])

    run(tmp_path, t, settings={"progress_seconds": 0.05})


def test_a_mention_shows_long_work_in_its_thread_then_removes_it(tmp_path: Path) -> None:
    """A mention has no response_url: audio being transcribed shows its progress in a
    message in the mention's thread, edited as it moves and deleted once the summary is
    posted; an answer quicker than the wait posts none."""

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        mention = {"type": "app_mention", "user": "U1", "channel": "C1"}
        adapter.mention_progress_after = 0.1
        event = {
            **mention,
            "ts": "1700000000.000300",
            "text": "<@UBOT> summarize",
            "files": [{"id": "F2", "name": "tool-library.opus"}],
        }
        assert await post_event(adapter, event, "EvMentionAudio") == 200
        for _ in range(3000):
            if fake.deleted:
                break
            await asyncio.sleep(0.02)
        (shown,) = fake.deleted
        assert shown["channel"] == "C1"
        assert shown["thread_ts"] == "1700000000.000300"
        texts = [shown["text"], *(u["text"] for u in fake.updates)]
        progress = r"Transcribing the audio: 0:\d\d of 0:49…|Working on “[^”]+”"
        assert all(re.match(progress, text) for text in texts), texts
        assert all(u["ts"] == shown["ts"] for u in fake.updates)
        (summary,) = fake.posts  # only the answer is left
        assert "transcribed by faster-whisper tiny.en" in json.dumps(summary["blocks"])

        # a transcript summarized within the wait: no progress message at all
        adapter.mention_progress_after = 30
        again = {**mention, "ts": "1700000000.000400", "text": "<@UBOT> summarize"}
        again["files"] = [{"id": "F1", "name": "interview.vtt"}]
        assert await post_event(adapter, again, "EvMentionText") == 200
        await fake.wait_for_posts(2, within=60)
        assert len(fake.deleted) == 1
        assert len(fake.posts) == 2

    run(tmp_path, t, settings={"progress_seconds": 0.05})


def test_youtube_and_apple_podcasts_links_are_summarized_in_slack(tmp_path: Path) -> None:
    """Slack escapes a link's "&" as "&amp;" inside <…>: the video is still the one named,
    its captions give the summary and its times link to the moment; an Apple Podcasts
    episode link is found in the show's feed; a Spotify link says which links work."""

    async def go() -> None:
        async with fake_youtube() as youtube, fake_apple() as apple:
            settings = {"youtube_base_url": youtube.base, "apple_lookup_url": apple.lookup_url}
            async with slack_app(tmp_path, settings=settings) as (fake, adapter, _):
                video = "https://www.youtube.com/watch?v=creatorcap1&amp;t=42s"
                status, _, _ = await post_command(adapter, f"summarize <{video}>")
                assert status == 200
                await fake.wait_for_posts(1, within=60)
                blocks = json.dumps(fake.posts[0]["blocks"])
                assert "Why Repair Beats Replace" in blocks
                assert "youtube.com/watch?v=creatorcap1&t=" in blocks  # quotes link the moment

                await post_command(adapter, f"summarize <{APPLE_SHOW}?i=1000000002>")
                await fake.wait_for_posts(2, within=60)
                blocks = json.dumps(fake.posts[1]["blocks"])
                assert "Hot composting" in blocks
                assert "Key takeaways" in blocks
                assert "/lookup?id=1700000001" in apple.asked[0]

                spotify = "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"
                await post_command(adapter, f"summarize <{spotify}>")
                await fake.wait_for_ephemeral(1, within=30)
                told = fake.ephemeral[-1]["text"]
                assert "Spotify" in told
                assert "Apple Podcasts" in told
                assert len(fake.posts) == 2

    asyncio.run(go())


def test_an_audio_only_feed_is_posted_with_takeaways_and_a_timed_quote(tmp_path: Path) -> None:
    """Two channels follow a show that publishes audio only: each digest, posted through
    Slack, carries the episode's takeaways and a timed quote from its transcription; the
    audio is downloaded and transcribed once for both."""
    from datetime import UTC, datetime, timedelta

    from tests.support.feeds import audio_feed_xml

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        base = fake.public_url("").rstrip("/")
        published = datetime.now(UTC) + timedelta(minutes=5)  # after the subscriptions
        fake.public["audio.xml"] = audio_feed_xml(base, published).encode()
        fake.admins.add("UADMIN")
        await core.start()
        try:
            for channel in ("C1", "C2"):
                admin = {"user_id": "UADMIN", "channel_id": channel}
                await post_command(adapter, f"subscribe {base}/audio.xml", admin)
            await fake.wait_for_posts(2)
            for channel in ("C1", "C2"):
                await post_command(adapter, "digest", {"user_id": "UADMIN", "channel_id": channel})
            for _ in range(3000):
                digests = [p for p in fake.posts if "new episode" in json.dumps(p)]
                if len(digests) >= 2:
                    break
                await asyncio.sleep(0.02)
            assert sorted(d["channel"] for d in digests) == ["C1", "C2"]
            for digest in digests:
                text = json.dumps(digest)
                assert "The tool library" in text
                assert "tool" in text.split("The tool library", 1)[1].lower()
                assert re.search(r"0:\d\d", text), text
            assert fake.downloads.count("tool-library.opus") == 1
        finally:
            core.scheduler.stop()

    run(tmp_path, t)
