"""Login with e-ID (citizens) and SITHS (staff) through OpenID Connect, and server-side sessions.

A login attempt is bound three ways: `state` (256 random bits, single use, stored only as a
hash), a browser-binding cookie whose hash is stored beside it, and the `nonce` that must come
back inside the signed ID token. PKCE (S256) binds the code to this attempt at the provider.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from chalicelib.adapters.oidc import OidcClient, OidcError
from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import LoginAttempt, SessionRecord
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.events import Kind, event
from chalicelib.domain.guardianship import guardian_may_act_for
from chalicelib.domain.personnummer import InvalidPersonnummer, Personnummer, is_twelve_digits, parse
from chalicelib.errors import LoginFailed, LoginRefused
from chalicelib.observability import logger, record_metric
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

Audience = Literal["citizen", "staff"]

# The Swedish OIDC profile's identity claims (https://www.oidc.se).
PERSONAL_IDENTITY_NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
COORDINATION_NUMBER_CLAIM = "https://id.oidc.se/claim/coordinationNumber"

LOGIN_ATTEMPT_LIFETIME = timedelta(minutes=10)
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)  # idle time is tracked to the minute, not per request


@dataclass(frozen=True)
class LoginStart:
    authorization_url: str
    attempt_tag: str  # names this attempt's binding cookie, so a second tab's login leaves the first alone
    browser_binding: str  # goes into a short-lived HttpOnly cookie


@dataclass(frozen=True)
class Callback:
    """What the provider sent back to the callback, with the browser's binding cookie for this state."""

    state: str | None
    code: str | None
    browser_binding: str | None
    provider_error: str | None  # e.g. "access_denied" when the person cancelled


@dataclass(frozen=True)
class NewSession:
    token: str  # the session cookie's value
    kind: Audience


@dataclass(frozen=True)
class VerifiedLogin:
    claims: dict[str, Any]  # the ID token's claims, completed from userinfo when it lacked identity claims
    id_token: str  # kept for the provider's logout (id_token_hint)


@dataclass(frozen=True)
class EndSession:
    """Where the browser goes to end the provider's session too (RP-initiated logout)."""

    endpoint: str
    fields: dict[str, str]


def redirect_uri(ports: Ports, audience: Audience) -> str:
    base = ports.settings.public_base_url
    return f"{base}/auth/callback" if audience == "citizen" else f"{base}/staff/auth/callback"


def post_logout_redirect_uri(ports: Ports, audience: Audience) -> str:
    base = ports.settings.public_base_url
    return f"{base}/logged-out" if audience == "citizen" else f"{base}/staff/logged-out"


def attempt_tag(state: str) -> str:
    """A short public name for a login attempt (not the state itself, which stays secret)."""
    return sha256_hex(f"tag:{state}")[:16]


def _oidc(ports: Ports, audience: Audience) -> OidcClient:
    return ports.citizen_oidc if audience == "citizen" else ports.staff_oidc


def begin_login(ports: Ports, audience: Audience, now: datetime, *, force_login: bool = False) -> LoginStart:
    """`force_login` after a logout in this browser: the provider asks the person again even if
    its own session outlived ours."""
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    binding = secrets.token_urlsafe(32)
    try:
        url = _oidc(ports, audience).authorization_url(
            redirect_uri=redirect_uri(ports, audience), state=state, nonce=nonce, code_verifier=verifier,
            force_login=force_login,
        )  # fmt: skip
    except OidcError as error:
        raise _fail(audience, error.reason) from None
    ports.login_attempts.put(
        LoginAttempt(
            sha256_hex(state),
            audience=audience,
            nonce=nonce,
            code_verifier=verifier,
            browser_binding_hash=sha256_hex(binding),
            created_at=now,
            expires_at=now + LOGIN_ATTEMPT_LIFETIME,
        )
    )
    return LoginStart(authorization_url=url, attempt_tag=attempt_tag(state), browser_binding=binding)


def _fail(audience: Audience, reason: str) -> LoginFailed:
    logger.warning("login failed", extra={"audience": audience, "reason": reason})
    record_metric(f"{audience.capitalize()}LoginFailed")
    return LoginFailed(reason, "Inloggningen kunde inte genomföras.")


def _refuse_level(audience: Audience) -> LoginRefused:
    """A level of assurance below what the region accepts: a neutral refusal, nothing written."""
    logger.warning("login refused", extra={"audience": audience, "reason": "acr_not_accepted"})
    record_metric(f"{audience.capitalize()}LoginRefused")
    return LoginRefused("acr_not_accepted", "Inloggningen kunde inte godkännas.")


