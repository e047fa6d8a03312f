"""Schedules: parsing, words, and daylight-saving days that neither skip nor double a slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.schedule import Schedule, parse_schedule
from bot.errors import UserError


@pytest.mark.parametrize(
    ("text", "cron", "tz", "words"),
    [
        ("", "0 9 * * *", "UTC", "every day at 09:00 (UTC)"),
        (
            "daily 07:30 tz Europe/Berlin",
            "30 7 * * *",
            "Europe/Berlin",
            "every day at 07:30 (Europe/Berlin)",
        ),
        (
            "weekly friday 17:05 tz America/New_York",
            "5 17 * * fri",
            "America/New_York",
            "every Friday at 17:05 (America/New_York)",
        ),
        ('cron "0 8 * * mon-fri"', "0 8 * * mon-fri", "UTC", 'on cron "0 8 * * mon-fri" (UTC)'),
    ],
)
def test_parse_and_describe(text: str, cron: str, tz: str, words: str) -> None:
    s = parse_schedule(text)
    assert (s.cron, s.tz) == (cron, tz)
    assert s.describe() == words
    assert parse_schedule(s.spec()) == s


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("daily 25:00", "could not read"),
        ("weekly someday 10:00", "unknown day"),
        ("daily 09:00 tz Mars/Olympus", "unknown time zone"),
        ('cron "61 * * * *"', "invalid cron"),
        ('cron "0 8', "unclosed quote"),
        ("hourly", "could not read"),
    ],
)
def test_bad_schedules_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_schedule(text)


def _slots(schedule: Schedule, start: datetime, days: int) -> list[str]:
    """Every slot the trigger produces over `days`, firing as a scheduler would."""
    trigger = schedule.trigger()
    end = start + timedelta(days=days)
    slots, previous, now = [], None, start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire > end:
            return slots
        slots.append(schedule.slot(fire))
        previous, now = fire, fire + timedelta(minutes=1)


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize("hhmm", ["01:30", "02:30", "09:00"])
@pytest.mark.parametrize("month", [3, 10, 11])
def test_dst_days_neither_skip_nor_double(tz: str, hhmm: str, month: int) -> None:
    schedule = parse_schedule(f"daily {hhmm} tz {tz}")
    start = datetime(2026, month, 1, tzinfo=UTC)
    slots = _slots(schedule, start, 31)
    days = sorted({s[:10] for s in slots})
    assert len(set(slots)) == len(days)  # one distinct slot per day, never two
    assert len(days) >= 30  # and no day is skipped
    for a, b in zip(days, days[1:], strict=False):
        assert (datetime.fromisoformat(b) - datetime.fromisoformat(a)).days == 1
