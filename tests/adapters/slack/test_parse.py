"""Slack payloads (recorded shapes, invented values, in fixtures/slack) -> Commands."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack import parse
from bot.messages import Destination
from tests.support.data import FIXTURES

PAYLOADS = FIXTURES / "slack"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def test_slash_command() -> None:
    cmd = parse.from_slash_command(payload("slash_command.json"))
    assert (cmd.name, cmd.args, cmd.user) == (
        "quotes",
        "https://compost.example/episodes/12.vtt",
        "U0PRIYA01",
    )
    assert cmd.destination == Destination("slack", "C0GARDEN1", "T0PODBRIEF")
    assert not cmd.can_manage  # rights are the adapter's to check


def test_slash_command_of_an_enterprise_install_without_text() -> None:
    cmd = parse.from_slash_command(payload("slash_command_enterprise.json"))
    assert (cmd.name, cmd.args) == ("help", "")
    assert cmd.destination.workspace == "E0GRID0001"


def test_mention_with_a_file_and_a_sentence_summarizes_the_file() -> None:
    body = payload("app_mention_with_file.json")
    cmd = parse.from_mention(body["event"], body["team_id"])
    assert (cmd.name, cmd.args) == ("summarize", "")
    assert cmd.destination == Destination(
        "slack", "C0GARDEN1", "T0PODBRIEF", thread="1764150000.000200"
    )
    (file,) = cmd.attachments
    assert file.name == "hot-composting.vtt"
    assert file.headers == {"slack_file_id": "F0EPISODE12"}


def test_mention_with_a_file_asking_for_quotes() -> None:
    body = payload("app_mention_with_file.json")
    body["event"]["text"] = "<@U0PODBOT> could I get the best quotes from this?"
    cmd = parse.from_mention(body["event"], body["team_id"])
    assert (cmd.name, cmd.args) == ("quotes", "")


def test_mention_in_a_thread_answers_in_that_thread() -> None:
    body = payload("app_mention_in_thread.json")
    cmd = parse.from_mention(body["event"], body["team_id"])
    assert (cmd.name, cmd.args) == ("takeaways", "12")
    assert cmd.destination.thread == "1764150000.000200"
    assert cmd.destination.workspace == "T0PODBRIEF"  # from the envelope


def test_mention_without_a_file_keeps_an_unknown_word() -> None:
    body = payload("app_mention_in_thread.json")
    body["event"]["text"] = "<@U0PODBOT> sumarize 12"
    cmd = parse.from_mention(body["event"], body["team_id"])
    assert cmd.name == "sumarize"  # answered with "did you mean summarize?"
