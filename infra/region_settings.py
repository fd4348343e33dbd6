"""A region's settings file (infra/regions/<name>.json), read and validated.

Secrets are never in the file: OIDC client secrets (for client_secret_basic) are ARNs in the
region's Secrets Manager; the personnummer look-up key and the private_key_jwt client key are
secrets the stack generates itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

REGIONS_DIR = Path(__file__).parent / "regions"
ESERVICES = ("inbox", "cases", "booking", "summons", "self_tests", "forms", "journal", "medicines", "certificates",
             "consumables", "listing")
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")
_SECRET_ARN = re.compile(r"^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")


class RegionSettingsError(ValueError):
    pass


CLIENT_AUTH_METHODS = ("private_key_jwt", "client_secret_basic")


@dataclass(frozen=True)
class Oidc:
    issuer: str  # as the provider's discovery document spells it
    client_id: str
    client_secret_arn: str | None  # only for client_secret_basic
    hsa_id_claim: str | None = None
    client_auth: str = "private_key_jwt"
    scopes: tuple[str, ...] = ()  # empty: the app's default (the Swedish OIDC profile's scopes)
    acr_values: tuple[str, ...] = ()  # empty: the app's default (loa3)


@dataclass(frozen=True)
class RegionSettings:
    name: str
    display_name: str
    region_hsa_id: str
    aws_region: str
    domain: str
    citizen_oidc: Oidc
    staff_oidc: Oidc
    ses_sender: str
    sms_sender_id: str
    operators_email: str
    eservices: dict[str, bool]
    # The notification dispatch's pace (optional "notifications" in the file): the account's SES and
    # SNS SMS quotas a second, shared by this many workers at once (2 at least: SQS's minimum).
    email_per_second: float = 14
    sms_per_second: float = 20
    notification_workers: int = 2
    # 1177 Journalen: the care systems read over FHIR R4 (the app's JOURNAL_SOURCES, each source's
    # secret by its Secrets Manager ARN) and what the region publishes (JOURNAL_RULES).
    journal_sources: tuple[dict, ...] = ()
    journal_rules: dict | None = None
    # Mina intyg: where certificates may be sent on (the app's CERTIFICATE_RECEIVERS, each receiver's
    # bearer token by its Secrets Manager ARN).
    certificate_receivers: tuple[dict, ...] = ()

    @property
    def certificate_secret_arns(self) -> dict[str, str]:
        """The app's secret variable name per receiver -> the Secrets Manager ARN the region gave."""
        return {f"CERTIFICATE_RECEIVER_{r['id'].upper().replace('-', '_')}_SECRET_ARN": r["secret_arn"]
                for r in self.certificate_receivers if r.get("secret_arn")}  # fmt: skip

    @property
    def journal_secret_arns(self) -> dict[str, str]:
        """The app's secret variable name per source -> the Secrets Manager ARN the region gave."""
        return {f"JOURNAL_SOURCE_{s['id'].upper().replace('-', '_')}_SECRET_ARN": s["secret_arn"]
                for s in self.journal_sources if s.get("secret_arn")}  # fmt: skip

    @property
    def stack_name(self) -> str:
        return f"eservices-{self.name}"

    @property
    def table_prefix(self) -> str:
        return f"eservices-{self.name}"


def _words(raw: dict, field: str, where: str) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v and " " not in v for v in value):
        raise RegionSettingsError(f"{where}.{field} must be a list of strings without spaces")
    return tuple(value)


def _oidc(raw: dict, where: str) -> Oidc:
    for field in ("issuer", "client_id"):
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise RegionSettingsError(f"{where}.{field} is required")
    if not raw["issuer"].startswith("https://"):
        raise RegionSettingsError(f"{where}.issuer must be an https URL")
    client_auth = raw.get("client_auth", "private_key_jwt")
    if client_auth not in CLIENT_AUTH_METHODS:
        raise RegionSettingsError(f"{where}.client_auth must be one of {', '.join(CLIENT_AUTH_METHODS)}")
    secret_arn = raw.get("client_secret_arn")
    if client_auth == "client_secret_basic" and not secret_arn:
        raise RegionSettingsError(f"{where}.client_secret_arn is required for client_secret_basic")
    if secret_arn is not None and not (isinstance(secret_arn, str) and _SECRET_ARN.match(secret_arn)):
        raise RegionSettingsError(f"{where}.client_secret_arn must be a Secrets Manager ARN")
    return Oidc(
        raw["issuer"], raw["client_id"], secret_arn, raw.get("hsa_id_claim"), client_auth,
        _words(raw, "scopes", where), _words(raw, "acr_values", where),
    )  # fmt: skip


