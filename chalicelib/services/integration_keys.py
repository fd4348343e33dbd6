"""The regional admin's care-system keys (vårdsystemens nycklar): issue a key with scopes and units,
rotate it with an overlap in which the previous secret still works, revoke it, and see when each was
last used. A secret is shown once, in the answer to the issue or rotation, and stored only as a hash.

Issue and rotate run once per form (its submission id): the browser sends the form again when the
page that showed the secret is reloaded or reopened from history, and that must neither make a second
key nor rotate again (which would end the overlap the care system is still using)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.tables import IntegrationClient
from chalicelib.domain import integration_keys as keys
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound
from chalicelib.observability import logger
from chalicelib.services import integration
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal


@dataclass(frozen=True)
class KeyView:
    key_id: str
    system_name: str
    units: tuple[str, ...]  # unit names
    scopes: tuple[str, ...]
    created_at: datetime
    rotated_at: datetime | None
    previous_valid_until: datetime | None  # only while the previous secret still works
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "overlap" if self.previous_valid_until else "active"


@dataclass(frozen=True)
class ShownOnce:
    """A key's full text, for the one page that shows it."""

    key_id: str
    system_name: str
    key: str  # "<key_id>.<secret>"
    previous_valid_until: datetime | None = None


def _require(ports: Ports, principal: StaffPrincipal) -> None:
    if not principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN):
        raise Forbidden("role_required", "Bara regionens administratör hanterar vårdsystemens nycklar.")


def may_manage(ports: Ports, principal: StaffPrincipal) -> bool:
    return principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN)


def list_keys(ports: Ports, principal: StaffPrincipal, now: datetime) -> list[KeyView]:
    """Every key of the region: one Query, and one Query of the unit directory for the names."""
    _require(ports, principal)
    names = {u.hsa_id: u.name for u in ports.units.all()}
    return [_view(c, names, now) for c in ports.integration_clients.all()]


def _view(client: IntegrationClient, names: dict[str, str], now: datetime) -> KeyView:
    overlap = client.previous_valid_until if client.previous_secret_hash and keys.previous_secret_valid(
        client.previous_valid_until, now) else None  # fmt: skip
    return KeyView(
        key_id=client.key_id, system_name=client.system_name,
        units=tuple(sorted(names.get(u, u) for u in client.allowed_units or ())),
        scopes=tuple(s for s in keys.SCOPES if s in (client.scopes or ())), created_at=client.created_at,
        rotated_at=client.rotated_at, previous_valid_until=overlap, revoked_at=client.revoked_at,
        last_used_at=client.last_used_at,
    )  # fmt: skip


def _once(operation: str, principal: StaffPrincipal, fields: dict[str, str], payload: dict[str, Any],
          command, lambda_context: Any) -> bool:  # noqa: ANN001 (command() -> its stored answer)
    """Run the command once per form; False when this form was sent before (nothing is done again)."""
    submission_id = fields.get("submission_id") or ""
    if not integration.IDEMPOTENCY_KEY_PATTERN.match(submission_id):
        raise BadInput("form_expired", "Formuläret gick inte att skicka. Ladda om sidan och försök igen.")
    ran: list[bool] = []

    def once() -> dict[str, Any]:
        ran.append(True)
        return command()

    integration.run_idempotent(operation=operation, caller=principal.hsa_id, idempotency_key=submission_id,
                               payload=payload, command=once, lambda_context=lambda_context)  # fmt: skip
    return bool(ran)


