"""One contract (issue 17): the OpenAPI document is generated from the declared operations and models,
is a valid OpenAPI 3.1 document, describes exactly the routes the app has, lists the error codes the
code can give, and is never built on the import path. Responses the app really gives match it."""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import app as app_module
from chalicelib.api.openapi import openapi_document
from tests import api_error_codes


def test_the_document_is_a_valid_openapi_3_1_document():
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_has_its_operation_and_every_operation_its_route():
    """A route under /api/v1 or /integration/v1 registered with blueprint.route instead of
    contract.operation, or an operation whose route is gone, fails here."""
    described = {(path, method.upper()) for path, ops in openapi_document()["paths"].items() for method in ops}
    routed = {(path, method) for path, methods in app_module.app.routes.items()
              if path.startswith(("/api/v1", "/integration/v1")) for method in methods}  # fmt: skip
    assert routed - described == set(), "routes the document does not describe"
    assert described - routed == set(), "operations the app does not route"


def test_every_operation_says_who_may_call_it_and_what_it_answers():
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert "security" in operation, where
            assert any(status.startswith("2") for status in operation["responses"]), where
            if method in ("post", "put", "patch") and "requestBody" in operation:
                assert "415" in operation["responses"], where
                assert "400" in operation["responses"], where
            if operation["security"]:
                assert "401" in operation["responses"], where


def test_the_listed_error_codes_are_current():
    """chalicelib/api/error_codes.py is what the code raises: run `python -m tests.api_error_codes`."""
    from chalicelib.api.error_codes import ERROR_CODES

    assert ERROR_CODES == api_error_codes.codes_by_operation(), "run `python -m tests.api_error_codes`"


def test_import_app_builds_no_schema():
    code = "import sys, app; assert 'chalicelib.api.openapi' not in sys.modules; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-800:]


def _validator(document, method: str, path: str, status: str):
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, DRAFT202012))
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    ref = {"$ref": "urn:openapi#" + schema["$ref"][1:]} if "$ref" in schema else schema
    if "allOf" in schema:
        ref = {"allOf": [{"$ref": "urn:openapi#" + schema["allOf"][0]["$ref"][1:]}, schema["allOf"][1]]}
    return jsonschema.Draft202012Validator(ref, registry=registry)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/inbox", "/api/v1/settings", "/api/v1/access-log",
                                  "/api/v1/bookings", "/api/v1/booking-units"])  # fmt: skip
def test_what_the_citizen_api_answers_matches_the_document(region, path):
    browser = region.browser()
    browser.login("karin")
    response = browser.get(path)
    assert response.status_code == 200
    _validator(openapi_document(), "get", path, "200").validate(response.json_body)


def test_errors_match_the_document_in_both_languages(region):
    browser = region.browser()
    browser.login("karin")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.csrf_token()}
    for language, text in (("sv", "Fältet child_id krävs."), ("en", "The field child_id is required.")):
        response = browser.request("PUT", "/api/v1/acting-for", headers={**headers, "Accept-Language": language},
                                   body=b"{}")  # fmt: skip
        assert response.status_code == 400
        assert response.json_body == {"code": "field_required", "message": text, "field": "child_id"}
        _validator(openapi_document(), "put", "/api/v1/acting-for", "400").validate(response.json_body)
    wrong_type = browser.request("PUT", "/api/v1/acting-for", headers={**headers, "Content-Type": "text/plain"},
                                 body=b"x")  # fmt: skip
    assert wrong_type.status_code == 415
    assert wrong_type.json_body["code"] == "unsupported_media_type"
    _validator(openapi_document(), "put", "/api/v1/acting-for", "415").validate(wrong_type.json_body)
