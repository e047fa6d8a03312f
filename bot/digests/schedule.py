"""Digest schedules: `daily HH:MM`, `weekly DAY HH:MM` or `cron "<expr>"`, in an IANA zone.

A schedule fires at wall-clock times of its zone. Each firing is a *slot*, keyed by the
local wall time (`2026-10-25T02:30`): when daylight saving repeats an hour the scheduler
may fire twice, but both firings are the same slot, and the database posts a slot once.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.errors import UserError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {d: d for d in DAYS} | {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
USAGE = (
    '`daily HH:MM`, `weekly DAY HH:MM` or `cron "<minute hour day month weekday>"`, '
    "optionally followed by `tz <IANA zone>` (for example `tz Europe/Berlin`)"
)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: a five-field cron expression and its zone."""

    kind: str  # daily | weekly | cron
    cron: str
    tz: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def trigger(self) -> WallClockTrigger:
        return WallClockTrigger(CronTrigger.from_crontab(self.cron, timezone=self.zone))

    def next_run(self, now: datetime) -> datetime:
        fire: datetime | None = self.trigger().get_next_fire_time(None, now)
        assert fire is not None  # a five-field cron always fires again
        return fire

    def slot(self, fire_time: datetime) -> str:
        """The slot a firing belongs to: its wall-clock time in the schedule's zone."""
        return fire_time.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def describe(self) -> str:
        minute, hour, _, _, weekday = self.cron.split()
        if self.kind == "daily":
            return f"every day at {int(hour):02}:{int(minute):02} ({self.tz})"
        if self.kind == "weekly":
            day = {
                d[:3]: d
                for d in (
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday",
                )
            }[weekday.capitalize()[:3]]
            return f"every {day} at {int(hour):02}:{int(minute):02} ({self.tz})"
        return f'on cron "{self.cron}" ({self.tz})'

    def spec(self) -> str:
        """The text that parses back to this schedule."""
        minute, hour, _, _, weekday = self.cron.split()
        if self.kind == "daily":
            return f"daily {int(hour):02}:{int(minute):02} tz {self.tz}"
        if self.kind == "weekly":
            return f"weekly {weekday} {int(hour):02}:{int(minute):02} tz {self.tz}"
        return f'cron "{self.cron}" tz {self.tz}'


class WallClockTrigger(BaseTrigger):  # type: ignore[misc]
    """A CronTrigger whose fire times always move forward.

    On the day daylight saving ends, APScheduler 3.11's CronTrigger can return the same
    fire time again and again for a time in the repeated hour (02:30 in Europe/Berlin):
    a scheduler would run the job in a loop. This wrapper asks again from a minute later
    until the answer is later than the previous fire time.
    """

    def __init__(self, inner: CronTrigger) -> None:
        self.inner = inner

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = self.inner.get_next_fire_time(previous_fire_time, now)
        probe = now
        for _ in range(24 * 60):  # at most a day of minutes; the repeated hour is one hour
            if fire is None or previous_fire_time is None or fire > previous_fire_time:
                return fire
            probe = max(probe, previous_fire_time) + timedelta(minutes=1)
            fire = self.inner.get_next_fire_time(None, probe)
        return fire

    def __str__(self) -> str:
        return f"wallclock[{self.inner}]"


def parse_schedule(text: str, default_tz: str = "UTC") -> Schedule:
    """Parse the schedule part of `subscribe`; empty means daily at 09:00."""
    try:
        words = shlex.split(text)
    except ValueError:
        raise UserError(f"the schedule has an unclosed quote; use {USAGE}") from None
    tz = default_tz
    if len(words) >= 2 and words[-2].lower() == "tz":
        tz = words[-1]
        words = words[:-2]
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown time zone {tz!r}; use an IANA name such as Europe/Berlin or America/New_York"
        ) from None
    if not words:
        return Schedule("daily", "0 9 * * *", tz)
    kind = words[0].lower()
    if kind == "daily" and len(words) == 2 and (m := _TIME.match(words[1])):
        return Schedule("daily", f"{int(m.group(2))} {int(m.group(1))} * * *", tz)
    if kind == "weekly" and len(words) == 3 and (m := _TIME.match(words[2])):
        day = _DAY_NAMES.get(words[1].lower())
        if day is None:
            raise UserError(f"unknown day {words[1]!r}; use mon, tue, wed, thu, fri, sat or sun")
        return Schedule("weekly", f"{int(m.group(2))} {int(m.group(1))} * * {day}", tz)
    if kind == "cron" and len(words) == 2:
        expr = " ".join(words[1].split())
        try:
            CronTrigger.from_crontab(expr, timezone=ZoneInfo(tz))
        except ValueError as exc:
            raise UserError(f"invalid cron expression {expr!r}: {exc}") from None
        return Schedule("cron", expr, tz)
    raise UserError(f"could not read the schedule {text!r}; use {USAGE}")
