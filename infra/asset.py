"""The Lambda code asset: what `chalice package` zips (app.py, chalicelib/, the packages in
requirements.txt built for Lambda), made ready for a cold start.

    make asset                 # python -m infra.asset: builds out/asset.zip and out/asset/, prints the sizes

`make synth` / `make deploy` build the same asset: infra/stack.py packages the app with `ChaliceApp`,
which runs `optimise` on the zip Chalice made before CDK takes it (this module needs no CDK).

What `optimise` does to Chalice's zip:

- **Compiled bytecode.** Every module is compiled for CPython 3.11 (the runtime Chalice picks from
  the Python that packages it, which must be 3.11) into `__pycache__`. Lambda's /var/task is
  read-only, so a module without bytecode is compiled again on every cold start; and a timestamp
  pyc is stale there (the zip does not keep the source's mtime exactly), so the pycs are
  *unchecked-hash*: Python loads them without looking at the source's time or contents. Any
  `__pycache__` from the developer's machine is dropped first.
- **The AWS SDK left to the runtime.** Lambda's Python runtime has boto3 and botocore (and
  s3transfer, jmespath, dateutil, six, urllib3), already compiled. PynamoDB's dependency made
  Chalice ship a second, uncompiled botocore that shadowed the runtime's; it is left out. (The
  SDK's version is then the runtime's, not requirements-dev.txt's; the app uses no API newer
  than the runtime's botocore has.)
- **Nothing that does not run.** C sources, headers, Cython sources, type stubs and the wheels'
  scripts and manual pages go; shared libraries are stripped of their debugging sections
  (`strip --strip-unneeded`, binutils).
  Nor the Swagger UI that Powertools' own API resolver can serve (1.7 MB): the API is Chalice's.
- **Only the FHIR models the platform uses.** fhirclient/models holds a module for each of FHIR R4's
  ~200 resources and types (4.5 MB compiled); the asset keeps those FHIR_MODELS names and every model
  they import (found by reading their imports with `ast`), 57 modules, and drops the rest. The one
  import not followed is the element factory's (fhirelementfactory: a function that imports a model
  by a resource's name, for a contained resource or a Bundle's entry): a resource of a type not kept
  then fails fhirclient's check as an unknown module would, so a new kind of resource the platform
  reads or writes is added to FHIR_MODELS. fhirclient's server client (client, server, auth) and the
  HTTP stack it imports (requests, charset-normalizer, idna, certifi: 2.3 MB) are left out too: the
  platform checks resources and calls no FHIR server. The asset's fhirclient/__init__.py, which
  imported that client, is empty, so importing a model loads no HTTP library.

The result must stay within MAX_UNZIPPED_BYTES (tests/infra/test_asset.py).
"""

from __future__ import annotations

import argparse
import ast
import compileall
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out"
MAX_UNZIPPED_BYTES = 50_000_000  # 50 MB, decimal: the stricter reading
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the asset: the paths compiled into the bytecode
RUNTIME = (3, 11)  # Chalice's runtime: python3.11, from the Python that packages the app
# Lambda's Python runtime provides these (and keeps them compiled): top-level names in the asset.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
_DIST_INFO_NAMES = {"python_dateutil": "dateutil"}  # a distribution whose name is not its package's
DROPPED_SUFFIXES = (".pyc", ".pyo", ".c", ".h", ".pyx", ".pxd", ".pyi")
# Font files no PDF sets (chalicelib/web/letters.py uses the upright Noto Sans only): 2.3 MB. The Swagger UI
# Powertools' API resolver serves when asked to (enable_swagger): the app's API is Chalice's, 1.7 MB.
DROPPED_FILES = (
    "fontpkg_noto_sans/files/NotoSans-Italic[wdth,wght].ttf",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui.min.css",
)
# The fhirclient models (fhirclient/models/<name>.py) the platform uses; the asset keeps these and the
# models they import, nothing else of fhirclient/models.
FHIR_MODELS = (
    "questionnaire",  # forms (chalicelib/domain/questionnaire.py): an imported form's structure
    "questionnaireresponse",  # the answers to a form
    # The journal (journalen), to come: the records it reads and shows.
    "documentreference",
    "condition",
    "observation",
    "immunization",
    "medicationrequest",
    "medicationstatement",
    "composition",
    "bundle",
    "patient",
)
FHIR_MODELS_FOLDER = "fhirclient/models"
# fhirclient's server client and what only it imports: top-level names, and its modules (see above).
FHIR_CLIENT_ONLY = ("requests", "charset_normalizer", "idna", "certifi")
_FHIR_SERVER_CLIENT = ("fhirclient/client.py", "fhirclient/server.py", "fhirclient/auth.py")
_FHIR_PACKAGE_INIT = '"""fhirclient\'s FHIR R4 models only: its server client is left out (infra/asset.py)."""\n'
_FHIR_FACTORY = "fhirelementfactory"  # imports any model by a resource's name at run time: not followed
# Bump when the rules above change: optimised zips are cached by their input and this.
RECIPE = "4"
_CACHE = ROOT / ".chalice" / "deployments"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _top_name(top: str) -> str:
    """The package a top-level name of the asset is or describes (`requests-2.34.2.dist-info`: requests)."""
    name = top.removesuffix(".py")
    if top.endswith(".dist-info"):
        name = top.split("-")[0]
        name = _DIST_INFO_NAMES.get(name, name)
    return name


