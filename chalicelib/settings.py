"""The environment, read once into one validated model.

A region configures its deployment through these variables (infra/ sets them from the
region's settings file); the local stack sets them for moto and the test providers.
"""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

from chalicelib.domain.journal import JournalRules


class SettingsError(RuntimeError):
    pass


# The Swedish OIDC profile's scopes and levels of assurance (https://www.oidc.se).
NATURAL_PERSON_NUMBER_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"
NATURAL_PERSON_NAME_SCOPE = "https://id.oidc.se/scope/naturalPersonName"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
CLIENT_AUTH_METHODS = ("private_key_jwt", "client_secret_basic")


@dataclass(frozen=True)
class OidcProvider:
    issuer: str  # as the region wrote it; the discovery document's own spelling is what tokens must carry
    client_id: str
    client_secret: str | None  # for client_secret_basic
    client_auth: str = "private_key_jwt"  # or "client_secret_basic"
    scopes: tuple[str, ...] = ("openid",)  # always starts with openid
    acr_values: tuple[str, ...] = (LOA3,)  # levels of assurance we ask for and accept


JOURNAL_TYPES = ("DocumentReference", "Condition", "Observation", "Immunization", "MedicationRequest",
                 "MedicationStatement", "MedicationDispense", "AuditEvent", "DeviceRequest", "Patient")
SOURCE_AUTH = ("none", "bearer", "client_credentials")


@dataclass(frozen=True)
class JournalSource:
    """One of the region's care systems the journal is read from (FHIR R4), and how we authenticate.
    Its secret (a bearer token, or the client secret for client credentials) is never here: it is read
    when first needed from `JOURNAL_SOURCE_<ID>_SECRET`, or from Secrets Manager by `…_SECRET_ARN`."""

    id: str  # "cosmic"; names the secret
    name: str  # shown to the citizen when it does not answer: "Cosmic, Region Demo"
    base_url: str
    types: tuple[str, ...]  # which of JOURNAL_TYPES it is asked for
    auth: str = "none"
    token_url: str | None = None  # client credentials
    client_id: str | None = None
    timeout_seconds: float = 5.0

    @property
    def secret_name(self) -> str:
        return f"JOURNAL_SOURCE_{self.id.upper().replace('-', '_')}_SECRET"


RECEIVER_AUTH = ("none", "bearer")


@dataclass(frozen=True)
class CertificateReceiver:
    """A receiving system a citizen may send a certificate on to (Försäkringskassan-like), per region.
    Its bearer token is never here: `CERTIFICATE_RECEIVER_<ID>_SECRET` (or `…_SECRET_ARN`)."""

    id: str  # "fk"; names the secret
    name: str  # shown to the citizen: "Försäkringskassan"
    url: str  # where the certificate is POSTed (FHIR R4 JSON)
    auth: str = "none"  # or "bearer"
    timeout_seconds: float = 5.0

    @property
    def secret_name(self) -> str:
        return f"CERTIFICATE_RECEIVER_{self.id.upper().replace('-', '_')}_SECRET"


@dataclass(frozen=True)
class Settings:
    deployment: str  # "local" (moto, test providers) or "aws"
    region_name: str  # shown to people: "Region Demo"
    region_hsa_id: str  # the region's own HSA-id, where regional roles are held
    public_base_url: str
    table_prefix: str
    citizen_oidc: OidcProvider
    staff_oidc: OidcProvider
    staff_hsa_id_claim: str
    pnr_hmac_key: bytes  # keys the personnummer look-up; never stored beside the data
    oidc_client_key: str  # our private_key_jwt key: a private JWK, or a secret it is derived from ("" if unused)
    session_idle_minutes: int
    session_max_hours: int
    aws_endpoint_url: str | None  # the local moto server; None in AWS
    eservices: dict[str, bool]  # which e-services the region has switched on
    ses_sender: str  # From: of notification e-mail (a verified SES identity)
    sms_sender_id: str  # the alphanumeric sender shown on SMS
    attachments_bucket: str  # S3 bucket for message attachments (KMS-encrypted, private)
    staff_title_claim: str  # the staff ID token's claim with the HSA title (befattning)
    booking_schedule_group: str  # EventBridge Scheduler group for per-booking cutoff schedules
    booking_cutoff_target_arn: str  # the booking_cutoff function the schedules invoke
    form_package_target_arn: str  # the form_package function a package's one-time schedules invoke
    earlier_offer_target_arn: str  # the earlier_offer_expiry function an offer's expiry schedule invokes
    scheduler_role_arn: str  # the role Scheduler assumes to invoke it
    work_queues: dict[str, str]  # SQS queue per kind of batch work ("release", "notifications", "print"): URL or name
    email_per_second: float  # the region's SES sending quota: e-mail notifications go out at this rate
    sms_per_second: float  # the region's SNS SMS quota (transactions per second)
    notification_workers: int  # how many notification workers run at once (the queue's maximum concurrency)
    journal_sources: tuple[JournalSource, ...] = ()
    journal_rules: JournalRules = JournalRules()
    certificate_receivers: tuple[CertificateReceiver, ...] = ()

    def receiver(self, receiver_id: str) -> CertificateReceiver | None:
        return next((r for r in self.certificate_receivers if r.id == receiver_id), None)

    def eservice_on(self, name: str) -> bool:
        return self.eservices.get(name, False)

    @property
    def is_local(self) -> bool:
        return self.deployment == "local"

    @property
    def cookie_secure(self) -> bool:
        """Secure cookies everywhere but plain-http localhost."""
        return urlparse(self.public_base_url).scheme == "https"


