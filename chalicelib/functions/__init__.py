"""The Lambda functions that are not the API, each its own handler.

The API's function imports app.py, which registers every route and so imports every page, the
templates and the services behind them. A scheduled or stream function needs none of that: its
handler is a module here that imports only its own service, the wiring and the clock. infra/
points each function's Handler at the module named below; app.py still declares the functions
(Chalice makes their resources, `chalice.test.Client` and the local stack invoke them) and its
declarations only call these handlers.

A new scheduled, stream or queue function gets a module here and a line in HANDLERS.
"""

from __future__ import annotations

# The @app.lambda_function / @app.on_* name -> the handler Lambda runs ("module.function").
HANDLERS: dict[str, str] = {
    "follow_ups": "chalicelib.functions.follow_ups.handler",
    "dispatch_notifications": "chalicelib.functions.dispatch_notifications.handler",
    "booking_cutoff": "chalicelib.functions.booking_cutoff.handler",
    "earlier_offer_expiry": "chalicelib.functions.earlier_offer_expiry.handler",
    "release_summons": "chalicelib.functions.release_summons.handler",
    "kit_deadlines": "chalicelib.functions.kit_deadlines.handler",
    "form_deadlines": "chalicelib.functions.form_deadlines.handler",
    "form_package": "chalicelib.functions.form_package.handler",
    "print_batch": "chalicelib.functions.print_batch.handler",
    "release_worker": "chalicelib.functions.release_worker.handler",
    "notification_worker": "chalicelib.functions.notification_worker.handler",
    "print_worker": "chalicelib.functions.print_worker.handler",
}
