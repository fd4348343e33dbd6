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
    "OIDC_CLIENT_KEY": "c" * 43,
}


def test_defaults_for_a_deployed_region():
    settings = load(BASE)
    assert settings.deployment == "aws"
    assert settings.cookie_secure
    assert settings.staff_hsa_id_claim == "employeeHsaId"
    assert (settings.session_idle_minutes, settings.session_max_hours) == (30, 8)
    assert settings.aws_endpoint_url is None
    # The Swedish OIDC profile: the personnummer by scope, level of assurance 3, private_key_jwt
    citizen = settings.citizen_oidc
    assert citizen.scopes == ("openid", "https://id.oidc.se/scope/naturalPersonNumber",
                              "https://id.oidc.se/scope/naturalPersonName")  # fmt: skip
    assert citizen.acr_values == ("http://id.elegnamnden.se/loa/1.0/loa3",)
    assert citizen.client_auth == settings.staff_oidc.client_auth == "private_key_jwt"
    assert settings.staff_oidc.acr_values == ("http://id.elegnamnden.se/loa/1.0/loa3",)


def test_a_region_sets_its_own_scopes_levels_and_client_authentication():
    settings = load({**BASE, "CITIZEN_OIDC_SCOPES": "https://id.oidc.se/scope/naturalPersonNumber",
                     "CITIZEN_OIDC_ACR_VALUES": "http://id.elegnamnden.se/loa/1.0/loa3 http://id.elegnamnden.se/loa/1.0/loa4",
                     "STAFF_OIDC_CLIENT_AUTH": "client_secret_basic", "STAFF_OIDC_CLIENT_SECRET": "s3cret",
                     "STAFF_OIDC_ISSUER": "https://siths.region.se/"})  # fmt: skip
    assert settings.citizen_oidc.scopes == ("openid", "https://id.oidc.se/scope/naturalPersonNumber")
    assert len(settings.citizen_oidc.acr_values) == 2
    assert settings.staff_oidc.client_auth == "client_secret_basic"
    assert settings.staff_oidc.issuer == "https://siths.region.se/"  # kept as written; discovery decides


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PUBLIC_BASE_URL": "http://e.region.se"}, "PUBLIC_BASE_URL"),
        ({"CITIZEN_OIDC_ISSUER": ""}, "CITIZEN_OIDC_ISSUER"),
        ({"PNR_HMAC_KEY": "short"}, "PNR_HMAC_KEY"),
        ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES"),
        ({"DEPLOYMENT": "cloud"}, "DEPLOYMENT"),
        ({"OIDC_CLIENT_KEY": "short"}, "OIDC_CLIENT_KEY"),
        ({"CITIZEN_OIDC_CLIENT_AUTH": "none"}, "CITIZEN_OIDC_CLIENT_AUTH"),
        ({"STAFF_OIDC_CLIENT_AUTH": "client_secret_basic"}, "STAFF_OIDC_CLIENT_SECRET"),
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
