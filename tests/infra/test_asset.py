"""The Lambda code asset as synth and deploy build it (infra/asset.py): within its size, every
module compiled as Lambda's read-only /var/task can use, no second AWS SDK, and able to run with
nothing but itself and the runtime's SDK. Its cold-start figures are printed by `make bench`."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import fhirclient
import pytest

from infra import asset

_UNCHECKED_HASH = 0b01  # the pyc's flags: hash-based, source not checked


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """`chalice package` reuses its dependency build and the optimised zip is cached: after a synth
    (or `make asset`) of the same code this takes seconds."""
    out = tmp_path_factory.mktemp("asset")
    asset.package(out)
    asset.runtime_sdk(out)
    return out


def test_the_asset_is_at_most_50_mb_unzipped(built):
    figures = asset.report(built / "asset.zip")
    assert figures["unzipped_bytes"] <= asset.MAX_UNZIPPED_BYTES == 50_000_000, figures["by_top"].most_common(8)


def test_every_module_is_compiled_for_the_runtime_without_checking_its_source(built):
    with zipfile.ZipFile(built / "asset.zip") as z:
        names = set(z.namelist())
        sources = [n for n in names if n.endswith(".py")]
        tag = f"cpython-{asset.RUNTIME[0]}{asset.RUNTIME[1]}"
        for source in sources:
            folder, _, module = source.rpartition("/")
            compiled = f"{folder}/__pycache__/{module[:-3]}.{tag}.pyc".lstrip("/")
            assert compiled in names, source
            assert int.from_bytes(z.read(compiled)[4:8], "little") == _UNCHECKED_HASH, compiled
        assert all("/__pycache__/" in f"/{n}" for n in names if n.endswith(".pyc"))
    assert len(sources) > 1000


def test_no_second_aws_sdk_and_nothing_that_does_not_run(built):
    with zipfile.ZipFile(built / "asset.zip") as z:
        names = z.namelist()
    tops = {n.split("/")[0] for n in names}
    assert {"app.py", "chalicelib", "chalice", "pynamodb", "aws_lambda_powertools", "jinja2", "fpdf"} <= tops
    assert not {t for t in tops if t.split("-")[0].removesuffix(".py") in asset.RUNTIME_PROVIDED}
    assert not {t for t in tops if t.split("-")[0] in asset.FHIR_CLIENT_ONLY}, "fhirclient's HTTP stack"
    assert not {"fhirclient/client.py", "fhirclient/server.py", "fhirclient/auth.py"} & set(names)
    assert not [n for n in names if n.endswith(("swagger-ui-bundle.min.js", "swagger-ui.min.css"))]
    assert not [n for n in names if n.endswith((".c", ".h", ".pyx", ".pxd", ".pyi"))]
    assert not [n for n in names if n.startswith(("tests/", "infra/", "local/", "bench/", "demo/"))]


def test_a_kept_fhir_models_imports_are_all_kept(tmp_path):
    """Without building: each model kept from the installed fhirclient imports only models kept, wherever
    the import stands (element.py imports extension inside a method); the element factory, which imports
    every model by name, is kept without following it."""
    installed = Path(fhirclient.__file__).parent / "models"
    kept = asset.fhir_models_kept(installed)
    for name in kept - {"fhirelementfactory"}:
        assert asset.fhir_model_imports((installed / f"{name}.py").read_text()) <= kept, name
    assert "extension" in asset.fhir_model_imports((installed / "element.py").read_text())
    assert {"fhirelementfactory", "questionnaire", "questionnaireresponse"} <= kept
    assert "valueset" in asset.fhir_model_imports((installed / "fhirelementfactory.py").read_text())
    assert "valueset" not in kept

    models = tmp_path / "models"
    models.mkdir()
    (models / "a.py").write_text("from . import b\nif False:\n    import fhirclient.models.c\n")
    (models / "b.py").write_text("def f():\n    from .d import D\n    from fhirclient.models import e\n")
    for name in ("c", "d", "e", "unused"):
        (models / f"{name}.py").write_text("import os\n")
    assert asset.fhir_models_kept(models, ("a",)) == {"a", "b", "c", "d", "e"}


def test_the_fhir_models_kept_are_those_named_and_everything_they_import(built):
    """fhirclient/models keeps FHIR_MODELS and the models they import (the element factory's imports by
    name excepted), and drops the rest of its ~200 modules."""
    installed = Path(fhirclient.__file__).parent / "models"
    with zipfile.ZipFile(built / "asset.zip") as z:
        folder = f"{asset.FHIR_MODELS_FOLDER}/"
        shipped = {n.removeprefix(folder)[:-3] for n in z.namelist() if n.startswith(folder) and n.endswith(".py")}
        assert "/" not in "".join(shipped)
        for name in shipped - {"__init__"}:
            imported = asset.fhir_model_imports(z.read(f"{folder}{name}.py").decode())
            if name != "fhirelementfactory":
                assert imported <= shipped, (name, sorted(imported - shipped))
    assert shipped == asset.fhir_models_kept(installed) | {"__init__"}
    assert set(asset.FHIR_MODELS) <= shipped
    assert {"questionnaire", "questionnaireresponse", "extension", "coding", "fhirdate"} <= shipped
    assert not {"claim", "explanationofbenefit", "testscript", "valueset", "elementdefinition"} & shipped
    assert len(shipped) < len(list(installed.glob("*.py"))) / 3


def test_nothing_the_app_runs_imports_the_http_stack_left_out_with_fhirclients_server_client(built):
    """requests and what it needs are in the asset only for fhirclient's server client, which the asset
    leaves out: no module imports them, bar Powertools' S3 Object Lambda event and HTTP middlewares
    (the app uses neither; they never had requests here)."""
    pattern = re.compile(rf"^\s*(?:import|from)\s+(?:{'|'.join(asset.FHIR_CLIENT_ONLY)})\b", re.MULTILINE)
    unused = ("aws_lambda_powertools/utilities/data_classes/s3_object_event.py",
              "aws_lambda_powertools/event_handler/middlewares/")  # fmt: skip
    with zipfile.ZipFile(built / "asset.zip") as z:
        importing = [n for n in z.namelist() if n.endswith(".py") and not n.startswith(unused)
                     and pattern.search(z.read(n).decode("utf-8", "replace"))]  # fmt: skip
        init = z.read("fhirclient/__init__.py").decode()
    assert importing == []
    assert "import" not in init


def test_the_asset_runs_with_only_itself_and_the_runtimes_sdk(built):
    """A fresh interpreter without site-packages: every function's module imports from the asset, a
    print batch renders, a due time is computed, a form's Questionnaire is checked with the FHIR models
    kept (each of which imports); the API's import leaves the templates, the PDF library, the FHIR
    models and boto3 unloaded, and the scheduled and stream handlers load no route."""
    from chalicelib.functions import HANDLERS

    handlers = sorted({h.rsplit(".", 1)[0] for h in HANDLERS.values()})
    script = f"""
