"""The environment is validated once; a region's mistake is reported by name."""

import pytest

from chalicelib.settings import SettingsError, load

BASE = {
    "REGION_NAME": "Region Test",
    "REGION_HSA_ID": "SE000-R",
    "PUBLIC_BASE_URL": "https://e.region.se",
    "CITIZEN_OIDC_ISSUER": "https://eid.region.se",
    "CITIZEN_OIDC_CLIENT_ID": "c",
    "STAFF_OIDC_ISSUER": "https://siths.region.se",
    "STAFF_OIDC_CLIENT_ID": "s",
    "PNR_HMAC_KEY": "k" * 32,
}


def test_defaults_for_a_deployed_region():
    settings = load(BASE)
    assert settings.deployment == "aws"
    assert settings.cookie_secure
    assert settings.staff_hsa_id_claim == "employeeHsaId"
    assert (settings.session_idle_minutes, settings.session_max_hours) == (30, 8)
    assert settings.aws_endpoint_url is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PUBLIC_BASE_URL": "http://e.region.se"}, "PUBLIC_BASE_URL"),
        ({"CITIZEN_OIDC_ISSUER": ""}, "CITIZEN_OIDC_ISSUER"),
        ({"PNR_HMAC_KEY": "short"}, "PNR_HMAC_KEY"),
        ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES"),
        ({"DEPLOYMENT": "cloud"}, "DEPLOYMENT"),
    ],
)
def test_bad_settings_are_named(change, message):
    with pytest.raises(SettingsError, match=message):
        load({**BASE, **change})


def test_plain_http_is_allowed_only_for_localhost():
    settings = load({**BASE, "PUBLIC_BASE_URL": "http://localhost:8000", "DEPLOYMENT": "local"})
    assert not settings.cookie_secure


def test_secrets_are_read_from_secrets_manager_by_arn():
    import boto3
    from moto import mock_aws

    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="eu-north-1")
        key_arn = sm.create_secret(Name="demo/pnr-key", SecretString="s" * 40)["ARN"]
        oidc_arn = sm.create_secret(Name="demo/citizen-oidc", SecretString="client-secret")["ARN"]
        env = {k: v for k, v in BASE.items() if k != "PNR_HMAC_KEY"}
        settings = load({**env, "PNR_HMAC_KEY_ARN": key_arn, "CITIZEN_OIDC_CLIENT_SECRET_ARN": oidc_arn})
    assert settings.pnr_hmac_key == b"s" * 40
    assert settings.citizen_oidc.client_secret == "client-secret"
    assert settings.staff_oidc.client_secret is None


def test_e_services_are_all_on_unless_the_region_switches_them():
    assert all(load(BASE).eservices.values())
    chosen = load({**BASE, "ESERVICES_ENABLED": '{"inbox": true, "forms": false}'})
    assert chosen.eservice_on("inbox") and not chosen.eservice_on("forms") and not chosen.eservice_on("booking")
    with pytest.raises(SettingsError, match="ESERVICES_ENABLED"):
        load({**BASE, "ESERVICES_ENABLED": '{"teleport": true}'})
