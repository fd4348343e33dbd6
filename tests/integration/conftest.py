"""Integration fixtures: moto in process (mock_aws), Region Demo's two OpenID providers (oidc-provider
under Node.js, as `make run` starts them), Region Demo loaded fresh for every test."""

from __future__ import annotations

import contextlib
import os
import secrets

import pytest
from moto import mock_aws

from chalicelib.domain.clock import stockholm_date, utc_now
from demo import region_demo
from local.care_system_fhir import journal_environment, running_demo_sources
from local.identity_providers import region_demo_providers
from chalicelib.settings import WORK_QUEUES
from local.event_consumer import EventConsumer
from local.queue_workers import QueueWorkers
from tests.integration.harness import Region, follow_every_request

EXTRA_CITIZENS = {
    # Not in the register: a valid e-ID whose holder has never been seen.
    "newcomer": {"https://id.oidc.se/claim/personalIdentityNumber": "198112189876", "given_name": "Nora",
                 "family_name": "Ny"},
    "no-pnr": {"given_name": "Utan", "family_name": "Nummer"},
    "bad-check-digit": {"https://id.oidc.se/claim/personalIdentityNumber": "198112189875"},
    "ten-digits": {"https://id.oidc.se/claim/personalIdentityNumber": "8112189876"},
    "pnr-as-coordination": {"https://id.oidc.se/claim/coordinationNumber": "198112189876"},
    "fullwidth-digits": {"https://id.oidc.se/claim/personalIdentityNumber": "１９８１１２１８９８７６"},
}  # fmt: skip
EXTRA_STAFF = {"no-hsa": {"given_name": "Ingen", "family_name": "Hsa"}}


@pytest.fixture(scope="session")
def today():
    return stockholm_date(utc_now())


def _turning_16_tomorrow(today):
    """Someone whose 16th birthday is tomorrow (Stockholm): reads their own journal from midnight."""
    from datetime import timedelta

    from chalicelib.domain.personnummer import birthday, with_check_digit

    tomorrow = today + timedelta(days=1)
    born = tomorrow.replace(year=tomorrow.year - 16) if (tomorrow.month, tomorrow.day) != (2, 29) else None
    if born is None or birthday(born, 16) != tomorrow:
        return {}
    return {"turning-16": {"https://id.oidc.se/claim/personalIdentityNumber": with_check_digit(born, "323"),
                           "given_name": "Siri", "family_name": "Sexton"}}  # fmt: skip


@pytest.fixture(scope="session")
def care_systems(today):
    """Region Demo's care systems answering FHIR R4 (the journal's sources), started once for the run.
    A test adds its own patients (`.add`) or makes one fail (`.fail_with`) and puts it right after."""
    with running_demo_sources(today, host="127.0.0.1") as sources:
        yield sources


@pytest.fixture(scope="session")
def certificate_receiver():
    """The receiving system certificates are sent on to (Försäkringskassan-like), started once for the
    run. A test makes it fail (`.fail_with`) and puts it right after; `.clear()` forgets what it took."""
    from local.certificate_receiver import CertificateReceiver

    with CertificateReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def providers(today, care_systems, certificate_receiver):
    """The app's settings for the two providers and the journal's sources (started once for the whole run)."""
    with region_demo_providers(
        public_base_url="http://localhost:8000",
        client_key_secret=secrets.token_urlsafe(32),
        today=today,
        extra_citizens={**EXTRA_CITIZENS, **_turning_16_tomorrow(today)},
        extra_staff=EXTRA_STAFF,
    ) as settings:
        from local.certificate_receiver import receiver_environment

        yield {**settings, **journal_environment(care_systems), **receiver_environment(certificate_receiver)}


@contextlib.contextmanager
def region_in_process(providers, today, monkeypatch):
    """Region Demo in moto, seeded, with a chalice.test.Client: for one test (`region`) or for a
    module whose tests share one region (the authorisation matrix)."""
    for name, value in {
        **providers,
        "REGION_NAME": region_demo.REGION_NAME,
        "REGION_HSA_ID": region_demo.REGION_HSA_ID,
        "PUBLIC_BASE_URL": "http://localhost:8000",
        "PNR_HMAC_KEY": secrets.token_urlsafe(32),
        "SES_SENDER": "no-reply@e-tjanster.regiondemo.example",
        "SMS_SENDER_ID": "RegionDemo",
    }.items():
        monkeypatch.setenv(name, value)
    from chalice.test import Client

    import app
    from chalicelib import bootstrap
    from chalicelib.adapters.tables import EventRecord, create_all_tables
    from local import gateway, moto_fidelity

    gateway.install()
    moto_fidelity.make_dynamodb_writes_atomic()
    with mock_aws():
        bootstrap.reset()
        create_all_tables()
        region_demo.verify_sender(bootstrap.ports().settings.ses_sender)
        bootstrap.ports().attachment_files.create_bucket()
        bootstrap.ports().cutoff_schedules.create_group()
        bootstrap.ports().work_queues.create_local()
        key = region_demo.seed(bootstrap.ports(), utc_now(), today)
        consumer = EventConsumer(app.follow_ups, EventRecord.Meta.table_name)
        consumer.drain()
        queues = QueueWorkers.of_app(app, {kind: bootstrap.ports().work_queues.url(kind) for kind in WORK_QUEUES})
        with Client(app.app) as client:
            follow_every_request(client, consumer)
            yield Region(
                client=client,
                integration_key=key,
                today=today,
                people={c.sub: c for c in region_demo.citizens(today)},
                events=consumer,
                queues=queues,
            )
        bootstrap.reset()
    assert "AWS_ENDPOINT_URL" not in os.environ


@pytest.fixture
def region(providers, today, monkeypatch):
    with region_in_process(providers, today, monkeypatch) as shared:
        yield shared
