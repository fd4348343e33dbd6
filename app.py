"""The region's e-services: citizen pages at /, staff pages at /staff, the JSON API at /api/v1,
the integration API at /integration/v1. Routes live in chalicelib/api; this file only wires them
(the routes from chalicelib/api/route_table.py, generated from the areas' modules: `make routes`)."""

import os

from chalice import Chalice

from chalicelib.api import areas

app = Chalice(app_name="eservices")
# A certificate's PDF (Mina intyg) is a binary answer: the Lambda returns it base64-encoded.
app.api.binary_types.append("application/pdf")


def request_middleware(request, get_response):  # noqa: ANN001 (Chalice's signature)
    """Every request's errors, language and security headers: chalicelib/api/http.py."""
    from chalicelib.api.http import request_middleware as middleware

    return middleware(request, get_response)


app.register_middleware(request_middleware, "http")
# Each area's module is imported by its first request, not here (chalicelib/api/areas.py).
areas.register(app)


# The events table's stream. Chalice writes this ARN into the template; infra/ puts the real one there.
EVENTS_STREAM_ARN = os.environ.get(
    "EVENTS_STREAM_ARN", "arn:aws:dynamodb:eu-north-1:000000000000:table/eservices-events/stream/placeholder"
)


@app.on_dynamodb_record(stream_arn=EVENTS_STREAM_ARN, name="follow_ups", batch_size=50,
                        starting_position="TRIM_HORIZON", maximum_batching_window_in_seconds=1)  # fmt: skip
def follow_ups(event):  # noqa: ANN001 (Chalice's signature)
    """One event per change: chalicelib/functions/follow_ups.py, which is also this function's own
    handler in AWS (infra/ points it there, so it never imports this file's routes)."""
    from chalicelib.functions import follow_ups as function

    return function.handler(event.to_dict(), event.context)


# The scheduled functions. Each is its own handler in chalicelib/functions/ (infra/ points the
# Lambda function there); these declarations make the resources and serve tests and the local stack.
@app.lambda_function(name="dispatch_notifications")
def dispatch_notifications(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import dispatch_notifications as function

    return function.handler(event, context)


@app.lambda_function(name="booking_cutoff")
def booking_cutoff(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import booking_cutoff as function

    return function.handler(event, context)


@app.lambda_function(name="earlier_offer_expiry")
def earlier_offer_expiry(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import earlier_offer_expiry as function

    return function.handler(event, context)


@app.lambda_function(name="release_summons")
def release_summons(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import release_summons as function

    return function.handler(event, context)


@app.lambda_function(name="kit_deadlines")
def kit_deadlines(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import kit_deadlines as function

    return function.handler(event, context)


@app.lambda_function(name="form_package")
def form_package(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import form_package as function

    return function.handler(event, context)


@app.lambda_function(name="form_deadlines")
def form_deadlines(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import form_deadlines as function

    return function.handler(event, context)


@app.lambda_function(name="print_batch")
def print_batch(event, context):  # noqa: ANN001 (Lambda's signature)
    from chalicelib.functions import print_batch as function

    return function.handler(event, context)


# The work queues (chalicelib/adapters/work_queues.py). Chalice writes these ARNs into the template;
# infra/ puts the real queues there, with each job's timeout, memory and maximum concurrency.
def _queue_arn(kind: str) -> str:
    return f"arn:aws:sqs:eu-north-1:000000000000:eservices-{kind}-placeholder"


@app.on_sqs_message(queue_arn=_queue_arn("release"), name="release_worker", batch_size=10, maximum_concurrency=10)
def release_worker(event):  # noqa: ANN001 (Chalice's signature)
    from chalicelib.functions import release_worker as function

    return function.handler(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=_queue_arn("notifications"), name="notification_worker", batch_size=1,
                    maximum_concurrency=2)  # fmt: skip
def notification_worker(event):  # noqa: ANN001 (Chalice's signature)
    from chalicelib.functions import notification_worker as function

    return function.handler(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=_queue_arn("print"), name="print_worker", batch_size=1, maximum_concurrency=5)
def print_worker(event):  # noqa: ANN001 (Chalice's signature)
    from chalicelib.functions import print_worker as function

    return function.handler(event.to_dict(), event.context)


if os.environ.get("DEPLOYMENT") == "local":
    from chalicelib.api.dev import dev

    app.register_blueprint(dev)
