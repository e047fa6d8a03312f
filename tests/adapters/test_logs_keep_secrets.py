"""No credential reaches the logs, even at DEBUG with every library's logger on: the
Slack bot, app and signing secrets, the Discord bot token and interaction tokens, the
OpenAI API key."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.discord.app import DiscordAdapter
from adapters.slack.app import SlackAdapter
from bot.bootstrap import App
from bot.logs import REDACTED, Redact
from bot.sources.readers import load_path
from summarizers.llm import LLMConfig
from tests.support import discord as discord_support
from tests.support import llm as llm_support
from tests.support import slack as slack_support
from tests.support.fakes.discord_server import FakeDiscord
from tests.support.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

DISCORD_TOKEN = "test-discord-token"


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as formatted, plus its raw arguments (a formatter might skip them)."""
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


def _loggers(caplog: pytest.LogCaptureFixture, *prefixes: str) -> set[str]:
    return {r.name for r in caplog.records if r.name.startswith(prefixes)}


def test_slack_http_and_socket_mode_log_no_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def http(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        await slack_support.post_command(adapter, f"summarize {fake.public_url('example.txt')}")
        await slack_support.post_command(adapter, "help", secret="wrong-secret")
        await fake.wait_for_posts(1)

    async def socket(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        await fake.send_envelope(
            "slash_commands", slack_support.slash(f"quotes {fake.public_url('episode.vtt')}")
        )
        await fake.wait_for_posts(1)

    for name in ("http", "socket"):
        (tmp_path / name).mkdir()
    slack_support.run(tmp_path / "http", http)
    slack_support.run(tmp_path / "socket", socket, socket_mode=True)
    logged = _logged(caplog)
    assert _loggers(caplog, "slack_bolt", "slack_sdk")  # the libraries' logs were on
    for secret in (BOT_TOKEN, APP_TOKEN, slack_support.SECRET):
        assert secret not in logged


def test_a_refused_slack_request_leaves_no_credential_in_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A request with a bad signature is refused before slack_bolt sees it (bolt logs a
    refused body whole); its verification token, response_url and trigger_id are nowhere
    in the logs, for a form and for an interactive JSON payload."""
    import json

    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(Redact([]))

    async def t(fake: FakeSlack, adapter: SlackAdapter, core: App) -> None:
        await slack_support.post_command(adapter, "help", REQUEST_FIELDS, secret="wrong-secret")
        await slack_support.post_command(
            adapter,
            "help",
            {"payload": json.dumps({"type": "block_actions", **REQUEST_FIELDS})},
            secret="wrong-secret",
        )

    slack_support.run(tmp_path, t)
    logged = _logged(caplog)
    for secret in ("legacyVerificationToken42", "hookSecretPart99", REQUEST_FIELDS["trigger_id"]):
        assert secret not in logged


REQUEST_FIELDS = {
    "token": "legacyVerificationToken42",
    "response_url": "https://hooks.slack.com/commands/T1/123/hookSecretPart99",
    "trigger_id": "13345224609.738474920.8088930838d88f008e0",
}


def test_slack_bolts_refusal_line_is_redacted() -> None:
    """slack_bolt's own line for a refused request (written at INFO with the whole body),
    as it would come from Socket Mode or a future code path: its credentials go."""
    import json
    from urllib.parse import urlencode

    redact = Redact([])
    form = urlencode({"command": "/podbrief", "text": "help", **REQUEST_FIELDS})
    encoded = urlencode({"payload": json.dumps({"type": "block_actions", **REQUEST_FIELDS})})
    raw_json = json.dumps({"type": "event_callback", **REQUEST_FIELDS})
    for body in (form, encoded, raw_json):
        line = (
            "Invalid request signature detected "
            f"(signature: v0=abc, timestamp: 1700000000, body: {body})"
        )
        record = logging.LogRecord(
            "slack_bolt.AsyncApp", logging.INFO, __file__, 1, line, None, None
        )
        assert redact.filter(record)
        message = record.getMessage()
        assert "Invalid request signature detected" in message
        assert "text=help" in message or "block_actions" in message or "event_callback" in message
        for secret in REQUEST_FIELDS.values():
            assert secret not in message, (body, message)
        assert "hookSecretPart99" not in message


def test_discord_logs_no_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """discord.py logs each interaction's token at DEBUG (in webhook URLs and gateway
    events); behind the filter that `podbrief` puts on its handlers, none is left."""
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(Redact([DISCORD_TOKEN]))
    tokens = []

    async def t(fake: FakeDiscord, adapter: DiscordAdapter, core: App) -> None:
        token = await fake.interact(
            "summarize", discord_support.link(fake.attachment_url("example.txt"))
        )
        tokens.append(token)
        await fake.wait_for("followup", token)

    discord_support.run(tmp_path, t)
    logged = _logged(caplog)
    assert _loggers(caplog, "discord.webhook", "discord.gateway")
    assert f"/webhooks/900000000000000001/{REDACTED}" in logged  # the URL, its token out
    assert DISCORD_TOKEN not in logged
    assert tokens[0] not in logged


def test_redact_takes_out_secrets_and_token_shapes() -> None:
    redact = Redact(["plain-configured-secret"])
    lines = {
        "key plain-configured-secret here": "key <redacted> here",
        "auth xoxb-123-456-abc and xapp-1-A2-3": "auth <redacted> and <redacted>",
        "Authorization: Bearer abcdefgh12345abcdefgh": "Authorization: Bearer <redacted>",
        "Authorization: Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs": (
            "Authorization: Bot <redacted>"
        ),
        "the bot reconnected to the gateway": "the bot reconnected to the gateway",
        "api key sk-proj-abc123DEF456": "api key <redacted>",
        "POST https://d/api/v10/interactions/81/aW50ZXJhY3Rpb24/callback": (
            "POST https://d/api/v10/interactions/81/<redacted>/callback"
        ),
        "{'id': '8', 'token': 'aW50ZXJhY3Rpb24', 'type': 2}": (
            "{'id': '8', 'token': '<redacted>', 'type': 2}"
        ),
        "nothing secret in 12 words": "nothing secret in 12 words",
    }
    for raw, clean in lines.items():
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (raw,), None)
        assert redact.filter(record)
        assert record.getMessage() == clean
    try:
        raise RuntimeError("failed with plain-configured-secret")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    redact.filter(record)
    assert record.exc_text
    assert "plain-configured-secret" not in record.exc_text


def test_the_podbrief_command_logs_through_the_filter() -> None:
    secret = "discord-token-with-no-known-shape"
    code = (
        "import logging; from adapters.cli import main; main(['--help']); "
        f"logging.getLogger('discord.http').debug('token %s', {secret!r})"
    )
    env = {**os.environ, "PODBRIEF_LOG_LEVEL": "DEBUG", "DISCORD_TOKEN": secret}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"token {REDACTED}" in done.stderr
    assert secret not in done.stderr


def test_llm_engine_logs_no_api_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = "sk-test-0123456789abcdef-never-log-me"
    episode = load_path(llm_support.EXAMPLE)
    summary, server = llm_support.run("429_then_ok", episode, api_key=key)
    assert summary.engine == "llm"
    logged = _logged(caplog)
    assert _loggers(caplog, "openai", "httpx")
    assert key not in logged


def test_the_llm_config_does_not_show_its_key() -> None:
    key = "sk-test-shown-nowhere"
    config = LLMConfig(api_key=key)
    assert key not in repr(config)
    assert key not in str(config)
