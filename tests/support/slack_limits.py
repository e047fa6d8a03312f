"""A validator of Slack's message limits, for tests."""

from __future__ import annotations

from typing import Any


def check_message(message: dict[str, Any]) -> None:
    """Raise AssertionError if Slack would reject or truncate this message."""
    assert message.get("text"), "the text fallback is required"
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    total = 0
    for block in blocks:
        kind = block["type"]
        assert kind in {"header", "section", "context", "divider"}
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 1 <= len(block["text"]["text"]) <= 150
            total += len(block["text"]["text"])
        elif kind == "section":
            assert 1 <= len(block["text"]["text"]) <= 3000
            total += len(block["text"]["text"])
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 1 <= len(element["text"]) <= 3000
                total += len(element["text"])
    assert total <= 12_000