def issue(ports: Ports, principal: StaffPrincipal, fields: dict[str, str], lists: dict[str, list[str]],
          now: datetime, lambda_context: Any = None) -> ShownOnce | None:  # fmt: skip
    """A new key, shown once; None when this form was sent before (the key exists, its secret is gone)."""
    _require(ports, principal)
    name = (fields.get("system_name") or "").strip()
    if not name or len(name) > keys.SYSTEM_NAME_MAX:
        raise BadInput("field_required", "Skriv vårdsystemets namn (högst {limit} tecken).", field="system_name",
                       values={"limit": keys.SYSTEM_NAME_MAX})  # fmt: skip
    scopes = set(lists.get("scopes", []))
    if not scopes or not scopes <= set(keys.SCOPES):
        raise BadInput("scopes_invalid", "Välj minst en behörighet för nyckeln.", field="scopes")
    units = set(lists.get("units", []))
    known = {u.hsa_id for u in ports.units.all()}
    if not units or not units <= known:
        raise BadInput("units_invalid", "Välj minst en enhet som nyckeln får användas för.", field="units")
    made: list[str] = []

    def issue_once() -> dict[str, Any]:
        # The register feed and the listing system are the region's own systems: region-wide by nature,
        # never a unit's key.
        region_wide = bool(scopes & keys.REGION_WIDE_SCOPES)
        made.append(integration.issue_key(ports, system_name=name, allowed_units=units, scopes=scopes, now=now,
                                          issued_by=principal.hsa_id, region_wide=region_wide))
        return {"key_id": made[0].split(".", 1)[0]}  # what is kept for a repeat: never the secret

    payload = {"system_name": name, "scopes": sorted(scopes), "units": sorted(units)}
    if not _once("staff.integration_keys.issue", principal, fields, payload, issue_once, lambda_context):
        return None
    key_id = made[0].split(".", 1)[0]
    logger.info("integration key issued", extra={"key_id": key_id, "issued_by": principal.hsa_id})
    return ShownOnce(key_id, name, made[0])


def _client(ports: Ports, key_id: str) -> IntegrationClient:
    client = ports.integration_clients.get(key_id)
    if client is None:
        raise NotFound("key_not_found", "Nyckeln finns inte.")
    return client


def rotate(ports: Ports, principal: StaffPrincipal, key_id: str, fields: dict[str, str], now: datetime,
           lambda_context: Any = None) -> ShownOnce | None:  # fmt: skip
    """A new secret; the previous one keeps working for the overlap asked for, then gets 401. None when
    this form was sent before: rotating again would end the overlap the care system still relies on."""
    _require(ports, principal)
    client = _client(ports, key_id)
    if client.revoked_at is not None:
        raise Conflict("key_revoked", "Nyckeln är återkallad och kan inte förnyas.")
    hours = keys.overlap_hours(fields.get("overlap_hours"))
    if hours is None:
        raise BadInput("overlap_invalid", "Skriv antal timmar, 0–{limit}.", field="overlap_hours",
                       values={"limit": keys.OVERLAP_MAX_HOURS})
    secret, secret_hash = integration.new_secret()
    valid_until = now + timedelta(hours=hours)

    def rotate_once() -> dict[str, Any]:
        if not ports.integration_clients.rotate(key_id, client.secret_hash, secret_hash, valid_until, now):
            raise Conflict("key_changed", "Nyckeln har ändrats under tiden. Ladda om sidan och försök igen.")
        return {"key_id": key_id}

    payload = {"key_id": key_id, "overlap_hours": hours}
    if not _once(f"staff.integration_keys.rotate.{key_id}", principal, fields, payload, rotate_once, lambda_context):
        return None
    logger.info("integration key rotated", extra={"key_id": key_id, "overlap_hours": hours,
                                                  "rotated_by": principal.hsa_id})  # fmt: skip
    return ShownOnce(key_id, client.system_name, f"{key_id}.{secret}", valid_until if hours else None)


def key_to_revoke(ports: Ports, principal: StaffPrincipal, key_id: str, now: datetime) -> KeyView:
    """The key as the question before revoking it shows it; 409 when it is already revoked."""
    _require(ports, principal)
    client = _client(ports, key_id)
    if client.revoked_at is not None:
        raise Conflict("key_revoked", "Nyckeln är redan återkallad.")
    return _view(client, {u.hsa_id: u.name for u in ports.units.get_many(sorted(client.allowed_units or ()))}, now)


def revoke(ports: Ports, principal: StaffPrincipal, key_id: str, now: datetime) -> None:
    _require(ports, principal)
    _client(ports, key_id)
    if not ports.integration_clients.revoke(key_id, now):
        raise Conflict("key_revoked", "Nyckeln är redan återkallad.")
    logger.info("integration key revoked", extra={"key_id": key_id, "revoked_by": principal.hsa_id})

