"""Care systems calling /integration/v1: bearer keys and idempotent commands.

A key reads `<key_id>.<secret>`; only SHA-256 of the secret is stored (the secret is 256 random
bits, so a slow hash adds nothing). Every POST carries an Idempotency-Key: the same key again
returns the first answer and changes nothing; the same key with another body is refused.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import IdempotencyRecord, IntegrationClient
from chalicelib.domain import integration_keys as keys
from chalicelib.domain.clock import utc_now
from chalicelib.errors import BadInput, Conflict, NotAuthenticated
from chalicelib.services.ports import Ports
from chalicelib.services.principals import IntegrationPrincipal

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600


def authenticate(ports: Ports, authorization_header: str | None, now: datetime | None = None) -> IntegrationPrincipal:
    """The key's system, units and scopes; 401 for a missing, unknown, revoked or wrong secret, and for
    the previous secret once its overlap has ended. Notes the key's last use (at most every few minutes)."""
    refused = NotAuthenticated("invalid_credentials", "Nyckeln saknas eller gäller inte.")
    if not authorization_header or not authorization_header.startswith("Bearer "):
        raise refused
    key_id, _, secret = authorization_header[len("Bearer ") :].strip().partition(".")
    if not key_id or not secret:
        raise refused
    client = ports.integration_clients.get(key_id)
    if client is None or client.revoked_at is not None:
        raise refused
    now = now or utc_now()
    presented = sha256_hex(secret)
    current = hmac.compare_digest(client.secret_hash, presented)
    previous = (client.previous_secret_hash is not None
                and hmac.compare_digest(client.previous_secret_hash, presented)
                and keys.previous_secret_valid(client.previous_valid_until, now))  # fmt: skip
    if not current and not previous:
        raise refused
    if keys.should_note_use(client.last_used_at, now):
        ports.integration_clients.note_use(client.key_id, now, now - keys.LAST_USE_INTERVAL)
    return IntegrationPrincipal(
        key_id=client.key_id,
        system_name=client.system_name,
        allowed_units=frozenset(client.allowed_units or ()),
        scopes=frozenset(client.scopes or ()),
        region_wide=bool(client.region_wide),
    )


def new_secret() -> tuple[str, str]:
    """A fresh secret (256 random bits) and the hash that is all we keep of it."""
    secret = secrets.token_urlsafe(32)
    return secret, sha256_hex(secret)


def issue_key(
    ports: Ports, *, system_name: str, allowed_units: set[str], scopes: set[str], now: datetime,
    region_wide: bool = False,
    issued_by: str | None = None,
) -> str:
    """Create credentials for a care system; the returned key is shown once and never stored.
    `region_wide`: the region's own system (its register feed), which may change the population
    register; a key for some units never may."""
    key_id = secrets.token_hex(8)
    secret, secret_hash = new_secret()
    ports.integration_clients.save(
        IntegrationClient(
            key_id,
            secret_hash=secret_hash,
            system_name=system_name,
            allowed_units=allowed_units or None,
            scopes=scopes or None,
            region_wide=region_wide,
            created_at=now,
            issued_by=issued_by,
        )
    )
    return f"{key_id}.{secret}"


@lru_cache(maxsize=1)
def _persistence_layer() -> Any:
    # Imported and built on first use: a cold start that serves no integration call skips boto3.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from chalicelib.adapters import aws

    # The models' own DynamoDB client: no boto3 session of its own.
    return DynamoDBPersistenceLayer(table_name=IdempotencyRecord.Meta.table_name, boto3_client=aws.dynamodb_client())


def reset_persistence() -> None:
    _persistence_layer.cache_clear()


def run_idempotent(
    *,
    operation: str,
    caller: str,
    idempotency_key: str | None,
    payload: dict[str, Any],
    command: Callable[[], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Run `command` once per (operation, caller, Idempotency-Key); repeat its answer after that.
    The caller is an integration key id, or a staff HSA-id with a form's submission id as the key."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if not idempotency_key or not IDEMPOTENCY_KEY_PATTERN.match(idempotency_key):
        raise BadInput(
            "idempotency_key_required",
            "Huvudet Idempotency-Key krävs (8–128 tecken: bokstäver, siffror, . _ : -).",
            field="Idempotency-Key",
        )
    config = IdempotencyConfig(
        event_key_jmespath="[operation, client, key]",
        payload_validation_jmespath="payload",
        expires_after_seconds=IDEMPOTENCY_WINDOW_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None:
        # Lets an in-progress record expire with the invocation if Lambda times out mid-command.
        config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", config=config, persistence_store=_persistence_layer())
    def integration_command(request: dict[str, Any]) -> dict[str, Any]:
        return command()

    request = {"operation": operation, "client": caller, "key": idempotency_key, "payload": payload}
    try:
        return integration_command(request=request)
    except IdempotencyValidationError:
        raise Conflict(
            "idempotency_key_reused", "Idempotency-Key har redan använts för ett annat anrop.", field="Idempotency-Key"
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("request_in_progress", "Samma anrop behandlas redan; försök igen om en stund.") from None
