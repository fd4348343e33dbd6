"""Integration fixtures: moto in process (mock_aws), real OIDC test providers on threads,
Region Demo loaded fresh for every test."""

from __future__ import annotations

import os
import secrets

import pytest
from moto import mock_aws
from oidc_provider_mock import User, run_server_in_thread

from chalicelib.domain.clock import stockholm_date, utc_now
from demo import region_demo
from tests.integration.harness import Region

EXTRA_CITIZENS = {
    # Not in the register: a valid e-ID whose holder has never been seen.
    "newcomer": {"https://id.oidc.se/claim/personalIdentityNumber": "198112189876", "given_name": "Nora",
                 "family_name": "Ny"},
    "no-pnr": {"given_name": "Utan", "family_name": "Nummer"},
    "bad-check-digit": {"https://id.oidc.se/claim/personalIdentityNumber": "198112189875"},
    "ten-digits": {"https://id.oidc.se/claim/personalIdentityNumber": "8112189876"},
    "pnr-as-coordination": {"https://id.oidc.se/claim/coordinationNumber": "198112189876"},
}  # fmt: skip
EXTRA_STAFF = {"no-hsa": {"given_name": "Ingen", "family_name": "Hsa"}}


@pytest.fixture(scope="session")
def today():
    return stockholm_date(utc_now())


@pytest.fixture(scope="session")
def providers(today):
    citizens = [User(sub=c.sub, claims=c.claims()) for c in region_demo.citizens(today)]
    citizens += [User(sub=sub, claims=claims) for sub, claims in EXTRA_CITIZENS.items()]
    staff = [User(sub=s.sub, claims=s.claims("employeeHsaId")) for s in region_demo.STAFF]
    staff += [User(sub=sub, claims=claims) for sub, claims in EXTRA_STAFF.items()]
    with run_server_in_thread(require_nonce=True, user_claims=citizens) as citizen_idp, run_server_in_thread(
        require_nonce=True, user_claims=staff
    ) as staff_idp:
        yield citizen_idp.server_port, staff_idp.server_port


@pytest.fixture
def region(providers, today, monkeypatch):
    citizen_port, staff_port = providers
    for name, value in {
        "REGION_NAME": region_demo.REGION_NAME,
        "REGION_HSA_ID": region_demo.REGION_HSA_ID,
        "PUBLIC_BASE_URL": "http://localhost:8000",
        "CITIZEN_OIDC_ISSUER": f"http://localhost:{citizen_port}",
        "CITIZEN_OIDC_CLIENT_ID": "eservices-citizen",
        "CITIZEN_OIDC_CLIENT_SECRET": "test-secret",
        "STAFF_OIDC_ISSUER": f"http://localhost:{staff_port}",
        "STAFF_OIDC_CLIENT_ID": "eservices-staff",
        "STAFF_OIDC_CLIENT_SECRET": "test-secret",
        "PNR_HMAC_KEY": secrets.token_urlsafe(32),
        "SES_SENDER": "no-reply@e-tjanster.regiondemo.example",
        "SMS_SENDER_ID": "RegionDemo",
    }.items():
        monkeypatch.setenv(name, value)
    from chalice.test import Client

    import app
    from chalicelib import bootstrap
    from chalicelib.adapters.tables import create_all_tables
    from local import gateway, moto_fidelity

    gateway.install()
    moto_fidelity.make_dynamodb_writes_atomic()
    with mock_aws():
        bootstrap.reset()
        create_all_tables()
        region_demo.verify_sender(bootstrap.ports().settings.ses_sender)
        bootstrap.ports().attachment_files.create_bucket()
        bootstrap.ports().cutoff_schedules.create_group()
        key = region_demo.seed(bootstrap.ports(), utc_now(), today)
        with Client(app.app) as client:
            yield Region(
                client=client,
                integration_key=key,
                today=today,
                people={c.sub: c for c in region_demo.citizens(today)},
            )
        bootstrap.reset()
    assert "AWS_ENDPOINT_URL" not in os.environ
