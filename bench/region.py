"""Region Demo in process for a bench run on its own: moto, the test identity providers and the demo
data, with Chalice's test client. Figures only: no request logs, no log or metric lines."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def demo_region() -> Iterator[tuple[Any, str]]:
    """(the app's test client, the demo integration key)."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
    import tests.conftest  # noqa: F401  (the test environment: prefix, fake credentials)

    from moto import mock_aws

    from chalicelib.domain.clock import stockholm_date, utc_now
    from demo import region_demo
    from local.identity_providers import region_demo_providers

    today = stockholm_date(utc_now())
    with region_demo_providers(public_base_url="http://localhost:8000", client_key_secret=secrets.token_urlsafe(32),
                               today=today) as provider_settings, mock_aws():  # fmt: skip
        os.environ.update({
            **provider_settings, "REGION_NAME": region_demo.REGION_NAME, "REGION_HSA_ID": region_demo.REGION_HSA_ID,
            "PUBLIC_BASE_URL": "http://localhost:8000", "PNR_HMAC_KEY": secrets.token_urlsafe(32),
        })  # fmt: skip
        from chalice.test import Client

        import app
        from chalicelib import bootstrap
        from chalicelib.adapters.tables import create_all_tables

        bootstrap.reset()
        create_all_tables()
        bootstrap.ports().attachment_files.create_bucket()
        bootstrap.ports().cutoff_schedules.create_group()
        key = region_demo.seed(bootstrap.ports(), utc_now(), today)
        with Client(app.app) as client:
            yield client, key