def _runtime_provided(top: str) -> bool:
    return _top_name(top) in RUNTIME_PROVIDED


def _dropped(relative: Path) -> bool:
    return (
        _runtime_provided(relative.parts[0])
        or _top_name(relative.parts[0]) in FHIR_CLIENT_ONLY
        or relative.as_posix() in _FHIR_SERVER_CLIENT
        or relative.parts[0].endswith(".data")  # a wheel's scripts and manual pages: nothing imports them
        or "__pycache__" in relative.parts
        or relative.name.endswith(DROPPED_SUFFIXES)
        or relative.as_posix() in DROPPED_FILES
    )


def fhir_model_imports(source: str) -> set[str]:
    """The fhirclient models a model module imports, anywhere in it (`from . import coding`, `from .bundle
    import Bundle`, `import fhirclient.models.meta`, also inside a function or an `if`)."""
    found: set[str] = set()
    prefix = FHIR_MODELS_FOLDER.replace("/", ".") + "."
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {a.name for a in node.names} if node.module is None else {node.module.split(".")[0]}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(prefix):
            found.add(node.module.removeprefix(prefix).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == prefix[:-1]:
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix(prefix).split(".")[0] for a in node.names if a.name.startswith(prefix)}
    return found


def fhir_models_kept(models: Path, wanted: tuple[str, ...] = FHIR_MODELS) -> set[str]:
    """The model modules (names in the folder `models`) reachable from `wanted` by their imports, the
    element factory's excepted."""
    kept: set[str] = set()
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        path = models / f"{name}.py"
        if not path.is_file():
            raise SystemExit(f"infra.asset: {FHIR_MODELS_FOLDER}/{name}.py is not in the asset (FHIR_MODELS)")
        kept.add(name)
        if name != _FHIR_FACTORY:
            todo.extend(fhir_model_imports(path.read_text(encoding="utf-8")))
    return kept


def _fhir_models_only(folder: Path) -> None:
    models = folder / FHIR_MODELS_FOLDER
    if not models.is_dir():
        return
    (models.parent / "__init__.py").write_text(_FHIR_PACKAGE_INIT, encoding="utf-8")
    kept = fhir_models_kept(models) | {"__init__"}
    for path in models.iterdir():
        if path.is_dir():
            shutil.rmtree(path)  # a test folder or __pycache__: nothing imports it
        elif path.suffix != ".py" or path.stem not in kept:
            path.unlink()


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _strip(folder: Path) -> None:
    strip = shutil.which("strip")
    if strip is None:  # binutils missing: a larger asset, the same code
        print("infra.asset: `strip` not found (binutils): shared libraries keep their debugging sections",
              file=sys.stderr)  # fmt: skip
        return
    libraries = sorted(str(p) for p in folder.rglob("*.so*") if p.is_file() and _is_elf(p))
    if libraries:
        subprocess.run([strip, "--strip-unneeded", *libraries], check=True)


def _compile(folder: Path) -> None:
    if sys.version_info[:2] != RUNTIME:
        raise SystemExit(f"infra.asset: compile with Python {'.'.join(map(str, RUNTIME))}, the functions' runtime "
                         f"(this is {sys.version.split()[0]})")  # fmt: skip
    ok = compileall.compile_dir(
        str(folder), ddir=LAMBDA_TASK_ROOT, quiet=1, workers=1, optimize=0,  # Lambda runs python without -O
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )  # fmt: skip
    if not ok:
        raise SystemExit("infra.asset: a module in the asset does not compile")


