"""Care-system keys in the regional admin's hands: issue with scopes and units (the secret shown once,
stored hashed), rotate with an overlap (the old secret works until it ends, then 401), revoke (401),
last use shown but written at most once per few minutes, and nobody else may touch them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from chalicelib.adapters.stores import sha256_hex
from chalicelib.adapters.tables import IntegrationClient
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.services import integration

VC = "SE2321000099-VC01"
KEYS = "/staff/integration-keys"


def _staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser


def _issue(admin, **fields):
    csrf = admin.csrf_token("/api/v1/staff/me")
    body = {"csrf_token": csrf, "system_name": "Labbsystemet", "scopes": ["messages"], "units": [VC],
            "submission_id": str(uuid.uuid4()), **fields}  # fmt: skip
    import urllib.parse

    return admin.request("POST", KEYS, headers={"Content-Type": "application/x-www-form-urlencoded"},
                         body=urllib.parse.urlencode(body, doseq=True).encode())  # fmt: skip


def _rotate(admin, key_id: str, csrf: str, overlap_hours: str | None = None, submission_id: str | None = None):
    fields = {"csrf_token": csrf, "submission_id": submission_id or str(uuid.uuid4())}
    if overlap_hours is not None:
        fields["overlap_hours"] = overlap_hours
    return admin.post_form(f"{KEYS}/{key_id}/rotate", fields)


def _shown_key(response) -> str:
    assert response.status_code == 200, response.body[:800]
    return re.search(r'<textarea id="the-key"[^>]*>([^<]+)</textarea>', response.body.decode()).group(1)


def _call(region, key: str):
    """A call any key with the messages scope may make: 404 for an unknown message, 401 for a bad key."""
    return region.integration("GET", "/integration/v1/messages/no-such-message", None, key=key,
                              idempotency_key=None, raw=b"")  # fmt: skip


def test_the_regional_admin_issues_a_key_that_is_shown_once_and_stored_hashed(region):
    # Given the regional admin on the keys page, which lists the demo care system's key
    rut = _staff(region, "rut")
    assert "Demo journalsystem" in rut.page(KEYS)
    # When she issues a key without choosing a scope
    refused = _issue(rut, scopes=[])
    # Then the form says so beside the field, and no key is made
    assert refused.status_code == 400 and 'id="scopes-error"' in refused.body.decode()
    assert "Labbsystemet" not in rut.page(KEYS)
    # When she issues it with a scope and a unit
    key = _shown_key(_issue(rut))
    key_id, secret = key.split(".", 1)
    # Then the key works for its scope and unit, and only its hash is stored
    assert _call(region, key).status_code == 404
    stored = IntegrationClient.get(key_id)
    assert stored.secret_hash == sha256_hex(secret) and secret not in str(stored.serialize())
    assert stored.scopes == {"messages"} and stored.allowed_units == {VC} and stored.issued_by == "SE2321000099-P004"
    # And the secret is never shown again, while its last use is
    page = rut.page(KEYS)
    assert "Labbsystemet" in page and secret not in page and key_id in page
    row = page[page.index("Labbsystemet"):]
    assert "Aldrig" not in row[: row.index("</tr>")]


def test_rotation_keeps_the_old_secret_working_until_the_overlap_ends_then_401(region, monkeypatch):
    # Given a key in use
    rut = _staff(region, "rut")
    old = _shown_key(_issue(rut))
    key_id = old.split(".", 1)[0]
    # When the regional admin rotates it with a two-hour overlap
    csrf = rut.csrf_token("/api/v1/staff/me")
    new = _shown_key(_rotate(rut, key_id, csrf, "2"))
    # Then both the new and the old secret work during the overlap, and the page says until when
    assert new != old and new.startswith(f"{key_id}.")
    assert _call(region, new).status_code == 404 and _call(region, old).status_code == 404
    assert "den gamla gäller till" in rut.page(KEYS)
    # When the overlap has ended
    later = clock.utc_now() + timedelta(hours=2, seconds=1)
    monkeypatch.setattr(integration, "utc_now", lambda: later)
    # Then the old secret gets 401 and the new one still works
    assert _call(region, old).status_code == 401
    assert _call(region, new).status_code == 404
    # And a rotation with no overlap stops the previous secret at once
    newest = _shown_key(_rotate(rut, key_id, csrf, "0"))
    assert _call(region, new).status_code == 401 and _call(region, newest).status_code == 404
    bad = _rotate(rut, key_id, csrf, "9999")
    assert bad.status_code == 400 and _call(region, newest).status_code == 404


def test_a_revoked_key_gets_401_at_once_even_during_an_overlap(region):
    # Given the demo care system's key, just rotated with an overlap
    rut = _staff(region, "rut")
    csrf = rut.csrf_token("/api/v1/staff/me")
    key_id = region.integration_key.split(".", 1)[0]
    new = _shown_key(_rotate(rut, key_id, csrf, "24"))
    # When the regional admin asks to revoke it, she is asked first, and nothing changes yet
    assert f'href="{KEYS}/{key_id}/revoke"' in rut.page(KEYS)
    question = rut.page(f"{KEYS}/{key_id}/revoke")
    assert "Återkalla nyckeln för" in question and "Det går inte att ångra" in question
    assert f'action="{KEYS}/{key_id}/revoke"' in question and "Nej, behåll nyckeln" in question
    assert _call(region, new).status_code != 401
    # When she says yes
    done = rut.post_form(f"{KEYS}/{key_id}/revoke", {"csrf_token": csrf})
    # Then both secrets get 401, and the key can be neither revoked again nor rotated
    assert done.status_code == 303 and done.headers["Location"] == f"{KEYS}?done=revoked"
    assert _call(region, new).status_code == 401 and _call(region, region.integration_key).status_code == 401
    assert "Återkallad" in rut.page(KEYS)
    assert rut.post_form(f"{KEYS}/{key_id}/revoke", {"csrf_token": csrf}).status_code == 409
    assert rut.get(f"{KEYS}/{key_id}/revoke").status_code == 409  # no question for a revoked key
    assert _rotate(rut, key_id, csrf).status_code == 409


def test_the_form_sent_again_by_a_reload_neither_makes_a_second_key_nor_rotates_again(region):
    # Given the regional admin who issued a key and saw it once
    rut = _staff(region, "rut")
    form = str(uuid.uuid4())
    key = _shown_key(_issue(rut, system_name="Röntgensystemet", submission_id=form))
    key_id = key.split(".", 1)[0]
    # When the browser sends the same form again (reload, or Back to the page that showed it)
    again = _issue(rut, system_name="Röntgensystemet", submission_id=form)
    # Then no second key is made and the secret is not shown again: the key list says so
    assert again.status_code == 303 and again.headers["Location"] == f"{KEYS}?done=shown_before"
    assert [c.key_id for c in ports().integration_clients.all() if c.system_name == "Röntgensystemet"] == [key_id]
    assert key.split(".", 1)[1] not in rut.page(KEYS)
    assert "har redan visats en gång" in rut.page(again.headers["Location"])
    # When she rotates it with an overlap, and the rotation's page is reloaded
    csrf = rut.csrf_token("/api/v1/staff/me")
    rotation = str(uuid.uuid4())
    new = _shown_key(_rotate(rut, key_id, csrf, "24", rotation))
    repeated = _rotate(rut, key_id, csrf, "24", rotation)
    # Then it is not rotated again: the old secret still works through its overlap, and so does the new
    assert repeated.status_code == 303 and repeated.headers["Location"] == f"{KEYS}?done=shown_before"
    assert _call(region, key).status_code == 404 and _call(region, new).status_code == 404
    # And a form without its submission id is refused, with nothing made
    csrf = rut.csrf_token("/api/v1/staff/me")
    bare = rut.post_form(KEYS, {"csrf_token": csrf, "system_name": "Utan formulär-id", "scopes": "messages",
                                "units": VC})  # fmt: skip
    assert bare.status_code == 400 and "Ladda om sidan" in bare.body.decode()
    assert "Utan formulär-id" not in rut.page(KEYS)


def test_last_use_is_written_at_most_once_per_five_minutes(region):
    # Given a key used once now
    key_id = region.integration_key.split(".", 1)[0]
    now = clock.utc_now()
    header = f"Bearer {region.integration_key}"
    integration.authenticate(ports(), header, now)
    first = IntegrationClient.get(key_id).last_used_at
    # When it is used again four minutes later, then six
    integration.authenticate(ports(), header, now + timedelta(minutes=4))
    assert IntegrationClient.get(key_id).last_used_at == first
    integration.authenticate(ports(), header, now + timedelta(minutes=6))
    # Then only the use after five minutes is written down
    assert IntegrationClient.get(key_id).last_used_at == now + timedelta(minutes=6)


def test_only_the_regional_admin_sees_or_changes_keys(region):
    key_id = region.integration_key.split(".", 1)[0]
    for sub in ("eva", "johan", "alva"):
        staff = _staff(region, sub)
        csrf = staff.csrf_token("/api/v1/staff/me")
        assert staff.get(KEYS).status_code == 403
        assert _issue(staff).status_code == 403
        assert _rotate(staff, key_id, csrf).status_code == 403
        assert staff.post_form(f"{KEYS}/{key_id}/revoke", {"csrf_token": csrf}).status_code == 403
    assert _call(region, region.integration_key).status_code == 404
