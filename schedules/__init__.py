"""What runs on a clock, when, and in which time zone.

infra/ turns each definition into an EventBridge Scheduler schedule (with its time zone, so
"18:00" stays 18:00 across daylight saving); the local stack's scheduler (local/scheduler.py)
fires the same definitions on a laptop, where moto stores schedules but never runs them.

Each feature adds its schedules here, targeting a function declared in app.py with
@app.lambda_function(name=...).
"""

from __future__ import annotations

from dataclasses import dataclass

STOCKHOLM = "Europe/Stockholm"


@dataclass(frozen=True)
class ScheduleDefinition:
    name: str
    expression: str  # EventBridge Scheduler syntax: cron(min hour day-of-month month day-of-week year)
    function: str  # the @app.lambda_function name it invokes
    description: str
    timezone: str = STOCKHOLM


# Features register their schedules here (the 18:00 summons release, reminders, …).
SCHEDULES: tuple[ScheduleDefinition, ...] = (
    ScheduleDefinition(
        name="notification-dispatch",
        expression="cron(* * * * ? *)",
        function="dispatch_notifications",
        description="Queue due e-mail and SMS notifications for the workers, which send at the region's rate",
    ),
    ScheduleDefinition(
        name="summons-release",
        # 18:00 local time every day, DST or not; the runs until 23:50 finish what a failed run left.
        expression="cron(0/10 18-23 * * ? *)",
        function="release_summons",
        description="Plan the evening's summons (kallelser) release for the release workers, 18:00 Stockholm time",
    ),
    ScheduleDefinition(
        name="print-batch",
        # After the release (its workers finish in minutes): the batch closes, and a letter written
        # later goes in the next evening's.
        expression="cron(30 18 * * ? *)",
        function="print_batch",
        description="Close the evening's print batch and make its PDF files (at most 500 letters each) in S3",
    ),
    ScheduleDefinition(
        name="kit-deadlines",
        expression="cron(0 9 * * ? *)",  # in the morning, when a reminder is welcome
        function="kit_deadlines",
        description="Remind a week before a home test kit's 40-day return limit; expire kits after it",
    ),
    ScheduleDefinition(
        name="form-deadlines",
        expression="cron(30 8 * * ? *)",  # in the morning: reminders of forms, overdue marks, purges
        function="form_deadlines",
        description="Remind of forms due soon, mark unanswered forms past their last day overdue, purge answers "
        "past the unit's retention",
    ),
)