def _required(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} must be set")
    return value


def _secret(env: dict[str, str], name: str) -> str | None:
    """A secret given directly (local stack, tests) or, in AWS, as `<NAME>_ARN` in Secrets Manager,
    read once per cold start so it never sits in the function's configuration."""
    if env.get(name):
        return env[name]
    arn = env.get(f"{name}_ARN")
    if not arn:
        return None
    from chalicelib.adapters import aws  # botocore's shared session, not boto3's

    client = aws.client("secretsmanager")
    return str(client.get_secret_value(SecretId=arn)["SecretString"])


def _url(env: dict[str, str], name: str, *, keep_trailing_slash: bool = False) -> str:
    value = _required(env, name)
    value = value if keep_trailing_slash else value.rstrip("/")
    parsed = urlparse(value)
    local = parsed.hostname in ("localhost", "127.0.0.1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
        raise SettingsError(f"{name} must be an https URL (http only for localhost)")
    return value


def _positive(env: dict[str, str], name: str, default: float, kind: type = float) -> Any:
    """A positive number setting: `kind` int (a whole number) or float (finite)."""
    raw = env.get(name, str(default))
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {'a whole number' if kind is int else 'a number'}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} must be positive")
    return value


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    return _positive(env, name, default, int)


def _positive_number(env: dict[str, str], name: str, default: float) -> float:
    return _positive(env, name, default)


WORK_QUEUES = ("release", "notifications", "print")


def _work_queues(env: dict[str, str]) -> dict[str, str]:
    """Each work queue's URL (`<KIND>_QUEUE_URL`, which infra/ sets), or locally its name in moto."""
    prefix = env.get("TABLE_PREFIX", "eservices")
    return {kind: env.get(f"{kind.upper()}_QUEUE_URL") or f"{prefix}-{kind}" for kind in WORK_QUEUES}


ESERVICES = ("inbox", "cases", "booking", "summons", "self_tests", "forms", "journal", "medicines", "certificates",
             "consumables", "listing")


def _eservices(env: dict[str, str]) -> dict[str, bool]:
    """ESERVICES_ENABLED: a JSON object of true/false per e-service; absent means all on."""
    raw = env.get("ESERVICES_ENABLED")
    if not raw:
        return dict.fromkeys(ESERVICES, True)
    try:
        chosen = json.loads(raw)
    except ValueError:
        raise SettingsError("ESERVICES_ENABLED must be a JSON object") from None
    if not isinstance(chosen, dict) or set(chosen) - set(ESERVICES) or not all(isinstance(v, bool) for v in chosen.values()):
        raise SettingsError(f"ESERVICES_ENABLED takes true/false for {', '.join(ESERVICES)}")
    return {name: chosen.get(name, False) for name in ESERVICES}


def _json(env: dict[str, str], name: str, default: Any) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise SettingsError(f"{name} must be JSON") from None


