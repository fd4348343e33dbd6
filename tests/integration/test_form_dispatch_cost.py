"""Sending one form to many costs at most one DynamoDB request per recipient, the follow-ups (each
person's inbox letter and notification) included: the scenario is bench/form_dispatch.py
(`python -m bench.form_dispatch 1000` prints the figures)."""

from __future__ import annotations

from bench import form_dispatch
from chalicelib.bootstrap import ports
from chalicelib.domain import clock


def test_a_form_to_150_people_costs_less_than_a_request_each(region):
    send, follow, sent = form_dispatch.measure(ports(), region.events, 150, clock.utc_now())
    assert sent == 150
    assert "Scan" not in send.calls and "Scan" not in follow.calls
    assert send.requests + follow.requests <= 150 * 0.5, (send, follow)
    assert send.calls["GetItem"] <= 3  # no read per person: the identities and the validity in batches
