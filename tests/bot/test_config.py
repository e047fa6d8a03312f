"""Settings read from the environment: durations as seconds or ISO 8601."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import load_settings
from bot.errors import UserError


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PODBRIEF_DIGEST_CATCHUP", "86400", timedelta(days=1)),
        ("PODBRIEF_DIGEST_CATCHUP", " 90.5 ", timedelta(seconds=90.5)),
        ("PODBRIEF_DIGEST_CATCHUP", "PT24H", timedelta(hours=24)),
        ("PODBRIEF_DIGEST_CATCHUP", "0", timedelta(0)),
        ("PODBRIEF_DIGEST_CLAIM_TIMEOUT", "30", timedelta(seconds=30)),
        ("PODBRIEF_DIGEST_CLAIM_TIMEOUT", "PT30S", timedelta(seconds=30)),
    ],
)
def test_durations_are_seconds_or_iso_8601(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv(variable, value)
    settings = load_settings()
    field = variable.removeprefix("PODBRIEF_").lower()
    assert getattr(settings, field) == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PODBRIEF_DIGEST_CLAIM_TIMEOUT", "0"),
        ("PODBRIEF_DIGEST_CLAIM_TIMEOUT", "-5"),
        ("PODBRIEF_DIGEST_CATCHUP", "-1"),
        ("PODBRIEF_DIGEST_CATCHUP", "1e30"),
        ("PODBRIEF_DIGEST_CATCHUP", "a day"),
    ],
)
def test_a_bad_duration_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UserError, match=f"^invalid settings: {variable}: "):
        load_settings()