def load(name: str) -> RegionSettings:
    path = REGIONS_DIR / f"{name}.json"
    if not _NAME.match(name) or not path.exists():
        known = ", ".join(sorted(p.stem for p in REGIONS_DIR.glob("*.json")))
        raise RegionSettingsError(f"no settings file for region {name!r} (known: {known})")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("name") != name:
        raise RegionSettingsError(f"{path.name}: name must be {name!r}")
    for field in ("display_name", "region_hsa_id", "aws_region", "domain", "ses_sender", "sms_sender_id",
                  "operators_email"):  # fmt: skip
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise RegionSettingsError(f"{path.name}: {field} is required")
    if not re.match(r"^[A-Za-z0-9]{3,11}$", raw["sms_sender_id"]):
        raise RegionSettingsError(f"{path.name}: sms_sender_id must be 3-11 letters or digits")
    eservices = raw.get("eservices", {})
    if set(eservices) - set(ESERVICES) or not all(isinstance(v, bool) for v in eservices.values()):
        raise RegionSettingsError(f"{path.name}: eservices takes true/false for {', '.join(ESERVICES)}")
    notifications = raw.get("notifications", {})
    if not isinstance(notifications, dict) or set(notifications) - {"email_per_second", "sms_per_second", "workers"}:
        raise RegionSettingsError(f"{path.name}: notifications takes email_per_second, sms_per_second and workers")
    for field in ("email_per_second", "sms_per_second"):
        value = notifications.get(field, 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 10_000:
            raise RegionSettingsError(f"{path.name}: notifications.{field} must be a number of sends a second (the quota)")
    workers = notifications.get("workers", 2)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 2 <= workers <= 1000:
        raise RegionSettingsError(f"{path.name}: notifications.workers must be a whole number from 2 to 1000")
    journal = raw.get("journal", {})
    if not isinstance(journal, dict) or set(journal) - {"sources", "rules"}:
        raise RegionSettingsError(f"{path.name}: journal takes sources and rules")
    sources = journal.get("sources", [])
    for source in sources if isinstance(sources, list) else [None]:
        arn = source.get("secret_arn") if isinstance(source, dict) else None
        if not isinstance(source, dict) or not str(source.get("base_url", "")).startswith("https://") or (
                arn is not None and not _SECRET_ARN.match(str(arn))):  # fmt: skip
            raise RegionSettingsError(f"{path.name}: each journal source needs an https base_url, and a secret_arn "
                                      "(a Secrets Manager ARN) if it has a secret")  # fmt: skip
    certificates = raw.get("certificates", {})
    if not isinstance(certificates, dict) or set(certificates) - {"receivers"}:
        raise RegionSettingsError(f"{path.name}: certificates takes receivers")
    receivers = certificates.get("receivers", [])
    for receiver in receivers if isinstance(receivers, list) else [None]:
        arn = receiver.get("secret_arn") if isinstance(receiver, dict) else None
        if not isinstance(receiver, dict) or not re.match(r"^[A-Za-z0-9-]{1,40}$", str(receiver.get("id", ""))) \
                or not receiver.get("name") or not str(receiver.get("url", "")).startswith("https://") \
                or receiver.get("auth", "none") not in ("none", "bearer") \
                or (arn is not None and not _SECRET_ARN.match(str(arn))):  # fmt: skip
            raise RegionSettingsError(f"{path.name}: each certificate receiver needs an id, a name, an https url, "
                                      "auth none or bearer, and a secret_arn (a Secrets Manager ARN) for bearer")  # fmt: skip
    return RegionSettings(
        name=name,
        display_name=raw["display_name"],
        region_hsa_id=raw["region_hsa_id"],
        aws_region=raw["aws_region"],
        domain=raw["domain"],
        citizen_oidc=_oidc(raw.get("citizen_oidc", {}), "citizen_oidc"),
        staff_oidc=_oidc(raw.get("staff_oidc", {}), "staff_oidc"),
        ses_sender=raw["ses_sender"],
        sms_sender_id=raw["sms_sender_id"],
        operators_email=raw["operators_email"],
        eservices={k: bool(eservices.get(k, False)) for k in ESERVICES},
        email_per_second=float(notifications.get("email_per_second", 14)),
        sms_per_second=float(notifications.get("sms_per_second", 20)),
        notification_workers=workers,
        journal_sources=tuple(sources),
        journal_rules=journal.get("rules"),
        certificate_receivers=tuple(receivers),
    )
