"""The local scheduler fires schedules/ definitions at their Stockholm wall-clock time."""

import types
from datetime import datetime, timedelta, timezone

import pytest
from chalice import Chalice

from local.scheduler import Cron, CronError, LocalScheduler, chalice_invoker, due_between
from schedules import SCHEDULES, ScheduleDefinition

UTC = timezone.utc
EVENING = ScheduleDefinition("evening", "cron(0 18 * * ? *)", "evening_job", "daily at 18:00")
WEEKDAY_MORNING = ScheduleDefinition("weekday", "cron(30 7 ? * MON-FRI *)", "weekday_job", "07:30 Mon-Fri")
NIGHT = ScheduleDefinition("night", "cron(30 2 * * ? *)", "night_job", "02:30 daily")


def test_18_00_stockholm_is_17_00_utc_in_winter_and_16_00_in_summer():
    winter = due_between(EVENING, datetime(2026, 11, 22, 0, 0, tzinfo=UTC), datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    summer = due_between(EVENING, datetime(2026, 6, 1, 0, 0, tzinfo=UTC), datetime(2026, 6, 2, 0, 0, tzinfo=UTC))
    assert winter == [datetime(2026, 11, 22, 17, 0, tzinfo=UTC)]
    assert summer == [datetime(2026, 6, 1, 16, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [((2026, 3, 28), 17), ((2026, 3, 29), 16), ((2026, 3, 30), 16), ((2026, 10, 24), 16), ((2026, 10, 25), 17),
     ((2026, 10, 26), 17)],
)  # fmt: skip
def test_18_00_holds_on_the_days_around_the_dst_changes(day, utc_hour):
    start = datetime(*day, 0, 0, tzinfo=UTC) - timedelta(hours=3)
    fired = due_between(EVENING, start, start + timedelta(hours=24))
    assert fired == [datetime(*day, utc_hour, 0, tzinfo=UTC)]


def test_a_time_in_the_spring_forward_gap_does_not_fire_and_the_repeated_autumn_hour_fires_once():
    spring = due_between(NIGHT, datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC))
    autumn = due_between(NIGHT, datetime(2026, 10, 24, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 22, 0, tzinfo=UTC))
    assert spring == []  # 02:30 does not exist on 29 March 2026 in Stockholm
    assert autumn == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # the first 02:30 (CEST)


def test_weekday_names_follow_eventbridge():
    week = due_between(
        WEEKDAY_MORNING, datetime(2026, 11, 22, 0, 0, tzinfo=UTC), datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    )
    assert [d.date().isoformat() for d in week] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]


@pytest.mark.parametrize("expression", ["cron(0 18 * *)", "rate(5 minutes)", "cron(61 18 * * ? *)", "cron(0 x * * ? *)"])
def test_bad_expressions_are_refused(expression):
    with pytest.raises(CronError):
        Cron.parse(expression)


def test_every_defined_schedule_parses_and_targets_a_function_in_app():
    import app

    for definition in SCHEDULES:
        Cron.parse(definition.expression)
        assert callable(getattr(app, definition.function))


def test_the_scheduler_invokes_the_lambda_function_at_18_00_not_17_59():
    # Given a Chalice app with a Lambda function behind the 18:00 schedule
    demo_app = Chalice(app_name="scheduler-test")
    received = []

    @demo_app.lambda_function(name="evening_job")
    def evening_job(event, context):
        received.append(event)
        return {"ok": True}

    module = types.SimpleNamespace(app=demo_app, evening_job=evening_job)
    now = [datetime(2026, 11, 22, 16, 58, 30, tzinfo=UTC)]  # 17:58:30 in Stockholm
    scheduler = LocalScheduler((EVENING,), chalice_invoker(module), clock=lambda: now[0])

    # When the clock reaches 17:59:59 Stockholm time
    now[0] = datetime(2026, 11, 22, 16, 59, 59, tzinfo=UTC)
    scheduler.tick()
    # Then nothing has run
    assert received == []

    # When it reaches 18:00:00
    now[0] = datetime(2026, 11, 22, 17, 0, 0, tzinfo=UTC)
    scheduler.tick()
    scheduler.tick()
    # Then the function ran once, told which run it is
    assert received == [{"schedule": "evening", "scheduled_time": "2026-11-22T17:00:00+00:00"}]


def test_a_run_missed_while_stopped_is_caught_up_once():
    calls = []
    now = [datetime(2026, 11, 20, 12, 0, tzinfo=UTC)]
    scheduler = LocalScheduler((EVENING,), lambda name, event: calls.append(event), clock=lambda: now[0])
    now[0] = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # three evenings passed while the laptop slept
    scheduler.tick()
    assert [c["scheduled_time"] for c in calls] == ["2026-11-22T17:00:00+00:00"]


def test_a_failing_run_does_not_stop_the_scheduler():
    calls = []

    def invoke(name, event):
        calls.append(event)
        raise RuntimeError("boom")

    now = [datetime(2026, 11, 22, 16, 0, tzinfo=UTC)]
    scheduler = LocalScheduler((EVENING,), invoke, clock=lambda: now[0])
    now[0] = datetime(2026, 11, 22, 17, 1, tzinfo=UTC)
    scheduler.tick()
    now[0] = datetime(2026, 11, 23, 17, 1, tzinfo=UTC)
    scheduler.tick()
    assert len(calls) == 2


def _at_schedule(client, name, expression, *, delete_after=True, function="eservices-demo-send_reminder"):
    client.create_schedule(
        Name=name, GroupName="bookings", ScheduleExpression=expression,
        ScheduleExpressionTimezone="Europe/Stockholm", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": f"arn:aws:lambda:eu-north-1:123456789012:function:{function}",
                "RoleArn": "arn:aws:iam::123456789012:role/scheduler", "Input": '{"booking_id": "b1"}'},
        ActionAfterCompletion="DELETE" if delete_after else "NONE",
    )  # fmt: skip


def test_one_time_schedules_fire_once_at_their_stockholm_time_and_are_deleted():
    import boto3
    from moto import mock_aws

    from local.scheduler import OneTimeSchedules

    with mock_aws():
        client = boto3.client("scheduler", region_name="eu-north-1")
        client.create_schedule_group(Name="bookings")
        _at_schedule(client, "cutoff-b1", "at(2026-11-23T10:00:00)")
        _at_schedule(client, "kept", "at(2026-11-23T10:00:00)", delete_after=False)
        _at_schedule(client, "elsewhere", "at(2026-11-23T10:00:00)", function="some-other-system")
        calls = []
        one_time = OneTimeSchedules(client, lambda name, event: calls.append((name, event)), ["send_reminder"])
        # 09:59 Stockholm is 08:59 UTC: not yet
        assert one_time.tick(datetime(2026, 11, 23, 8, 59, 59, tzinfo=UTC)) == []
        # 10:00 Stockholm: both of ours fire with their input; the one targeting another system does not
        assert sorted(one_time.tick(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))) == ["cutoff-b1", "kept"]
        assert calls == [("send_reminder", {"booking_id": "b1"})] * 2
        names = {s["Name"] for s in client.list_schedules(GroupName="bookings")["Schedules"]}
        assert names == {"kept", "elsewhere"}
        # A later tick fires nothing again
        assert one_time.tick(datetime(2026, 11, 23, 9, 5, tzinfo=UTC)) == []
