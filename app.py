"""The region's e-services: citizen pages at /, staff pages at /staff, the JSON API at /api/v1,
the integration API at /integration/v1. Routes live in chalicelib/api; this file only wires them."""

import os

from chalice import Chalice

from chalicelib.api.api_v1 import api_v1
from chalicelib.api.auth_routes import auth_routes
from chalicelib.api.booking_api import booking_api
from chalicelib.api.booking_pages import booking_pages
from chalicelib.api.case_pages import case_pages
from chalicelib.api.http import request_middleware
from chalicelib.api.integration_v1 import integration_v1
from chalicelib.api.pages import pages
from chalicelib.api.self_test_pages import self_test_pages
from chalicelib.api.staff_admin_pages import staff_admin_pages
from chalicelib.api.staff_api import staff_api
from chalicelib.api.staff_booking_pages import staff_booking_pages
from chalicelib.api.staff_case_pages import staff_case_pages
from chalicelib.api.staff_person_pages import staff_person_pages
from chalicelib.api.staff_pages import staff_pages
from chalicelib.api.staff_region_pages import staff_region_pages
from chalicelib.api.staff_summons_pages import staff_summons_pages

app = Chalice(app_name="eservices")
app.register_middleware(request_middleware, "http")
app.register_blueprint(pages)
app.register_blueprint(auth_routes)
app.register_blueprint(api_v1)
app.register_blueprint(integration_v1)
app.register_blueprint(staff_pages)
app.register_blueprint(booking_pages)
app.register_blueprint(booking_api)
app.register_blueprint(staff_booking_pages)
app.register_blueprint(staff_summons_pages)
app.register_blueprint(self_test_pages)
app.register_blueprint(case_pages)
app.register_blueprint(staff_case_pages)
app.register_blueprint(staff_person_pages)
app.register_blueprint(staff_api)
app.register_blueprint(staff_admin_pages)
app.register_blueprint(staff_region_pages)


# The events table's stream. Chalice writes this ARN into the template; infra/ puts the real one there.
EVENTS_STREAM_ARN = os.environ.get(
    "EVENTS_STREAM_ARN", "arn:aws:dynamodb:eu-north-1:000000000000:table/eservices-events/stream/placeholder"
)


@app.on_dynamodb_record(stream_arn=EVENTS_STREAM_ARN, name="follow_ups", batch_size=50,
                        starting_position="TRIM_HORIZON", maximum_batching_window_in_seconds=1)  # fmt: skip
def follow_ups(event):  # noqa: ANN001 (Chalice's signature)
    """One event per change (services/follow_ups.py): the follow-ups, with the failed records reported
    back so the stream retries from them (ReportBatchItemFailures, set in infra/)."""
    from chalicelib.bootstrap import ports
    from chalicelib.observability import flush_metrics
    from chalicelib.services import follow_ups as listed

    try:
        return listed.consume(ports(), event.to_dict(), event.context)
    finally:
        flush_metrics()


@app.lambda_function(name="dispatch_notifications")
def dispatch_notifications(event, context):  # noqa: ANN001 (Lambda's signature)
    """Every minute (schedules/): queue the e-mail and SMS notifications that are due for the
    notification workers, which send them at the region's rate."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import notifications

    try:
        return {"queued": notifications.plan_dispatch(ports(), clock.utc_now(),
                                                      lambda chunks: ports().work_queues.send("notifications", chunks))}
    finally:
        flush_metrics()


@app.lambda_function(name="booking_cutoff")
def booking_cutoff(event, context):  # noqa: ANN001 (Lambda's signature)
    """A booking's one-time schedule fired at the moment online changes close: remind once."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import booking

    try:
        return {"result": booking.remind_at_cutoff(ports(), event, clock.utc_now())}
    finally:
        flush_metrics()


@app.lambda_function(name="release_summons")
def release_summons(event, context):  # noqa: ANN001 (Lambda's signature)
    """18:00 Stockholm (schedules/), then every ten minutes until midnight to finish what a failed
    run left: plan the evening's release, in chunks for the release workers."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import summons

    try:
        plan = summons.plan_release(ports(), clock.utc_now(), lambda chunks: ports().work_queues.send("release", chunks))
        return {"planned": plan.planned, "chunks": plan.chunks}
    finally:
        flush_metrics()


@app.lambda_function(name="kit_deadlines")
def kit_deadlines(event, context):  # noqa: ANN001 (Lambda's signature)
    """Daily (schedules/): remind a week before a home test kit's return limit, expire it after."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import self_tests

    try:
        return self_tests.expire_and_remind(ports(), clock.utc_now())
    finally:
        flush_metrics()


@app.lambda_function(name="print_batch")
def print_batch(event, context):  # noqa: ANN001 (Lambda's signature)
    """18:30 Stockholm (schedules/), after the release: close the evening's print batch and send its
    files (at most 500 letters each) to the print workers. {"day": "YYYY-MM-DD"} makes a given one."""
    from datetime import date

    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import summons

    try:
        day = date.fromisoformat(event["day"]) if isinstance(event, dict) and event.get("day") else None
        plan = summons.plan_print_batch(ports(), clock.utc_now(), lambda files: ports().work_queues.send("print", files),
                                        day)  # fmt: skip
        return {"batch_date": plan.batch_date, "letters": plan.letters, "files": plan.files}
    finally:
        flush_metrics()


# The work queues (chalicelib/adapters/work_queues.py). Chalice writes these ARNs into the template;
# infra/ puts the real queues there, with each job's timeout, memory and maximum concurrency.
def _queue_arn(kind: str) -> str:
    return f"arn:aws:sqs:eu-north-1:000000000000:eservices-{kind}-placeholder"


@app.on_sqs_message(queue_arn=_queue_arn("release"), name="release_worker", batch_size=10, maximum_concurrency=10)
def release_worker(event):  # noqa: ANN001 (Chalice's signature)
    """A chunk of the evening's summonses (ids and versions): released, each with its event."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import summons, work

    try:
        return work.each_chunk(event.to_dict(), event.context,
                               lambda chunk: summons.release_chunk(ports(), chunk, clock.utc_now()))
    finally:
        flush_metrics()


@app.on_sqs_message(queue_arn=_queue_arn("notifications"), name="notification_worker", batch_size=1,
                    maximum_concurrency=2)  # fmt: skip
def notification_worker(event):  # noqa: ANN001 (Chalice's signature)
    """A chunk of due notifications of one channel, sent at this worker's share of the region's rate."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import notifications, work

    time_left = work.seconds_left(event.context)
    try:
        return work.each_chunk(event.to_dict(), event.context, lambda chunk: notifications.dispatch_chunk(
            ports(), chunk, clock.utc_now(), time_left=time_left))  # fmt: skip
    finally:
        flush_metrics()


@app.on_sqs_message(queue_arn=_queue_arn("print"), name="print_worker", batch_size=1, maximum_concurrency=5)
def print_worker(event):  # noqa: ANN001 (Chalice's signature)
    """One file of the evening's print batch: its letters as a PDF in S3."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain import clock
    from chalicelib.observability import flush_metrics
    from chalicelib.services import summons, work

    try:
        return work.each_chunk(event.to_dict(), event.context,
                               lambda chunk: summons.make_print_file(ports(), chunk, clock.utc_now()))
    finally:
        flush_metrics()


if os.environ.get("DEPLOYMENT") == "local":
    from chalicelib.api.dev import dev

    app.register_blueprint(dev)