def _verified_login(
    ports: Ports, audience: Audience, callback: Callback, now: datetime, identity_claims: tuple[str, ...]
) -> VerifiedLogin:
    if callback.provider_error:
        raise _fail(audience, "provider_error")
    if not callback.state or not callback.code:
        raise _fail(audience, "missing_parameters")
    attempt = ports.login_attempts.take(callback.state)
    if attempt is None:
        raise _fail(audience, "state_unknown_or_used")
    if attempt.audience != audience or attempt.expires_at < now:
        raise _fail(audience, "state_expired")
    binding = callback.browser_binding
    if not binding or not hmac.compare_digest(attempt.browser_binding_hash, sha256_hex(binding)):
        raise _fail(audience, "state_not_bound_to_browser")
    oidc = _oidc(ports, audience)
    try:
        tokens = oidc.exchange_code(
            code=callback.code, redirect_uri=redirect_uri(ports, audience), code_verifier=attempt.code_verifier
        )
        claims = oidc.validate_id_token(tokens.id_token, nonce=attempt.nonce, now=int(now.timestamp()))
        if not any(name in claims for name in identity_claims):
            # The profile lets a provider release identity claims from userinfo only.
            userinfo = oidc.userinfo(tokens.access_token, subject=claims["sub"])
            claims = {**userinfo, **claims}
    except OidcError as error:
        if error.reason == "acr_not_accepted":
            raise _refuse_level(audience) from None
        raise _fail(audience, error.reason) from None
    return VerifiedLogin(claims=claims, id_token=tokens.id_token)


def personnummer_from_claims(claims: dict[str, Any], today: Any) -> Personnummer:
    """The person's number from the Swedish OIDC profile claims; a coordination-number claim must
    hold a samordningsnummer, a personal-identity-number claim must not."""
    for claim, coordination in ((PERSONAL_IDENTITY_NUMBER_CLAIM, False), (COORDINATION_NUMBER_CLAIM, True)):
        value = claims.get(claim)
        if value is None:
            continue
        if not is_twelve_digits(value):  # ASCII only: str.isdigit() also takes fullwidth digits
            raise InvalidPersonnummer("Identitetsnumret ska ha tolv siffror.")
        pnr = parse(value, today)
        if pnr.is_coordination_number != coordination:
            raise InvalidPersonnummer("Identitetsnumret är av fel slag för sitt attribut.")
        return pnr
    raise InvalidPersonnummer("Inloggningen innehöll inget identitetsnummer.")


def _new_session(
    ports: Ports, kind: Audience, subject_id: str, display_name: str, login: VerifiedLogin, now: datetime
) -> NewSession:
    token = secrets.token_urlsafe(32)
    auth_time = login.claims.get("auth_time")
    # A citizen's login is counted in the usage statistics from its event (ids only: the stream key).
    began = event(Kind.CITIZEN_LOGGED_IN, f"login#{subject_id}", now) if kind == "citizen" else None
    ports.sessions.create(
        SessionRecord(
            sha256_hex(token),
            kind=kind,
            subject_id=subject_id,
            display_name=display_name,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=ports.settings.session_max_hours),
            acr=str(login.claims["acr"]),
            auth_time=datetime.fromtimestamp(auth_time, timezone.utc) if isinstance(auth_time, int | float) else None,
            id_token=login.id_token,
        ),
        began,
    )
    return NewSession(token=token, kind=kind)


def complete_citizen_login(ports: Ports, callback: Callback, now: datetime) -> NewSession:
    login = _verified_login(ports, "citizen", callback, now, (PERSONAL_IDENTITY_NUMBER_CLAIM, COORDINATION_NUMBER_CLAIM))
    claims = login.claims
    try:
        pnr = personnummer_from_claims(claims, stockholm_date(now))
    except InvalidPersonnummer:
        raise _fail("citizen", "personnummer_invalid") from None
    citizen_id = ports.identities.find_or_create(pnr)
    if not ports.accounts.record_login(citizen_id, now):
        logger.info("login refused: login removed", extra={"citizen_id": citizen_id})
        record_metric("CitizenLoginRefused")
        raise LoginRefused("login_removed", "Du kan inte logga in på e-tjänsterna.")
    person = ports.register.get(citizen_id)
    name = person.full_name if person else _name_from_claims(claims)
    session = _new_session(ports, "citizen", citizen_id, name, login, now)
    logger.info("citizen logged in", extra={"citizen_id": citizen_id})
    record_metric("CitizenLoginSucceeded")
    return session


