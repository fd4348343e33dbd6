"""The local stack's stand-in for EventBridge Scheduler: fires the definitions in schedules/
at their wall-clock times in their own time zone, by invoking the app's Lambda functions.

Cron follows EventBridge's six fields: minutes hours day-of-month month day-of-week year, with
`*`, `?`, lists, ranges, `/` steps and day names (SUN=1 … SAT=7). Times are matched in the
schedule's zone minute by minute of real (UTC) time, so a local time that does not exist
(the spring-forward hour) never fires and one that occurs twice (the autumn hour) fires once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from schedules import ScheduleDefinition

_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


class CronError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The set of allowed values, or None for 'any' (* or ?)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step != 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise CronError(f"value out of range in {text!r}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    try:
        return int(text)
    except ValueError:
        raise CronError(f"not a number: {text!r}") from None


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None  # 1 = Sunday … 7 = Saturday, as EventBridge counts
    years: frozenset[int] | None

    @classmethod
    def parse(cls, expression: str) -> Cron:
        if not (expression.startswith("cron(") and expression.endswith(")")):
            raise CronError("only cron(...) expressions are scheduled locally")
        parts = expression[5:-1].split()
        if len(parts) != 6:
            raise CronError("cron needs six fields")
        return cls(
            minutes=_field(parts[0], 0, 59),
            hours=_field(parts[1], 0, 23),
            days=_field(parts[2], 1, 31),
            months=_field(parts[3], 1, 12, _MONTH_NAMES),
            weekdays=_field(parts[4], 1, 7, _DAY_NAMES),
            years=_field(parts[5], 1970, 2199),
        )

    def matches(self, local: datetime) -> bool:
        weekday = (local.isoweekday() % 7) + 1  # Monday=1 in ISO -> 2 in EventBridge
        checks = (
            (self.minutes, local.minute),
            (self.hours, local.hour),
            (self.days, local.day),
            (self.months, local.month),
            (self.weekdays, weekday),
            (self.years, local.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)


def due_between(definition: ScheduleDefinition, after: datetime, until: datetime) -> list[datetime]:
    """The UTC minutes in (after, until] at which the definition fires, one per local wall-clock minute."""
    cron = Cron.parse(definition.expression)
    zone = ZoneInfo(definition.timezone)
    moment = after.astimezone(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
    fired_local: set[tuple[int, int, int, int, int]] = set()
    result = []
    while moment <= until:
        local = moment.astimezone(zone)
        wall = (local.year, local.month, local.day, local.hour, local.minute)
        if cron.matches(local) and wall not in fired_local:
            fired_local.add(wall)
            result.append(moment)
        moment += timedelta(minutes=1)
    return result


Invoke = Callable[[str, dict[str, Any]], Any]


class OneTimeSchedules:
    """The app's one-time `at(...)` schedules (a booking's online-change cutoff, say), which moto
    stores but never runs: each fires once at its wall-clock time in its own time zone, with its
    Input as the event, and is deleted afterwards when it says ActionAfterCompletion=DELETE."""

    def __init__(self, client: Any, invoke: Invoke, function_names: list[str]) -> None:
        self._client = client
        self._invoke = invoke
        self._functions = function_names
        self._fired: set[str] = set()

    def _function_for(self, target_arn: str) -> str | None:
        # Deployed functions are named "<app>-<stage>-<function>".
        name = target_arn.rsplit(":", 1)[-1]
        return next((f for f in self._functions if name == f or name.endswith(f"-{f}")), None)

    def tick(self, now: datetime) -> list[str]:
        fired = []
        for group in self._client.list_schedule_groups()["ScheduleGroups"]:
            for summary in self._client.list_schedules(GroupName=group["Name"])["Schedules"]:
                if summary.get("State") != "ENABLED":
                    continue
                detail = self._client.get_schedule(Name=summary["Name"], GroupName=group["Name"])
                expression = detail["ScheduleExpression"]
                key = f"{detail['Arn']}|{expression}"
                if not expression.startswith("at(") or key in self._fired:
                    continue
                zone = ZoneInfo(detail.get("ScheduleExpressionTimezone") or "UTC")
                if datetime.fromisoformat(expression[3:-1]).replace(tzinfo=zone) > now:
                    continue
                function = self._function_for(detail["Target"]["Arn"])
                if function is None:
                    continue
                self._invoke(function, json.loads(detail["Target"].get("Input") or "{}"))
                self._fired.add(key)
                fired.append(summary["Name"])
                if detail.get("ActionAfterCompletion") == "DELETE":
                    self._client.delete_schedule(Name=summary["Name"], GroupName=group["Name"])
        return fired


class LocalScheduler:
    """Checks every few seconds; a run missed while the laptop slept fires once on waking."""

    def __init__(
        self,
        definitions: tuple[ScheduleDefinition, ...],
        invoke: Invoke,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        poll_seconds: float = 5.0,
        one_time: OneTimeSchedules | None = None,
    ) -> None:
        self._one_time = one_time
        self._definitions = definitions
        self._invoke = invoke
        self._clock = clock
        self._poll = poll_seconds
        self._last_check = clock()
        self._stop = threading.Event()
        self.fired: list[tuple[str, datetime]] = []

    def tick(self) -> None:
        now = self._clock()
        for definition in self._definitions:
            due = due_between(definition, self._last_check, now)
            if due:
                scheduled = due[-1]
                event = {"schedule": definition.name, "scheduled_time": scheduled.isoformat()}
                self.fired.append((definition.name, scheduled))
                try:
                    self._invoke(definition.function, event)
                except Exception as error:  # keep the scheduler alive; the next run catches up
                    print(f"[scheduler] {definition.name} failed: {error!r}")
        if self._one_time is not None:
            try:
                self._one_time.tick(now)
            except Exception as error:  # not fired: tried again at the next tick
                print(f"[scheduler] one-time schedules failed: {error!r}")
        self._last_check = now

    def run_forever(self) -> None:
        while not self._stop.wait(self._poll):
            self.tick()

    def stop(self) -> None:
        self._stop.set()


def start_in_thread(scheduler: LocalScheduler) -> threading.Thread:
    thread = threading.Thread(target=scheduler.run_forever, name="local-scheduler", daemon=True)
    thread.start()
    return thread


def chalice_invoker(app_module: Any) -> Invoke:
    """Invoke an @app.lambda_function of the Chalice app in this process, as Lambda would."""

    def invoke(function_name: str, event: dict[str, Any]) -> Any:
        # app.py names each @app.lambda_function after the function it decorates.
        return getattr(app_module, function_name)(event, None)

    return invoke