def _journal_sources(env: dict[str, str]) -> tuple[JournalSource, ...]:
    """JOURNAL_SOURCES: a JSON list of {id, name, base_url, types, auth, token_url, client_id, timeout_seconds}."""
    raw = _json(env, "JOURNAL_SOURCES", [])
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise SettingsError("JOURNAL_SOURCES must be a JSON list of objects")
    sources = []
    for entry in raw:
        try:
            source = JournalSource(
                id=str(entry["id"]), name=str(entry["name"]), base_url=str(entry["base_url"]).rstrip("/"),
                types=tuple(entry["types"]), auth=str(entry.get("auth", "none")), token_url=entry.get("token_url"),
                client_id=entry.get("client_id"), timeout_seconds=float(entry.get("timeout_seconds", 5.0)),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise SettingsError("each JOURNAL_SOURCES entry needs id, name, base_url and types") from None
        if set(source.types) - set(JOURNAL_TYPES) or source.auth not in SOURCE_AUTH:
            raise SettingsError(f"JOURNAL_SOURCES {source.id}: types among {', '.join(JOURNAL_TYPES)}, "
                                f"auth one of {', '.join(SOURCE_AUTH)}")  # fmt: skip
        if urlparse(source.base_url).scheme not in ("http", "https") or (
                source.auth == "client_credentials" and not (source.token_url and source.client_id)):  # fmt: skip
            raise SettingsError(f"JOURNAL_SOURCES {source.id}: an http(s) base_url, and token_url and client_id "
                                "for client_credentials")  # fmt: skip
        sources.append(source)
    if len({s.id for s in sources}) != len(sources):
        raise SettingsError("JOURNAL_SOURCES: each id once")
    return tuple(sources)


def _journal_rules(env: dict[str, str]) -> JournalRules:
    """JOURNAL_RULES: {"start_date": "2015-04-01", "excluded_units": [...], "coordination_numbers": false}."""
    raw = _json(env, "JOURNAL_RULES", {})
    if not isinstance(raw, dict) or set(raw) - {"start_date", "excluded_units", "coordination_numbers"}:
        raise SettingsError("JOURNAL_RULES takes start_date, excluded_units and coordination_numbers")
    start = raw.get("start_date")
    try:
        if start is not None:
            date.fromisoformat(start)
    except (TypeError, ValueError):
        raise SettingsError("JOURNAL_RULES start_date must be an ISO date") from None
    excluded = raw.get("excluded_units", [])
    if not isinstance(excluded, list) or not all(isinstance(u, str) for u in excluded) or not isinstance(
            raw.get("coordination_numbers", False), bool):  # fmt: skip
        raise SettingsError("JOURNAL_RULES excluded_units is a list of HSA-ids, coordination_numbers true/false")
    return JournalRules(date.fromisoformat(start) if start else None, frozenset(excluded),
                        raw.get("coordination_numbers", False))


def _certificate_receivers(env: dict[str, str]) -> tuple[CertificateReceiver, ...]:
    """CERTIFICATE_RECEIVERS: a JSON list of {id, name, url, auth (none|bearer), timeout_seconds}."""
    raw = _json(env, "CERTIFICATE_RECEIVERS", [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise SettingsError("CERTIFICATE_RECEIVERS must be a JSON list of objects")
    receivers = []
    for entry in raw:
        try:
            receiver = CertificateReceiver(id=str(entry["id"]), name=str(entry["name"]), url=str(entry["url"]),
                                           auth=str(entry.get("auth", "none")),
                                           timeout_seconds=float(entry.get("timeout_seconds", 5.0)))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise SettingsError("each CERTIFICATE_RECEIVERS entry needs id, name and url") from None
        if receiver.auth not in RECEIVER_AUTH or urlparse(receiver.url).scheme not in ("http", "https") \
                or not receiver.id.replace("-", "").isalnum():  # fmt: skip
            raise SettingsError(f"CERTIFICATE_RECEIVERS {receiver.id}: an http(s) url, auth one of "
                                f"{', '.join(RECEIVER_AUTH)}, an id of letters and digits")  # fmt: skip
        receivers.append(receiver)
    if len({r.id for r in receivers}) != len(receivers):
        raise SettingsError("CERTIFICATE_RECEIVERS: each id once")
    return tuple(receivers)


def receiver_secret(receiver: CertificateReceiver) -> str | None:
    """The receiver's bearer token, read when first needed."""
    return _secret(dict(os.environ), receiver.secret_name)


def source_secret(source: JournalSource) -> str | None:
    """The source's bearer token or client secret, read when first needed (not on every cold start)."""
    return _secret(dict(os.environ), source.secret_name)


def _words(env: dict[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A space-separated list (scopes, acr values); absent means the default."""
    words = tuple(env.get(name, "").split())
    return words or default


def _oidc(env: dict[str, str], prefix: str, default_scopes: tuple[str, ...]) -> OidcProvider:
    client_auth = env.get(f"{prefix}_OIDC_CLIENT_AUTH", "private_key_jwt")
    if client_auth not in CLIENT_AUTH_METHODS:
        raise SettingsError(f"{prefix}_OIDC_CLIENT_AUTH must be one of {', '.join(CLIENT_AUTH_METHODS)}")
    secret = _secret(env, f"{prefix}_OIDC_CLIENT_SECRET")
    if client_auth == "client_secret_basic" and not secret:
        raise SettingsError(f"{prefix}_OIDC_CLIENT_SECRET (or _ARN) is needed for client_secret_basic")
    scopes = _words(env, f"{prefix}_OIDC_SCOPES", default_scopes)
    return OidcProvider(
        issuer=_url(env, f"{prefix}_OIDC_ISSUER", keep_trailing_slash=True),
        client_id=_required(env, f"{prefix}_OIDC_CLIENT_ID"),
        client_secret=secret,
        client_auth=client_auth,
        scopes=("openid", *(s for s in scopes if s != "openid")),
        acr_values=_words(env, f"{prefix}_OIDC_ACR_VALUES", (LOA3,)),
    )


def load(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    deployment = env.get("DEPLOYMENT", "aws")
    if deployment not in ("local", "aws"):
        raise SettingsError("DEPLOYMENT must be 'local' or 'aws'")
    hmac_key = _secret(env, "PNR_HMAC_KEY") or ""
    if len(hmac_key) < 32:
        raise SettingsError("PNR_HMAC_KEY (or PNR_HMAC_KEY_ARN) must give at least 32 characters")
    citizen_oidc = _oidc(env, "CITIZEN", (NATURAL_PERSON_NUMBER_SCOPE, NATURAL_PERSON_NAME_SCOPE))
    staff_oidc = _oidc(env, "STAFF", ("profile",))
    client_key = _secret(env, "OIDC_CLIENT_KEY") or ""
    uses_key = "private_key_jwt" in (citizen_oidc.client_auth, staff_oidc.client_auth)
    if uses_key and len(client_key) < 32:
        raise SettingsError("OIDC_CLIENT_KEY (or OIDC_CLIENT_KEY_ARN) must give at least 32 characters")
    return Settings(
        deployment=deployment,
        region_name=_required(env, "REGION_NAME"),
        region_hsa_id=_required(env, "REGION_HSA_ID"),
        public_base_url=_url(env, "PUBLIC_BASE_URL"),
        table_prefix=env.get("TABLE_PREFIX", "eservices"),
        citizen_oidc=citizen_oidc,
        staff_oidc=staff_oidc,
        staff_hsa_id_claim=env.get("STAFF_HSA_ID_CLAIM", "employeeHsaId"),
        pnr_hmac_key=hmac_key.encode(),
        oidc_client_key=client_key,
        session_idle_minutes=_positive_int(env, "SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive_int(env, "SESSION_MAX_HOURS", 8),
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") if deployment == "local" else None,
        eservices=_eservices(env),
        ses_sender=env.get("SES_SENDER", "no-reply@localhost"),
        sms_sender_id=env.get("SMS_SENDER_ID", "EServices"),
        attachments_bucket=env.get("ATTACHMENTS_BUCKET") or f"{env.get('TABLE_PREFIX', 'eservices')}-attachments",
        staff_title_claim=env.get("STAFF_TITLE_CLAIM", "title"),
        # infra/ sets these three in AWS; locally moto takes any well-formed ARN.
        booking_schedule_group=env.get("BOOKING_SCHEDULE_GROUP") or f"{env.get('TABLE_PREFIX', 'eservices')}-bookings",
        booking_cutoff_target_arn=env.get("BOOKING_CUTOFF_TARGET_ARN")
        or "arn:aws:lambda:eu-north-1:123456789012:function:eservices-local-booking_cutoff",
        form_package_target_arn=env.get("FORM_PACKAGE_TARGET_ARN")
        or "arn:aws:lambda:eu-north-1:123456789012:function:eservices-local-form_package",
        earlier_offer_target_arn=env.get("EARLIER_OFFER_TARGET_ARN")
        or "arn:aws:lambda:eu-north-1:123456789012:function:eservices-local-earlier_offer_expiry",
        scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN") or "arn:aws:iam::123456789012:role/eservices-local-scheduler",
        work_queues=_work_queues(env),
        # SES's and SNS's own defaults for a production account: 14 e-mails and 20 SMS a second.
        email_per_second=_positive_number(env, "EMAIL_SENDS_PER_SECOND", 14),
        sms_per_second=_positive_number(env, "SMS_SENDS_PER_SECOND", 20),
        notification_workers=_positive_int(env, "NOTIFICATION_WORKERS", 2),
        journal_sources=_journal_sources(env),
        journal_rules=_journal_rules(env),
        certificate_receivers=_certificate_receivers(env),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load()