def _zip(folder: Path, target: Path) -> None:
    """A reproducible zip: sorted entries, one timestamp, plain permissions."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if os.access(path, os.X_OK) else 0o100644) << 16
            out.writestr(info, path.read_bytes())


def _cache_key(source: Path) -> str:
    digest = hashlib.sha256(f"{RECIPE} {sys.version}".encode())
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def optimise(source: Path, target: Path) -> Path:
    """Write the optimised asset for Chalice's zip `source` to `target` (may be the same file)."""
    cached = _CACHE / f"optimised-{_cache_key(source)}.zip"
    if not cached.is_file():
        _CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="asset-") as scratch:
            folder = Path(scratch) / "task"
            with zipfile.ZipFile(source) as chalice_zip:
                for info in chalice_zip.infolist():
                    if not info.is_dir() and not _dropped(Path(info.filename)):
                        chalice_zip.extract(info, folder)
            _fhir_models_only(folder)
            _strip(folder)
            _compile(folder)
            partial = cached.with_suffix(".partial")
            _zip(folder, partial)
            partial.replace(cached)
    if cached.resolve() != target.resolve():
        shutil.copyfile(cached, target)
    return target


def report(asset_zip: Path) -> dict[str, Any]:
    """Sizes of the asset: unzipped (what Lambda's limit counts), zipped, and by top-level name."""
    with zipfile.ZipFile(asset_zip) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
    by_top: Counter[str] = Counter()
    for info in infos:
        by_top[info.filename.split("/")[0]] += info.file_size
    return {
        "files": len(infos),
        "unzipped_bytes": sum(i.file_size for i in infos),
        "zipped_bytes": asset_zip.stat().st_size,
        "pyc_files": sum(1 for i in infos if i.filename.endswith(".pyc")),
        "py_files": sum(1 for i in infos if i.filename.endswith(".py")),
        "by_top": by_top,
    }


def _check_route_table() -> None:
    """The deployed API serves the routes of chalicelib/api/route_table.py: never a stale one."""
    from chalicelib.api import areas

    if areas.TABLE.read_text() != areas.render_table(areas.declared_routes()):
        raise SystemExit("chalicelib/api/route_table.py is not what the areas declare: run `make routes`")


def package(out: Path = OUT) -> Path:
    """`chalice package` the app and optimise its zip: out/asset.zip, unpacked in out/asset/ as
    Lambda unpacks it in /var/task."""
    from chalice import api

    from chalicelib import catalogs

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")  # `chalice package` asks botocore for one
    _check_route_table()
    catalogs.main()  # the .mo files the asset ships, from the .po files as they are now
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chalice-package-") as scratch:
        api.package_app(project_dir=str(ROOT), output_dir=scratch, stage="dev",
                        chalice_config={"autogen_policy": False, "iam_policy_file": "policy-base.json"})  # fmt: skip
        asset_zip = optimise(Path(scratch) / "deployment.zip", out / "asset.zip")
    unpacked = out / "asset"
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(asset_zip) as z:
        z.extractall(unpacked)
    return asset_zip


def runtime_sdk(out: Path = OUT) -> Path:
    """A folder standing in for the Lambda runtime's own packages: links to this environment's
    (compiled) boto3, botocore and their dependencies, for measuring the asset as Lambda loads it."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    sdk = out / "runtime-sdk"
    shutil.rmtree(sdk, ignore_errors=True)
    sdk.mkdir(parents=True)
    for entry in sorted(site.iterdir()):
        if _runtime_provided(entry.name):
            (sdk / entry.name).symlink_to(entry)
    (sdk / "__pycache__").mkdir()
    for compiled in sorted((site / "__pycache__").glob("*.pyc")):  # single-file modules' bytecode (six)
        if _runtime_provided(compiled.name.split(".")[0]):
            (sdk / "__pycache__" / compiled.name).symlink_to(compiled)
    return sdk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    asset_zip = package(args.out)
    runtime_sdk(args.out)
    figures = report(asset_zip)
    mb = 1_000_000
    print(f"Asset {asset_zip.relative_to(ROOT) if asset_zip.is_relative_to(ROOT) else asset_zip}: "
          f"{figures['unzipped_bytes'] / mb:.1f} MB unzipped (limit {MAX_UNZIPPED_BYTES / mb:.0f} MB), "
          f"{figures['zipped_bytes'] / mb:.1f} MB zipped; {figures['files']} files, "
          f"{figures['pyc_files']} compiled modules for {figures['py_files']} sources")  # fmt: skip
    for name, size in figures["by_top"].most_common(8):
        print(f"  {size / mb:5.1f} MB  {name}")
    if figures["unzipped_bytes"] > MAX_UNZIPPED_BYTES:
        print("infra.asset: the asset is over its size limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