import sys
sys.path[:0] = [{str(built / "asset")!r}, {str(built / "runtime-sdk")!r}]
import app
assert not {{"jinja2", "fpdf", "holidays", "boto3", "fhirclient", "requests"}} & set(sys.modules), sorted(sys.modules)
import importlib, subprocess
ROUTES = ('chalicelib.api', 'chalicelib.web', 'jinja2', 'fpdf')
for handler in {handlers!r}:
    code = (f"import sys; sys.path[:0] = {{sys.path[:2]!r}}; import {{handler}}; "
            f"print(sorted(m for m in sys.modules if m.startswith({{ROUTES!r}})))")
    loaded = subprocess.run([sys.executable, "-S", "-B", "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", (handler, loaded)
    importlib.import_module(handler)
from datetime import date, datetime, timezone
from chalicelib.domain.case_due import OpeningHours, due_at
from chalicelib.web.letters import referral_pdf
assert referral_pdf("sv", "Anna", "Klamydia", ["chlamydia"], "o-1", date(2026, 6, 1), "STI-mottagningen").startswith(b"%PDF")
assert due_at(datetime(2026, 6, 18, 16, tzinfo=timezone.utc), OpeningHours.default()).date() == date(2026, 6, 22)
from chalicelib.domain import questionnaire
form = {{"resourceType": "Questionnaire", "status": "active", "title": "Hälsa", "item": [
    {{"linkId": "a", "type": "choice", "text": "Röker du?", "answerOption": [{{"valueCoding": {{"code": "ja"}}}}]}}]}}
questionnaire.check_structure(form)
try:
    questionnaire.check_structure({{**form, "status": None}})
    raise AssertionError("a Questionnaire without status passed")
except questionnaire.InvalidQuestionnaire:
    pass
from fhirclient.models.questionnaireresponse import QuestionnaireResponse
parsed = questionnaire.parse(form)
QuestionnaireResponse(questionnaire.response(parsed, {{"a": ("ja",)}}, questionnaire="Questionnaire/1",
                      status="completed", subject=None, authored="2026-06-01T10:00:00+02:00"), strict=True)
for model in {sorted(asset.FHIR_MODELS)!r}:
    importlib.import_module(f"fhirclient.models.{{model}}")
assert "requests" not in sys.modules, "a FHIR model loaded fhirclient's HTTP client"
import jinja2, fpdf, botocore, fhirclient
assert all(m.__file__.startswith(sys.path[0]) for m in (jinja2, fpdf, fhirclient)), "a package from outside the asset"
print("ok")
"""
    result = subprocess.run([sys.executable, "-S", "-B", "-c", script], cwd=built / "asset", capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]
