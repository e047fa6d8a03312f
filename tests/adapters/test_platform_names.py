"""Each platform shows its own command name, and a bad setting names its own variable."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.slack import render
from adapters.slack.app import syntax
from bot.config import Settings, SlackSettings, load_settings
from bot.errors import UserError
from bot.messages import Command, Destination, Reply
from bot.sources.fetch import SafeFetcher
from bot.sources.readers import load_path
from bot.storage import Database
from summarizers.extractive import ExtractiveSummarizer
from tests.support.core import service_for
from tests.support.data import ROOT

EXAMPLE = ROOT / "examples" / "repair-cafe.txt"


def test_slack_help_and_footers_use_the_configured_command(tmp_path: Path) -> None:
    settings = Settings(slack=SlackSettings(command="/brief"))
    where = Destination("slack", "C1", "T1")

    async def go() -> tuple[str, str]:
        db = Database(f"sqlite:///{tmp_path / 'names.db'}")
        await db.upgrade()
        fetcher = SafeFetcher(max_bytes=100_000)
        service = service_for(db, fetcher, syntaxes={"slack": syntax(settings)})
        try:
            help_reply = await service.handle(Command("help", "", "U1", where))
            typo = await service.handle(Command("sumarize", "", "U1", where))
            return help_reply.text, typo.text
        finally:
            await fetcher.close()
            await db.close()

    help_text, typo = asyncio.run(go())
    assert "`/brief summarize <link" in help_text
    assert "/podbrief" not in help_text
    assert "`/brief summarize" in typo
    assert "/podbrief" not in typo
    summary = ExtractiveSummarizer().run(load_path(EXAMPLE))
    reply = Reply(where, "takeaways", summary=summary, episode_id=3)
    flat = json.dumps(render.render(reply, settings.slack.command))
    assert "`/brief summarize 3` for the full summary" in flat
    assert "/podbrief" not in flat


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DISCORD_SHARD_COUNT", "0"),
        ("PODBRIEF_TAKEAWAYS", "99"),
        ("PODBRIEF_WORKERS", "many"),
        ("PODBRIEF_DIGEST_CLAIM_TIMEOUT", "soon"),
    ],
)
def test_an_invalid_setting_names_the_variable_that_was_set(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UserError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"invalid settings: {variable}: ")
    assert message.count("_SHARD_COUNT") <= 1
