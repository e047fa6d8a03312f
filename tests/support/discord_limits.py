"""A validator of Discord's message limits, for tests."""

from __future__ import annotations

from typing import Any


def check_message(message: dict[str, Any]) -> None:
    """Raise AssertionError if Discord would reject this message."""
    content = message.get("content") or ""
    embeds = message.get("embeds") or []
    assert content or embeds, "a message needs content or embeds"
    assert len(content) <= 2000
    assert len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256
        assert len(e.get("description", "")) <= 4096
        fields = e.get("fields", [])
        assert len(fields) <= 25
        for f in fields:
            assert 1 <= len(f["name"]) <= 256
            assert 1 <= len(f["value"]) <= 1024
        footer = e.get("footer", {}).get("text", "")
        assert len(footer) <= 2048
        total += len(e.get("title", "")) + len(e.get("description", "")) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
