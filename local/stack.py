"""`make run`: a whole region on one machine, no AWS account.

One process starts moto as AWS (DynamoDB, SES, SNS, Scheduler, S3, SQS), two OpenID providers set
up as a region's brokers (e-ID for citizens, SITHS for staff: oidc-provider under Node.js, see
local/identity_providers.py) with Region Demo's test persons, the region's two care systems that
answer FHIR R4 for the journal (local/care_system_fhir.py, demo/journal/), a receiver certificates are
sent on to (local/certificate_receiver.py), creates the tables and the work
queues, loads the demo data, starts the local scheduler, the event consumer and the queue workers,
and serves the app. Ctrl-C stops all of it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import sys
import threading
from datetime import datetime, timezone

LOCAL_HOST = "127.0.0.1"


def configure_environment(*, port: int, moto_port: int, citizen_idp_port: int, staff_idp_port: int) -> None:
    """The settings the app reads, pointed at the local services. Set before importing the app."""
    os.environ.update(
        {
            "DEPLOYMENT": "local",
            "REGION_NAME": "Region Demo",
            "REGION_HSA_ID": "SE2321000099-R000",
            "PUBLIC_BASE_URL": f"http://localhost:{port}",
            "TABLE_PREFIX": "demo",
            "CITIZEN_OIDC_ISSUER": f"http://localhost:{citizen_idp_port}",
            "CITIZEN_OIDC_CLIENT_ID": "eservices-citizen",
            "STAFF_OIDC_ISSUER": f"http://localhost:{staff_idp_port}",
            "STAFF_OIDC_CLIENT_ID": "eservices-staff",
            "STAFF_OIDC_SCOPES": "profile",
            "STAFF_HSA_ID_CLAIM": "employeeHsaId",
            # Fresh keys each run: moto's data lives only as long as this process, and the providers
            # fetch our client key's public half from the app's /.well-known/jwks.json.
            "PNR_HMAC_KEY": secrets.token_urlsafe(32),
            "OIDC_CLIENT_KEY": secrets.token_urlsafe(32),
            "AWS_ENDPOINT_URL": f"http://{LOCAL_HOST}:{moto_port}",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-north-1",
            "AWS_REGION": "eu-north-1",
            "SES_SENDER": "no-reply@e-tjanster.regiondemo.example",
            "SMS_SENDER_ID": "RegionDemo",
            "POWERTOOLS_METRICS_NAMESPACE": "EServices",
            "POWERTOOLS_SERVICE_NAME": "eservices",
        }
    )


def _ports_from(args: argparse.Namespace) -> dict[str, int]:
    return {
        "port": args.port,
        "moto_port": args.moto_port,
        "citizen_idp_port": args.citizen_idp_port,
        "staff_idp_port": args.staff_idp_port,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "4566")))
    parser.add_argument("--citizen-idp-port", type=int, default=int(os.environ.get("CITIZEN_IDP_PORT", "9400")))
    parser.add_argument("--staff-idp-port", type=int, default=int(os.environ.get("STAFF_IDP_PORT", "9401")))
    parser.add_argument("--fhir-cosmic-port", type=int, default=int(os.environ.get("FHIR_COSMIC_PORT", "9410")))
    parser.add_argument("--fhir-lab-port", type=int, default=int(os.environ.get("FHIR_LAB_PORT", "9411")))
    parser.add_argument("--cert-receiver-port", type=int, default=int(os.environ.get("CERT_RECEIVER_PORT", "9412")))
    args = parser.parse_args(argv)
    configure_environment(**_ports_from(args))

    # Imported after the environment is set: table names and settings are read at import.
    from moto.server import ThreadedMotoServer

    from demo import region_demo
    from local import gateway, scheduler
    from local.identity_providers import region_demo_providers

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request from moto's server is noise
    from local import moto_fidelity

    moto_fidelity.make_dynamodb_writes_atomic()
    moto = ThreadedMotoServer(ip_address=LOCAL_HOST, port=args.moto_port, verbose=False)
    moto.start()
    stack = contextlib.ExitStack()
    stack.callback(moto.stop)
    try:
        # The care systems the journal is read from (FHIR R4), with a fresh client secret each run;
        # their settings are in the environment before the app is imported.
        from chalicelib.domain.clock import stockholm_date
        from local.care_system_fhir import journal_environment, running_demo_sources

        care_systems = stack.enter_context(
            running_demo_sources(
                stockholm_date(datetime.now(timezone.utc)),
                host=LOCAL_HOST,
                ports={"cosmic": args.fhir_cosmic_port, "lab": args.fhir_lab_port},
            )
        )
        os.environ.update(journal_environment(care_systems))
        # The receiving system certificates are sent on to (Mina intyg), with a fresh token each run.
        from local.certificate_receiver import CertificateReceiver, receiver_environment

        certificate_receiver = CertificateReceiver()
        certificate_receiver.start(LOCAL_HOST, args.cert_receiver_port)
        stack.callback(certificate_receiver.stop)
        os.environ.update(receiver_environment(certificate_receiver))

        import app as app_module
        from chalice.config import Config
        from chalice.local import create_local_server

        from chalicelib.adapters.tables import create_all_tables
        from chalicelib.bootstrap import ports
        from schedules import SCHEDULES

        create_all_tables()
        region_demo.verify_sender(ports().settings.ses_sender)
        ports().attachment_files.create_bucket()
        ports().cutoff_schedules.create_group()
        ports().work_queues.create_local()
        now = datetime.now(timezone.utc)
        today = stockholm_date(now)
        integration_key = region_demo.seed(ports(), now, today)
        region_demo.seed_slots(ports(), today)
        demo_citizens = region_demo.citizens(today)
        provider_settings = stack.enter_context(
            region_demo_providers(
                public_base_url=ports().settings.public_base_url,
                client_key_secret=ports().settings.oidc_client_key,
                today=today,
                citizen_port=args.citizen_idp_port,
                staff_port=args.staff_idp_port,
                jwks_by_url=True,
            )
        )
        assert all(os.environ[name] == value for name, value in provider_settings.items()), provider_settings

        import botocore.session

        invoke = scheduler.chalice_invoker(app_module)
        one_time = scheduler.OneTimeSchedules(
            botocore.session.get_session().create_client("scheduler"),
            invoke,
            [f.name for f in app_module.app.pure_lambda_functions],
        )
        local_scheduler = scheduler.LocalScheduler(SCHEDULES, invoke, one_time=one_time)
        scheduler.start_in_thread(local_scheduler)
        stack.callback(local_scheduler.stop)

        # The event consumer: the follow-ups of every change, from the events table's stream, as in AWS.
        from chalicelib.adapters.tables import EventRecord
        from local.event_consumer import EventConsumer

        consumer_stop = threading.Event()
        consumer = EventConsumer(app_module.follow_ups, EventRecord.Meta.table_name)
        threading.Thread(target=consumer.run, args=(consumer_stop,), kwargs={"on_error": _consumer_failed},
                         name="event-consumer", daemon=True).start()  # fmt: skip
        stack.callback(consumer_stop.set)

        # The work queues' workers (release, notifications, print), as their event source mappings run them in AWS.
        from chalicelib.settings import WORK_QUEUES
        from local.queue_workers import QueueWorkers

        workers_stop = threading.Event()
        workers = QueueWorkers.of_app(app_module, {kind: ports().work_queues.url(kind) for kind in WORK_QUEUES})
        threading.Thread(target=workers.run, args=(workers_stop,), kwargs={"on_error": _worker_failed},
                         name="queue-workers", daemon=True).start()  # fmt: skip
        stack.callback(workers_stop.set)

        gateway.install()
        server = create_local_server(app_module.app, Config.create(), LOCAL_HOST, args.port)
        stack.callback(server.server.server_close)
        _print_banner(args, demo_citizens, region_demo, integration_key, care_systems)

        stopping = threading.Event()

        def stop(*_: object) -> None:
            if not stopping.is_set():
                stopping.set()
                threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server.server.serve_forever(poll_interval=0.2)
    finally:
        stack.close()
        print("Local stack stopped.", flush=True)
    return 0


def _worker_failed(error: Exception) -> None:
    print(f"queue workers: {error}", file=sys.stderr, flush=True)


def _consumer_failed(error: Exception) -> None:
    print(f"event consumer: a batch failed and will be retried ({type(error).__name__})", file=sys.stderr, flush=True)


def _print_banner(
    args: argparse.Namespace, demo_citizens: list, region_demo: object, integration_key: str, care_systems: dict
) -> None:
    base = f"http://localhost:{args.port}"
    lines = [
        "",
        "Region Demo is running (Ctrl-C stops everything).",
        f"  Citizen e-services   {base}/",
        f"  Staff tool           {base}/staff",
        f"  JSON API             {base}/api/v1/openapi.json",
        f"  Sent e-mail and SMS  {base}/dev/outbox",
        f"  e-ID test provider   http://localhost:{args.citizen_idp_port}",
        f"  SITHS test provider  http://localhost:{args.staff_idp_port}",
        f"  moto (AWS)           http://{LOCAL_HOST}:{args.moto_port}",
        *(f"  FHIR {source_id:<15} {source.base_url} ({source.name})" for source_id, source in care_systems.items()),
        f"  Certificate receiver http://{LOCAL_HOST}:{args.cert_receiver_port}/certificates (Försäkringskassan, demo)",
        "  Event consumer       follow-ups from the events table's stream (polled every 0.2 s)",
        "  Queue workers        the release, notification and print workers from moto's SQS queues (every 0.5 s)",
        "",
        "Test citizens (choose the person on the e-ID test provider's page):",
    ]
    lines += [f"  {c.sub:<8} {c.given_name} {c.family_name}: {c.description}" for c in demo_citizens]
    lines.append("Test staff (choose the person on the SITHS test provider's page):")
    for s in region_demo.STAFF:  # type: ignore[attr-defined]
        roles = ", ".join(f"{role.value}@{unit}" for unit, role in s.roles) or "no role (login is refused)"
        lines.append(f"  {s.sub:<8} {s.name} ({s.hsa_id}): {roles}")
    lines += [
        "",
        f"Demo integration key (Authorization: Bearer …): {integration_key}",
        "READY",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
