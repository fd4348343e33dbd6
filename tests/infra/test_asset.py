"""The Lambda code asset as synth and deploy build it (infra/asset.py): within its size, every
module compiled as Lambda's read-only /var/task can use, no second AWS SDK, and able to run with
nothing but itself and the runtime's SDK. Its cold-start figures are printed by `make bench`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

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
    assert not [n for n in names if n.endswith((".c", ".h", ".pyx", ".pxd", ".pyi"))]
    assert not [n for n in names if n.startswith(("tests/", "infra/", "local/", "bench/", "demo/"))]


def test_the_asset_runs_with_only_itself_and_the_runtimes_sdk(built):
    """A fresh interpreter without site-packages: every function's module imports from the asset, a
    print batch renders, a due time is computed; the API's import leaves the templates, the PDF
    library and boto3 unloaded, and the scheduled and stream handlers load no route."""
    from chalicelib.functions import HANDLERS

    handlers = sorted({h.rsplit(".", 1)[0] for h in HANDLERS.values()})
    script = f"""
import sys
sys.path[:0] = [{str(built / "asset")!r}, {str(built / "runtime-sdk")!r}]
import app
assert not {{"jinja2", "fpdf", "holidays", "boto3"}} & set(sys.modules), sorted(sys.modules)
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
import jinja2, fpdf, botocore
assert all(m.__file__.startswith(sys.path[0]) for m in (jinja2, fpdf)), "a package came from outside the asset"
print("ok")
"""
    result = subprocess.run([sys.executable, "-S", "-B", "-c", script], cwd=built / "asset", capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]