def complete_staff_login(ports: Ports, callback: Callback, now: datetime) -> NewSession:
    login = _verified_login(ports, "staff", callback, now, (ports.settings.staff_hsa_id_claim,))
    claims = login.claims
    hsa_id = claims.get(ports.settings.staff_hsa_id_claim)
    if not isinstance(hsa_id, str) or not hsa_id.strip():
        raise _fail("staff", "hsa_id_missing")
    name = _name_from_claims(claims)
    title = claims.get(ports.settings.staff_title_claim)
    # Before the role check: someone new who logs in once is then in the staff directory, where their
    # unit's permission admin can find them and grant a role.
    ports.staff_profiles.remember_login(hsa_id, name, title.strip() if isinstance(title, str) else None, now)
    if not ports.staff.roles_of(hsa_id):
        logger.info("login refused: no role", extra={"staff_hsa_id": hsa_id})
        record_metric("StaffLoginRefused")
        raise LoginRefused("no_staff_role", "Du har ingen behörighet i e-tjänsternas personalverktyg.")
    session = _new_session(ports, "staff", hsa_id, name, login, now)
    logger.info("staff logged in", extra={"staff_hsa_id": hsa_id})
    record_metric("StaffLoginSucceeded")
    return session


def _name_from_claims(claims: dict[str, Any]) -> str:
    parts = [claims.get("given_name"), claims.get("family_name")]
    name = " ".join(p for p in parts if isinstance(p, str) and p)
    return name or str(claims.get("name") or "")


def _live_session(ports: Ports, token: str | None, kind: Audience, now: datetime) -> SessionRecord | None:
    """The session for this cookie if it is of this kind and neither idle nor past its lifetime."""
    if not token:
        return None
    record = ports.sessions.get(token)
    if record is None or record.kind != kind:
        return None
    idle_limit = timedelta(minutes=ports.settings.session_idle_minutes)
    if now >= record.expires_at or now - record.last_seen_at >= idle_limit:
        ports.sessions.delete(record)
        return None
    if now - record.last_seen_at >= SESSION_TOUCH_INTERVAL:
        ports.sessions.touch(record, now)
    return record


def citizen_principal(ports: Ports, token: str | None, now: datetime) -> CitizenPrincipal | None:
    record = _live_session(ports, token, "citizen", now)
    if record is None:
        return None
    acting_for_id, acting_for_name = record.acting_for_id, None
    if acting_for_id:
        # Re-checked on every request: a 13th birthday, a new protected identity or care blocking the
        # guardian ends it at once.
        child = ports.register.get(acting_for_id)
        if child and record.subject_id in child.guardian_ids and guardian_may_act_for(
            child.as_child(), record.subject_id, stockholm_date(now)
        ):
            acting_for_name = child.given_name
        else:
            ports.sessions.set_acting_for(record, None)
            acting_for_id = None
    return CitizenPrincipal(
        citizen_id=record.subject_id,
        display_name=record.display_name,
        acting_for_id=acting_for_id,
        acting_for_name=acting_for_name,
        csrf_token=record.csrf_token,
    )


def staff_principal(ports: Ports, token: str | None, now: datetime) -> StaffPrincipal | None:
    record = _live_session(ports, token, "staff", now)
    if record is None:
        return None
    roles = tuple(ports.staff.roles_of(record.subject_id))  # read each request: a revoked role ends access
    if not roles:
        ports.sessions.delete(record)
        return None
    return StaffPrincipal(
        hsa_id=record.subject_id, display_name=record.display_name, roles=roles, csrf_token=record.csrf_token
    )


def logout(ports: Ports, token: str | None) -> None:
    """Ends the session of this cookie, if any (a new login replacing an earlier one)."""
    if token and (record := ports.sessions.get(token)):
        ports.sessions.delete(record)


def end_session(ports: Ports, record: SessionRecord, audience: Audience) -> EndSession | None:
    """A person's logout: ends our session (as already read) and returns where the browser should go
    to end the provider's session too (when it offers end_session_endpoint and we hold the ID token)."""
    ports.sessions.delete(record)
    if not record.id_token:
        return None
    oidc = _oidc(ports, audience)
    try:
        endpoint = oidc.end_session_endpoint()
    except OidcError:
        return None  # the provider is down: our session is gone, the next login asks again (prompt=login)
    if endpoint is None:
        return None
    return EndSession(
        endpoint,
        {
            "id_token_hint": record.id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri(ports, audience),
            "client_id": oidc.client_id,
        },
    )

